// The playground's digits (lib/data/digits-asset.ts), gzipped into the site's public folder:
//   the mnist package's 10,000 digits  ->  docs/public/playground/digits.bin.gz   (generated, git-ignored)
// The page's worker fetches it once and the browser caches it: a static file, not a JS bundle.
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { allDigits } from "../../lib/data/digits.ts";
import { encodeDigits } from "../../lib/data/digits-asset.ts";

/** Where the asset goes under the VitePress source folder, and its URL under the site's base. */
export const DIGITS_ASSET = "playground/digits.bin.gz";

/** Writes the asset under `<docsDir>/public/`; returns its path and size in bytes. */
export function writeDigitsAsset(docsDir: string): { file: string; bytes: number } {
  const file = path.join(docsDir, "public", DIGITS_ASSET);
  const gz = gzipSync(encodeDigits(allDigits()), { level: 9 });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, gz);
  return { file, bytes: gz.byteLength };
}
