/**
 * The 10,000 digits of the `mnist` package as a compact byte file, for the browser (the site's
 * playground): the package's pixel values are k/255 rounded to 3 decimals, 256 distinct numbers,
 * so each pixel is stored as a byte indexing a table of them. Decoding gives exactly the dataset
 * Node's loadDigits splits (test/data/digits-asset.test.ts), so the same seed gives the same split.
 *
 * Layout, little-endian: "BPDG", u32 samples, u32 pixels per sample, u32 classes; the table (256
 * float64); a byte per sample, its label; a byte per pixel, an index into the table.
 */
import { Matrix } from "../matrix/matrix.js";
import { createRng } from "../random/rng.js";
import { type Dataset, labelsOf, oneHot, type Split, splitDataset } from "./dataset.js";

const MAGIC = 0x47445042; // "BPDG"
const HEADER = 16;
const TABLE = 256;

export function encodeDigits(digits: Dataset): Uint8Array {
  const { rows, cols, data } = digits.inputs;
  const values = [...new Set(data)].sort((a, b) => a - b);
  if (values.length > TABLE) throw new RangeError(`encodeDigits: ${values.length} distinct pixel values, more than the ${TABLE} a byte can index`);
  const index = new Map(values.map((value, i) => [value, i]));
  const classes = digits.targets.cols;
  if (classes > TABLE) throw new RangeError(`encodeDigits: ${classes} classes, more than a byte can hold`);
  const bytes = new Uint8Array(HEADER + 8 * TABLE + rows + rows * cols);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, rows, true);
  view.setUint32(8, cols, true);
  view.setUint32(12, classes, true);
  values.forEach((value, i) => view.setFloat64(HEADER + 8 * i, value, true));
  const labels = labelsOf(digits.targets);
  bytes.set(labels, HEADER + 8 * TABLE);
  const pixels = HEADER + 8 * TABLE + rows;
  for (let p = 0; p < data.length; p++) bytes[pixels + p] = index.get(data[p])!;
  return bytes;
}

export function decodeDigits(bytes: Uint8Array): Dataset {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < HEADER || view.getUint32(0, true) !== MAGIC) throw new RangeError("decodeDigits: not a digits file (no BPDG header)");
  const rows = view.getUint32(4, true);
  const cols = view.getUint32(8, true);
  const classes = view.getUint32(12, true);
  const pixels = HEADER + 8 * TABLE + rows;
  if (bytes.byteLength !== pixels + rows * cols) {
    throw new RangeError(`decodeDigits: ${bytes.byteLength} bytes, but ${rows} samples of ${cols} pixels take ${pixels + rows * cols}`);
  }
  const table = Float64Array.from({ length: TABLE }, (_, i) => view.getFloat64(HEADER + 8 * i, true));
  const inputs = new Matrix(rows, cols);
  for (let p = 0; p < rows * cols; p++) inputs.data[p] = table[bytes[pixels + p]];
  const labels = bytes.subarray(HEADER + 8 * TABLE, pixels);
  return { name: "digits", inputs, targets: oneHot(labels, classes) };
}

/** Node's loadDigits split: the digits in the package's order, shuffled by the seed, then cut. */
export function splitDigits(digits: Dataset, { train, test, seed }: { readonly train: number; readonly test: number; readonly seed: number }): Split {
  const count = digits.inputs.rows;
  if (train + test > count) throw new RangeError(`loadDigits: train + test = ${train} + ${test} = ${train + test}, but the mnist package has ${count} digits`);
  return splitDataset(digits, { train, test, rng: createRng(seed) });
}
