import { Matrix } from "../matrix/matrix.js";

/**
 * Central differences of f with respect to every entry of `values`: (f(v + h) − f(v − h)) / 2h, the
 * independent reference every analytic derivative is checked against (notebooks 3–5, `gradientCheck`).
 * f must read `values`, which is perturbed in place one entry at a time and restored exactly (the saved
 * number is written back, not v + h − h), also when f throws. The result has the shape of `values`.
 */
export function centralDifferences(values: Matrix, f: () => number, h?: number): Matrix;
export function centralDifferences(values: Float64Array, f: () => number, h?: number): Float64Array;
export function centralDifferences(values: Matrix | Float64Array, f: () => number, h?: number): Matrix | Float64Array;
export function centralDifferences(values: Matrix | Float64Array, f: () => number, h = 1e-6): Matrix | Float64Array {
  if (!(h > 0) || !Number.isFinite(h)) throw new RangeError(`centralDifferences: h must be a positive finite step, got ${h}`);
  const data = values instanceof Matrix ? values.data : values;
  const out = new Float64Array(data.length);
  for (let p = 0; p < data.length; p++) {
    const saved = data[p];
    try {
      data[p] = saved + h;
      const plus = f();
      data[p] = saved - h;
      const minus = f();
      out[p] = (plus - minus) / (2 * h);
    } finally {
      data[p] = saved;
    }
  }
  return values instanceof Matrix ? new Matrix(values.rows, values.cols, out) : out;
}
