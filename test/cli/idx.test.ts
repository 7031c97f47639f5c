import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readResults } from "../../lib/index.ts";
import { cli, tempDir } from "./spawn.ts";

/** An IDX file of unsigned bytes: magic 0x000008 0x03/0x01 big-endian, its dimensions, then the bytes. */
function idx(dims: number[], bytes: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x800 + dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(bytes)]);
}

/** MNIST's four files in miniature: 2×2-pixel images, 10 classes, 30 training and 10 test samples. */
function tinyMnist(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [prefix, n] of [["train", 30], ["t10k", 10]] as const) {
    const labels = Array.from({ length: n }, (_, i) => i % 10);
    const pixels = labels.flatMap((label) => [label * 25, 255 - label * 25, (label * 77) % 256, 128]);
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), idx([n, 2, 2], pixels));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), idx([n], labels));
  }
}

describe("--dataset idx:PATH", () => {
  it("trains on MNIST's IDX files from a directory, all of its training and test samples", async () => {
    const dir = join(tempDir(), "mnist");
    tinyMnist(dir);
    const out = join(dir, "..", "idx.jsonl");
    const { code, stderr } = await cli(["experiment", "--dataset", `idx:${dir}`, "--layers", "4,5,10", "--batch-sizes", "5,30", "--steps", "10", "--seeds", "1", "--out", out]);
    expect(stderr).toContain("[2/2]");
    expect(code).toBe(0);
    const records = readResults(out).records;
    expect(records.map((r) => r.config.data)).toEqual([0, 1].map(() => ({ name: `idx:${dir}`, train: 30, test: 10, seed: 0 })));
    const bad = await cli(["experiment", "--dataset", `idx:${dir}`, "--batch-sizes", "31", "--layers", "4,5,10", "--out", out], { timeoutMs: 30_000 });
    expect(bad.stderr).toMatch(/--batch-sizes: batch size 31 is larger than the training set \(30 samples of idx:/);
    expect(bad.code).toBe(2);
  });

  it("reports a directory without the files as a bad --dataset", async () => {
    const dir = tempDir();
    const out = join(dir, "never.jsonl");
    const { code, stderr } = await cli(["experiment", "--dataset", `idx:${dir}`, "--out", out], { timeoutMs: 30_000 });
    expect(stderr).toMatch(/--dataset: cannot read MNIST's IDX files from .*train-images-idx3-ubyte/);
    expect(code).toBe(2);
  });
});
