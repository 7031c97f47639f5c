import { describe, expect, it } from "vitest";
import {
  Matrix,
  blobs,
  createNetwork,
  createRng,
  gradientArrays,
  lossByName,
  parameters,
  perSampleGradients,
  train,
  type Dataset,
  type TrainProgress,
} from "../../lib/index.ts";

const data = blobs({ samples: 103, classes: 3, dims: 4, seed: 1 });
const net = () => createNetwork({ sizes: [4, 5, 3], init: "xavier", rng: 2 });

describe("train", () => {
  it("the same seed gives bit-identical weights after an epoch; another seed does not", () => {
    const run = (seed: number) => {
      const n = net();
      train(n, data, { batchSize: 8, seed, optimizer: { name: "adam", lr: 0.01 } });
      return n.layers.flatMap((l) => [...l.weights.data, ...l.bias]);
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it("counts steps: a partial last batch is one more step; dropping it is not", () => {
    const partial = train(net(), data, { batchSize: 10, budget: { epochs: 2 } });
    expect(partial.steps).toBe(2 * 11); // 103 = 10·10 + 3
    expect(partial.samples).toBe(2 * 103);
    const dropped = train(net(), data, { batchSize: 10, budget: { epochs: 2 }, lastBatch: "drop" });
    expect(dropped.steps).toBe(2 * 10);
    expect(dropped.samples).toBe(2 * 100);
  });

  it("stops at a budget of steps or samples, recording every recordEvery steps and at the end", () => {
    const bySteps = train(net(), data, { batchSize: 10, budget: { steps: 25 }, recordEvery: 10 });
    expect(bySteps.steps).toBe(25);
    expect(bySteps.epochs.map((r) => r.step)).toEqual([11, 22]);
    expect(bySteps.checkpoints.map((r) => r.step)).toEqual([10, 20, 25]);
    expect(bySteps.checkpoints[2].epoch).toBeCloseTo(25 / 11, 12);
    const bySamples = train(net(), data, { batchSize: 10, budget: { samples: 95 } });
    expect(bySamples.steps).toBe(10);
  });

  it("records losses, accuracies and time per epoch, and reports progress after every step", () => {
    const seen: TrainProgress[] = [];
    const result = train(net(), data, { batchSize: 16, budget: { epochs: 3 }, test: data, onProgress: (p) => seen.push(p) });
    expect(seen.length).toBe(result.steps);
    expect(seen.at(-1)).toMatchObject({ epoch: 3, step: 21, totalSteps: 21 });
    for (const record of result.epochs) {
      expect(record.trainLoss).toBeGreaterThan(0);
      expect(record.testLoss).toBe(record.trainLoss); // the same data, evaluated twice
      expect(record.trainAccuracy).toBeGreaterThanOrEqual(0);
      expect(record.trainAccuracy).toBeLessThanOrEqual(1);
    }
    expect(result.epochs.map((r) => r.seconds)).toEqual([...result.epochs.map((r) => r.seconds)].sort((a, b) => a - b));
  });

  it("hands each record to onRecord as it is made, the same objects the result holds", () => {
    const seen: [number, string][] = [];
    const records: unknown[] = [];
    const result = train(net(), data, {
      batchSize: 10,
      budget: { steps: 25 },
      recordEvery: 10,
      onRecord: (record, kind) => {
        seen.push([record.step, kind]);
        records.push(record);
      },
    });
    expect(seen).toEqual([[10, "checkpoint"], [11, "epoch"], [20, "checkpoint"], [22, "epoch"], [25, "checkpoint"]]);
    expect(records).toEqual([result.checkpoints[0], result.epochs[0], result.checkpoints[1], result.epochs[1], result.checkpoints[2]]);
  });

  it("a loss that stops being finite ends the run as diverged, with the step, never NaN in the records", () => {
    const big: Dataset = { name: "big", inputs: Matrix.fromRows([[1e3, -2e3], [3e3, 1e3]]), targets: Matrix.fromRows([[1], [0]]) };
    const linear = createNetwork({ sizes: [2, 1], activation: "identity", rng: 1 });
    const result = train(linear, big, { batchSize: 1, budget: { epochs: 500 }, optimizer: { name: "sgd", lr: 10 } });
    expect(result.diverged).toBeDefined();
    expect(result.diverged!.step).toBe(result.steps + 1);
    expect(result.steps).toBeLessThan(1000);
    expect(Number.isFinite(result.diverged!.lastFiniteLoss)).toBe(true);
    for (const r of [...result.epochs, ...result.checkpoints]) expect(Number.isFinite(r.trainLoss)).toBe(true);
  });

  it("reports a divergence the same way whether or not it records checkpoints", () => {
    const big: Dataset = { name: "big", inputs: Matrix.fromRows([[1e3, -2e3], [3e3, 1e3]]), targets: Matrix.fromRows([[1], [0]]) };
    const run = (recordEvery: number) =>
      train(createNetwork({ sizes: [2, 1], activation: "identity", rng: 1 }), big, { batchSize: 1, budget: { epochs: 500 }, optimizer: { name: "sgd", lr: 10 }, recordEvery }).diverged;
    const quiet = run(0);
    expect(quiet).toBeDefined();
    expect(run(1)).toEqual(quiet);
  });

  it("stops cleanly when its signal is aborted", () => {
    const controller = new AbortController();
    const result = train(net(), data, {
      batchSize: 1,
      budget: { epochs: 10 },
      onProgress: (p) => p.step === 7 && controller.abort(),
      signal: controller.signal,
    });
    expect(result.aborted).toBe(true);
    expect(result.steps).toBe(7);
  });

  describe("bad input gets an error that names it", () => {
    it.each([
      [{ batchSize: 0 }, "batchSize: batch size 0 must be at least 1"],
      [{ batchSize: -4 }, "batchSize: batch size -4 must be at least 1"],
      [{ batchSize: 2.5 }, "batchSize: batch size 2.5 is not an integer"],
      [{ batchSize: 104 }, "batchSize: batch size 104 is larger than the training set (103 samples of"],
      [{ optimizer: { name: "sgd" as const, lr: 0 } }, "lr: learning rate 0 must be a positive finite number"],
      [{ optimizer: { name: "sgd" as const, lr: -0.1 } }, "lr: learning rate -0.1 must be a positive finite number"],
      [{ budget: { epochs: 0 } }, "budget.epochs: must be a positive integer, got 0"],
      [{ budget: { epochs: 1, steps: 2 } as never }, "budget: choose exactly one budget: epochs, steps or samples (got epochs and steps)"],
      [{ budget: { minutes: 2 } as never }, 'budget: unknown budget "minutes" (expected epochs, steps or samples)'],
      [{ reduction: "median" as never }, 'reduction: unknown reduction "median" (expected sum or mean)'],
      [{ loss: "hinge" as never }, 'loss: unknown loss "hinge"'],
      [{ gradients: "loop" as never }, 'gradients: unknown gradient computation "loop" (expected vectorized or per-sample)'],
      [{ lastBatch: "keep" as never }, 'lastBatch: unknown last batch "keep" (expected partial or drop)'],
    ])("%j", (options, message) => {
      expect(() => train(net(), data, options)).toThrow(message);
    });

    it("labels of the wrong width, a first layer of the wrong width, non-finite inputs", () => {
      const wide: Dataset = { ...data, targets: new Matrix(103, 10) };
      expect(() => train(net(), wide)).toThrow("train: training data has labels 10 wide, the network has 3 outputs");
      expect(() => train(createNetwork({ sizes: [5, 3] }), data)).toThrow(
        "train: training data has 4 inputs per row, the network's first layer takes 5",
      );
      const bad = data.inputs.clone();
      bad.set(7, 2, Number.NaN);
      expect(() => train(net(), { ...data, inputs: bad })).toThrow("inputs at row 7, column 2 is NaN");
    });
  });
});

describe("the training loop against an independent one", () => {
  it("one epoch equals a hand-written loop over the same shuffled batches (per-sample gradients, θ ← θ − η g), within 1e-12", () => {
    const trained = net();
    train(trained, data, { batchSize: 10, seed: 9, optimizer: { name: "sgd", lr: 0.5 } });

    const reference = net();
    const order = Int32Array.from({ length: 103 }, (_, i) => i);
    createRng(9).shuffle(order);
    const objective = { loss: lossByName("sum-of-squares"), reduction: "mean" as const };
    for (let start = 0; start < 103; start += 10) {
      const rows = order.slice(start, start + 10);
      const input = new Matrix(rows.length, 4);
      const target = new Matrix(rows.length, 3);
      rows.forEach((i, r) => {
        input.data.set(data.inputs.row(i), r * 4);
        target.data.set(data.targets.row(i), r * 3);
      });
      const g = gradientArrays(perSampleGradients(reference, input, target, objective).grads);
      parameters(reference).forEach((theta, a) => theta.forEach((_, p) => (theta[p] -= 0.5 * g[a][p])));
    }
    const got = parameters(trained).flatMap((a) => [...a]);
    const want = parameters(reference).flatMap((a) => [...a]);
    got.forEach((v, p) => expect(Math.abs(v - want[p])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want[p]))));
  });
});
