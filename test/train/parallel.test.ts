import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { train as coreTrain } from "../../lib/core.ts";
import { type ActivationName, createNetwork, loadDigits, parameterVector, relativeDifference, train, type TrainOptions, type TrainProgress, type TrainResult } from "../../lib/index.ts";

// Built by npm run build:lib (the worker threads load lib/dist); 1,000 digits: 15 full batches of 64 and one of 40.
const { train: digits, test } = loadDigits({ train: 1000, test: 200, seed: 4 });
const sizes = [784, 30, 10];

interface Run {
  params: Float64Array;
  result: TrainResult;
  progress: TrainProgress[];
}

function run(options: TrainOptions, activation: ActivationName = "sigmoid"): Run {
  const net = createNetwork({ sizes, activation, rng: 3 });
  const progress: TrainProgress[] = [];
  const result = train(net, digits, { batchSize: 64, optimizer: { name: "sgd", lr: 3 }, test, ...options, onProgress: (p) => progress.push(p) });
  return { params: parameterVector(net), result, progress };
}

/**
 * The largest relative difference between two runs: of the weights and biases as a vector
 * (max |a − b| over max |a|: a weight that passed near zero keeps only absolute precision, so
 * element by element it would measure cancellation, not the summation order), of every step's
 * loss and of every record's losses.
 */
function worstDifference(a: Run, b: Run): number {
  let scale = 0;
  let weights = 0;
  a.params.forEach((x, i) => {
    scale = Math.max(scale, Math.abs(x));
    weights = Math.max(weights, Math.abs(x - b.params[i]));
  });
  const records = (r: TrainResult) => [...r.epochs, ...r.checkpoints].flatMap((p) => [p.trainLoss, p.testLoss ?? 0]);
  const bRecords = records(b.result);
  const losses = [
    ...a.progress.map((p, i) => relativeDifference(p.batchLoss, b.progress[i].batchLoss)),
    ...records(a.result).map((x, i) => relativeDifference(x, bRecords[i])),
  ];
  return Math.max(weights / scale, ...losses);
}

/** What must match exactly whatever computes the gradients: the steps, samples and where each record fell. */
function shape({ result, progress }: Run) {
  const where = ({ epoch, step, samples }: { epoch: number; step: number; samples: number }) => ({ epoch, step, samples });
  return {
    steps: result.steps,
    samples: result.samples,
    epochs: result.epochs.map(where),
    checkpoints: result.checkpoints.map(where),
    progress: progress.map(({ epoch, step, totalSteps }) => ({ epoch, step, totalSteps })),
    diverged: result.diverged === undefined ? undefined : { epoch: result.diverged.epoch, step: result.diverged.step },
    aborted: result.aborted,
    sparse: result.sparse,
  };
}

describe("train with workers (CLAIMS.md claim 10: the batch gradient is the sum of shard gradients)", () => {
  const settings = [
    { reduction: "mean", sparseInputs: true },
    { reduction: "mean", sparseInputs: false },
    { reduction: "sum", sparseInputs: true },
    { reduction: "sum", sparseInputs: false },
  ] as const;

  for (const setting of settings) {
    const lr = setting.reduction === "sum" ? 3 / 64 : 3;
    const options: TrainOptions = { ...setting, optimizer: { name: "sgd", lr }, budget: { epochs: 3 }, recordEvery: 7 };

    it(`2 workers give one thread's result within 1e-12 over 48 steps with a partial last batch (${setting.reduction}, sparse ${setting.sparseInputs})`, () => {
      const one = run(options);
      const two = run({ ...options, workers: 2 });
      expect(two.result.workers).toBe(2);
      expect(shape(two)).toEqual(shape(one));
      expect(one.result.steps).toBe(48);
      const worst = worstDifference(one, two);
      expect(worst).toBeLessThan(1e-12);
      // The shards really were summed in another order: not a single thread in disguise.
      expect(worst).toBeGreaterThan(0);
    });

    it(`workers: 1 is bit-identical to the plain path (${setting.reduction}, sparse ${setting.sparseInputs})`, () => {
      const plain = run(options);
      const one = run({ ...options, workers: 1 });
      expect(one.params).toEqual(plain.params);
      expect(one.progress).toEqual(plain.progress);
      const timeless = (r: TrainResult) => ({ ...r, seconds: 0, epochs: r.epochs.map((p) => ({ ...p, seconds: 0 })), checkpoints: r.checkpoints.map((p) => ({ ...p, seconds: 0 })) });
      expect(timeless(one.result)).toEqual(timeless(plain.result));
    });
  }

  it("a batch smaller than the workers leaves a shard empty, and still matches", () => {
    const options: TrainOptions = { batchSize: 1, budget: { steps: 30 }, optimizer: { name: "adam", lr: 0.01 } };
    const one = run(options);
    const two = run({ ...options, workers: 2 });
    expect(shape(two)).toEqual(shape(one));
    expect(worstDifference(one, two)).toBeLessThan(1e-12);
  });

  it("keeps train()'s semantics: budgets in steps and samples, a dropped last batch, Adam's state", () => {
    for (const options of [
      { budget: { steps: 20 }, recordEvery: 6 },
      { budget: { samples: 1500 }, lastBatch: "drop" },
      { budget: { epochs: 2 }, optimizer: { name: "adam", lr: 0.01 } },
    ] as TrainOptions[]) {
      const one = run(options);
      const two = run({ ...options, workers: 2 });
      expect(shape(two)).toEqual(shape(one));
      expect(worstDifference(one, two)).toBeLessThan(1e-12);
    }
  });

  it("diverges at the same step as one thread, keeping the weights up to it", () => {
    const options: TrainOptions = { budget: { epochs: 2 }, optimizer: { name: "sgd", lr: 1e3 }, reduction: "sum" };
    const one = run(options, "identity");
    const two = run({ ...options, workers: 2 }, "identity");
    expect(one.result.diverged).toBeDefined();
    expect(shape(two)).toEqual(shape(one));
    expect(two.result.diverged!.lastFiniteLoss).toBe(two.progress.at(-1)?.batchLoss ?? null);
  });

  it("stops at an abort from onProgress, as one thread does", () => {
    const abortAt = (workers?: number) => {
      const controller = new AbortController();
      const net = createNetwork({ sizes, rng: 3 });
      const result = train(net, digits, { batchSize: 64, workers, signal: controller.signal, onProgress: (p) => p.step === 5 && controller.abort() });
      return { steps: result.steps, aborted: result.aborted, params: parameterVector(net) };
    };
    const one = abortAt();
    const two = abortAt(2);
    expect(two.steps).toBe(5);
    expect(two.aborted).toBe(true);
    // The caller's network holds the weights of the steps taken.
    two.params.forEach((x, i) => expect(relativeDifference(x, one.params[i])).toBeLessThan(1e-12));
  });

  it("refuses a bad worker count, per-sample gradients and batchprop/core before any work, naming the problem", () => {
    const cores = availableParallelism();
    for (const workers of [0, -1, 1.5, Number.NaN, cores + 1]) {
      expect(() => run({ workers })).toThrow(`train: workers must be an integer from 1 to ${cores} (this machine's cores), got ${workers}`);
    }
    expect(() => run({ workers: 2, gradients: "per-sample" })).toThrow(/workers splits the vectorized gradient/);
    expect(() => coreTrain(createNetwork({ sizes, rng: 3 }), digits, { workers: 2 })).toThrow('use the train of "batchprop" (Node), not of "batchprop/core"');
    // A bad option checked by train() itself still comes first, with no thread started.
    expect(() => run({ workers: 2, batchSize: 0 })).toThrow(/^batchSize: batch size 0 must be at least 1$/);
  });
});

describe("train's worker threads end however train() ends", () => {
  const script = fileURLToPath(new URL("../fixtures/train/threads.ts", import.meta.url));
  for (const ending of ["return", "throw", "abort"]) {
    it(`on ${ending}: the process's threads drop back to their count before train(), and it exits by itself`, () => {
      const child = spawnSync(process.execPath, ["--experimental-wasm-relaxed-simd", "--import", "tsx", script, ending], { encoding: "utf8", timeout: 60_000 });
      expect(child.stderr).toBe("");
      expect(child.status).toBe(0);
      const report = JSON.parse(child.stdout) as { before: number; during: number; after: number; ended: string };
      expect(report.ended).toBe(ending);
      expect(report.during).toBe(report.before + 1); // one helper thread for 2 workers
      expect(report.after).toBe(report.before);
    });
  }
});
