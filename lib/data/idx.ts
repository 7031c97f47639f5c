/**
 * A reader for the IDX files full MNIST ships in (http://yann.lecun.com/exdb/mnist/), from a path
 * the user gives (Node only). An IDX file is a 4-byte magic number (0, 0, a type byte, the number of
 * dimensions), one big-endian uint32 per dimension, then the values, big-endian, last index fastest.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Matrix } from "../matrix/matrix.js";
import { oneHot, type Dataset, type Split } from "./dataset.js";

export type IdxFile =
  | { readonly type: "uint8"; readonly dims: number[]; readonly data: Uint8Array }
  | { readonly type: "int8"; readonly dims: number[]; readonly data: Int8Array }
  | { readonly type: "int16"; readonly dims: number[]; readonly data: Int16Array }
  | { readonly type: "int32"; readonly dims: number[]; readonly data: Int32Array }
  | { readonly type: "float32"; readonly dims: number[]; readonly data: Float32Array }
  | { readonly type: "float64"; readonly dims: number[]; readonly data: Float64Array };

/** The type byte of the magic number → the element type and its size in bytes. */
const TYPES: Readonly<Record<number, readonly [IdxFile["type"], number]>> = {
  0x08: ["uint8", 1],
  0x09: ["int8", 1],
  0x0b: ["int16", 2],
  0x0c: ["int32", 4],
  0x0d: ["float32", 4],
  0x0e: ["float64", 8],
};

export interface ReadIdxOptions {
  /** Magic numbers to accept (e.g. 0x803 for MNIST images); any valid IDX header when left out. */
  readonly magic?: readonly number[];
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, "0")}`;

function fail(path: string, what: string): never {
  throw new Error(`idx: ${path}: ${what}`);
}

function readBytes(path: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") fail(path, "not found");
    fail(path, `cannot read (${(error as Error).message})`);
  }
  if (!path.endsWith(".gz")) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (error) {
    fail(path, `not a valid gzip file (${(error as Error).message})`);
  }
}

/** Reads one IDX file, gunzipping it first when the path ends in .gz; checks the header against the file length. */
export function readIdx(path: string, options: ReadIdxOptions = {}): IdxFile {
  const bytes = readBytes(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) fail(path, `truncated: ${bytes.length} bytes, too short for the 4-byte magic number`);
  const magic = view.getUint32(0);
  const known = bytes[0] === 0 && bytes[1] === 0 && TYPES[bytes[2]] !== undefined;
  if (!known || (options.magic !== undefined && !options.magic.includes(magic))) {
    const expected = options.magic?.map(hex).join(" or ") ?? "two zero bytes, a type byte 0x08, 0x09, 0x0b–0x0e, a dimension count";
    fail(path, `wrong magic number ${hex(magic)} (expected ${expected})`);
  }
  const [type, size] = TYPES[bytes[2]];
  const rank = bytes[3];
  const header = 4 + 4 * rank;
  if (bytes.length < header) {
    fail(path, `truncated: the magic number declares ${rank} dimensions (a ${header}-byte header), file has ${bytes.length} bytes`);
  }
  const dims = Array.from({ length: rank }, (_, k) => view.getUint32(4 + 4 * k));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = count * size;
  const actual = bytes.length - header;
  if (actual !== expected) {
    const declared = `${dims.join("×") || "1"}${size > 1 ? ` × ${size} bytes` : ""} = ${expected} bytes of data`;
    if (actual < expected) fail(path, `truncated: header declares ${declared}, file has ${actual}`);
    fail(path, `header declares ${declared}, file has ${actual} (${actual - expected} trailing bytes)`);
  }
  return { type, dims, data: decode(type, view, header, count) } as IdxFile;
}

/** The values after the header in native typed-array form; multi-byte types are stored big-endian. */
function decode(type: IdxFile["type"], view: DataView, offset: number, count: number): IdxFile["data"] {
  switch (type) {
    case "uint8":
      return new Uint8Array(view.buffer, view.byteOffset + offset, count).slice();
    case "int8":
      return new Int8Array(view.buffer, view.byteOffset + offset, count).slice();
    case "int16":
      return Int16Array.from({ length: count }, (_, k) => view.getInt16(offset + 2 * k));
    case "int32":
      return Int32Array.from({ length: count }, (_, k) => view.getInt32(offset + 4 * k));
    case "float32":
      return Float32Array.from({ length: count }, (_, k) => view.getFloat32(offset + 4 * k));
    case "float64":
      return Float64Array.from({ length: count }, (_, k) => view.getFloat64(offset + 8 * k));
  }
}

type UInt8Idx = Extract<IdxFile, { type: "uint8" }>;

export interface LoadIdxOptions {
  /** Path of an images file: unsigned bytes, N×rows×cols (magic 0x00000803). */
  readonly images: string;
  /** Path of the matching labels file: unsigned bytes, N (magic 0x00000801). */
  readonly labels: string;
  /** Number of classes of the one-hot targets. */
  readonly classes?: number;
  /** Keep only the first `limit` samples (the MNIST files are not sorted by class). */
  readonly limit?: number;
  readonly name?: string;
}

/** One images/labels pair as a dataset: pixels scaled from 0–255 to [0, 1], labels one-hot. */
export function loadIdx({ images, labels, classes = 10, limit, name = "mnist" }: LoadIdxOptions): Dataset {
  // The magic numbers fix the element type to unsigned bytes.
  const img = readIdx(images, { magic: [0x803] }) as UInt8Idx;
  const lab = readIdx(labels, { magic: [0x801] }) as UInt8Idx;
  const [n, height, width] = img.dims;
  if (lab.dims[0] !== n) {
    throw new RangeError(`idx: ${images} has ${n} images but ${labels} has ${lab.dims[0]} labels`);
  }
  if (n === 0) fail(images, "holds no images");
  const rows = limit ?? n;
  if (!Number.isInteger(rows) || rows < 1 || rows > n) {
    throw new RangeError(`idx: limit must be an integer from 1 to the ${n} samples of ${images}, got ${limit}`);
  }
  const pixels = height * width;
  const inputs = new Matrix(rows, pixels);
  for (let p = 0; p < rows * pixels; p++) inputs.data[p] = img.data[p] / 255;
  const labelValues = lab.data.subarray(0, rows);
  const bad = labelValues.findIndex((label) => label >= classes);
  if (bad >= 0) fail(labels, `label ${bad} is ${labelValues[bad]}, expected 0 to ${classes - 1}`);
  return { name, inputs, targets: oneHot(labelValues, classes) };
}

/** `dir/base`, or `dir/base.gz` when only the gzipped file is there. */
function locate(dir: string, base: string): string {
  const plain = join(dir, base);
  if (existsSync(plain)) return plain;
  if (existsSync(`${plain}.gz`)) return `${plain}.gz`;
  fail(plain, `not found (nor ${plain}.gz)`);
}

export interface MnistIdxOptions {
  /** Keep only the first `train` of the 60,000 training digits. */
  readonly train?: number;
  /** Keep only the first `test` of the 10,000 test digits. */
  readonly test?: number;
}

/**
 * Full MNIST from a directory holding train-images-idx3-ubyte, train-labels-idx1-ubyte,
 * t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each plain or gzipped (.gz): MNIST's own split.
 */
export function loadMnistIdx(dir: string, { train, test }: MnistIdxOptions = {}): Split {
  return {
    train: loadIdx({
      images: locate(dir, "train-images-idx3-ubyte"),
      labels: locate(dir, "train-labels-idx1-ubyte"),
      limit: train,
      name: "mnist (train)",
    }),
    test: loadIdx({
      images: locate(dir, "t10k-images-idx3-ubyte"),
      labels: locate(dir, "t10k-labels-idx1-ubyte"),
      limit: test,
      name: "mnist (test)",
    }),
  };
}
