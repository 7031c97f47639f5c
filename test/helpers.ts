import { Matrix, createRng } from "../lib/index.ts";

/** A rows×cols matrix of uniform values in [lo, hi), from its own seeded generator. */
export function randomUniform(rows: number, cols: number, seed: number, lo = -1, hi = 1): Matrix {
  const rng = createRng(seed);
  const m = new Matrix(rows, cols);
  for (let p = 0; p < m.data.length; p++) m.data[p] = lo + (hi - lo) * rng.uniform();
  return m;
}

/** Rows of probabilities (positive, summing to 1): targets for cross-entropy. */
export function randomDistributions(rows: number, cols: number, seed: number): Matrix {
  const m = randomUniform(rows, cols, seed, 0.1, 1);
  for (let k = 0; k < rows; k++) {
    const row = m.row(k);
    const sum = row.reduce((s, v) => s + v, 0);
    for (let j = 0; j < cols; j++) row[j] /= sum;
  }
  return m;
}
