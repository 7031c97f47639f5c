import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
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

describe("readIdx's limits: the header's declared size bounds what is read and inflated", () => {
  /**
   * A gzip bomb: an IDX header declaring `dims`, then `mebibytes` MiB of zeros, as concatenated gzip
   * members (which gunzip reads as one stream), so making it never holds the zeros in memory at once.
   */
  function bomb(dims: number[], mebibytes: number): Buffer {
    const zeros = Buffer.alloc(2 ** 24);
    const member = gzipSync(zeros, { level: 9 });
    return Buffer.concat([gzipSync(idx(0x08, dims, [])), ...Array<Buffer>(mebibytes / 16).fill(member)]);
  }

  /** readIdx(path) in a child process: its error message and its peak resident memory in MB. */
  function readInChild(path: string): { message: string; peakMb: number } {
    const script = `
      const { readIdx } = await import(${JSON.stringify(join(import.meta.dirname, "../../lib/data/idx.ts"))});
      let message = "no error";
      try { readIdx(${JSON.stringify(path)}, { magic: [0x803] }); } catch (error) { message = error.message; }
      console.log(JSON.stringify({ message, peakMb: process.resourceUsage().maxRSS / 1024 }));`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
    expect(child.stderr).toBe("");
    return JSON.parse(child.stdout) as { message: string; peakMb: number };
  }

  it("stops inflating a gzip bomb at the size its header declares, in little memory", () => {
    // 1 MB on disk, 1 GiB inflated (it cost 2.1 GB before it was refused); the header declares 4 × 1024 × 1024 bytes.
    const path = write("bomb-images.gz", bomb([4, 1024, 1024], 1024));
    expect(statSync(path).size).toBeLessThan(1.1e6);
    const { message, peakMb } = readInChild(path);
    expect(message).toBe(`idx: ${path}: inflates to more than the 4,194,320 bytes its header declares (a 16-byte header and 4×1024×1024 = 4194304 bytes of data)`);
    // Node with tsx starts at about 80 MB; the declared data are 4 MB, the compressed file 1 MB.
    expect(peakMb).toBeLessThan(150);
  });

  it("refuses a gzip file far larger than any compression of what its header declares, without inflating it", () => {
    const path = write("bomb-tiny-header.gz", bomb([1, 2, 2], 1024));
    expect(() => readIdx(path)).toThrow(/^idx: .*bomb-tiny-header\.gz: 1,0\d\d,\d\d\d bytes of gzip, more than any gzip of the 20 bytes its header declares$/);
  });

  it("refuses a header declaring more data than the limit, before reading or inflating any", () => {
    const dims = [60000, 60000, 60000];
    const plain = write("huge-header", idx(0x08, dims, []));
    const declared = "header declares 60000×60000×60000 = 216000000000000 bytes of data, more than the 1,073,741,824 this reader accepts";
    expect(() => readIdx(plain)).toThrow(`idx: ${plain}: ${declared}`);
    const gz = write("huge-header.gz", gzipSync(idx(0x08, dims, [])));
    expect(() => readIdx(gz)).toThrow(`idx: ${gz}: ${declared}`);
    const small = write("small-limit", images());
    expect(() => readIdx(small, { maxBytes: 11 })).toThrow(`idx: ${small}: header declares 2×2×3 = 12 bytes of data, more than the 11 this reader accepts`);
    expect(readIdx(small, { maxBytes: 12 }).dims).toEqual([2, 2, 3]);
  });

  /** gzip's FNAME field: flag bit 3, then a zero-terminated name of `length` bytes before the deflate data. */
  const named = (body: Buffer, length: number) => {
    const name = Buffer.from(`${"n".repeat(length)}\0`);
    return Buffer.concat([body.subarray(0, 3), Buffer.from([body[3] | 0x08]), body.subarray(4, 10), name, body.subarray(10)]);
  };

  it("reads a gzip file whose IDX header comes after a long file name in the gzip header", () => {
    for (const length of [3000, 8000, 100_000]) {
      expect(Array.from(readIdx(write(`named-${length}.gz`, named(gzipSync(images()), length))).data)).toEqual(IMAGE_BYTES);
    }
  });

  it("gives up on a gzip file whose first MiB inflates to no IDX header, saying so", () => {
    const path = write("no-header.gz", named(gzipSync(images()), 2 ** 20 + 10));
    expect(() => readIdx(path)).toThrow(`idx: ${path}: no IDX header in the first 1,048,576 bytes of gzip (a gzip header that long is not one gzip writes)`);
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

  it("counts the pixels and the one-hot targets of the samples kept against maxIdxValues, before reading the data", () => {
    // 12.3 million 1×1 images: 12.3 million pixels, but eleven float64 values a sample with the targets.
    const n = 12_300_000;
    const img = write("many-images.gz", gzipSync(Buffer.concat([idx(0x08, [n, 1, 1], []), Buffer.alloc(n)])));
    const lab = write("many-labels.gz", gzipSync(Buffer.concat([idx(0x08, [n], []), Buffer.alloc(n)])));
    expect(() => loadIdx({ images: img, labels: lab })).toThrow(
      `idx: 12,300,000 images of 1×1 pixels from ${img}, with 10 one-hot targets each, hold 135,300,000 float64 values, more than the 134,217,728 (1 GiB) a dataset may hold`,
    );
    expect(loadIdx({ images: img, labels: lab, limit: 1000 }).targets.rows).toBe(1000);
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

  it("names an images file whose images have no pixels", () => {
    const img = write("empty-images", idx(0x08, [2, 0, 0], []));
    expect(() => loadIdx({ images: img, labels: write("empty-labels", labels([1, 2])) })).toThrow(
      `idx: ${img}: holds 2 images of 0×0 pixels: an image needs at least one pixel`,
    );
  });

  it("refuses more pixels than a dataset may hold, from the header alone", () => {
    // 200,000 images of 28×28: 157 million pixels, 1.25 GB once scaled to float64; the file has only its header.
    const img = write("many-images", idx(0x08, [200000, 28, 28], []));
    expect(() => loadIdx({ images: img, labels: write("many-labels", labels([1])) })).toThrow(
      `idx: ${img}: header declares 200000×28×28 = 156800000 bytes of data, more than the 134,217,728 this reader accepts`,
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

  it("names both images files and their sizes when training and test images differ", () => {
    const root = mkdtempSync(join(dir, "sizes-"));
    writeFileSync(join(root, "train-images-idx3-ubyte"), images(2)); // 2×3 pixels
    writeFileSync(join(root, "train-labels-idx1-ubyte"), labels([0, 9]));
    writeFileSync(join(root, "t10k-images-idx3-ubyte"), idx(0x08, [1, 3, 2], IMAGE_BYTES.slice(0, 6)));
    writeFileSync(join(root, "t10k-labels-idx1-ubyte"), labels([4]));
    expect(() => loadMnistIdx(root)).toThrow(
      `idx: ${join(root, "train-images-idx3-ubyte")} holds 2×3-pixel images but ${join(root, "t10k-images-idx3-ubyte")} holds 3×2-pixel images: training and test images must have one size`,
    );
  });

  it("names a missing file with both names it looked for", () => {
    const empty = mkdtempSync(join(dir, "empty-"));
    const path = join(empty, "train-images-idx3-ubyte");
    expect(() => loadMnistIdx(empty)).toThrow(`idx: ${path}: not found (nor ${path}.gz)`);
  });
});
