import { type ActivationName, activationByName } from "../activations/activation.js";
import { Matrix } from "../matrix/matrix.js";
import type { Network } from "./network.js";

/*
 * The seeds write the same numbers in three layouts (README.md, "Layout and architecture"):
 * - this library: z = act·weights + bias, weights n_in×n_out;
 * - the paper: [1 act]·W, W (n_in+1)×n_out with the biases as its first row;
 * - the Q&A: W^l of shape m×n (to × from), so its ΔW = δᵀa is the library's dWeights transposed.
 */

/** [1 act]: each row with a leading 1, the paper's bias input (claim 1). */
export function withBiasColumn(act: Matrix): Matrix {
  const out = new Matrix(act.rows, act.cols + 1);
  for (let k = 0; k < act.rows; k++) {
    out.data[k * out.cols] = 1;
    out.data.set(act.row(k), k * out.cols + 1);
  }
  return out;
}

/** The paper's W: the bias stacked on top of the weights, (n_in+1)×n_out. */
export function toPaperForm(weights: Matrix, bias: Float64Array): Matrix {
  if (bias.length !== weights.cols) {
    throw new RangeError(`toPaperForm: bias of ${bias.length} does not fit weights ${weights.shape}`);
  }
  const out = new Matrix(weights.rows + 1, weights.cols);
  out.data.set(bias, 0);
  out.data.set(weights.data, weights.cols);
  return out;
}

/** Splits the paper's W into the library's weights and bias. */
export function fromPaperForm(paper: Matrix): { weights: Matrix; bias: Float64Array } {
  if (paper.rows < 2) throw new RangeError(`fromPaperForm: W must have a bias row and at least one weight row, got ${paper.shape}`);
  return {
    bias: paper.data.slice(0, paper.cols),
    weights: new Matrix(paper.rows - 1, paper.cols, paper.data.slice(paper.cols)),
  };
}

/** The Q&A's W^l, to × from (n_out×n_in). */
export function toQaForm(weights: Matrix): Matrix {
  return weights.transpose();
}

/** The library's weights (n_in×n_out) from the Q&A's to × from matrix. */
export function fromQaForm(qa: Matrix): Matrix {
  return qa.transpose();
}

/** A network whose layers are given in the paper's form, e.g. the 2-2-2 worked example. */
export function networkFromPaperForm(paperWeights: readonly Matrix[], activation: ActivationName = "sigmoid"): Network {
  if (paperWeights.length === 0) throw new RangeError("networkFromPaperForm: no layers given");
  paperWeights.forEach((w, l) => {
    if (l > 0 && w.rows - 1 !== paperWeights[l - 1].cols) {
      throw new RangeError(`networkFromPaperForm: layer ${l} is ${w.shape}, expected ${paperWeights[l - 1].cols + 1} rows`);
    }
  });
  const f = activationByName(activation);
  return { layers: paperWeights.map((w) => ({ ...fromPaperForm(w), activation: f })) };
}
