/**
 * The one interface the network code multiplies through. Row-major operands with explicit
 * leading dimensions; transposes are flags, never materialised. A faster kernel (WebAssembly
 * SIMD, say) replaces the JavaScript one with `useKernel` and nothing else changes.
 *
 *   C ← alpha · op(A) · op(B) + beta · C,   op(A) is m×k, op(B) is k×n, C is m×n.
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
}
