import { evenSplit, scaleC } from "./blocking.js";
import type { GemmKernel } from "./kernel.js";

/*
 * Plain JavaScript float64 gemm, blocked the way GotoBLAS/BLIS block it:
 *
 *   for each NC-column block of op(B):
 *     for each KC-deep slice of k:          pack op(B)[slice, block] into NR-column slivers
 *       for each MC-row block of op(A):     pack op(A)[rows, slice] into MR-row slivers
 *         for each (B sliver, A sliver):    MR×NR micro-kernel, accumulators in local variables
 *
 * Packing copies each operand into contiguous scratch in the order the micro-kernel reads it, so
 * transposes cost nothing in the inner loop and every inner-loop read is sequential. Edge slivers
 * are zero-padded to full MR/NR, so the micro-kernel has one shape; only the write-back looks at
 * the true edge.
 *
 * Choices, from timing variants on the project machine (Node 20, x64; tools/bench/gemm.ts):
 * - A 3×3 tile: its 9 accumulators plus the 3+1 operands in flight fit the 16 registers V8 keeps
 *   doubles in, where 4×4 and larger spill accumulators to the stack every step of k (seen in
 *   --print-opt-code). Alone, the 3×3 micro-kernel ran at 4.3–4.9 GFLOP/s against 3.8–4.8 for
 *   2×4 … 8×4; inside gemm, 3×3 and 4×4 timed within noise of each other.
 * - Fixed-size scratch that is a module constant: TurboFan folds the length into each load's
 *   bounds check (one compare with a constant) instead of reloading the array's base and length
 *   every step; timed side by side, this beat passing the buffers in on most shapes. The blocking
 *   bounds what has to fit (MC·KC and KC·NC), so the buffers never grow and a call allocates
 *   nothing.
 */

/** Micro-tile: MR rows by NR columns of C, square so that A and B pack alike. */
const MR = 3;
const NR = MR;
/** Most of k in one slice: a B sliver (KC·NR doubles, 6 KiB) stays in L1 while A slivers stream past. */
const KC = 256;
/** Rows of op(A) packed per block: MC·KC doubles (192 KiB) stay in L2. */
const MC = 32 * MR;
/** Columns of op(B) packed per block: KC·NC doubles (516 KiB). */
const NC = 86 * NR;

const packedA = new Float64Array(MC * KC);
const packedB = new Float64Array(KC * NC);
/** The partial tile on the bottom and right edges passes through here. */
const edgeTile = new Float64Array(MR * NR);

export const jsKernel: GemmKernel = {
  name: "js",
  gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
    if (m === 0 || n === 0) return;
    scaleC(m, n, beta, c, ldc);
    if (k === 0 || alpha === 0) return;

    const kc0 = evenSplit(k, KC, 1);
    const mc0 = evenSplit(m, MC, MR);
    const nc0 = evenSplit(n, NC, NR);
    for (let jc = 0; jc < n; jc += nc0) {
      const nc = Math.min(nc0, n - jc);
      for (let pc = 0; pc < k; pc += kc0) {
        const kc = Math.min(kc0, k - pc);
        if (transB) packFromRows(packedB, nc, kc, b, ldb, jc, pc);
        else packAcrossRows(packedB, nc, kc, b, ldb, pc, jc);
        for (let ic = 0; ic < m; ic += mc0) {
          const mc = Math.min(mc0, m - ic);
          if (transA) packAcrossRows(packedA, mc, kc, a, lda, pc, ic);
          else packFromRows(packedA, mc, kc, a, lda, ic, pc);
          for (let jr = 0; jr < nc; jr += NR) {
            for (let ir = 0; ir < mc; ir += MR) {
              microKernel(kc, ir * kc, jr * kc, alpha, c, (ic + ir) * ldc + jc + jr, ldc, Math.min(MR, mc - ir), Math.min(NR, nc - jr));
            }
          }
        }
      }
    }
  },

  /** Row by row: C[i, :] += alpha · Σ over row i's nonzeros a_ip · B[p, :], summed in sparseRow. */
  sparseGemm(m, n, k, alpha, a, b, ldb, beta, c, ldc) {
    if (m === 0 || n === 0) return;
    scaleC(m, n, beta, c, ldc);
    if (k === 0 || alpha === 0) return;
    if (sparseRow.length < n) sparseRow = new Float64Array(n);
    const sum = sparseRow;
    const { start, index, value } = a;
    for (let i = 0; i < m; i++) {
      sum.fill(0, 0, n);
      for (let q = start[i]; q < start[i + 1]; q++) {
        const x = value[q];
        const row = index[q] * ldb;
        for (let j = 0; j < n; j++) sum[j] += x * b[row + j];
      }
      const ci = i * ldc;
      for (let j = 0; j < n; j++) c[ci + j] += alpha * sum[j];
    }
  },
};

/** One row of sparseGemm's sums, grown to the widest product seen. */
let sparseRow = new Float64Array(0);

/*
 * Packed layouts. A block of mc rows becomes ⌈mc/MR⌉ slivers; sliver s holds, for p = 0…kc−1,
 * the MR values op(A)[s·MR + 0…MR−1, pc + p] one after another (zeros past the last row).
 * B likewise: sliver s holds, for each p, op(B)[pc + p, jc + s·NR + 0…NR−1] (zeros past the
 * last column). MR = NR, so both operands pack through the same two functions: op(A) = A and
 * op(B) = Bᵀ take a sliver's values from `count` rows of the matrix (packFromRows), op(A) = Aᵀ
 * and op(B) = B from `count` side by side in each of kc rows (packAcrossRows).
 */

/** Slivers of `count` rows of m, from row `row0`, each read kc values along from column `col0`. */
function packFromRows(out: Float64Array, count: number, kc: number, m: Float64Array, ld: number, row0: number, col0: number): void {
  for (let r = 0; r < count; r += MR) {
    const rows = Math.min(MR, count - r);
    const base = r * kc;
    for (let i = 0; i < MR; i++) {
      if (i >= rows) {
        for (let p = 0; p < kc; p++) out[base + p * MR + i] = 0;
        continue;
      }
      const src = (row0 + r + i) * ld + col0;
      for (let p = 0; p < kc; p++) out[base + p * MR + i] = m[src + p];
    }
  }
}

/**
 * Slivers of `count` columns of m, from column `col0`, down kc rows from row `row0`. Rows are read
 * whole, in order, and scattered into the slivers: walking three columns at a time instead strides
 * down rows of a matrix that is rarely in cache (the activations, in training) and ran the product
 * at about half speed.
 */
function packAcrossRows(out: Float64Array, count: number, kc: number, m: Float64Array, ld: number, row0: number, col0: number): void {
  const full = count - (count % MR);
  const sliver = kc * MR;
  for (let p = 0; p < kc; p++) {
    const src = (row0 + p) * ld + col0;
    let q = p * MR;
    for (let r = 0; r < full; r += MR, q += sliver) {
      out[q] = m[src + r];
      out[q + 1] = m[src + r + 1];
      out[q + 2] = m[src + r + 2];
    }
    for (let i = 0; full < count && i < MR; i++) out[q + i] = full + i < count ? m[src + full + i] : 0;
  }
}

/**
 * C[rows×cols tile at c0] += alpha · (A sliver at a0) · (B sliver at b0) over kc: one rank-1
 * update of the 3×3 accumulators per step of k. Alpha scales the finished sums, as the reference
 * alpha·Σ does, rather than the packed operand, where a tiny alpha would underflow term by term.
 */
function microKernel(
  kc: number, a0: number, b0: number, alpha: number, c: Float64Array, c0: number, ldc: number, rows: number, cols: number,
): void {
  const pa = packedA;
  const pb = packedB;
  let c00 = 0, c01 = 0, c02 = 0;
  let c10 = 0, c11 = 0, c12 = 0;
  let c20 = 0, c21 = 0, c22 = 0;
  let ai = a0;
  let bi = b0;
  for (let p = 0; p < kc; p++) {
    const y0 = pb[bi], y1 = pb[bi + 1], y2 = pb[bi + 2];
    const x0 = pa[ai];
    c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2;
    const x1 = pa[ai + 1];
    c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2;
    const x2 = pa[ai + 2];
    c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2;
    ai += MR;
    bi += NR;
  }
  if (rows === MR && cols === NR) {
    const c1 = c0 + ldc;
    const c2 = c1 + ldc;
    c[c0] += alpha * c00; c[c0 + 1] += alpha * c01; c[c0 + 2] += alpha * c02;
    c[c1] += alpha * c10; c[c1 + 1] += alpha * c11; c[c1 + 2] += alpha * c12;
    c[c2] += alpha * c20; c[c2 + 1] += alpha * c21; c[c2 + 2] += alpha * c22;
    return;
  }
  edgeTile[0] = c00; edgeTile[1] = c01; edgeTile[2] = c02;
  edgeTile[3] = c10; edgeTile[4] = c11; edgeTile[5] = c12;
  edgeTile[6] = c20; edgeTile[7] = c21; edgeTile[8] = c22;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) c[c0 + i * ldc + j] += alpha * edgeTile[i * NR + j];
  }
}
