import type { GemmKernel } from "./kernel.js";

/** Plain JavaScript float64 gemm. */
export const jsKernel: GemmKernel = {
  name: "js",
  gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
    for (let i = 0; i < m; i++) {
      const ci = i * ldc;
      if (beta === 0) c.fill(0, ci, ci + n);
      else if (beta !== 1) for (let j = 0; j < n; j++) c[ci + j] *= beta;
      for (let p = 0; p < k; p++) {
        const aip = alpha * (transA ? a[p * lda + i] : a[i * lda + p]);
        if (aip === 0) continue;
        if (transB) {
          for (let j = 0; j < n; j++) c[ci + j] += aip * b[j * ldb + p];
        } else {
          const bp = p * ldb;
          for (let j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
        }
      }
    }
  },
};
