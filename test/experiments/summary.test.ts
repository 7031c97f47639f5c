import { describe, expect, it } from "vitest";
import {
  bestPerBatchSize,
  experimentRecords,
  runKey,
  expandGrid,
  groupRuns,
  meanHistory,
  type RunConfig,
  type RunRecord,
  secondsPerEpoch,
  spreadOf,
  stepsToTarget,
  summarizeRuns,
  type TrainRecord,
} from "../../lib/index.ts";

/** One configuration per (B, η, seed): 100 training digits, drop the last partial batch. */
function config(batchSize: number, lr: number, seed: number): RunConfig {
  return expandGrid({
    data: { name: "digits", train: 100, test: 20, seed: 0 },
    layers: [784, 30, 10],
    batchSizes: [batchSize],
    lrs: [lr],
    budgets: [{ epochs: 2 }],
    seeds: [seed],
    lastBatch: "drop",
  })[0];
}

/** A checkpoint with the given test accuracy; losses derived from it so they differ per point. */
function point(step: number, testAccuracy: number, seconds = step / 100): TrainRecord {
  return { epoch: step / 10, step, samples: 10 * step, trainLoss: 1 - testAccuracy, trainAccuracy: testAccuracy, testLoss: 1 - testAccuracy, testAccuracy, seconds };
}

function record(config: RunConfig, checkpoints: TrainRecord[], extra: Partial<RunRecord> = {}): RunRecord {
  const last = checkpoints[checkpoints.length - 1];
  return { config, epochs: [], checkpoints, steps: last.step, samples: last.samples, diverged: null, seconds: last.seconds, wallSeconds: 2 * last.seconds, kernel: "js", sparse: false, workers: 1, backend: "cpu", ...extra };
}

describe("spreadOf", () => {
  it("gives mean, min, max and count", () => {
    // (0.2 + 0.5 + 0.8) / 3 = 0.5
    expect(spreadOf([0.5, 0.2, 0.8])).toEqual({ mean: 0.5, min: 0.2, max: 0.8, n: 3 });
  });
  it("refuses no values and non-finite ones", () => {
    expect(() => spreadOf([])).toThrow(/no values/);
    expect(() => spreadOf([1, Number.NaN])).toThrow(/value 1 is NaN/);
  });
});

describe("groupRuns and summarizeRuns", () => {
  // B = 10 at η = 3, seeds 0–2, ending at 0.6, 0.7, 0.8 test accuracy; B = 5 at η = 3, two seeds.
  const runs = [
    record(config(10, 3, 0), [point(10, 0.3), point(20, 0.6)]),
    record(config(10, 3, 1), [point(10, 0.4), point(20, 0.7)]),
    record(config(10, 3, 2), [point(10, 0.5), point(20, 0.8)]),
    record(config(5, 3, 0), [point(20, 0.5), point(40, 0.9)]),
    record(config(5, 3, 1), [point(20, 0.3), point(40, 0.5)]),
  ];

  it("groups by setting, batch sizes rising within a setting", () => {
    const groups = groupRuns(runs, (c) => `η = ${c.lr}`);
    expect(groups.map((g) => [g.setting, g.batchSize, g.records.length])).toEqual([
      ["η = 3", 5, 2],
      ["η = 3", 10, 3],
    ]);
  });

  it("refuses a setting label that would average two learning rates", () => {
    expect(() => groupRuns([...runs, record(config(10, 1, 0), [point(10, 0.1)])], () => "all")).toThrow(/differ in more than their seed \(baseLr 3 and 1, lr 3 and 1\)/);
  });

  it("refuses a label that forgets any other axis: optimizer, reduction, budget", () => {
    const sgd = config(10, 3, 0);
    const others: [RunConfig, RegExp][] = [
      [{ ...sgd, seed: 1, optimizer: "adam" }, /\(optimizer "sgd" and "adam"\)/],
      [{ ...sgd, seed: 1, reduction: "sum" }, /\(reduction "mean" and "sum"\)/],
      [{ ...sgd, seed: 1, budget: { steps: 20 } }, /\(budget \{"epochs":2\} and \{"steps":20\}\)/],
    ];
    for (const [other, message] of others) {
      expect(() => groupRuns([record(sgd, [point(10, 0.5)]), record(other, [point(10, 0.5)])], () => "all")).toThrow(message);
      // Named in the label, the axis splits the runs into two groups.
      expect(groupRuns([record(sgd, [point(10, 0.5)]), record(other, [point(10, 0.5)])], (c) => runKey({ ...c, seed: 0 }))).toHaveLength(2);
    }
  });

  it("averages the final points over seeds, with their range", () => {
    const [b5, b10] = summarizeRuns(runs, () => "sgd");
    // B = 10: accuracies 0.6, 0.7, 0.8 → mean 0.7; losses 0.4, 0.3, 0.2 → mean 0.3.
    expect(b10.testAccuracy?.mean).toBeCloseTo(0.7, 12);
    expect(b10.testAccuracy?.min).toBeCloseTo(0.6, 12);
    expect(b10.testAccuracy?.max).toBeCloseTo(0.8, 12);
    expect(b10.testLoss?.mean).toBeCloseTo(0.3, 12);
    expect(b10.runs).toBe(3);
    // B = 5: (0.9 + 0.5) / 2 = 0.7.
    expect(b5.testAccuracy?.mean).toBeCloseTo(0.7, 12);
    expect(b5.lr).toBe(3);
  });

  it("leaves diverged runs out of the metrics and counts them", () => {
    const diverged = record(config(10, 3, 3), [point(10, 0.9)], { diverged: { epoch: 0, step: 12, lastFiniteLoss: 0.5 } });
    const [, b10] = summarizeRuns([...runs, diverged], () => "sgd");
    expect(b10.diverged).toBe(1);
    expect(b10.runs).toBe(4);
    expect(b10.testAccuracy?.n).toBe(3);
    expect(b10.testAccuracy?.mean).toBeCloseTo(0.7, 12);
    const [only] = summarizeRuns([diverged], () => "sgd");
    expect(only.testAccuracy).toBeNull();
  });

  it("picks the best η per batch size", () => {
    const worse = [record(config(10, 1, 0), [point(20, 0.5)]), record(config(5, 1, 0), [point(40, 0.95)])];
    const best = bestPerBatchSize(summarizeRuns([...runs, ...worse], (c) => `η = ${c.lr}`));
    // B = 5: η = 1 (0.95) beats η = 3 (0.7); B = 10: η = 3 (0.7) beats η = 1 (0.5). By loss the same.
    expect(best.map((s) => [s.batchSize, s.lr])).toEqual([[5, 1], [10, 3]]);
    expect(bestPerBatchSize(summarizeRuns([...runs, ...worse], (c) => `η = ${c.lr}`), "testLoss").map((s) => s.lr)).toEqual([1, 3]);
  });
});

describe("secondsPerEpoch", () => {
  it("divides training time by the epochs trained", () => {
    // 100 samples at B = 10: 10 steps an epoch; 20 steps in 0.2 s → 2 epochs → 0.1 s an epoch.
    expect(secondsPerEpoch(record(config(10, 3, 0), [point(20, 0.5)]))).toBeCloseTo(0.1, 12);
    // At B = 30 with "drop": 3 steps an epoch; 6 steps in 0.06 s → 0.03 s an epoch.
    expect(secondsPerEpoch(record(config(30, 3, 0), [point(6, 0.5)]))).toBeCloseTo(0.03, 12);
  });
});

describe("meanHistory and stepsToTarget", () => {
  const seeds = [
    record(config(10, 3, 0), [point(10, 0.2), point(20, 0.4), point(30, 0.9)]),
    record(config(10, 3, 1), [point(10, 0.4), point(20, 0.6), point(30, 0.7)]),
  ];

  it("averages checkpoints step by step", () => {
    const mean = meanHistory(seeds);
    expect(mean.map((p) => p.step)).toEqual([10, 20, 30]);
    // (0.2 + 0.4) / 2 = 0.3, (0.4 + 0.6) / 2 = 0.5, (0.9 + 0.7) / 2 = 0.8
    expect(mean.map((p) => p.testAccuracy)).toEqual([0.30000000000000004, 0.5, 0.8]);
  });

  it("keeps only the steps every run reached", () => {
    const short = record(config(10, 3, 2), [point(10, 0.6)]);
    expect(meanHistory([...seeds, short]).map((p) => p.step)).toEqual([10]);
  });

  it("finds the first checkpoint where the seed mean reaches the target", () => {
    expect(stepsToTarget(seeds, 0.5)).toBe(20);
    expect(stepsToTarget(seeds, 0.3)).toBe(10);
    // Seed 0 alone reaches 0.9 at step 30, but the mean only gets to 0.8.
    expect(stepsToTarget(seeds, 0.85)).toBeNull();
    expect(() => stepsToTarget(seeds, 1.5)).toThrow(/target accuracy 1.5/);
  });
});

describe("experimentRecords", () => {
  const runs = [config(10, 3, 0), config(10, 3, 1)];
  const experiment = { id: "e", title: "E", question: "?", runs };
  const stored = new Map(runs.map((run) => [runKey(run), record(run, [point(20, 0.5)])]));

  it("returns each experiment's records in its runs' order", () => {
    const found = experimentRecords([experiment], stored);
    expect(found.get("e")?.map((r) => r.config.seed)).toEqual([0, 1]);
  });

  it("names what is missing and the command that makes it", () => {
    const partial = new Map([...stored].slice(0, 1));
    expect(() => experimentRecords([experiment], partial)).toThrow(/lacks runs of e \(1 of 2\): run `npm run experiment -- --default`/);
    expect(() => experimentRecords([experiment], new Map())).toThrow(/missing or empty/);
  });
});
