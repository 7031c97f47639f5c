import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gemm, matmul, sparseGemm, useKernel } from "../../lib/matrix/gemm.ts";
import type { GemmKernel } from "../../lib/matrix/kernel.ts";
import { jsKernel } from "../../lib/matrix/kernel-js.ts";
import { Matrix } from "../../lib/matrix/matrix.ts";
import { compressRows } from "../../lib/matrix/sparse.ts";
import { expectClose, operands, random, reference, transposes } from "./reference.ts";

// Through gemm() with its default kernel, the fastest that loads here; kernels.test.ts checks every kernel alike.

/** m×k · k×n: degenerate, prime, larger than one cache block in each dimension, and the network's. */
const namedShapes: [number, number, number][] = [
  [1, 1, 1],
  [1, 17, 1],
  [1, 1, 23],
  [23, 1, 1],
  [1, 40, 31],
  [31, 40, 1],
  [7, 13, 11],
  [97, 89, 101],
  [100, 300, 270],
  [64, 784, 100],
  [784, 64, 100],
  [64, 100, 784],
];

/** 0, 1, or any double in [−3, 3] but subnormals, whose products have too few bits for a relative tolerance. */
const scale = fc.oneof(
  fc.constant(0),
  fc.constant(1),
  fc.double({ min: -3, max: 3, noNaN: true }).filter((x) => x === 0 || Math.abs(x) > 1e-100),
);

describe.each(transposes)("gemm (transA %s, transB %s) equals the triple loop", (transA, transB) => {
  it("on the named shapes, with random alpha and beta", () => {
    fc.assert(
      fc.property(fc.constantFrom(...namedShapes), scale, scale, fc.nat(1e6), ([m, k, n], alpha, beta, seed) => {
        const { a, b, c } = operands(m, k, n, transA, transB, seed);
        const want = reference(a, b, c, transA, transB, alpha, beta);
        gemm(a, b, c, { transA, transB, alpha, beta });
        expectClose(c, want, k);
      }),
      { seed: 20240611, numRuns: 24 },
    );
  });

  it("on random small shapes", () => {
    const dim = fc.integer({ min: 1, max: 24 });
    fc.assert(
      fc.property(dim, dim, dim, scale, scale, fc.nat(1e6), (m, k, n, alpha, beta, seed) => {
        const { a, b, c } = operands(m, k, n, transA, transB, seed);
        const want = reference(a, b, c, transA, transB, alpha, beta);
        gemm(a, b, c, { transA, transB, alpha, beta });
        expectClose(c, want, k);
      }),
      { seed: 7, numRuns: 150 },
    );
  });
});

describe("gemm edge cases", () => {
  it("beta = 0 overwrites the output, even NaN and Infinity in it", () => {
    const a = random(5, 4, 1);
    const b = random(4, 6, 2);
    const c = new Matrix(5, 6).clone();
    c.data.fill(Number.NaN);
    c.data[7] = Infinity;
    gemm(a, b, c);
    expect(c.data.every(Number.isFinite)).toBe(true);
    expectClose(c, reference(a, b, new Matrix(5, 6), false, false, 1, 0), 4);
  });

  it("k = 0 leaves beta·C (an empty sum is zero)", () => {
    const c = Matrix.fromRows([[1, 2], [3, 4]]);
    gemm(new Matrix(2, 0), new Matrix(0, 2), c, { beta: 0.5 });
    expect(c.toRows()).toEqual([[0.5, 1], [1.5, 2]]);
    gemm(new Matrix(2, 0), new Matrix(0, 2), c);
    expect(c.toRows()).toEqual([[0, 0], [0, 0]]);
  });

  it("m = 0 or n = 0 is a no-op", () => {
    expect(gemm(new Matrix(0, 3), new Matrix(3, 4), new Matrix(0, 4)).shape).toBe("0×4");
    expect(gemm(new Matrix(2, 3), new Matrix(3, 0), new Matrix(2, 0)).shape).toBe("2×0");
  });

  it("alpha = 0 leaves beta·C without reading the operands' NaNs", () => {
    const a = new Matrix(2, 2, Float64Array.from([Number.NaN, 1, 1, 1]));
    const c = Matrix.fromRows([[1, 2], [3, 4]]);
    gemm(a, Matrix.fromRows([[1, 0], [0, 1]]), c, { alpha: 0, beta: 2 });
    expect(c.toRows()).toEqual([[2, 4], [6, 8]]);
  });

  it("a worked 2×3 · 3×2 product, and matmul allocating the output", () => {
    const a = Matrix.fromRows([[1, 2, 3], [4, 5, 6]]);
    const b = Matrix.fromRows([[7, 8], [9, 10], [11, 12]]);
    expect(matmul(a, b).toRows()).toEqual([[58, 64], [139, 154]]);
    expect(matmul(a, a, { transB: true }).toRows()).toEqual([[14, 32], [32, 77]]);
    expect(matmul(a, a, { transA: true }).shape).toBe("3×3");
  });

  it("a large product after a small one, and a small after a large, both right (scratch reuse)", () => {
    for (const [m, k, n] of [[3, 5, 4], [300, 600, 530], [2, 3, 2], [130, 9, 270]]) {
      const { a, b, c } = operands(m, k, n, false, true, m + k + n);
      const want = reference(a, b, c, false, true, 1.5, -0.5);
      gemm(a, b, c, { transB: true, alpha: 1.5, beta: -0.5 });
      expectClose(c, want, k);
    }
  });
});

describe("gemm shape errors name the operation and both shapes", () => {
  it("inner dimensions differ", () => {
    expect(() => gemm(new Matrix(64, 784), new Matrix(100, 10), new Matrix(64, 10))).toThrow(
      new RangeError("gemm(64×784 · 100×10): inner dimensions differ (784 vs 100)"),
    );
    expect(() => gemm(new Matrix(64, 784), new Matrix(64, 100), new Matrix(784, 100), { transA: true, transB: true })).toThrow(
      new RangeError("gemm(64×784ᵀ · 64×100ᵀ): inner dimensions differ (64 vs 100)"),
    );
  });

  it("wrong output shape", () => {
    expect(() => gemm(new Matrix(64, 784), new Matrix(784, 100), new Matrix(100, 64))).toThrow(
      new RangeError("gemm(64×784 · 784×100): output must be 64×100, got 100×64"),
    );
    expect(() => gemm(new Matrix(64, 100), new Matrix(784, 100), new Matrix(64, 100), { transB: true })).toThrow(
      new RangeError("gemm(64×100 · 784×100ᵀ): output must be 64×784, got 64×100"),
    );
  });

  it("output sharing storage with an operand", () => {
    const a = new Matrix(4, 4);
    expect(() => gemm(a, new Matrix(4, 4), a)).toThrow(
      new RangeError("gemm(4×4 · 4×4): output must not share storage with an operand"),
    );
    const buffer = new Float64Array(24);
    const b = new Matrix(4, 4, buffer.subarray(0, 16));
    const overlapping = new Matrix(2, 4, buffer.subarray(12, 20));
    expect(() => gemm(new Matrix(2, 4), b, overlapping)).toThrow(/gemm\(2×4 · 4×4\): output must not share storage/);
    // Disjoint parts of one buffer are fine.
    const disjoint = new Matrix(2, 4, buffer.subarray(16, 24));
    expect(() => gemm(new Matrix(2, 4), b, disjoint)).not.toThrow();
  });
});

describe("useKernel", () => {
  it("routes gemm and sparseGemm through the installed kernel and hands back the previous one", () => {
    const calls: string[] = [];
    const spy: GemmKernel = {
      name: "spy",
      gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
        calls.push(`${transA} ${transB} ${m} ${n} ${k} ${alpha} ${lda} ${ldb} ${beta} ${ldc}`);
        jsKernel.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      },
      sparseGemm(m, n, k, alpha, a, b, ldb, beta, c, ldc) {
        calls.push(`sparse ${m} ${n} ${k} ${alpha} ${a.start[m]} ${ldb} ${beta} ${ldc}`);
        jsKernel.sparseGemm(m, n, k, alpha, a, b, ldb, beta, c, ldc);
      },
    };
    const previous = useKernel(spy);
    try {
      gemm(new Matrix(3, 5), new Matrix(4, 5), new Matrix(3, 4), { transB: true, alpha: 2, beta: 1 });
      sparseGemm(compressRows(Matrix.fromRows([[0, 1, 0], [2, 0, 0]])), new Matrix(3, 4), new Matrix(2, 4), { alpha: 3 });
    } finally {
      expect(useKernel(previous)).toBe(spy);
    }
    expect(calls).toEqual(["false true 3 4 5 2 5 5 1 4", "sparse 2 4 3 3 2 4 0 4"]);
  });
});
