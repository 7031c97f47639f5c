import { describe, expect, it } from "vitest";
import { blobs, checkRunConfig, createRng, dataShape, loadData, splitDataset, syntheticSets, syntheticSplit, type RunConfig } from "../../lib/index.ts";

const config = (layers: number[]): RunConfig => ({
  data: { name: "blobs", train: 80, test: 20, seed: 3 },
  layers,
  activation: "sigmoid",
  loss: "sum-of-squares",
  reduction: "mean",
  optimizer: "sgd",
  batchSize: 10,
  lr: 1,
  baseLr: 1,
  lrScaling: "none",
  baseBatch: 10,
  budget: { epochs: 1 },
  seed: 0,
  lastBatch: "partial",
  recordEvery: 0,
});

describe("the synthetic sets a run can name", () => {
  it("split the same in the browser's module and on the command line, blobs included", () => {
    for (const name of Object.keys(syntheticSets) as (keyof typeof syntheticSets)[]) {
      const data = { name, train: 70, test: 30, seed: 5 };
      const split = syntheticSplit(data);
      expect(loadData(data)).toEqual(split);
      const shape = dataShape(data);
      expect([split.train.inputs.cols, split.train.targets.cols, split.train.inputs.rows], name).toEqual([shape.inputs, shape.outputs, shape.train]);
    }
    const reference = splitDataset(blobs({ samples: 100, seed: 5 }), { train: 70, test: 30, rng: createRng(5) });
    expect(syntheticSplit({ name: "blobs", train: 70, test: 30, seed: 5 })).toEqual(reference);
  });

  it("blobs has three classes: a run's last layer must have three outputs", () => {
    const shape = dataShape(config([2, 8, 3]).data);
    expect(() => checkRunConfig(config([2, 8, 3]), shape)).not.toThrow();
    expect(() => checkRunConfig(config([2, 8, 2]), shape)).toThrow("--layers: the last layer has 2 outputs but blobs has 3 classes");
  });
});
