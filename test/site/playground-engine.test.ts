// The playground's worker engine, in Node: the same runs as the command line, pause and resume,
// B and η changed mid-run, and a finished run that readResults reads back; on the GPU (Dawn, on
// SwiftShader where there is no GPU, as in CI) the same run within float32's rounding, one device
// for every run, and where there is no WebGPU the library's message, before any work.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createEngine } from "../../docs/.vitepress/theme/playground/engine.ts";
import type { FromWorker, PageRunRecord } from "../../docs/.vitepress/theme/playground/protocol.ts";
import { decodeDigits, type GpuHandle, nodeGpu, openGpu, readResults, runOne, swiftShaderIcd, withoutTimes, type RunConfig, type RunRecord } from "../../lib/index.ts";
import { writeDigitsAsset } from "../../tools/site/digits-asset.ts";

const xorConfig = (overrides: Partial<RunConfig> = {}): RunConfig => ({
  data: { name: "xor", train: 200, test: 100, seed: 1 },
  layers: [2, 8, 2],
  activation: "tanh",
  outputActivation: "softmax",
  loss: "cross-entropy",
  reduction: "mean",
  optimizer: "momentum",
  batchSize: 10,
  lr: 0.1,
  baseLr: 0.1,
  lrScaling: "none",
  baseBatch: 10,
  budget: { epochs: 4 },
  seed: 3,
  lastBatch: "partial",
  recordEvery: 7,
  ...overrides,
});

let digitsLoads = 0;
/** The digits as the worker gets them: the site's gzipped asset, inflated and decoded. */
async function readDigitsAsset(): Promise<ReturnType<typeof decodeDigits>> {
  digitsLoads++;
  const docs = fs.mkdtempSync(path.join(os.tmpdir(), "batchprop-engine-"));
  try {
    return decodeDigits(new Uint8Array(gunzipSync(fs.readFileSync(writeDigitsAsset(docs).file))));
  } finally {
    fs.rmSync(docs, { recursive: true, force: true });
  }
}

// Dawn finds no device on a machine without a GPU unless pointed at Chromium's software Vulkan.
process.env.VK_ICD_FILENAMES ??= swiftShaderIcd;

/** An engine and every message it posts, with a way to wait for one; `openGpu` opens its device (Dawn's by default). */
function harness(openDevice: () => Promise<GpuHandle> = nodeGpu) {
  const messages: FromWorker[] = [];
  const waiters: (() => void)[] = [];
  const engine = createEngine(
    (message) => {
      messages.push(JSON.parse(JSON.stringify(message)) as FromWorker);
      waiters.splice(0).forEach((wake) => wake());
    },
    readDigitsAsset,
    openDevice,
  );
  const waitFor = async <T extends FromWorker>(match: (message: FromWorker) => message is T, timeoutMs = 60_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = messages.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no such message in ${timeoutMs} ms; got ${messages.map((m) => m.type).join(", ")}`);
      await new Promise<void>((wake) => {
        waiters.push(wake);
        setTimeout(wake, 50);
      });
    }
  };
  /** The run's line; an error reported for it fails at once, with its message. */
  const done = async (id: string) => {
    const end = await waitFor((m): m is Extract<FromWorker, { type: "done" | "error" }> => (m.type === "done" || m.type === "error") && m.id === id);
    if (end.type === "error") throw new Error(`run ${id}: ${end.message}`);
    return end;
  };
  return { engine, messages, waitFor, done };
}

describe("the playground's engine", () => {
  it("makes the record `npm run experiment` makes for the same settings, one readResults reads back", async () => {
    const { engine, messages, done } = harness();
    const config = xorConfig();
    engine.handle({ type: "start", id: "a", config, backend: "cpu", gradients: "vectorized", digitsUrl: "" });
    const { run } = await done("a");
    expect(withoutTimes(run)).toEqual(withoutTimes(runOne(config)));
    const records = messages.filter((m) => m.type === "record");
    expect(records.length).toBe(run.checkpoints.length + run.epochs.length);
    expect(messages[0]).toMatchObject({ type: "started", id: "a", kernel: run.kernel });

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "batchprop-page-run-"));
    try {
      const file = path.join(dir, "page.jsonl");
      fs.writeFileSync(file, `${JSON.stringify(run)}\n`);
      expect(readResults(file).records).toEqual([run]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("starts a run from every setting of its config, as runOne does: the weights' init and the noise scale too", async () => {
    const { engine, done } = harness();
    const config = { ...xorConfig(), init: "xavier" as const, biasInit: "zeros" as const, noiseScaleEvery: 20 };
    engine.handle({ type: "start", id: "i", config, backend: "cpu", gradients: "vectorized", digitsUrl: "" });
    const { run } = await done("i");
    const cli = runOne(config);
    expect(withoutTimes(run).checkpoints).toEqual(withoutTimes(cli).checkpoints);
    expect(run.noiseScales?.map(({ seconds: _s, ...estimate }) => estimate)).toEqual(cli.noiseScales?.map(({ seconds: _s, ...estimate }) => estimate));
    expect(run.noiseScales?.length).toBeGreaterThan(1);
  });

  it("trains the digits from the site's asset as the command line does", async () => {
    const { engine, done } = harness();
    const config = xorConfig({ data: { name: "digits", train: 400, test: 200, seed: 2 }, layers: [784, 16, 10], budget: { epochs: 1 }, batchSize: 40, recordEvery: 5 });
    engine.handle({ type: "start", id: "d", config, backend: "cpu", gradients: "vectorized", digitsUrl: "/digits.bin.gz" });
    const { run } = await done("d");
    expect(run.sparse).toBe(true);
    expect(withoutTimes(run)).toEqual(withoutTimes(runOne(config)));
    // Loaded once, however many runs use it.
    engine.handle({ type: "start", id: "e", config: { ...config, seed: 4 }, backend: "cpu", gradients: "per-sample", digitsUrl: "/digits.bin.gz" });
    expect((await done("e")).run.sparse).toBe(false);
    expect(digitsLoads).toBe(1);
  });

  it("pauses, resumes, and takes a new B and η from the next step, listing the change in the record", async () => {
    const { engine, messages, waitFor, done } = harness();
    const config = xorConfig({ budget: { epochs: 400 }, batchSize: 4, recordEvery: 50 });
    engine.handle({ type: "start", id: "p", config, backend: "cpu", gradients: "vectorized", digitsUrl: "" });
    await waitFor((m): m is FromWorker => m.type === "progress");
    engine.handle({ type: "pause" });
    await new Promise((wake) => setTimeout(wake, 100));
    const whilePaused = messages.length;
    await new Promise((wake) => setTimeout(wake, 300));
    expect(messages.length, "nothing is posted while paused").toBe(whilePaused);

    engine.handle({ type: "set", batchSize: 32, lr: 0.05 });
    const changedAt = (messages.filter((m) => m.type === "progress").at(-1) as Extract<FromWorker, { type: "progress" }>).step;
    engine.handle({ type: "resume" });
    const after = await waitFor((m): m is Extract<FromWorker, { type: "progress" }> => m.type === "progress" && m.step > changedAt);
    expect([after.batchSize, after.lr]).toEqual([32, 0.05]);
    engine.handle({ type: "stop" });
    const { run } = await done("p");
    expect(run.steps, "stopped before its budget").toBeLessThan(400 * 20);
    expect((run as PageRunRecord).changes).toEqual([{ step: changedAt, batchSize: 32, lr: 0.05 }]);
    const laterRecords = messages.flatMap((m) => (m.type === "record" && m.record.step > changedAt ? [m.record] : []));
    expect(laterRecords.length).toBeGreaterThan(0);
    for (const record of laterRecords) expect([record.batchSize, record.lr]).toEqual([32, 0.05]);
    // A stopped run is a valid record too: its config holds the settings it started with.
    expect((run as RunRecord).config.batchSize).toBe(4);
  });

  it("says what is wrong with a bad B or dataset, and a reset silences the run", async () => {
    const { engine, messages, waitFor } = harness();
    engine.handle({ type: "start", id: "x", config: xorConfig({ budget: { epochs: 1000 } }), backend: "cpu", gradients: "vectorized", digitsUrl: "" });
    await waitFor((m): m is FromWorker => m.type === "progress");
    engine.handle({ type: "set", batchSize: 201 });
    const error = await waitFor((m): m is Extract<FromWorker, { type: "error" }> => m.type === "error");
    expect(error.message).toBe("batchSize: batch size 201 is larger than the training set (200 samples of xor)");
    engine.handle({ type: "reset" });
    const count = messages.length;
    await new Promise((wake) => setTimeout(wake, 200));
    expect(messages.length).toBe(count);

    engine.handle({ type: "start", id: "y", config: xorConfig({ data: { name: "idx:/nowhere", train: 1, test: 1, seed: 0 } }), backend: "cpu", gradients: "vectorized", digitsUrl: "" });
    expect((await waitFor((m): m is Extract<FromWorker, { type: "error" }> => m.type === "error" && m.id === "y")).message).toBe('cannot load idx:/nowhere: data.name: idx:/nowhere is a path to IDX files, not a registered dataset');
  });
});

/** Dawn's device, counting how often the engine opens one. */
function countedGpu() {
  const opened = { count: 0 };
  const open = () => {
    opened.count++;
    return nodeGpu();
  };
  return { opened, open };
}

describe("the playground's engine on the GPU", () => {
  it("trains the run the CPU trains, within float32's rounding, and its line names the GPU", async () => {
    const { opened, open } = countedGpu();
    const { engine, messages, done } = harness(open);
    const config = xorConfig();
    engine.handle({ type: "start", id: "g", config, backend: "webgpu", gradients: "vectorized", digitsUrl: "" });
    const { run } = await done("g");
    const started = messages.find((m) => m.type === "started");
    expect(started).toMatchObject({ backend: "webgpu", kernel: run.adapter });
    expect((run as PageRunRecord).backend).toBe("webgpu");
    expect(run.adapter).toMatch(/\S/);
    const cpu = runOne(config);
    expect([run.steps, run.samples, run.diverged]).toEqual([cpu.steps, cpu.samples, cpu.diverged]);
    expect(run.checkpoints.map((point) => point.step)).toEqual(cpu.checkpoints.map((point) => point.step));
    // 80 steps of momentum in float32 against float64: losses within 1e-4, relatively.
    run.checkpoints.forEach((point, i) => {
      const reference = cpu.checkpoints[i];
      expect(Math.abs(point.trainLoss - reference.trainLoss) / reference.trainLoss, `train loss at step ${point.step}`).toBeLessThan(1e-4);
      expect(Math.abs(point.testLoss! - reference.testLoss!) / reference.testLoss!, `test loss at step ${point.step}`).toBeLessThan(1e-4);
    });
    expect(messages.filter((m) => m.type === "record").length).toBe(run.checkpoints.length + run.epochs.length);

    // A second run, and the page's question, reuse the worker's device.
    engine.handle({ type: "gpu" });
    engine.handle({ type: "start", id: "h", config: { ...config, seed: 4 }, backend: "webgpu", gradients: "vectorized", digitsUrl: "" });
    await done("h");
    expect(messages.find((m) => m.type === "gpu")).toEqual({ type: "gpu", available: true, adapter: run.adapter });
    expect(opened.count).toBe(1);
  });

  it("pauses, resumes, takes a new B and η from the step after the slice under way, and stops", async () => {
    const { engine, messages, waitFor, done } = harness();
    const config = xorConfig({ budget: { epochs: 400 }, batchSize: 4, recordEvery: 50 });
    engine.handle({ type: "start", id: "p", config, backend: "webgpu", gradients: "vectorized", digitsUrl: "" });
    await waitFor((m): m is FromWorker => m.type === "progress");
    engine.handle({ type: "pause" });
    // The slice under way ends, then nothing more.
    await new Promise((wake) => setTimeout(wake, 500));
    const whilePaused = messages.length;
    await new Promise((wake) => setTimeout(wake, 300));
    expect(messages.length, "nothing is posted while paused").toBe(whilePaused);

    engine.handle({ type: "resume" });
    // Sent while a slice is under way: it applies from the step after it.
    engine.handle({ type: "set", batchSize: 32, lr: 0.05 });
    const after = await waitFor((m): m is Extract<FromWorker, { type: "progress" }> => m.type === "progress" && m.batchSize === 32);
    expect(after.lr).toBe(0.05);
    engine.handle({ type: "stop" });
    const { run } = await done("p");
    const [change] = (run as PageRunRecord).changes ?? [];
    expect([change?.batchSize, change?.lr]).toEqual([32, 0.05]);
    const progress = messages.filter((m): m is Extract<FromWorker, { type: "progress" }> => m.type === "progress");
    // The change's step is where the slices before it ended, and the steps after it used the new B.
    expect(progress.some((m) => m.step === change.step && m.batchSize === 4)).toBe(true);
    expect(progress.filter((m) => m.step > change.step).every((m) => m.batchSize === 32)).toBe(true);
    expect(run.steps, "stopped before its budget").toBeLessThan(400 * 50);
    expect(run.config.batchSize).toBe(4);
  });

  it("where there is no WebGPU, says so with the library's message, and starts no GPU run", async () => {
    const unavailable = () => openGpu(undefined, "navigator.gpu");
    const { engine, waitFor } = harness(unavailable);
    engine.handle({ type: "gpu" });
    const answer = await waitFor((m): m is Extract<FromWorker, { type: "gpu" }> => m.type === "gpu");
    expect(answer).toEqual({ type: "gpu", available: false, reason: "webgpu: this environment has no WebGPU (looked in navigator.gpu)" });
    engine.handle({ type: "start", id: "n", config: xorConfig(), backend: "webgpu", gradients: "vectorized", digitsUrl: "" });
    const error = await waitFor((m): m is Extract<FromWorker, { type: "error" }> => m.type === "error" && m.id === "n");
    expect(error.message).toBe(answer.available ? "" : answer.reason);
  });

  it("refuses the per-sample backward pass on the GPU, naming it", async () => {
    const { opened, open } = countedGpu();
    const { engine, waitFor } = harness(open);
    engine.handle({ type: "start", id: "s", config: xorConfig(), backend: "webgpu", gradients: "per-sample", digitsUrl: "" });
    const error = await waitFor((m): m is Extract<FromWorker, { type: "error" }> => m.type === "error" && m.id === "s");
    expect(error.message).toBe("gradients: per sample runs on the CPU only; on the GPU a batch's gradients are matrix products (vectorized)");
    expect(opened.count, "before any work").toBe(0);
  });
});
