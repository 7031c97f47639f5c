/**
 * A reader for the IDX files full MNIST ships in (http://yann.lecun.com/exdb/mnist/), from a path
 * the user gives (Node only). An IDX file is a 4-byte magic number (0, 0, a type byte, the number of
 * dimensions), one big-endian uint32 per dimension, then the values, big-endian, last index fastest.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { constants, gunzipSync, type ZlibOptions } from "node:zlib";
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

/** The most data readIdx accepts by default: 1 GiB, 22 times full MNIST's largest file (47 MB of training images). */
export const maxIdxBytes = 2 ** 30;

/** The longest header: the magic number and 255 dimensions. */
const maxHeaderBytes = 4 + 4 * 255;

/**
 * The IDX header of a .gz file is read from what the start of the file inflates to: 4 KiB of it
 * first, twice as much each time until the header is there, up to 1 MiB. gzip's own header (10
 * bytes, then an optional file name and comment of any length) comes before the deflate data;
 * gzip itself writes it in the first hundred bytes, so a MiB without an IDX header is not an IDX file.
 */
const gzipHeadBytes = { first: 4096, most: 2 ** 20 };

export interface ReadIdxOptions {
  /** Magic numbers to accept (e.g. 0x803 for MNIST images); any valid IDX header when left out. */
  readonly magic?: readonly number[];
  /**
   * The most bytes of data the header may declare (default maxIdxBytes), checked before any data
   * is read or inflated.
   */
  readonly maxBytes?: number;
}

/** What an IDX header says: the element type, the dimensions and how many bytes they take. */
interface Header {
  readonly type: IdxFile["type"];
  readonly dims: number[];
  /** The header's own length: 4 + 4 per dimension. */
  readonly length: number;
  /** The number of values, and their length in bytes. */
  readonly count: number;
  readonly dataBytes: number;
  /** "60000×28×28 = 47040000 bytes of data", for messages. */
  readonly declared: string;
}

/** A file's header and all its bytes, header included (inflated for .gz). */
interface Contents {
  readonly header: Header;
  readonly bytes: Uint8Array;
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, "0")}`;

function fail(path: string, what: string): never {
  throw new Error(`idx: ${path}: ${what}`);
}

/** Parses the header from the file's first bytes (all of them when the file is shorter than a header). */
function parseHeader(path: string, head: Uint8Array, options: ReadIdxOptions): Header {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length < 4) fail(path, `truncated: ${head.length} bytes, too short for the 4-byte magic number`);
  const magic = view.getUint32(0);
  const known = head[0] === 0 && head[1] === 0 && TYPES[head[2]] !== undefined;
  if (!known || (options.magic !== undefined && !options.magic.includes(magic))) {
    const expected = options.magic?.map(hex).join(" or ") ?? "two zero bytes, a type byte 0x08, 0x09, 0x0b–0x0e, a dimension count";
    fail(path, `wrong magic number ${hex(magic)} (expected ${expected})`);
  }
  const [type, size] = TYPES[head[2]];
  const rank = head[3];
  const length = 4 + 4 * rank;
  if (head.length < length) {
    fail(path, `truncated: the magic number declares ${rank} dimensions (a ${length}-byte header), file has ${head.length} bytes`);
  }
  const dims = Array.from({ length: rank }, (_, k) => view.getUint32(4 + 4 * k));
  const count = dims.reduce((a, b) => a * b, 1);
  const dataBytes = count * size;
  const declared = `${dims.join("×") || "1"}${size > 1 ? ` × ${size} bytes` : ""} = ${dataBytes} bytes of data`;
  const maxBytes = options.maxBytes ?? maxIdxBytes;
  if (dataBytes > maxBytes) fail(path, `header declares ${declared}, more than the ${maxBytes.toLocaleString("en-US")} this reader accepts`);
  return { type, dims, length, count, dataBytes, declared };
}

/** The data after the header must be exactly what the header declares. */
function checkLength(path: string, header: Header, fileBytes: number): void {
  const actual = fileBytes - header.length;
  if (actual < header.dataBytes) fail(path, `truncated: header declares ${header.declared}, file has ${actual}`);
  if (actual > header.dataBytes) fail(path, `header declares ${header.declared}, file has ${actual} (${actual - header.dataBytes} trailing bytes)`);
}

/** Up to `count` bytes from the start of an open file. */
function readStart(fd: number, count: number): Uint8Array {
  const bytes = new Uint8Array(count);
  let read = 0;
  while (read < count) {
    const n = readSync(fd, bytes, read, count - read, read);
    if (n === 0) break;
    read += n;
  }
  return bytes.subarray(0, read);
}

/** Inflates a gzip stream, naming the file when it is not one, and `tooLarge` when it inflates past `options.maxOutputLength`. */
function gunzip(path: string, compressed: Uint8Array, options: ZlibOptions, tooLarge = ""): Uint8Array {
  try {
    return gunzipSync(compressed, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") fail(path, tooLarge);
    fail(path, `not a valid gzip file (${(error as Error).message})`);
  }
}

/**
 * A gzipped IDX file, inflated no further than its header declares: a gzip bomb (a small header,
 * then a gigabyte of zeros) is refused once it has inflated what the header promised.
 */
function readGzip(path: string, fd: number, size: number, options: ReadIdxOptions): Contents {
  const { start, read } = inflateStart(path, fd, size);
  const header = parseHeader(path, start.subarray(0, maxHeaderBytes), options);
  const limit = header.length + header.dataBytes;
  // Deflate stores what it cannot compress in blocks of up to 64 KiB with 5 bytes of overhead: a
  // larger file (beyond the start read for the header) holds more than the header declares, or is
  // not a gzip of an IDX file.
  if (size > limit + limit / 1000 + read) {
    fail(path, `${size.toLocaleString("en-US")} bytes of gzip, more than any gzip of the ${limit.toLocaleString("en-US")} bytes its header declares`);
  }
  const tooLarge = `inflates to more than the ${limit.toLocaleString("en-US")} bytes its header declares (a ${header.length}-byte header and ${header.declared})`;
  const bytes = gunzip(path, readStart(fd, size), { maxOutputLength: limit }, tooLarge);
  checkLength(path, header, bytes.length);
  return { header, bytes };
}

/**
 * What the start of a gzip file inflates to, enough for the IDX header inside (or all the file
 * inflates to, when it is shorter), and how many compressed bytes that took.
 */
function inflateStart(path: string, fd: number, size: number): { start: Uint8Array; read: number } {
  for (let read = Math.min(size, gzipHeadBytes.first); ; read = Math.min(size, 2 * read)) {
    const start = gunzip(path, readStart(fd, read), { finishFlush: constants.Z_SYNC_FLUSH });
    const needed = start.length < 4 ? 4 : 4 + 4 * start[3];
    if (start.length >= needed || read === size) return { start, read };
    if (read >= gzipHeadBytes.most) {
      fail(path, `no IDX header in the first ${gzipHeadBytes.most.toLocaleString("en-US")} bytes of gzip (a gzip header that long is not one gzip writes)`);
    }
  }
}

/** A plain IDX file, read only once its length matches what its header declares. */
function readPlain(path: string, fd: number, size: number, options: ReadIdxOptions): Contents {
  const header = parseHeader(path, readStart(fd, Math.min(size, maxHeaderBytes)), options);
  checkLength(path, header, size);
  return { header, bytes: readStart(fd, size) };
}

/**
 * Reads one IDX file, gunzipping it first when the path ends in .gz. The header is read first: the
 * size it declares is checked against `maxBytes` and against the file's length before the rest is
 * read, and bounds how far a gzip stream is inflated.
 */
export function readIdx(path: string, options: ReadIdxOptions = {}): IdxFile {
  return withFile(path, (fd, size) => {
    const { header, bytes } = path.endsWith(".gz") ? readGzip(path, fd, size, options) : readPlain(path, fd, size, options);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { type: header.type, dims: header.dims, data: decode(header.type, view, header.length, header.count) } as IdxFile;
  });
}

/** The dimensions an IDX file's header declares (checked as readIdx checks them), without reading its data. */
function readIdxDims(path: string, options: ReadIdxOptions): number[] {
  return withFile(path, (fd, size) => {
    const start = path.endsWith(".gz") ? inflateStart(path, fd, size).start : readStart(fd, Math.min(size, maxHeaderBytes));
    return parseHeader(path, start.subarray(0, maxHeaderBytes), options).dims;
  });
}

/** Opens `path` for `use`, naming the file when it cannot be opened, and closes it. */
function withFile<T>(path: string, use: (fd: number, size: number) => T): T {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") fail(path, "not found");
    fail(path, `cannot read (${(error as Error).message})`);
  }
  try {
    return use(fd, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
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

/**
 * The most pixels (images × pixels per image) an images file may hold: 2^27, 128 MiB as read,
 * 2.9 times full MNIST's 60,000 training images. Checked against the header before any is read.
 */
export const maxIdxPixels = 2 ** 27;

/**
 * The most float64 values a dataset read from IDX files holds: the pixels and the one-hot targets
 * of the samples kept, training and test sets together: 2^27, 1 GiB. Checked against the headers
 * before any data is read. Full MNIST holds 55 million.
 */
export const maxIdxValues = 2 ** 27;

/** The images files of a dataset and the samples each keeps. */
interface ImagesKept {
  readonly images: string;
  readonly limit?: number;
}

/** Throws, naming the files, unless the samples kept of `sets`, with `classes` one-hot targets each, fit in maxIdxValues. */
function checkIdxValues(sets: readonly ImagesKept[], classes: number): void {
  let values = 0;
  const held = sets.map(({ images, limit }) => {
    const [n, height, width] = readIdxDims(images, { magic: [0x803], maxBytes: maxIdxPixels });
    const rows = Math.min(limit ?? n, n);
    values += rows * (height * width + classes);
    return `${rows.toLocaleString("en-US")} images of ${height}×${width} pixels from ${images}`;
  });
  if (values > maxIdxValues) {
    throw new RangeError(
      `idx: ${held.join(" and ")}, with ${classes} one-hot targets each, hold ${values.toLocaleString("en-US")} float64 values, ` +
        `more than the ${maxIdxValues.toLocaleString("en-US")} (1 GiB) a dataset may hold`,
    );
  }
}

/** One images/labels pair as a dataset: pixels scaled from 0–255 to [0, 1], labels one-hot. */
export function loadIdx(options: LoadIdxOptions): Dataset {
  checkIdxValues([options], options.classes ?? 10);
  return loadImages(options).data;
}

/** loadIdx's dataset, and the size of its images ("28×28"), which its rows of pixels no longer show. */
function loadImages({ images, labels, classes = 10, limit, name = "mnist" }: LoadIdxOptions): { data: Dataset; size: string } {
  // The magic numbers fix the element type to unsigned bytes.
  const img = readIdx(images, { magic: [0x803], maxBytes: maxIdxPixels }) as UInt8Idx;
  const lab = readIdx(labels, { magic: [0x801], maxBytes: maxIdxPixels }) as UInt8Idx;
  const [n, height, width] = img.dims;
  const size = `${height}×${width}`;
  if (lab.dims[0] !== n) {
    throw new RangeError(`idx: ${images} has ${n} images but ${labels} has ${lab.dims[0]} labels`);
  }
  if (n === 0) fail(images, "holds no images");
  if (height * width === 0) fail(images, `holds ${n} images of ${size} pixels: an image needs at least one pixel`);
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
  return { data: { name, inputs, targets: oneHot(labelValues, classes) }, size };
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
  const trainImages = locate(dir, "train-images-idx3-ubyte");
  const testImages = locate(dir, "t10k-images-idx3-ubyte");
  checkIdxValues([{ images: trainImages, limit: train }, { images: testImages, limit: test }], 10);
  const trainSet = loadImages({ images: trainImages, labels: locate(dir, "train-labels-idx1-ubyte"), limit: train, name: "mnist (train)" });
  const testSet = loadImages({ images: testImages, labels: locate(dir, "t10k-labels-idx1-ubyte"), limit: test, name: "mnist (test)" });
  if (trainSet.size !== testSet.size) {
    throw new RangeError(
      `idx: ${trainImages} holds ${trainSet.size}-pixel images but ${testImages} holds ${testSet.size}-pixel images: training and test images must have one size`,
    );
  }
  return { train: trainSet.data, test: testSet.data };
}
