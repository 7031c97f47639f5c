import { describe, expect, it } from "vitest";
import { expandGrid, fewestStepsPerBatchSize, fitCriticalBatch, type RunConfig, type RunRecord } from "../../lib/index.ts";

describe("fitCriticalBatch: S(B) = S_min + E_min/B, B_crit = E_min/S_min", () => {
  it("recovers S_min, E_min and B_crit from steps on the model's curve within 1e-12", () => {
    const points = [4, 16, 64, 256, 1024].map((batchSize) => ({ batchSize, steps: 120 + 24_000 / batchSize }));
    const fit = fitCriticalBatch(points);
    expect(Math.abs(fit.minSteps - 120) / 120).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(fit.minSamples - 24_000) / 24_000).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(fit.criticalBatch - 200) / 200).toBeLessThanOrEqual(1e-12);
  });

  it("weighs relative errors: a 10% error on the largest S moves S_min far less than the same error on the smallest", () => {
    const exact = (batchSize: number) => 100 + 10_000 / batchSize;
    const sizes = [1, 10, 100, 1000];
    const perturbed = (at: number) => fitCriticalBatch(sizes.map((batchSize) => ({ batchSize, steps: exact(batchSize) * (batchSize === at ? 1.1 : 1) })));
    expect(Math.abs(perturbed(1).minSteps - 100)).toBeLessThan(Math.abs(perturbed(1000).minSteps - 100));
  });

  it("refuses a single batch size and non-positive steps", () => {
    expect(() => fitCriticalBatch([{ batchSize: 4, steps: 10 }, { batchSize: 4, steps: 12 }])).toThrow("fitCriticalBatch: need two batch sizes or more, got 2 points");
    expect(() => fitCriticalBatch([{ batchSize: 4, steps: 0 }, { batchSize: 8, steps: 12 }])).toThrow(/batch size 4 and steps 0 must be positive finite numbers/);
  });
});

describe("fewestStepsPerBatchSize", () => {
  const runs = expandGrid({ data: { name: "xor", train: 80, test: 40, seed: 1 }, layers: [2, 4, 2], batchSizes: [4, 16], lrs: [0.1, 1], budgets: [{ steps: 40 }], seeds: 2 });
  /** A run whose test accuracy rises by `rate` per checkpoint (every 10 steps). */
  const run = (config: RunConfig, rate: number): RunRecord => {
    const checkpoints = [10, 20, 30, 40].map((step) => ({ epoch: step / 20, step, samples: step * config.batchSize, trainLoss: 1, trainAccuracy: 0, testLoss: 1, testAccuracy: (rate * step) / 10, seconds: 0 }));
    return { config, epochs: [], checkpoints, steps: 40, samples: 40 * config.batchSize, diverged: null, seconds: 0, wallSeconds: 0, kernel: "js", sparse: false, workers: 1, backend: "cpu" };
  };
  // B = 4: η = 1 reaches 0.5 at step 20 (rate 0.25), η = 0.1 at step 40. B = 16: only η = 0.1 reaches it, at step 30, its seeds' rates 0.15 and 0.2 (mean 0.175).
  const records = runs.map((config) => {
    if (config.batchSize === 4) return run(config, config.lr === 1 ? 0.25 : 0.125);
    return run(config, config.lr === 1 ? 0.05 : config.seed === 0 ? 0.15 : 0.2);
  });

  it("takes, per B, the η whose seed-mean accuracy reaches the target first, with the grid it chose from", () => {
    expect(fewestStepsPerBatchSize(records, 0.5)).toEqual([
      { batchSize: 4, lr: 1, steps: 20, lrs: [0.1, 1] },
      { batchSize: 16, lr: 0.1, steps: 30, lrs: [0.1, 1] },
    ]);
  });

  it("leaves out a batch size no η brings to the target", () => {
    expect(fewestStepsPerBatchSize(records, 0.9).map((p) => p.batchSize)).toEqual([4]);
  });
});
