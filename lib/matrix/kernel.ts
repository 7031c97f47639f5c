import type { SparseRows } from "./sparse.js";

/**
 * The one interface the network code multiplies through. Row-major operands with explicit
 * leading dimensions; transposes are flags, never materialised. A faster kernel (WebAssembly
 * SIMD, say) replaces the JavaScript one with `useKernel` and nothing else changes.
 *
 *   C ← alpha · op(A) · op(B) + beta · C,   op(A) is m×k, op(B) is k×n, C is m×n.
 *
 * `sparseGemm` is the same product with A given by its nonzeros (lib/matrix/sparse.ts), the
 * products with A's exact zeros skipped: C ← alpha · A · B + beta · C.
 */
export interface GemmKernel {
  readonly name: string;
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float64Array,
    lda: number,
    b: Float64Array,
    ldb: number,
    beta: number,
    c: Float64Array,
    ldc: number,
  ): void;
  sparseGemm(m: number, n: number, k: number, alpha: number, a: SparseRows, b: Float64Array, ldb: number, beta: number, c: Float64Array, ldc: number): void;
}
