import type { Rng } from "../random/rng.js";
import { keyword } from "../validate/validate.js";
import { Matrix } from "./matrix.js";

/** How a layer's weights are drawn. `normal` is N(0, 1), Nielsen's choice for 784-30-10. */
export type Init = "normal" | "uniform" | "xavier" | "he" | "zeros";

export const inits: readonly Init[] = ["normal", "uniform", "xavier", "he", "zeros"];

/**
 * A rows×cols matrix (fanIn = rows, fanOut = cols) drawn from `init`:
 * normal N(0, 1); uniform U(−1, 1); xavier U(±√(6/(fanIn+fanOut))) (Glorot & Bengio 2010);
 * he N(0, 2/fanIn) (He et al. 2015); zeros.
 */
export function randomMatrix(rows: number, cols: number, init: Init, rng: Rng): Matrix {
  keyword(init, "init", inits);
  const m = new Matrix(rows, cols);
  const { data } = m;
  switch (init) {
    case "normal":
      for (let p = 0; p < data.length; p++) data[p] = rng.normal();
      break;
    case "uniform":
      for (let p = 0; p < data.length; p++) data[p] = 2 * rng.uniform() - 1;
      break;
    case "xavier": {
      const limit = Math.sqrt(6 / (rows + cols));
      for (let p = 0; p < data.length; p++) data[p] = limit * (2 * rng.uniform() - 1);
      break;
    }
    case "he": {
      const std = Math.sqrt(2 / rows);
      for (let p = 0; p < data.length; p++) data[p] = std * rng.normal();
      break;
    }
    case "zeros":
      break;
  }
  return m;
}
