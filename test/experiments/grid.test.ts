import { describe, expect, it } from "vitest";
import {
  allBatchSizes,
  budgetSteps,
  canonicalJson,
  checkpointInterval,
  checkRunConfig,
  createNetwork,
  createPass,
  defaultExperiments,
  defaultRuns,
  expandGrid,
  parameterCount,
  passValues,
  runKey,
  runOne,
  scaleLr,
  type DataConfig,
} from "../../lib/index.ts";

const data: DataConfig = { name: "xor", train: 800, test: 200, seed: 0 };

describe("learning-rate scaling", () => {
  it("keeps η, scales it by B/B₀, or by √(B/B₀)", () => {
    expect(scaleLr(3, 40, "none", 10)).toBe(3);
    expect(scaleLr(3, 40, "linear", 10)).toBe(12);
    expect(scaleLr(3, 40, "sqrt", 10)).toBe(6);
    expect(scaleLr(3, 10, "sqrt", 10)).toBe(3);
    expect(scaleLr(0.5, 1, "linear", 4)).toBe(0.125);
  });
});

describe("expandGrid", () => {
  const grid = expandGrid({
    data,
    layers: [2, 4, 2],
    batchSizes: [1, 40],
    lrs: [0.5, 2],
    lrScalings: ["none", "linear"],
    baseBatch: 10,
    budgets: [{ steps: 100 }],
    seeds: 2,
  });

  it("crosses batch sizes × learning rates × seeds × the other axes", () => {
    expect(grid).toHaveLength(2 * 2 * 2 * 2);
    expect(new Set(grid.map(runKey)).size).toBe(16);
    const point = (b: number, lr: number, scaling: string) =>
      grid.filter((r) => r.batchSize === b && r.baseLr === lr && r.lrScaling === scaling).map((r) => r.seed);
    expect(point(40, 2, "linear")).toEqual([0, 1]);
  });

  it("records the scaled η beside the given one, worked by hand", () => {
    const at = (b: number, lr: number, scaling: string) => grid.find((r) => r.batchSize === b && r.baseLr === lr && r.lrScaling === scaling)!;
    expect(at(40, 0.5, "linear").lr).toBe(2); // 0.5 · 40/10
    expect(at(1, 2, "linear").lr).toBeCloseTo(0.2, 15); // 2 · 1/10
    expect(at(40, 2, "none").lr).toBe(2);
    expect(at(40, 2, "linear").baseBatch).toBe(10);
  });

  it("writes out the train defaults and a checkpoint interval giving 20 to 39 checkpoints", () => {
    for (const run of grid) {
      expect(run).toMatchObject({ activation: "sigmoid", loss: "sum-of-squares", reduction: "mean", optimizer: "sgd", lastBatch: "partial" });
      expect(run.recordEvery).toBe(5); // 100 steps / 20
    }
    expect(checkpointInterval(16000, 20)).toBe(800);
    expect(checkpointInterval(39, 20)).toBe(1);
    expect(checkpointInterval(7, 20)).toBe(1);
    expect(budgetSteps({ epochs: 2 }, 8000, 1024, "drop")).toBe(14);
    expect(budgetSteps({ epochs: 2 }, 8000, 1024, "partial")).toBe(16);
    expect(budgetSteps({ samples: 1000 }, 8000, 64, "drop")).toBe(16);
  });
});

describe("the output activation", () => {
  const spec = { data, layers: [2, 4, 2], batchSizes: [8], lrs: [1], budgets: [{ epochs: 1 }], seeds: 1 } as const;
  const shape = { inputs: 2, outputs: 2, train: 800 };

  it("is written to a run only when it differs from the hidden one, so other runs keep their keys", () => {
    const [plain] = expandGrid(spec);
    const [same] = expandGrid({ ...spec, outputActivation: "sigmoid" });
    const [softmax] = expandGrid({ ...spec, loss: "cross-entropy", outputActivation: "softmax" });
    expect("outputActivation" in plain).toBe(false);
    expect(runKey(same)).toBe(runKey(plain));
    expect(softmax.outputActivation).toBe("softmax");
    expect(() => checkRunConfig(softmax, shape)).not.toThrow();
  });

  it("reaches the run's network: the same run with a sigmoid output records other losses", () => {
    const [run] = expandGrid({ ...spec, loss: "cross-entropy", outputActivation: "softmax", budgets: [{ steps: 1 }] });
    const { outputActivation: _, ...allSigmoid } = run;
    expect(runOne(run).checkpoints[0].trainLoss).not.toBe(runOne(allSigmoid).checkpoints[0].trainLoss);
  });

  it("must be the one a probability loss pairs with", () => {
    const [run] = expandGrid(spec);
    expect(() => checkRunConfig({ ...run, loss: "cross-entropy" }, shape)).toThrow(/outputActivation: cross-entropy needs a softmax output layer, got sigmoid/);
    expect(() => checkRunConfig({ ...run, loss: "binary-cross-entropy", outputActivation: "softmax" }, shape)).toThrow(
      /outputActivation: binary-cross-entropy needs a sigmoid output layer, got softmax/,
    );
    expect(() => checkRunConfig({ ...run, outputActivation: "sigmoid" }, shape)).toThrow(/repeats activation "sigmoid"/);
  });
});

describe("the limits on a grid and a run", () => {
  it("refuse a grid of more than 10,000 runs from its lists' lengths, naming the lists", () => {
    const spec = { data, layers: [2, 4, 2], batchSizes: [1, 2], lrs: [1], budgets: [{ steps: 1 }], optimizers: ["sgd", "adam"] } as const;
    expect(expandGrid({ ...spec, seeds: 2500 })).toHaveLength(10_000);
    expect(() => expandGrid({ ...spec, seeds: 2501 })).toThrow("batchSizes × seeds × optimizers: 2 × 2,501 × 2 = 10,004 runs, more than the 10,000 one grid may hold");
    // A count expandGrid would otherwise turn into an array of a billion seeds: refused at once.
    const started = performance.now();
    expect(() => expandGrid({ ...spec, seeds: 1e9 })).toThrow("= 4,000,000,000 runs");
    expect(performance.now() - started).toBeLessThan(50);
  });

  it("count a network's weights and biases and a run's pass values as they are allocated", () => {
    const net = createNetwork({ sizes: [5, 7, 3], activation: "sigmoid", rng: 0 });
    const allocated = net.layers.reduce((sum, layer) => sum + layer.weights.data.length + layer.bias.length, 0);
    expect(parameterCount([5, 7, 3])).toBe(allocated);
    const pass = createPass(net, 4);
    const inPass = [pass.acts, pass.zs, pass.dActs, pass.deltas].flat().reduce((sum, m) => sum + m.data.length, 0);
    // The batch's pass plus an evaluation chunk's (1,000 rows) of the same shape.
    expect(passValues([5, 7, 3], 4)).toBe(inPass + (inPass / 4) * 1000);
  });
});

describe("run keys", () => {
  it("are canonical: the same configuration in any key order gives the same key", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: 2 } })).toBe('{"a":{"c":2,"d":[3,{"e":2,"f":1}]},"b":1}');
    const [run] = expandGrid({ data, layers: [2, 4, 2], batchSizes: [8], lrs: [1], budgets: [{ epochs: 1 }], seeds: 1 });
    const shuffled = Object.fromEntries(Object.entries(run).reverse()) as typeof run;
    expect(runKey(shuffled)).toBe(runKey(run));
    expect(runKey({ ...run, seed: 1 })).not.toBe(runKey(run));
    expect(runKey({ ...run, lastBatch: "drop" })).not.toBe(runKey(run));
  });
});

describe("the default experiments", () => {
  const experiments = defaultExperiments();
  const runs = defaultRuns();

  it("run on Nielsen's digits set-up with at least three seeds per point", () => {
    for (const run of runs) {
      expect(run.data).toEqual({ name: "digits", train: 8000, test: 2000, seed: 0 });
      expect(run.layers).toEqual([784, 30, 10]);
      expect(run).toMatchObject({ activation: "sigmoid", loss: "sum-of-squares" });
    }
    const seeds = new Map<string, Set<number>>();
    for (const run of runs) {
      const point = runKey({ ...run, seed: -1 });
      seeds.set(point, (seeds.get(point) ?? new Set()).add(run.seed));
    }
    for (const s of seeds.values()) expect(s.size).toBeGreaterThanOrEqual(3);
  });

  it("separate the effects claim 11 mixes", () => {
    const byId = new Map(experiments.map((e) => [e.id, e.runs]));
    expect([...byId.keys()]).toEqual(["epochs-vs-steps", "sum-vs-mean", "lr-scaling", "optimizers", "lr-grid"]);
    const epochsVsSteps = byId.get("epochs-vs-steps")!;
    for (const budget of ["epochs", "steps"]) {
      expect(new Set(epochsVsSteps.filter((r) => budget in r.budget).map((r) => r.batchSize))).toEqual(new Set(allBatchSizes));
    }
    expect(new Set(byId.get("sum-vs-mean")!.map((r) => r.reduction))).toEqual(new Set(["sum", "mean"]));
    expect(new Set(byId.get("lr-scaling")!.map((r) => r.lrScaling))).toEqual(new Set(["none", "linear", "sqrt"]));
    expect(new Set(byId.get("optimizers")!.map((r) => r.optimizer))).toEqual(new Set(["sgd", "adam", "adagrad"]));
    const grid = byId.get("lr-grid")!;
    for (const b of new Set(grid.map((r) => r.batchSize))) {
      expect(new Set(grid.filter((r) => r.batchSize === b).map((r) => r.lr)).size).toBeGreaterThanOrEqual(5);
    }
  });

  it("share runs between experiments instead of running them twice", () => {
    const all = experiments.flatMap((e) => e.runs);
    expect(runs.length).toBeLessThan(all.length);
    expect(new Set(runs.map(runKey)).size).toBe(runs.length);
    expect(new Set(all.map(runKey))).toEqual(new Set(runs.map(runKey)));
  });
});
