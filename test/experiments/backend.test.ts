// A run's backend: in its key only when it is the GPU (so every CPU run keeps its key), checked by
// name, carried into the record and read back from lines written before it existed, in the CSV,
// and kept apart from CPU runs when runs are summarized.
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { checkRunConfig, describeSweep, parseResults, runKey, runOne, runOneAsync, runsCsv, toRunRecord, withoutTimes, type RunConfig, type RunRecord, type TrainResult } from "../../lib/index.ts";
import { fakeRun, runConfig } from "./runs.ts";

const cpu = runConfig({ batchSize: 8, lr: 3, seed: 0 });
const gpu: RunConfig = { ...cpu, backend: "webgpu" };
const shape = { inputs: 2, outputs: 2, train: 800 };

/** A finished GPU run as train() makes its record: backend and adapter named. */
function gpuRun(batchSize: number, seed: number, accuracy: number): RunRecord {
  const record = fakeRun({ batchSize, lr: 3, seed, accuracy });
  return { ...record, config: { ...record.config, backend: "webgpu" }, kernel: "webgpu", backend: "webgpu", adapter: "google swiftshader" };
}
const line = (value: unknown) => `${JSON.stringify(value)}\n`;

describe("RunConfig.backend", () => {
  it("is left out of the key on the CPU, spelled or not, and makes a GPU run a run of its own", () => {
    expect(runKey({ ...cpu, backend: "cpu" })).toBe(runKey(cpu));
    expect(runKey(cpu)).not.toContain("backend");
    expect(runKey(gpu)).not.toBe(runKey(cpu));
    expect(JSON.parse(runKey(gpu))).toMatchObject({ backend: "webgpu" });
  });

  it("is checked by name", () => {
    expect(() => checkRunConfig(gpu, shape)).not.toThrow();
    expect(() => checkRunConfig({ ...cpu, backend: "cuda" as "cpu" }, shape)).toThrow('backend: unknown backend "cuda" (expected cpu or webgpu)');
  });
});

describe("runOne and runOneAsync", () => {
  it("runOne refuses a GPU run, naming the backend and the function that runs it", () => {
    expect(() => runOne(gpu)).toThrow('backend: runOne runs on the CPU; a "webgpu" run is asynchronous: await runOneAsync');
  });

  it("runOneAsync runs a CPU run as runOne does, and its record says cpu", async () => {
    const config = runConfig({ batchSize: 80, lr: 3, seed: 1 });
    const record = await runOneAsync(config);
    expect(record.backend).toBe("cpu");
    expect(record.adapter).toBeUndefined();
    expect(withoutTimes(record)).toEqual(withoutTimes(runOne(config)));
  });

  it("runOneAsync refuses CPU threads for a GPU run before opening any device", async () => {
    await expect(runOneAsync(gpu, { workers: 2 })).rejects.toThrow('workers: splits a batch across CPU threads; a "webgpu" run takes every step on the GPU');
  });
});

describe("a results line's backend", () => {
  it("is where the run trained: a record's config names the backend of its result, so a GPU session started from a CPU config reads back as a GPU run", () => {
    const point = { epoch: 1, step: 100, samples: 800, trainLoss: 0.2, trainAccuracy: 0.9, testLoss: 0.2, testAccuracy: 0.9, seconds: 1 };
    const result: TrainResult = { epochs: [point], checkpoints: [point], steps: 100, samples: 800, seconds: 1, kernel: "wgsl", sparse: false, workers: 1, backend: "webgpu", adapter: "google swiftshader" };
    const record = toRunRecord(cpu, result, 2);
    expect(record.config).toEqual(gpu);
    expect(parseResults(line(record), "page.jsonl")).toEqual([record]);
    expect(toRunRecord({ ...cpu, backend: "cpu" }, { ...result, backend: "cpu", adapter: undefined, kernel: "js" }, 2).config).toEqual(cpu);
  });

  it("reads a line written before runs named their kernel, threads or backend as the JavaScript kernel, dense, one thread, on the CPU", () => {
    const { kernel: _k, sparse: _s, workers: _w, backend: _b, ...old } = fakeRun({ batchSize: 8, lr: 3, seed: 0, accuracy: 0.5 });
    const [record] = parseResults(line(old), "old.jsonl");
    expect(record).toMatchObject({ kernel: "js", sparse: false, workers: 1, backend: "cpu" });
    expect(record.adapter).toBeUndefined();
  });

  it("keeps a GPU run's backend and adapter, and fields it does not know, as written", () => {
    const run = gpuRun(8, 0, 0.5);
    const [record] = parseResults(line({ ...run, changes: [] }), "gpu.jsonl");
    expect(record).toEqual({ ...run, changes: [] });
  });

  it("refuses a line whose record and config disagree on the backend, by file, line and field", () => {
    const run = gpuRun(8, 0, 0.5);
    const text = line(fakeRun({ batchSize: 8, lr: 3, seed: 1, accuracy: 0.5 })) + line({ ...run, backend: "cpu" });
    expect(() => parseResults(text, "mixed.jsonl")).toThrow('mixed.jsonl, line 2: not a run record (backend: the run ran on "cpu" but its config.backend asks for "webgpu")');
    expect(() => parseResults(line({ ...run, backend: "tpu" }), "bad.jsonl")).toThrow(/bad\.jsonl, line 1: not a run record \(backend: expected one of "cpu"\|"webgpu"/);
  });
});

describe("GPU runs among CPU runs", () => {
  const mixed = [0, 1].flatMap((seed) => [fakeRun({ batchSize: 8, lr: 3, seed, accuracy: 0.5 }), gpuRun(8, seed, 0.9)]);

  it("have a CSV row saying where they ran: the backend, and the adapter of a GPU run", () => {
    const rows = parse(runsCsv(mixed), { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => [row.backend, row.adapter, row.kernel])).toEqual([
      ["cpu", "", "js"],
      ["webgpu", "google swiftshader", "webgpu"],
      ["cpu", "", "js"],
      ["webgpu", "google swiftshader", "webgpu"],
    ]);
  });

  it("are summarized apart from the CPU's, never averaged with them, and a grid of GPU runs says so among what its runs share", () => {
    const sweep = describeSweep(mixed);
    expect(sweep.sections.map((s) => [s.context, s.records.length, s.summaries[0].runs])).toEqual([
      ["on the CPU", 2, 2],
      ["on WebGPU", 2, 2],
    ]);
    expect(sweep.shared).not.toContain("on WebGPU");
    expect(describeSweep(mixed.filter((r) => r.backend === "webgpu")).shared).toContain("on WebGPU");
    expect(describeSweep(mixed.filter((r) => r.backend === "cpu")).shared).not.toContain("on the CPU");
  });
});
