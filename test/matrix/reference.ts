/** The independent reference every gemm kernel is checked against: the textbook triple loop, and its error bound. */
import { Matrix } from "../../lib/matrix/matrix.ts";
import { createRng } from "../../lib/random/rng.ts";

/** A rows×cols matrix of uniform values in [−1, 1). */
export function random(rows: number, cols: number, seed: number): Matrix {
  const rng = createRng(seed);
  const m = new Matrix(rows, cols);
  for (let p = 0; p < m.data.length; p++) m.data[p] = 2 * rng.uniform() - 1;
  return m;
}

export interface Expected {
  value: Float64Array;
  /** Per element: |alpha|·Σ_p |op(A)_ip·op(B)_pj| + |beta·C_ij|, the scale rounding errors grow with. */
  magnitude: Float64Array;
}

/** alpha·op(A)·op(B) + beta·C by the triple loop, reading op(A) and op(B) element by element. */
export function reference(a: Matrix, b: Matrix, c: Matrix, transA: boolean, transB: boolean, alpha: number, beta: number): Expected {
  const opA = (i: number, p: number) => (transA ? a.get(p, i) : a.get(i, p));
  const opB = (p: number, j: number) => (transB ? b.get(j, p) : b.get(p, j));
  const m = c.rows;
  const n = c.cols;
  const k = transA ? a.rows : a.cols;
  const value = new Float64Array(m * n);
  const magnitude = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let abs = 0;
      for (let p = 0; p < k; p++) {
        sum += opA(i, p) * opB(p, j);
        abs += Math.abs(opA(i, p) * opB(p, j));
      }
      const before = beta === 0 ? 0 : beta * c.get(i, j);
      value[i * n + j] = alpha * sum + before;
      magnitude[i * n + j] = Math.abs(alpha) * abs + Math.abs(before);
    }
  }
  return { value, magnitude };
}

/**
 * Summation in a different order, or with fused multiply-adds, differs by at most about
 * k·u·magnitude (u = 2⁻⁵³ ≈ 1.1e-16, the classic bound for a dot product); 1e-15·(k + 2) leaves a
 * margin of ~10 over it. Throws naming the first element outside the bound.
 */
export function expectClose(got: Matrix, want: Expected, k: number): void {
  for (let p = 0; p < got.data.length; p++) {
    const allowed = 1e-15 * (k + 2) * want.magnitude[p];
    const err = Math.abs(got.data[p] - want.value[p]);
    if (!(err <= allowed)) {
      throw new Error(`element ${p}: got ${got.data[p]}, want ${want.value[p]} (error ${err} > ${allowed})`);
    }
  }
}

/** Operands stored so that op(A) is m×k and op(B) is k×n, and a C to scale by beta. */
export function operands(m: number, k: number, n: number, transA: boolean, transB: boolean, seed: number) {
  const a = transA ? random(k, m, seed) : random(m, k, seed);
  const b = transB ? random(n, k, seed + 1) : random(k, n, seed + 1);
  const c = random(m, n, seed + 2);
  return { a, b, c };
}

export const transposes = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;
