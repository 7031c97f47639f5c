// The playground's worker engine on the GPU (Dawn; SwiftShader where there is no GPU): the run the
// CPU trains within float32's rounding, one device for every run of a worker, and pause, resume,
// a new B and η and stop between the slices of a GPU session.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { FromWorker, PageRunRecord } from "../../docs/.vitepress/theme/playground/protocol.ts";
import { runOne } from "../../lib/index.ts";
import { countedGpu, harness, xorConfig } from "../site/playground-harness.ts";

describe("the playground's engine on the GPU", () => {
  it("trains the run the CPU trains, within float32's rounding, and its line names the GPU", async () => {
    const { opened, open } = countedGpu();
    const { engine, start, messages, done } = harness(open);
    const config = xorConfig({ backend: "webgpu" });
    start("g", config);
    const { run } = await done("g");
    const started = messages.find((m) => m.type === "started");
    expect(started).toMatchObject({ kernel: run.adapter });
    expect([run.backend, run.config.backend]).toEqual(["webgpu", "webgpu"]);
    expect(run.adapter).toMatch(/\S/);
    const cpu = runOne(xorConfig());
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
    start("h", { ...config, seed: 4 });
    await done("h");
    expect(messages.find((m) => m.type === "gpu")).toEqual({ type: "gpu", available: true, adapter: run.adapter });
    expect(opened.count).toBe(1);
  });

  it("pauses, resumes, takes a new B and η from the step after the slice under way, and stops", async () => {
    const { engine, start, messages, waitFor, done, pause } = harness();
    // Every step has exactly B rows (the last batch dropped), so the samples tell which B each step used.
    const config = xorConfig({ budget: { epochs: 400 }, batchSize: 4, recordEvery: 50, lastBatch: "drop", backend: "webgpu" });
    start("p", config);
    await waitFor((m): m is FromWorker => m.type === "progress");
    // The slice under way ends, then nothing more.
    const whilePaused = await pause(500);
    await sleep(300);
    expect(messages.length, "nothing is posted while paused").toBe(whilePaused);

    engine.handle({ type: "resume" });
    await waitFor((m): m is FromWorker => m.type === "progress" && messages.indexOf(m) >= whilePaused);
    // The next slice has started (its timer came first) and awaits the GPU: the change arrives during it.
    await sleep(10);
    engine.handle({ type: "set", batchSize: 32, lr: 0.05 });
    const after = await waitFor((m): m is Extract<FromWorker, { type: "progress" }> => m.type === "progress" && m.batchSize === 32);
    expect(after.lr).toBe(0.05);
    engine.handle({ type: "stop" });
    const { run } = await done("p");
    const [change] = (run as PageRunRecord).changes ?? [];
    expect([change?.batchSize, change?.lr]).toEqual([32, 0.05]);
    const progress = messages.filter((m): m is Extract<FromWorker, { type: "progress" }> => m.type === "progress");
    // The change's step is where a slice ended, and every step after it took 32 samples, every one before it 4.
    const at = progress.find((m) => m.step === change.step);
    expect(at?.batchSize).toBe(4);
    expect(at?.samples).toBe(4 * change.step);
    for (const m of progress.filter((m) => m.step > change.step)) {
      expect([m.batchSize, m.samples], `progress at step ${m.step}`).toEqual([32, at!.samples + 32 * (m.step - change.step)]);
    }
    expect(run.steps, "stopped before its budget").toBeLessThan(400 * 50);
    expect(run.config.batchSize).toBe(4);
  });

  it("releases a run's GPU buffers when it ends or is reset mid-slice, and trains the next on the same device", async () => {
    const { opened, open, liveBuffers } = countedGpu();
    const { engine, start, messages, waitFor, done } = harness(open);
    start("a", xorConfig({ budget: { epochs: 400 }, batchSize: 4, backend: "webgpu" }));
    await waitFor((m): m is FromWorker => m.type === "progress" && m.id === "a");
    expect(liveBuffers.size).toBeGreaterThan(0);
    engine.handle({ type: "reset" });
    const count = messages.length;
    await expect.poll(() => liveBuffers.size, { timeout: 10_000 }).toBe(0);
    await sleep(200);
    expect(messages.length, "nothing more about a reset run").toBe(count);

    start("b", xorConfig({ backend: "webgpu" }));
    await done("b");
    expect(liveBuffers.size, "a finished run's buffers too").toBe(0);
    expect(opened.count).toBe(1);
  });
});
