import { describe, expect, it } from "vitest";
import { Matrix } from "../../lib/matrix/matrix.ts";
import { addRowVector, argmaxRows, axpy, columnSums, concatenate, maxRelativeDifference, relativeDifference } from "../../lib/matrix/ops.ts";

describe("addRowVector", () => {
  it("adds the bias to every row in place (z = act·weights + bias)", () => {
    const z = Matrix.fromRows([[1, 2, 3], [4, 5, 6]]);
    expect(addRowVector(z, Float64Array.from([10, 20, 30]))).toBe(z);
    expect(z.toRows()).toEqual([[11, 22, 33], [14, 25, 36]]);
  });

  it("rejects a vector of the wrong length", () => {
    expect(() => addRowVector(new Matrix(2, 3), new Float64Array(2))).toThrow(
      new RangeError("addRowVector: vector of 2 does not fit rows of 2×3"),
    );
  });
});

describe("columnSums", () => {
  it("sums each column (dBias = column sums of delta)", () => {
    const delta = Matrix.fromRows([[1, -2], [3, 4], [0.5, 0.25]]);
    expect(Array.from(columnSums(delta))).toEqual([4.5, 2.25]);
  });

  it("overwrites a given output rather than adding to it", () => {
    const out = Float64Array.from([100, 100]);
    expect(columnSums(Matrix.fromRows([[1, 2]]), out)).toBe(out);
    expect(Array.from(out)).toEqual([1, 2]);
  });

  it("of no rows is zeros; an output of the wrong length is rejected", () => {
    expect(Array.from(columnSums(new Matrix(0, 3)))).toEqual([0, 0, 0]);
    expect(() => columnSums(new Matrix(2, 3), new Float64Array(2))).toThrow(
      new RangeError("columnSums: output of 2 does not fit 2×3"),
    );
  });
});

describe("axpy", () => {
  it("y ← y + alpha·x", () => {
    const y = Float64Array.from([1, 1, 1]);
    expect(Array.from(axpy(-0.5, Float64Array.from([2, 4, 6]), y))).toEqual([0, -1, -2]);
  });

  it("rejects unequal lengths", () => {
    expect(() => axpy(1, new Float64Array(2), new Float64Array(3))).toThrow(new RangeError("axpy: lengths differ (2 vs 3)"));
  });
});

describe("argmaxRows", () => {
  it("gives the column of each row's largest value, the first on ties", () => {
    const m = Matrix.fromRows([[0.1, 0.7, 0.2], [5, -1, 5], [-3, -2, -1]]);
    expect(Array.from(argmaxRows(m))).toEqual([1, 0, 2]);
  });
});

describe("maxRelativeDifference", () => {
  it("is the largest |a − b| / max(|a|, |b|), worked by hand", () => {
    const a = Matrix.fromRows([[1, 2], [0, 4]]);
    const b = Matrix.fromRows([[1.1, 2], [0, -4]]);
    // |1 − 1.1| / 1.1 ≈ 0.0909, 0, 0 (both zero), |4 − (−4)| / 4 = 2
    expect(maxRelativeDifference(a, b)).toBe(2);
    const c = Matrix.fromRows([[1, 2], [0, 5]]);
    // max(0.1 / 1.1, 1 / 5) = 0.2
    expect(maxRelativeDifference(Matrix.fromRows([[1.1, 2], [0, 4]]), c)).toBeCloseTo(0.2, 15);
  });

  it("is 0 for equal matrices, including all-zero ones", () => {
    expect(maxRelativeDifference(new Matrix(2, 2), new Matrix(2, 2))).toBe(0);
  });

  it("is NaN when any element is NaN or only one side is infinite: a NaN never counts as a match", () => {
    expect(maxRelativeDifference(Matrix.fromRows([[Number.NaN, 2]]), Matrix.fromRows([[1, 2]]))).toBeNaN();
    expect(maxRelativeDifference(Matrix.fromRows([[1, 2]]), Matrix.fromRows([[1, Number.NaN]]))).toBeNaN();
    expect(maxRelativeDifference(Matrix.fromRows([[Number.POSITIVE_INFINITY]]), Matrix.fromRows([[1]]))).toBeNaN();
    expect(relativeDifference(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)).toBe(0);
  });

  it("rejects different shapes, naming both", () => {
    expect(() => maxRelativeDifference(new Matrix(2, 3), new Matrix(3, 2))).toThrow(
      new RangeError("maxRelativeDifference: shapes differ (2×3 vs 3×2)"),
    );
  });
});

describe("concatenate", () => {
  it("puts the arrays one after another in a new array", () => {
    const a = Float64Array.from([1, 2]);
    const out = concatenate([a, new Float64Array(0), Float64Array.from([3])]);
    expect(Array.from(out)).toEqual([1, 2, 3]);
    expect(out.buffer).not.toBe(a.buffer);
    expect(concatenate([]).length).toBe(0);
  });
});
