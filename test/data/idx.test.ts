import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { labelsOf } from "../../lib/data/dataset.ts";
import { loadIdx, loadMnistIdx, readIdx } from "../../lib/data/idx.ts";

const dir = mkdtempSync(join(tmpdir(), "batchprop-idx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A big-endian uint32, byte by byte, as the IDX format stores sizes. */
const be32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/** An IDX file: 0, 0, the type byte, the dimension count, the sizes, then the data bytes. */
function idx(type: number, dims: number[], data: number[]): Uint8Array {
  return Uint8Array.from([0, 0, type, dims.length, ...dims.flatMap(be32), ...data]);
}

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

// Two 2×3 "images" and their labels, as MNIST stores them.
const IMAGE_BYTES = [0, 51, 102, 153, 204, 255, 255, 0, 0, 0, 0, 255];
const images = (n = 2) => idx(0x08, [n, 2, 3], IMAGE_BYTES.slice(0, n * 6));
const labels = (values: number[]) => idx(0x08, [values.length], values);

describe("readIdx", () => {
  it("reads unsigned bytes with their dimensions", () => {
    const file = readIdx(write("images-plain", images()));
    expect(file.type).toBe("uint8");
    expect(file.dims).toEqual([2, 2, 3]);
    expect(file.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(file.data)).toEqual(IMAGE_BYTES);
  });

  it("gunzips a .gz file", () => {
    const file = readIdx(write("images.gz", gzipSync(images())));
    expect(file.dims).toEqual([2, 2, 3]);
    expect(Array.from(file.data)).toEqual(IMAGE_BYTES);
  });

  it("reads the signed and multi-byte types big-endian", () => {
    // int8: 0xff = −1, 0x80 = −128.
    expect(Array.from(readIdx(write("i8", idx(0x09, [3], [0xff, 0x80, 0x05]))).data)).toEqual([-1, -128, 5]);
    // int16: 0x0102 = 258, 0xfffe = −2.
    expect(Array.from(readIdx(write("i16", idx(0x0b, [2], [0x01, 0x02, 0xff, 0xfe]))).data)).toEqual([258, -2]);
    // int32: 0x01020304 = 16909060, 0xffffffff = −1, in a 2×1 array.
    const i32 = readIdx(write("i32", idx(0x0c, [2, 1], [1, 2, 3, 4, 0xff, 0xff, 0xff, 0xff])));
    expect(i32.dims).toEqual([2, 1]);
    expect(Array.from(i32.data)).toEqual([16909060, -1]);
    // float32: 0x3fc00000 = 1.5, 0xc0200000 = −2.5.
    const f32 = readIdx(write("f32", idx(0x0d, [2], [0x3f, 0xc0, 0, 0, 0xc0, 0x20, 0, 0])));
    expect(f32.type).toBe("float32");
    expect(Array.from(f32.data)).toEqual([1.5, -2.5]);
    // float64: 0x3fd0000000000000 = 0.25.
    expect(Array.from(readIdx(write("f64", idx(0x0e, [1], [0x3f, 0xd0, 0, 0, 0, 0, 0, 0]))).data)).toEqual([0.25]);
  });

  it("names the file and the wrong magic number", () => {
    const path = write("bad-magic", Uint8Array.from([0, 0, 0x09, 0x99, 0, 0, 0, 1]));
    expect(() => readIdx(path, { magic: [0x801, 0x803] })).toThrow(
      `idx: ${path}: wrong magic number 0x00000999 (expected 0x00000801 or 0x00000803)`,
    );
    const text = write("not-idx", new TextEncoder().encode("hello world"));
    expect(() => readIdx(text)).toThrow(`idx: ${text}: wrong magic number 0x68656c6c (expected two zero bytes, a type byte`);
  });

  it("gives the declared and actual sizes of a truncated file", () => {
    const path = write("truncated", idx(0x08, [60000, 28, 28], new Array<number>(1000).fill(7)));
    expect(() => readIdx(path)).toThrow(
      `idx: ${path}: truncated: header declares 60000×28×28 = 47040000 bytes of data, file has 1000`,
    );
    const wide = write("truncated-i32", idx(0x0c, [10, 3], new Array<number>(100).fill(0)));
    expect(() => readIdx(wide)).toThrow(`idx: ${wide}: truncated: header declares 10×3 × 4 bytes = 120 bytes of data, file has 100`);
  });

  it("rejects a truncated header and trailing bytes", () => {
    const header = write("short-header", Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 2]));
    expect(() => readIdx(header)).toThrow(
      `idx: ${header}: truncated: the magic number declares 3 dimensions (a 16-byte header), file has 8 bytes`,
    );
    const tiny = write("tiny", Uint8Array.from([0, 0]));
    expect(() => readIdx(tiny)).toThrow(`idx: ${tiny}: truncated: 2 bytes, too short for the 4-byte magic number`);
    const long = write("long", idx(0x08, [2], [1, 2, 3]));
    expect(() => readIdx(long)).toThrow(`idx: ${long}: header declares 2 = 2 bytes of data, file has 3 (1 trailing bytes)`);
  });

  it("says when a file is missing or not gzip", () => {
    const missing = join(dir, "nowhere", "train-images-idx3-ubyte");
    expect(() => readIdx(missing)).toThrow(`idx: ${missing}: not found`);
    const fake = write("fake.gz", images());
    expect(() => readIdx(fake)).toThrow(`idx: ${fake}: not a valid gzip file`);
  });
});

describe("loadIdx", () => {
  it("scales pixels to [0, 1] and one-hot encodes the labels", () => {
    const data = loadIdx({ images: write("li-images", images()), labels: write("li-labels", labels([7, 2])), name: "tiny" });
    expect(data.name).toBe("tiny");
    expect(data.inputs.toRows()).toEqual([
      [0, 0.2, 0.4, 0.6, 0.8, 1],
      [1, 0, 0, 0, 0, 1],
    ]);
    expect(data.targets.shape).toBe("2×10");
    expect(Array.from(labelsOf(data.targets))).toEqual([7, 2]);
  });

  it("keeps the first `limit` samples", () => {
    const data = loadIdx({ images: write("lim-images", images()), labels: write("lim-labels", labels([7, 2])), limit: 1 });
    expect(data.inputs.toRows()).toEqual([[0, 0.2, 0.4, 0.6, 0.8, 1]]);
    expect(Array.from(labelsOf(data.targets))).toEqual([7]);
  });

  it("checks that image and label counts agree", () => {
    const img = write("mm-images", images());
    const lab = write("mm-labels", labels([1, 2, 3]));
    expect(() => loadIdx({ images: img, labels: lab })).toThrow(`idx: ${img} has 2 images but ${lab} has 3 labels`);
  });

  it("expects images and labels to carry their own magic numbers", () => {
    const img = write("swap-images", images());
    const lab = write("swap-labels", labels([1, 2]));
    expect(() => loadIdx({ images: lab, labels: img })).toThrow(
      `idx: ${lab}: wrong magic number 0x00000801 (expected 0x00000803)`,
    );
  });

  it("names a label out of range", () => {
    const lab = write("range-labels", labels([3, 12]));
    expect(() => loadIdx({ images: write("range-images", images()), labels: lab })).toThrow(
      `idx: ${lab}: label 1 is 12, expected 0 to 9`,
    );
  });
});

describe("loadMnistIdx", () => {
  it("reads MNIST's four files, plain or gzipped, as its own train/test split", () => {
    const root = mkdtempSync(join(dir, "mnist-"));
    writeFileSync(join(root, "train-images-idx3-ubyte"), images(2));
    writeFileSync(join(root, "train-labels-idx1-ubyte.gz"), gzipSync(labels([0, 9])));
    writeFileSync(join(root, "t10k-images-idx3-ubyte.gz"), gzipSync(images(1)));
    writeFileSync(join(root, "t10k-labels-idx1-ubyte"), labels([4]));
    const { train, test } = loadMnistIdx(root);
    expect(train.name).toBe("mnist (train)");
    expect(train.inputs.shape).toBe("2×6");
    expect(Array.from(labelsOf(train.targets))).toEqual([0, 9]);
    expect(test.inputs.toRows()).toEqual([[0, 0.2, 0.4, 0.6, 0.8, 1]]);
    expect(Array.from(labelsOf(test.targets))).toEqual([4]);
    expect(loadMnistIdx(root, { train: 1 }).train.inputs.rows).toBe(1);
  });

  it("names a missing file with both names it looked for", () => {
    const empty = mkdtempSync(join(dir, "empty-"));
    const path = join(empty, "train-images-idx3-ubyte");
    expect(() => loadMnistIdx(empty)).toThrow(`idx: ${path}: not found (nor ${path}.gz)`);
  });
});
