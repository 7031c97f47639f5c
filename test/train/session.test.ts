import { describe, expect, it } from "vitest";
import { blobs, createNetwork, createSession, loadDigits, splitDataset, createRng, train, type SessionStep, type TrainOptions, type TrainRecord } from "../../lib/index.ts";

const { train: data, test } = splitDataset(blobs({ samples: 133, classes: 3, dims: 4, seed: 1 }), { train: 103, test: 30, rng: createRng(1) });
const net = () => createNetwork({ sizes: [4, 5, 3], init: "xavier", rng: 2 });
const weightsOf = (n: ReturnType<typeof net>) => n.layers.flatMap((layer) => [...layer.weights.data, ...layer.bias]);
const timeless = (records: readonly TrainRecord[]) => records.map(({ seconds: _s, ...rest }) => rest);

/** Steps a session to its end, as the playground's worker does. */
function runSession(options: TrainOptions, changes: (step: number) => { batchSize?: number; lr?: number } | undefined = () => undefined) {
  const n = net();
  const records: [TrainRecord, string][] = [];
  const steps: SessionStep[] = [];
  const session = createSession(n, data, { ...options, test, onRecord: (record, kind) => records.push([record, kind]), onStep: (step) => steps.push(step) });
  while (session.step()) {
    const change = changes(session.result.steps);
    if (change) session.set(change);
  }
  return { n, session, records, steps };
}

describe("a training session, stepped", () => {
  const settings: TrainOptions[] = [
    { batchSize: 10, budget: { epochs: 3 }, recordEvery: 4, optimizer: { name: "momentum", lr: 0.3 } },
    { batchSize: 10, budget: { epochs: 2 }, lastBatch: "drop", reduction: "sum", optimizer: { name: "sgd", lr: 0.05 } },
    { batchSize: 16, budget: { steps: 17 }, recordEvery: 5, optimizer: { name: "adam", lr: 0.01 }, loss: "cross-entropy" },
    { batchSize: 7, budget: { samples: 250 }, optimizer: { name: "adagrad", lr: 0.1 } },
    { batchSize: 103, budget: { epochs: 4 }, gradients: "per-sample" },
  ];

  it("takes exactly train()'s steps and makes exactly its records when B and η stay the same", () => {
    for (const options of settings) {
      const withOutput = options.loss === "cross-entropy" ? { outputActivation: "softmax" as const } : {};
      const reference = createNetwork({ sizes: [4, 5, 3], init: "xavier", rng: 2, ...withOutput });
      const trained = train(reference, data, { ...options, test });
      const n = createNetwork({ sizes: [4, 5, 3], init: "xavier", rng: 2, ...withOutput });
      const session = createSession(n, data, { ...options, test });
      let steps = 0;
      while (session.step()) steps++;
      const label = JSON.stringify(options);
      expect(session.done, label).toBe(true);
      expect(steps + 1, label).toBe(trained.steps);
      expect(weightsOf(n), label).toEqual(weightsOf(reference));
      expect(timeless(session.result.epochs), label).toEqual(timeless(trained.epochs));
      expect(timeless(session.result.checkpoints), label).toEqual(timeless(trained.checkpoints));
      expect({ ...session.result, epochs: [], checkpoints: [], seconds: 0 }, label).toEqual({ ...trained, epochs: [], checkpoints: [], seconds: 0 });
    }
  });

  it("is train() on the digits too, with the first layer skipping the inputs' zeros", () => {
    const digits = loadDigits({ train: 300, test: 100, seed: 4 });
    const options: TrainOptions = { batchSize: 32, budget: { epochs: 2 }, recordEvery: 3, test: digits.test, optimizer: { name: "sgd", lr: 3 } };
    const reference = createNetwork({ sizes: [784, 12, 10], rng: 3 });
    const trained = train(reference, digits.train, options);
    const n = createNetwork({ sizes: [784, 12, 10], rng: 3 });
    const session = createSession(n, digits.train, options);
    while (session.step());
    expect(trained.sparse).toBe(true);
    expect(session.result.sparse).toBe(true);
    expect(weightsOf(n)).toEqual(weightsOf(reference));
    expect(timeless(session.result.checkpoints)).toEqual(timeless(trained.checkpoints));
  });

  it("vectorized and per-sample gradients give the same weights within 1e-12", () => {
    const a = runSession({ batchSize: 16, budget: { epochs: 2 }, optimizer: { name: "sgd", lr: 0.5 } });
    const b = runSession({ batchSize: 16, budget: { epochs: 2 }, optimizer: { name: "sgd", lr: 0.5 }, gradients: "per-sample" });
    const wa = weightsOf(a.n);
    const wb = weightsOf(b.n);
    const worst = wa.reduce((m, w, i) => Math.max(m, Math.abs(w - wb[i])), 0);
    expect(worst).toBeLessThanOrEqual(1e-12);
    expect(worst).toBeGreaterThanOrEqual(0);
  });

  it("uses a new B and η from the next step, finishing the epoch with batches of the new size", () => {
    // 103 samples: 3 steps of 10, then B = 32 for the 73 left (32, 32, 9), then epoch 2 all at 32.
    const { steps, session, records } = runSession({ batchSize: 10, budget: { epochs: 2 }, optimizer: { name: "momentum", lr: 0.3 } }, (step) =>
      step === 3 ? { batchSize: 32, lr: 0.05 } : undefined,
    );
    expect(steps.map((s) => [s.epoch, s.batchSize, s.rows, s.lr])).toEqual([
      [1, 10, 10, 0.3],
      [1, 10, 10, 0.3],
      [1, 10, 10, 0.3],
      [1, 32, 32, 0.05],
      [1, 32, 32, 0.05],
      [1, 32, 9, 0.05],
      [2, 32, 32, 0.05],
      [2, 32, 32, 0.05],
      [2, 32, 32, 0.05],
      [2, 32, 7, 0.05],
    ]);
    expect(session.result.samples).toBe(2 * 103);
    expect(records.filter(([, kind]) => kind === "epoch").map(([r]) => [r.epoch, r.step])).toEqual([
      [1, 6],
      [2, 10],
    ]);
  });

  it("ends a dropping epoch early when B grows past what is left, and stops where asked", () => {
    const { steps, session } = runSession({ batchSize: 40, budget: { epochs: 1 }, lastBatch: "drop" }, (step) => (step === 2 ? { batchSize: 50 } : undefined));
    // 103 − 80 = 23 left, fewer than 50: the epoch is over.
    expect(steps.map((s) => s.rows)).toEqual([40, 40]);
    expect(session.result.epochs.map((r) => r.epoch)).toEqual([1]);

    const stopped = createSession(net(), data, { batchSize: 10, budget: { epochs: 5 } });
    stopped.step();
    stopped.step();
    stopped.stop();
    expect(stopped.step()).toBe(false);
    expect(stopped.result).toMatchObject({ aborted: true, steps: 2, samples: 20 });
    expect(stopped.result.checkpoints.map((r) => r.step)).toEqual([2]);
  });

  it("keeps its records as far apart in samples when B changes: a record every step at B = 103 becomes one every 103 steps at B = 1", () => {
    const { records } = runSession({ batchSize: 103, budget: { epochs: 3 }, recordEvery: 1 }, (step) => (step === 1 ? { batchSize: 1 } : undefined));
    const checkpoints = records.filter(([, kind]) => kind === "checkpoint").map(([record]) => record.step);
    // Step 1 at B = 103 (the first epoch), then 206 steps at B = 1: a record every 103rd step, and the end's.
    expect(checkpoints).toEqual([1, 103, 206, 207]);
  });

  it("refuses a B outside 1 … n and a bad η, naming them, and keeps the settings it had", () => {
    const session = createSession(net(), data, { batchSize: 10 });
    expect(() => session.set({ batchSize: 104 })).toThrow("batchSize: batch size 104 is larger than the training set (103 samples of blobs (train))");
    expect(() => session.set({ batchSize: 2.5 })).toThrow("batchSize: batch size 2.5 is not an integer");
    expect(() => session.set({ lr: -1 })).toThrow("lr: learning rate -1 must be a positive finite number");
    expect([session.batchSize, session.lr]).toEqual([10, 3]);
  });

  it("marks a diverged run where it diverged, as train() does, and takes no more steps", () => {
    const linearNet = () => createNetwork({ sizes: [4, 5, 3], activation: "identity", rng: 2 });
    const options: TrainOptions = { batchSize: 10, budget: { epochs: 50 }, optimizer: { name: "sgd", lr: 10 }, test };
    const trained = train(linearNet(), data, options);
    const session = createSession(linearNet(), data, options);
    while (session.step());
    expect(trained.diverged).toBeDefined();
    expect(session.result.diverged).toEqual(trained.diverged);
    expect(session.step()).toBe(false);
  });
});
