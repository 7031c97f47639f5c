import { describe, expect, it } from "vitest";
import { dataShape, datasetByName, datasetNames, defaultDataConfig, loadData, loadDigits } from "../../lib/index.ts";

describe("the dataset registry", () => {
  it("lists every named set, blobs included, and refuses others in one wording, naming data.name", () => {
    expect(datasetNames).toEqual(["digits", "xor", "circles", "spirals", "blobs"]);
    expect(() => datasetByName("mnist9")).toThrow('data.name: unknown dataset "mnist9" (expected digits, xor, circles, spirals, blobs or idx:PATH)');
  });

  it("states each set's shape as its loader makes it, without loading", () => {
    for (const name of datasetNames) {
      const config = defaultDataConfig(name);
      const { train, test } = loadData(config);
      const shape = dataShape(config);
      expect([train.inputs.cols, train.targets.cols, train.inputs.rows, test.inputs.rows], name).toEqual([shape.inputs, shape.outputs, shape.train, config.test]);
    }
  });

  it("loads the digits through the loader the Node side registered: loadDigits' split", () => {
    const split = loadData({ name: "digits", train: 50, test: 10, seed: 4 });
    expect(split.train.inputs.data).toEqual(loadDigits({ train: 50, test: 10, seed: 4 }).train.inputs.data);
  });
});
