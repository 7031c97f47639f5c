// The playground's worker engine, in Node: the same runs as the command line, pause and resume,
// B and η changed mid-run, and a finished run that readResults reads back; where there is no
// WebGPU, the library's message, before any work. (Its GPU runs: test/gpu/playground-engine.test.ts.)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { FromWorker, PageRunRecord } from "../../docs/.vitepress/theme/playground/protocol.ts";
import { openGpu, readResults, runOne, withoutTimes, type RunRecord } from "../../lib/index.ts";
import { countedGpu, harness, xorConfig } from "./playground-harness.ts";

describe("the playground's engine", () => {
  it("makes the record `npm run experiment` makes for the same settings, one readResults reads back", async () => {
    const { start, messages, done } = harness();
    const config = xorConfig();
    start("a", config);
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
    const { start, done } = harness();
    const config = { ...xorConfig(), init: "xavier" as const, biasInit: "zeros" as const, noiseScaleEvery: 20 };
    start("i", config);
    const { run } = await done("i");
    const cli = runOne(config);
    expect(withoutTimes(run).checkpoints).toEqual(withoutTimes(cli).checkpoints);
    expect(run.noiseScales?.map(({ seconds: _s, ...estimate }) => estimate)).toEqual(cli.noiseScales?.map(({ seconds: _s, ...estimate }) => estimate));
    expect(run.noiseScales?.length).toBeGreaterThan(1);
  });

  it("trains the digits from the site's asset as the command line does", async () => {
    const { start, done, digitsLoads } = harness();
    const config = xorConfig({ data: { name: "digits", train: 400, test: 200, seed: 2 }, layers: [784, 16, 10], budget: { epochs: 1 }, batchSize: 40, recordEvery: 5 });
    start("d", config, "vectorized", "/digits.bin.gz");
    const { run } = await done("d");
    expect(run.sparse).toBe(true);
    expect(withoutTimes(run)).toEqual(withoutTimes(runOne(config)));
    // Loaded once, however many runs use it.
    start("e", { ...config, seed: 4 }, "per-sample", "/digits.bin.gz");
    expect((await done("e")).run.sparse).toBe(false);
    expect(digitsLoads()).toBe(1);
  });

  it("pauses, resumes, and takes a new B and η from the next step, listing the change in the record", async () => {
    const { engine, start, messages, waitFor, done, pause } = harness();
    const config = xorConfig({ budget: { epochs: 400 }, batchSize: 4, recordEvery: 50 });
    start("p", config);
    await waitFor((m): m is FromWorker => m.type === "progress");
    const whilePaused = await pause(100);
    await sleep(300);
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
    const { engine, start, messages, waitFor } = harness();
    start("x", xorConfig({ budget: { epochs: 1000 } }));
    await waitFor((m): m is FromWorker => m.type === "progress");
    engine.handle({ type: "set", batchSize: 201 });
    const error = await waitFor((m): m is Extract<FromWorker, { type: "error" }> => m.type === "error");
    expect(error.message).toBe("batchSize: batch size 201 is larger than the training set (200 samples of xor)");
    engine.handle({ type: "reset" });
    const count = messages.length;
    await sleep(200);
    expect(messages.length).toBe(count);

    start("y", xorConfig({ data: { name: "idx:/nowhere", train: 1, test: 1, seed: 0 } }));
    expect((await waitFor((m): m is Extract<FromWorker, { type: "error" }> => m.type === "error" && m.id === "y")).message).toBe('cannot load idx:/nowhere: data.name: idx:/nowhere is a path to IDX files, not a registered dataset');
  });

  it("where there is no WebGPU, says so with the library's message, and starts no GPU run", async () => {
    const unavailable = () => openGpu(undefined, "navigator.gpu");
    const { engine, start, waitFor } = harness(unavailable);
    engine.handle({ type: "gpu" });
    const answer = await waitFor((m): m is Extract<FromWorker, { type: "gpu" }> => m.type === "gpu");
    expect(answer).toEqual({ type: "gpu", available: false, reason: "webgpu: this environment has no WebGPU (looked in navigator.gpu)" });
    start("n", xorConfig({ backend: "webgpu" }));
    const error = await waitFor((m): m is Extract<FromWorker, { type: "error" }> => m.type === "error" && m.id === "n");
    expect(error.message).toBe(answer.available ? "" : answer.reason);
  });

  it("refuses the per-sample backward pass on the GPU, naming it", async () => {
    const { opened, open } = countedGpu();
    const { start, waitFor } = harness(open);
    start("s", xorConfig({ backend: "webgpu" }), "per-sample");
    const error = await waitFor((m): m is Extract<FromWorker, { type: "error" }> => m.type === "error" && m.id === "s");
    expect(error.message).toBe("gradients: per sample runs on the CPU only; on the GPU a batch's gradients are matrix products (vectorized)");
    expect(opened.count, "before any work").toBe(0);
  });
});
