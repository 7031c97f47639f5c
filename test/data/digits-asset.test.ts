import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { allDigits, decodeDigits, encodeDigits, loadDigits, splitDigits } from "../../lib/index.ts";
import { DIGITS_ASSET, writeDigitsAsset } from "../../tools/site/digits-asset.ts";

/** Entries where two arrays differ (vitest's deep equality is far too slow for 7.8 million numbers). */
function differences(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let count = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) count++;
  return count;
}

describe("the playground's digits asset", () => {
  it("decodes to exactly the digits Node loads, so a seed gives the browser the same split", () => {
    const docs = fs.mkdtempSync(path.join(os.tmpdir(), "batchprop-digits-"));
    try {
      const { file, bytes } = writeDigitsAsset(docs);
      expect(file).toBe(path.join(docs, "public", DIGITS_ASSET));
      const raw = gunzipSync(fs.readFileSync(file));
      // A byte per pixel and per label, the table and the header: 7.8 MB inflated, far less gzipped.
      expect(raw.byteLength).toBe(16 + 8 * 256 + 10_000 + 10_000 * 784);
      expect(bytes).toBeLessThan(raw.byteLength / 3);
      const decoded = decodeDigits(new Uint8Array(raw));
      const all = allDigits();
      expect(differences(decoded.inputs.data, all.inputs.data)).toBe(0);
      expect(differences(decoded.targets.data, all.targets.data)).toBe(0);
      for (const seed of [0, 7]) {
        const browser = splitDigits(decoded, { train: 8000, test: 2000, seed });
        const node = loadDigits({ train: 8000, test: 2000, seed });
        expect(differences(browser.train.inputs.data, node.train.inputs.data)).toBe(0);
        expect(differences(browser.test.targets.data, node.test.targets.data)).toBe(0);
        expect(differences(browser.test.inputs.data, node.test.inputs.data)).toBe(0);
      }
    } finally {
      fs.rmSync(docs, { recursive: true, force: true });
    }
  });

  it("refuses bytes that are not a digits file, or cut short, saying so", () => {
    const bytes = encodeDigits(loadDigits({ train: 3, test: 0 }).train);
    expect(() => decodeDigits(new Uint8Array(20))).toThrow("decodeDigits: not a digits file (no BPDG header)");
    expect(() => decodeDigits(bytes.subarray(0, bytes.length - 1))).toThrow(`decodeDigits: ${bytes.length - 1} bytes, but 3 samples of 784 pixels take ${bytes.length}`);
  });
});
