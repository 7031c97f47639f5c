import type { GemmKernel } from "./kernel.js";
import { bestKernel } from "./kernels.js";
import { Matrix } from "./matrix.js";
import type { SparseRows } from "./sparse.js";

/** The fastest kernel this engine runs (lib/matrix/kernels.ts picks), until useKernel replaces it. */
let kernel: GemmKernel = bestKernel();

/** Route every matrix product through `next` (returns the kernel it replaces). */
export function useKernel(next: GemmKernel): GemmKernel {
  const previous = kernel;
  kernel = next;
  return previous;
}

export function currentKernel(): GemmKernel {
  return kernel;
}

export interface GemmOptions {
  /** Use Aᵀ in place of A. */
  transA?: boolean;
  /** Use Bᵀ in place of B. */
  transB?: boolean;
  /** Scale of the product. Default 1. */
  alpha?: number;
  /** Scale of what `out` held before. Default 0 (overwrite). */
  beta?: number;
}

/**
 * out ← alpha · op(a) · op(b) + beta · out, returning `out`.
 * Shapes are checked here, once, so the kernel can trust them.
 */
export function gemm(a: Matrix, b: Matrix, out: Matrix, options: GemmOptions = {}): Matrix {
  const { transA = false, transB = false, alpha = 1, beta = 0 } = options;
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const kb = transB ? b.cols : b.rows;
  const n = transB ? b.rows : b.cols;
  if (k !== kb) throw new RangeError(`${describe(a, b, options)}: inner dimensions differ (${k} vs ${kb})`);
  if (out.rows !== m || out.cols !== n) {
    throw new RangeError(`${describe(a, b, options)}: output must be ${m}×${n}, got ${out.shape}`);
  }
  if (overlaps(out.data, a.data) || overlaps(out.data, b.data)) {
    throw new RangeError(`${describe(a, b, options)}: output must not share storage with an operand`);
  }
  kernel.gemm(transA, transB, m, n, k, alpha, a.data, a.cols, b.data, b.cols, beta, out.data, out.cols);
  return out;
}

/**
 * out ← alpha · a · b + beta · out with `a` given by its nonzeros (compressRows): the products
 * with a's exact zeros are skipped, the rest summed in a different order from gemm's, so the two
 * agree within gemm's rounding bound. One difference beyond rounding: a NaN or ±Infinity in b met
 * only by zeros of a does not reach out, where gemm would give NaN (0·∞).
 */
export function sparseGemm(a: SparseRows, b: Matrix, out: Matrix, options: Pick<GemmOptions, "alpha" | "beta"> = {}): Matrix {
  const { alpha = 1, beta = 0 } = options;
  const what = () => `sparseGemm(${a.rows}×${a.cols} · ${b.shape})`;
  if (a.cols !== b.rows) throw new RangeError(`${what()}: inner dimensions differ (${a.cols} vs ${b.rows})`);
  if (out.rows !== a.rows || out.cols !== b.cols) throw new RangeError(`${what()}: output must be ${a.rows}×${b.cols}, got ${out.shape}`);
  if (overlaps(out.data, b.data)) throw new RangeError(`${what()}: output must not share storage with an operand`);
  kernel.sparseGemm(a.rows, b.cols, a.cols, alpha, a, b.data, b.cols, beta, out.data, out.cols);
  return out;
}

/** A new matrix op(a) · op(b). */
export function matmul(a: Matrix, b: Matrix, options: Pick<GemmOptions, "transA" | "transB"> = {}): Matrix {
  const m = options.transA ? a.cols : a.rows;
  const n = options.transB ? b.rows : b.cols;
  return gemm(a, b, new Matrix(m, n), options);
}

function overlaps(x: Float64Array, y: Float64Array): boolean {
  return x.buffer === y.buffer && x.byteOffset < y.byteOffset + y.byteLength && y.byteOffset < x.byteOffset + x.byteLength;
}

/** "gemm(64×784ᵀ · 64×100)": the operation and both shapes, for error messages. */
function describe(a: Matrix, b: Matrix, { transA = false, transB = false }: GemmOptions): string {
  return `gemm(${a.shape}${transA ? "ᵀ" : ""} · ${b.shape}${transB ? "ᵀ" : ""})`;
}
