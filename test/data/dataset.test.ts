import { describe, expect, it } from "vitest";
import { Matrix } from "../../lib/matrix/matrix.ts";
import { createRng } from "../../lib/random/rng.ts";
import { labelsOf, oneHot, splitDataset, subset, validateDataset, type Dataset } from "../../lib/data/dataset.ts";

/** Row i holds inputs [i, 10 i] and target [i % 2]: every row is recognisable after a shuffle. */
function numbered(rows: number): Dataset {
  return {
    name: "numbered",
    inputs: Matrix.fromRows(Array.from({ length: rows }, (_, i) => [i, 10 * i])),
    targets: Matrix.fromRows(Array.from({ length: rows }, (_, i) => [i % 2])),
  };
}

describe("oneHot", () => {
  it("puts a single 1 in the label's column", () => {
    expect(oneHot([2, 0, 1], 3).toRows()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });

  it("names the index and value of a bad label", () => {
    expect(() => oneHot([0, 3], 3)).toThrow("oneHot: label 1 is 3, expected an integer in [0, 2]");
    expect(() => oneHot([0, 1, 0.5], 2)).toThrow("oneHot: label 2 is 0.5");
    expect(() => oneHot([-1], 2)).toThrow("oneHot: label 0 is -1");
    expect(() => oneHot([0], 0)).toThrow("oneHot: classes must be a positive integer, got 0");
  });
});

describe("labelsOf", () => {
  it("takes the argmax of each row, inverting oneHot", () => {
    const labels = [3, 0, 2, 2, 1];
    expect(Array.from(labelsOf(oneHot(labels, 4)))).toEqual(labels);
    expect(Array.from(labelsOf(Matrix.fromRows([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]])))).toEqual([1, 0]);
  });

  it("thresholds a single column at 0.5", () => {
    expect(Array.from(labelsOf(Matrix.fromRows([[0.49], [0.5], [0.9], [0]])))).toEqual([0, 1, 1, 0]);
  });
});

describe("validateDataset", () => {
  it("accepts a consistent dataset", () => {
    const data = numbered(4);
    expect(validateDataset(data)).toBe(data);
  });

  it("rejects differing row counts with both shapes", () => {
    const data = { name: "bad", inputs: new Matrix(3, 2), targets: new Matrix(2, 1) };
    expect(() => validateDataset(data)).toThrow("dataset bad: inputs have 3 rows (3×2), targets 2 (2×1)");
  });

  it("rejects an empty dataset", () => {
    expect(() => validateDataset({ name: "empty", inputs: new Matrix(0, 2), targets: new Matrix(0, 1) })).toThrow(
      "dataset empty: no rows",
    );
  });

  it("names the row and column of the first non-finite value", () => {
    const data = numbered(4);
    data.inputs.set(2, 1, Number.NaN);
    expect(() => validateDataset(data)).toThrow("dataset numbered: inputs at row 2, column 1 is NaN");
    const other = numbered(4);
    other.targets.set(3, 0, -Infinity);
    expect(() => validateDataset(other)).toThrow("dataset numbered: targets at row 3, column 0 is -Infinity");
  });
});

describe("subset", () => {
  it("copies the chosen rows in order", () => {
    const data = numbered(5);
    const part = subset(data, [4, 1, 1]);
    expect(part.inputs.toRows()).toEqual([[4, 40], [1, 10], [1, 10]]);
    expect(part.targets.toRows()).toEqual([[0], [1], [1]]);
    part.inputs.set(0, 0, 99);
    expect(data.inputs.get(4, 0)).toBe(4);
  });

  it("rejects an index out of range, naming it", () => {
    expect(() => subset(numbered(3), [0, 3])).toThrow("subset: index 1 is 3, dataset numbered has rows 0 to 2");
  });
});

describe("splitDataset", () => {
  it("shuffles, then takes train rows and the next test rows, disjoint and paired", () => {
    const { train, test } = splitDataset(numbered(20), { train: 12, test: 5, rng: createRng(1) });
    expect(train.inputs.shape).toBe("12×2");
    expect(test.targets.shape).toBe("5×1");
    expect(train.name).toBe("numbered (train)");
    const ids = [...train.inputs.toRows(), ...test.inputs.toRows()].map(([i, ten]) => {
      expect(ten).toBe(10 * i);
      return i;
    });
    expect(new Set(ids).size).toBe(17);
    for (const part of [train, test]) {
      part.inputs.toRows().forEach(([i], k) => expect(part.targets.get(k, 0)).toBe(i % 2));
    }
    // A shuffle, not the first 12 rows in order.
    expect(ids.slice(0, 12)).not.toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it("is the same for the same seed and differs for another", () => {
    const split = (seed: number) => splitDataset(numbered(50), { train: 30, test: 20, rng: createRng(seed) });
    expect(split(7).train.inputs.data).toEqual(split(7).train.inputs.data);
    expect(split(7).train.inputs.data).not.toEqual(split(8).train.inputs.data);
  });

  it("rejects sizes that do not fit, with the numbers", () => {
    const rng = createRng(0);
    expect(() => splitDataset(numbered(10), { train: 8, test: 3, rng })).toThrow(
      "splitDataset: train + test = 8 + 3 = 11 exceeds the 10 rows of numbered",
    );
    expect(() => splitDataset(numbered(10), { train: 0, test: 3, rng })).toThrow(
      "splitDataset: train must be a positive integer, got 0",
    );
    expect(() => splitDataset(numbered(10), { train: 5, test: 2.5, rng })).toThrow(
      "splitDataset: test must be a non-negative integer, got 2.5",
    );
  });

  it("takes every row to train when test is 0", () => {
    const { train, test } = splitDataset(numbered(10), { train: 10, test: 0, rng: createRng(0) });
    expect(train.inputs.rows).toBe(10);
    expect(test.inputs.shape).toBe(`0×${train.inputs.cols}`);
  });
});
