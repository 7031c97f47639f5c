// Imports batchprop/core alone, as a browser does: nothing here registers the digits' loader.
import { describe, expect, it } from "vitest";
import { datasetByName, datasetNames, loadDataset } from "../../lib/core.ts";

describe("the dataset registry in batchprop/core", () => {
  it("lists every set with its shape, and loads the synthetic ones", () => {
    expect(datasetNames).toEqual(["digits", "xor", "circles", "spirals", "blobs"]);
    expect(datasetByName("digits")).toMatchObject({ inputs: 784, classes: 10 });
    const { train, test } = loadDataset("blobs", { train: 30, test: 6, seed: 1 });
    expect([train.inputs.rows, train.inputs.cols, train.targets.cols, test.inputs.rows]).toEqual([30, 2, 3, 6]);
  });

  it("says where the digits can be loaded rather than failing on a missing loader", () => {
    expect(() => loadDataset("digits", { train: 10, test: 0, seed: 0 })).toThrow('data.name: digits is read from files: load it through "batchprop" (Node), not "batchprop/core"');
  });
});
