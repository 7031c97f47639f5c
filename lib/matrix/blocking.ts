/** What every blocked gemm kernel does the same way: equal cache blocks, and C ← beta·C first. */

/**
 * The block size ≤ limit (a multiple of `unit`) that splits `size` into equal blocks:
 * 784 = 4·196 rather than 3·256 + 16, so no thin remainder block runs slowly.
 */
export function evenSplit(size: number, limit: number, unit: number): number {
  const blocks = Math.ceil(size / limit);
  return Math.ceil(size / blocks / unit) * unit;
}

/** C ← beta·C over m×n at row stride ldc; beta = 0 overwrites, so NaN or garbage in C does not leak through. */
export function scaleC(m: number, n: number, beta: number, c: Float64Array, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const ci = i * ldc;
    if (beta === 0) c.fill(0, ci, ci + n);
    else for (let j = ci; j < ci + n; j++) c[j] *= beta;
  }
}
