// GPU runs in the library's experiments (the gpu project: SwiftShader where there is no GPU):
// runOneAsync trains a "webgpu" config on the device and records where, the same config giving the
// same record on the same device; the pool runs GPU runs beside the CPU's worker threads, one at a
// time on the device it is given, and an abort discards the GPU run in flight.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expandGrid, type GpuHandle, nodeGpu, readResults, runKey, runOne, runOneAsync, runPool, withoutTimes, type RunConfig, type RunRecord } from "../../lib/index.ts";

const cpuGrid: RunConfig[] = expandGrid({ data: { name: "xor", train: 80, test: 40, seed: 3 }, layers: [2, 6, 2], batchSizes: [8, 40], lrs: [2], budgets: [{ steps: 12 }], seeds: 1 });
const gpuGrid: RunConfig[] = cpuGrid.map((config) => ({ ...config, backend: "webgpu" }));
const tempFile = (name: string) => join(mkdtempSync(join(tmpdir(), "batchprop-gpu-pool-")), name);
const finalLoss = (record: RunRecord) => record.checkpoints.at(-1)!.testLoss!;

let gpu: GpuHandle;
beforeAll(async () => {
  gpu = await nodeGpu();
});
afterAll(() => gpu?.close());

describe("runOneAsync on the GPU", () => {
  it("trains the config on the device, records backend and adapter, and gives the same record twice", async () => {
    const [config] = gpuGrid;
    const record = await runOneAsync(config, { gpu });
    expect(record).toMatchObject({ backend: "webgpu", adapter: gpu.adapter, workers: 1, sparse: false, steps: 12 });
    expect(withoutTimes(await runOneAsync(config, { gpu }))).toEqual(withoutTimes(record));
    expect(Math.abs(finalLoss(record) - finalLoss(runOne(cpuGrid[0])))).toBeLessThan(1e-5);
  });
});

describe("runPool with GPU runs", () => {
  it("runs GPU and CPU runs of one list into one file, each on its backend, every record as its run alone makes it", async () => {
    const out = tempFile("mixed.jsonl");
    const result = await runPool([...gpuGrid, ...cpuGrid], { out, workers: 2, gpu });
    expect(result).toEqual({ skipped: 0, finished: 4, todo: 4, interrupted: false });
    const byKey = new Map(readResults(out).records.map((r) => [runKey(r.config), r]));
    for (const config of cpuGrid) expect(withoutTimes(byKey.get(runKey(config))!)).toEqual(withoutTimes(runOne(config)));
    for (const config of gpuGrid) expect(withoutTimes(byKey.get(runKey(config))!)).toEqual(withoutTimes(await runOneAsync(config, { gpu })));
    expect(existsSync(`${out}.lock`)).toBe(false);
  });

  it("stops on abort: the GPU run in flight is discarded, finished runs kept, the lock released, the device still the caller's", async () => {
    const out = tempFile("aborted.jsonl");
    const controller = new AbortController();
    const long = { ...gpuGrid[0], budget: { steps: 100_000 } };
    const stopped = runPool([gpuGrid[1], long], { out, workers: 1, gpu, signal: controller.signal, onRun: () => setTimeout(() => controller.abort(), 200) });
    expect(await stopped).toEqual({ skipped: 0, finished: 1, todo: 2, interrupted: true });
    expect(readFileSync(out, "utf8").split("\n").filter((line) => line !== "")).toHaveLength(1);
    expect(existsSync(`${out}.lock`)).toBe(false);
    // The caller's device is not closed by the pool: it trains again.
    expect((await runOneAsync(gpuGrid[0], { gpu })).backend).toBe("webgpu");
  });
});
