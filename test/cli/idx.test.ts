import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
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

  it("reports training and test images of different sizes before any run, naming both files and sizes", async () => {
    const dir = join(tempDir(), "mnist");
    tinyMnist(dir);
    writeFileSync(join(dir, "t10k-images-idx3-ubyte"), idx([1, 1, 4], [0, 1, 2, 3]));
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), idx([1], [3]));
    const out = join(dir, "..", "never.jsonl");
    const { code, stderr } = await cli(["experiment", "--dataset", `idx:${dir}`, "--out", out], { timeoutMs: 30_000 });
    expect(stderr).toBe(
      `batchprop: --dataset: cannot read MNIST's IDX files from ${dir}: idx: ${join(dir, "train-images-idx3-ubyte")} holds 2×2-pixel images ` +
        `but ${join(dir, "t10k-images-idx3-ubyte")} holds 1×4-pixel images: training and test images must have one size\n`,
    );
    expect(code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it("blames an images file without pixels, not the --layers the user did not give", async () => {
    const dir = join(tempDir(), "mnist");
    tinyMnist(dir);
    writeFileSync(join(dir, "train-images-idx3-ubyte"), idx([30, 0, 0], []));
    const { code, stderr } = await cli(["train", "--dataset", `idx:${dir}`], { timeoutMs: 30_000 });
    expect(stderr).toBe(
      `batchprop: --dataset: cannot read MNIST's IDX files from ${dir}: idx: ${join(dir, "train-images-idx3-ubyte")}: holds 30 images of 0×0 pixels: an image needs at least one pixel\n`,
    );
    expect(code).toBe(2);
  });

  it("blames images wider than a layer may be on --dataset", async () => {
    const dir = join(tempDir(), "mnist");
    mkdirSync(dir);
    for (const prefix of ["train", "t10k"]) {
      writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), idx([1, 300, 300], new Array<number>(90_000).fill(0)));
      writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), idx([1], [0]));
    }
    const { code, stderr } = await cli(["train", "--dataset", `idx:${dir}`], { timeoutMs: 30_000 });
    expect(stderr).toBe(`batchprop: --dataset: idx:${dir} has 90,000 inputs per sample (pixels per image), more than the 65,536 units a layer may have\n`);
    expect(code).toBe(2);
  });

  it("counts the one-hot targets and both sets against the dataset's limit, before reading any data", async () => {
    // 1×1-pixel images: each sample is one pixel and ten targets. Either set alone fits in 2^27
    // float64 values; together they do not. gzip keeps the files a few KiB.
    const dir = join(tempDir(), "mnist");
    mkdirSync(dir);
    for (const [prefix, n] of [["train", 2 ** 23], ["t10k", 4_000_000]] as const) {
      writeFileSync(join(dir, `${prefix}-images-idx3-ubyte.gz`), gzipSync(Buffer.concat([idx([n, 1, 1], []), Buffer.alloc(n)])));
      writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte.gz`), gzipSync(Buffer.concat([idx([n], []), Buffer.alloc(n)])));
    }
    const { code, stderr } = await cli(["train", "--dataset", `idx:${dir}`], { timeoutMs: 30_000 });
    expect(stderr).toBe(
      `batchprop: --dataset: cannot read MNIST's IDX files from ${dir}: idx: 8,388,608 images of 1×1 pixels from ${dir}/train-images-idx3-ubyte.gz ` +
        `and 4,000,000 images of 1×1 pixels from ${dir}/t10k-images-idx3-ubyte.gz, with 10 one-hot targets each, hold 136,274,688 float64 values, ` +
        "more than the 134,217,728 (1 GiB) a dataset may hold\n",
    );
    expect(code).toBe(2);
  });

  it("refuses a gzip bomb among the files, naming it", async () => {
    const dir = join(tempDir(), "mnist");
    tinyMnist(dir);
    rmSync(join(dir, "train-images-idx3-ubyte"));
    // The header declares 30 images of 2×2 pixels (120 bytes); 64 MiB of zeros follow.
    const zeros = gzipSync(Buffer.alloc(2 ** 24));
    writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), Buffer.concat([gzipSync(idx([30, 2, 2], [])), zeros, zeros, zeros, zeros]));
    const { code, stderr } = await cli(["experiment", "--dataset", `idx:${dir}`, "--layers", "4,5,10", "--out", join(dir, "never.jsonl")], { timeoutMs: 30_000 });
    expect(stderr).toMatch(/--dataset: cannot read MNIST's IDX files from .*: idx: .*train-images-idx3-ubyte\.gz: [\d,]+ bytes of gzip, more than any gzip of the 136 bytes its header declares\n/);
    expect(code).toBe(2);
  });

  it("reports a directory without the files as a bad --dataset", async () => {
    const dir = tempDir();
    const out = join(dir, "never.jsonl");
    const { code, stderr } = await cli(["experiment", "--dataset", `idx:${dir}`, "--out", out], { timeoutMs: 30_000 });
    expect(stderr).toMatch(/--dataset: cannot read MNIST's IDX files from .*train-images-idx3-ubyte/);
    expect(code).toBe(2);
  });
});
