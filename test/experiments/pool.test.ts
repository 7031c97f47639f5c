import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  expandGrid,
  readResults,
  runKey,
  runOne,
  runPool,
  relativeDifference,
  withoutTimes,
  workersPerRun,
  minParallelBatch,
  type DataConfig,
  type RunConfig,
  type RunRecord,
} from "../../lib/index.ts";

const data: DataConfig = { name: "xor", train: 80, test: 40, seed: 3 };

/** 2 × 2 × 2 = 8 tiny runs on xor: a few milliseconds each. */
const grid: RunConfig[] = expandGrid({
  data,
  layers: [2, 6, 2],
  batchSizes: [1, 16],
  lrs: [0.5, 2],
  budgets: [{ steps: 40 }],
  seeds: 2,
});

const tempFile = (name: string) => join(mkdtempSync(join(tmpdir(), "batchprop-pool-")), name);
const lines = (path: string) => readFileSync(path, "utf8").split("\n").filter((line) => line !== "");
const timeless = (records: readonly RunRecord[]) => new Map(records.map((r) => [runKey(r.config), withoutTimes(r)]));

describe("workersPerRun", () => {
  it("shares the cores among the runs left, never fewer than one each, never more than the cores in all", () => {
    expect([1, 2, 3, 4, 5].map((left) => workersPerRun(4, left))).toEqual([4, 2, 1, 1, 1]);
    expect([1, 2, 3, 16, 17].map((left) => workersPerRun(16, left))).toEqual([16, 8, 5, 1, 1]);
    expect(workersPerRun(1, 1)).toBe(1);
    for (let cores = 1; cores <= 16; cores++) for (let left = 1; left <= 20; left++) expect(Math.min(cores, left) * workersPerRun(cores, left)).toBeLessThanOrEqual(cores);
    // Batches below minParallelBatch are not split: a second thread measured slower there.
    expect(workersPerRun(4, 1, minParallelBatch - 1)).toBe(1);
    expect(workersPerRun(4, 1, minParallelBatch)).toBe(4);
  });
});

describe("runPool", () => {
  it("appends one JSON line per run and, run again, skips them all: no new line, the same file", async () => {
    const out = tempFile("grid.jsonl");
    const first = await runPool(grid, { out, workers: 2 });
    expect(first).toEqual({ skipped: 0, finished: 8, todo: 8, interrupted: false });
    const before = readFileSync(out, "utf8");
    expect(lines(out)).toHaveLength(8);
    const starts: unknown[] = [];
    const second = await runPool(grid, { out, workers: 2, onStart: (info) => starts.push(info) });
    expect(second).toEqual({ skipped: 8, finished: 0, todo: 0, interrupted: false });
    expect(starts).toEqual([{ total: 8, skipped: 8, todo: 0, records: 8, pending: [], existing: expect.any(Map) }]);
    expect(readFileSync(out, "utf8")).toBe(before);
  });

  it("runs in the worker threads on the kernel the main thread picks, and the record names it", async () => {
    const out = tempFile("kernel.jsonl");
    await runPool(grid.slice(0, 1), { out, workers: 1 });
    // vitest starts node with --experimental-wasm-relaxed-simd; worker threads share the process's V8 flags.
    expect(readResults(out).records[0].kernel).toBe("gemm-4x4-wasmrelaxedsimd");
    expect(runOne(grid[0]).kernel).toBe("gemm-4x4-wasmrelaxedsimd");
  });

  it("gives a run left alone on more cores than runs the idle cores as train workers if its batches are large enough; the record names them", async () => {
    const cores = Math.min(2, availableParallelism());
    const large = { ...grid[1], data: { ...grid[1].data, train: 2 * minParallelBatch }, batchSize: minParallelBatch };
    const out = tempFile("workers.jsonl");
    await runPool([large], { out, workers: cores });
    const [record] = readResults(out).records;
    expect(record.workers).toBe(cores);
    const small = tempFile("small.jsonl");
    await runPool(grid.slice(1, 2), { out: small, workers: cores });
    expect(readResults(small).records[0].workers).toBe(1);
    const alone = runOne(large);
    expect(alone.workers).toBe(1);
    // The same run within rounding: only the order of the shards' sums differs.
    expect(record.steps).toBe(alone.steps);
    record.checkpoints.forEach((point, i) => expect(relativeDifference(point.trainLoss, alone.checkpoints[i].trainLoss)).toBeLessThan(1e-12));
  });

  it("gives every run the same record alone, in a parallel grid, and after a resume (wall times aside)", async () => {
    const alone = timeless(grid.map((config) => runOne(config)));
    const parallelOut = tempFile("parallel.jsonl");
    await runPool(grid, { out: parallelOut, workers: 2 });
    const resumedOut = tempFile("resumed.jsonl");
    await runPool(grid.slice(0, 3), { out: resumedOut, workers: 1 });
    const resumed = await runPool(grid, { out: resumedOut, workers: 2 });
    expect(resumed.skipped).toBe(3);
    expect(resumed.finished).toBe(5);
    for (const out of [parallelOut, resumedOut]) {
      const got = timeless(readResults(out).records);
      expect(got.size).toBe(grid.length);
      for (const [key, record] of alone) expect(got.get(key)).toEqual(record);
    }
    // Different seeds really differ, so the equality above is not vacuous.
    const [a, b] = grid.filter((r) => r.batchSize === 1 && r.baseLr === 2);
    expect(alone.get(runKey(a))!.checkpoints).not.toEqual(alone.get(runKey(b))!.checkpoints);
  });

  it("refuses a results file with a corrupt line, naming the line, and leaves the file alone", async () => {
    const out = tempFile("corrupt.jsonl");
    await runPool(grid.slice(0, 2), { out, workers: 1 });
    appendFileSync(out, '{"config": {"batchSize": 1, "lr":\n');
    appendFileSync(out, `${lines(out)[0]}\n`);
    const before = readFileSync(out, "utf8");
    expect(() => readResults(out)).toThrow(/corrupt\.jsonl, line 3: not a run record/);
    await expect(runPool(grid, { out, workers: 1 })).rejects.toThrow(/line 3/);
    expect(readFileSync(out, "utf8")).toBe(before);
    writeFileSync(out, "[1, 2]\n");
    expect(() => readResults(out)).toThrow(/line 1: not a run record \(not a JSON object\)/);
  });

  it("holds the file's lock while it runs, so a second pool on the file fails at once, and releases it however it ends", async () => {
    const out = tempFile("locked.jsonl");
    const first = runPool(grid, { out, workers: 1 });
    await expect(runPool(grid, { out, workers: 1 })).rejects.toThrow(`${out} is being written by another sweep (pid ${process.pid}`);
    expect((await first).finished).toBe(8);
    expect(lines(out)).toHaveLength(8);
    expect(existsSync(`${out}.lock`)).toBe(false);

    const aborted = tempFile("aborted.jsonl");
    const controller = new AbortController();
    const stopped = runPool(grid, { out: aborted, workers: 1, signal: controller.signal, onRun: () => controller.abort() });
    expect((await stopped).interrupted).toBe(true);
    expect(existsSync(`${aborted}.lock`)).toBe(false);

    const failed = tempFile("failed.jsonl");
    await expect(runPool([{ ...grid[0], data: { ...data, name: "no-such-set" } }], { out: failed, workers: 1 })).rejects.toThrow(/failed/);
    expect(existsSync(`${failed}.lock`)).toBe(false);
  });

  it("records a divergence (huge η) with its step and last finite loss instead of crashing", async () => {
    const [config] = expandGrid({
      data,
      layers: [2, 6, 2],
      activation: "identity",
      batchSizes: [8],
      lrs: [1e6],
      budgets: [{ steps: 200 }],
      seeds: 1,
    });
    const out = tempFile("diverged.jsonl");
    await runPool([config], { out, workers: 1 });
    const [record] = readResults(out).records;
    expect(record.diverged).not.toBeNull();
    expect(record.diverged!.step).toBeGreaterThan(1);
    expect(record.diverged!.step).toBeLessThan(200);
    expect(Number.isFinite(record.diverged!.lastFiniteLoss)).toBe(true);
    expect(record.steps).toBe(record.diverged!.step - 1);
    expect(withoutTimes(record)).toEqual(withoutTimes(runOne(config)));
  });
});
