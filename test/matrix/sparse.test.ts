import { describe, expect, it } from "vitest";
import { createNetwork, loadDigits, train, xor } from "../../lib/index.ts";
import { sparseGemm } from "../../lib/matrix/gemm.ts";
import { Matrix } from "../../lib/matrix/matrix.ts";
import { compressRows, createSparseRows, density, gatherSparseRows, sparseDensityLimit, transposeRows } from "../../lib/matrix/sparse.ts";

const m = Matrix.fromRows([
  [0, 1.5, 0, -2],
  [0, 0, 0, 0],
  [3, 0, Number.NaN, 0],
]);

describe("compressRows and transposeRows", () => {
  it("list each row's nonzeros in column order (NaN is not zero), and the transpose's", () => {
    const s = compressRows(m);
    expect(Array.from(s.start)).toEqual([0, 2, 2, 4]);
    expect(Array.from(s.index.subarray(0, 4))).toEqual([1, 3, 0, 2]);
    expect(Array.from(s.value.subarray(0, 4))).toEqual([1.5, -2, 3, Number.NaN]);
    const t = transposeRows(s);
    expect([t.rows, t.cols]).toEqual([4, 3]);
    expect(Array.from(t.start)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(t.index.subarray(0, 4))).toEqual([2, 0, 2, 0]);
    expect(Array.from(t.value.subarray(0, 4))).toEqual([3, 1.5, Number.NaN, -2]);
  });

  it("refill a structure made once, and refuse one of another shape, naming both", () => {
    const into = createSparseRows(3, 4);
    compressRows(Matrix.fromRows([[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]), into);
    expect(compressRows(m, into).start[3]).toBe(4);
    expect(() => compressRows(m, createSparseRows(4, 3))).toThrow(new RangeError("compressRows: a 4×3 structure cannot hold a 3×4 matrix"));
    expect(() => transposeRows(into, createSparseRows(3, 4))).toThrow(new RangeError("transposeRows: the transpose of 3×4 does not fit a 3×4 structure"));
    expect(() => createSparseRows(-1, 2)).toThrow(/non-negative integers/);
  });

  it("compressRows alone makes room for exactly the nonzeros; a structure too small is refused before anything is written", () => {
    expect(compressRows(m).index.length).toBe(4);
    const small = createSparseRows(3, 4, 3);
    expect(() => compressRows(m, small)).toThrow(new RangeError("compressRows: the 3×4 matrix has 4 nonzeros, the structure room for 3"));
    expect(Array.from(small.start)).toEqual([0, 0, 0, 0]);
    expect(() => createSparseRows(2, 2, 5)).toThrow(new RangeError("createSparseRows: capacity must be an integer from 0 to 4 (2×2), got 5"));
  });

  it("gatherSparseRows takes a batch's rows, in the batch's order, from the dataset's lists", () => {
    const all = compressRows(m);
    const batch = gatherSparseRows(all, Int32Array.from([1, 2, 0, 2]), 1, createSparseRows(3, 4));
    expect(batch).toEqual(compressRows(Matrix.fromRows([m.toRows()[2], m.toRows()[0], m.toRows()[2]]), createSparseRows(3, 4)));
    expect(() => gatherSparseRows(all, Int32Array.from([0, 1]), 1, createSparseRows(2, 4))).toThrow(/gatherSparseRows: rows 1…2 of 2 in order/);
  });

  it("density counts what is not exactly zero", () => {
    expect(density(m)).toBe(4 / 12);
    expect(density(new Matrix(0, 3))).toBe(0);
  });
});

describe("sparseGemm", () => {
  it("names both shapes when they do not fit", () => {
    const s = compressRows(m);
    expect(() => sparseGemm(s, new Matrix(3, 2), new Matrix(3, 2))).toThrow(new RangeError("sparseGemm(3×4 · 3×2): inner dimensions differ (4 vs 3)"));
    expect(() => sparseGemm(s, new Matrix(4, 2), new Matrix(2, 3))).toThrow(new RangeError("sparseGemm(3×4 · 4×2): output must be 3×2, got 2×3"));
  });
});

describe("train skips the inputs' zeros when they are sparse enough", () => {
  it(`by default on the digits (about 19% nonzero, limit ${sparseDensityLimit}), not on xor; never for per-sample gradients; as told otherwise`, () => {
    const { train: digits } = loadDigits({ train: 100, test: 0 });
    expect(density(digits.inputs)).toBeLessThan(sparseDensityLimit);
    const options = { batchSize: 10, budget: { steps: 1 } };
    expect(train(createNetwork({ sizes: [784, 10, 10], rng: 1 }), digits, options).sparse).toBe(true);
    expect(train(createNetwork({ sizes: [784, 10, 10], rng: 1 }), digits, { ...options, gradients: "per-sample" }).sparse).toBe(false);
    expect(train(createNetwork({ sizes: [784, 10, 10], rng: 1 }), digits, { ...options, sparseInputs: false }).sparse).toBe(false);
    const points = xor({ samples: 100, seed: 1 });
    expect(train(createNetwork({ sizes: [2, 4, 2], rng: 1 }), points, options).sparse).toBe(false);
    expect(train(createNetwork({ sizes: [2, 4, 2], rng: 1 }), points, { ...options, sparseInputs: true }).sparse).toBe(true);
    const loose = { ...options, sparseInputs: "yes" as unknown as boolean };
    expect(() => train(createNetwork({ sizes: [2, 4, 2], rng: 1 }), points, loose)).toThrow(new RangeError('train: sparseInputs must be true or false, got "yes"'));
  });
});
