// The playground's settings in Node: the query string round trip, the library's messages beside
// the controls they belong to, and the RunConfig the page trains (the same check the CLI makes).
import { describe, expect, it } from "vitest";
import { comparisonConfigs, defaults, fromQuery, problemsOf, runConfig, runLabel, sweepConfigs, toQuery, type Settings } from "../../docs/.vitepress/theme/playground/settings.ts";
import { checkRunConfig, dataShape } from "../../lib/index.ts";

const xor: Settings = { ...defaults, dataset: "xor", hidden: "8,4", activation: "tanh", outputActivation: "softmax", loss: "cross-entropy", lr: 0.3, batchSize: 16 };

describe("the playground's settings", () => {
  it("survive the address: what differs from the defaults is written, and read back as it was", () => {
    const query = toQuery(xor);
    expect(new URLSearchParams(query).get("hidden")).toBe("8,4");
    expect(new URLSearchParams(query).has("opt")).toBe(false);
    expect(fromQuery(query)).toEqual(xor);
    expect(toQuery(defaults)).toBe("");
  });

  it("leave a link's unknown keys, unknown choices and non-numbers at their defaults, and keep numbers to be checked", () => {
    const settings = fromQuery("data=mnist9&opt=rmsprop&lr=abc&B=0&whatever=1");
    expect([settings.dataset, settings.optimizer, settings.lr]).toEqual([defaults.dataset, defaults.optimizer, defaults.lr]);
    // Number() would read these as Infinity and 16.
    expect([fromQuery("lr=Infinity").lr, fromQuery("B=0x10").batchSize]).toEqual([defaults.lr, defaults.batchSize]);
    expect(settings.batchSize).toBe(0);
    expect(problemsOf(settings)).toEqual([{ control: "batchSize", message: "B: batch size 0 must be at least 1" }]);
  });

  it("show the library's message beside the control it names", () => {
    expect(problemsOf(xor)).toEqual([]);
    expect(problemsOf({ ...xor, outputActivation: "sigmoid" })).toEqual([{ control: "outputActivation", message: "output activation: cross-entropy needs a softmax output layer, got sigmoid" }]);
    expect(problemsOf({ ...xor, hidden: "8,x" })).toEqual([{ control: "hidden", message: 'hidden widths: "x" is not a positive integer' }]);
    expect(problemsOf({ ...xor, hidden: "70000" })).toEqual([{ control: "hidden", message: "hidden widths: width 70,000 is more than the 65,536 units a layer may have" }]);
    expect(problemsOf({ ...xor, lr: -1 })).toEqual([{ control: "lr", message: "η: learning rate -1 must be a positive finite number" }]);
    expect(problemsOf({ ...xor, budgetKind: "steps", budget: 2.5 })).toEqual([{ control: "budget", message: "steps: must be a positive integer, got 2.5" }]);
  });

  it("make the RunConfig the command line would check, with about 60 checkpoints", () => {
    const config = runConfig(xor);
    expect(config.layers).toEqual([2, 8, 4, 2]);
    expect(config.data).toEqual({ name: "xor", train: 800, test: 200, seed: 0 });
    expect(() => checkRunConfig(config, dataShape(config.data))).not.toThrow();
    // 3 epochs of 800 at B = 16: 150 steps, a checkpoint every 2.
    expect(config.recordEvery).toBe(2);
    expect(runConfig({ ...defaults, dataset: "blobs", hidden: "5" }).layers).toEqual([2, 5, 3]);
  });

  it("expand a sweep and a shared comparison, within their limits", () => {
    expect(sweepConfigs({ ...xor, sweepBatchSizes: "4, 64", sweepLrs: "0.1,1" }).map((c) => [c.batchSize, c.lr])).toEqual([[4, 0.1], [64, 0.1], [4, 1], [64, 1]]);
    expect(() => sweepConfigs({ ...xor, sweepBatchSizes: "1,2,3,4,5", sweepLrs: "1,2,3,4,5" })).toThrow("sweep B: 5 batch sizes × 5 learning rates make 25 runs, more than the 24 a sweep may hold");
    expect(() => sweepConfigs({ ...xor, sweepBatchSizes: "4,1000" })).toThrow("B: batch size 1000 is larger than the training set (800 samples of xor)");
    expect(comparisonConfigs({ ...xor, compare: "16:0.3,256:3" }).map((c) => [c.batchSize, c.lr])).toEqual([[16, 0.3], [256, 3]]);
    expect(() => comparisonConfigs({ ...xor, compare: "16" })).toThrow('runs: "16" is not B:η');
  });

  it("choose the GPU in the address, refuse it with per-sample gradients or where the worker found none, and label its runs", () => {
    const gpu: Settings = { ...xor, backend: "webgpu" };
    expect(new URLSearchParams(toQuery(gpu)).get("backend")).toBe("webgpu");
    expect(fromQuery(toQuery(gpu))).toEqual(gpu);
    expect(fromQuery("backend=cuda").backend).toBe("cpu");
    const found = { available: true, adapter: "google swiftshader" } as const;
    expect(problemsOf(gpu, found)).toEqual([]);
    // Still looking: Train may start, and the run waits for the device.
    expect(problemsOf(gpu)).toEqual([]);
    expect(problemsOf({ ...gpu, gradients: "per-sample" }, found)).toEqual([
      { control: "gradients", message: "backward pass: per sample runs on the CPU only; on the GPU a batch's gradients are matrix products (vectorized)" },
    ]);
    expect(problemsOf({ ...xor, gradients: "per-sample" }, found)).toEqual([]);
    const none = { available: false, reason: "webgpu: no WebGPU adapter found (looked in navigator.gpu)" } as const;
    expect(problemsOf(gpu, none)).toEqual([{ control: "backend", message: "device: the GPU is unavailable: webgpu: no WebGPU adapter found (looked in navigator.gpu)" }]);
    expect(problemsOf(xor, none), "the CPU runs anyway").toEqual([]);
    expect(() => sweepConfigs({ ...gpu, gradients: "per-sample" })).toThrow("backward pass: per sample runs on the CPU only");
    // The config names its backend as the command line's does: only when it is not the CPU.
    expect(runConfig(gpu).backend).toBe("webgpu");
    expect("backend" in runConfig(xor)).toBe(false);
    expect(runLabel(runConfig(gpu))).toBe("B=16 η=0.3 sgd on GPU");
    expect(runLabel(runConfig(xor))).toBe("B=16 η=0.3 sgd");
  });
});
