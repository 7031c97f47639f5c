import { Matrix } from "./matrix.js";

/** m ← m + v on every row (z = act·weights + bias). */
export function addRowVector(m: Matrix, v: Float64Array): Matrix {
  if (v.length !== m.cols) {
    throw new RangeError(`addRowVector: vector of ${v.length} does not fit rows of ${m.shape}`);
  }
  const { rows, cols, data } = m;
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) data[r + j] += v[j];
  }
  return m;
}

/** out ← the sum of each column of m (dBias = column sums of delta). */
export function columnSums(m: Matrix, out: Float64Array = new Float64Array(m.cols)): Float64Array {
  if (out.length !== m.cols) {
    throw new RangeError(`columnSums: output of ${out.length} does not fit ${m.shape}`);
  }
  const { rows, cols, data } = m;
  out.fill(0);
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) out[j] += data[r + j];
  }
  return out;
}

/** y ← y + alpha · x, elementwise over equal-length arrays. */
export function axpy(alpha: number, x: Float64Array, y: Float64Array): Float64Array {
  if (x.length !== y.length) throw new RangeError(`axpy: lengths differ (${x.length} vs ${y.length})`);
  for (let p = 0; p < x.length; p++) y[p] += alpha * x[p];
  return y;
}

/** The arrays one after another, in a new array (a network's parameters as one vector). */
export function concatenate(arrays: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((n, x) => n + x.length, 0));
  let offset = 0;
  for (const x of arrays) {
    out.set(x, offset);
    offset += x.length;
  }
  return out;
}

/** Index of the largest value in each row (predicted class). */
export function argmaxRows(m: Matrix): Int32Array {
  const out = new Int32Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    const r = i * m.cols;
    let best = 0;
    for (let j = 1; j < m.cols; j++) if (m.data[r + j] > m.data[r + best]) best = j;
    out[i] = best;
  }
  return out;
}

/**
 * |a − b| / max(|a|, |b|), the relative error every check here uses: 0 when a and b are equal
 * (both 0 included), NaN when either is NaN or only one is infinite, so a NaN never passes for a match.
 */
export function relativeDifference(a: number, b: number): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

/** Largest relativeDifference over two equal-shape matrices; NaN as soon as one element's is. */
export function maxRelativeDifference(a: Matrix, b: Matrix): number {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new RangeError(`maxRelativeDifference: shapes differ (${a.shape} vs ${b.shape})`);
  }
  let worst = 0;
  for (let p = 0; p < a.data.length; p++) {
    const difference = relativeDifference(a.data[p], b.data[p]);
    if (Number.isNaN(difference)) return Number.NaN;
    worst = Math.max(worst, difference);
  }
  return worst;
}
