import type { Matrix } from "../matrix/matrix.js";
import { computeGradients } from "./backward.js";
import { createGradients, type Gradients } from "./gradients.js";
import type { Network } from "./network.js";
import type { Objective } from "./objective.js";
import { createPass, type Pass } from "./pass.js";

/**
 * |∇ℓ_k|², the squared norm of every sample's gradient, from one vectorized pass (notebook 11).
 * A dense layer's gradient of sample k alone is the outer product a_kᵀ δ_k of its row of the
 * layer's input and its row of the batch δ, and its bias gradient is δ_k, so
 *
 *   |∇ℓ_k|² = Σ_layers |δ_k|² · (|a_k|² + 1)
 *
 * and no per-sample gradient is ever formed. ℓ_k is the sample's own loss: the reduction of
 * `objective` does not enter (a mean scales the batch's sum, not a sample's loss). On return
 * `grads` holds the batch's summed gradient Σ_k ∇ℓ_k, from the same pass.
 */
export function perSampleGradientNorms(net: Network, input: Matrix, target: Matrix, objective: Objective, pass: Pass = createPass(net, input.rows), grads: Gradients = createGradients(net)): Float64Array {
  computeGradients(net, input, target, { loss: objective.loss, reduction: "sum" }, pass, grads);
  const norms = new Float64Array(input.rows);
  pass.deltas.forEach((delta, i) => {
    const act = pass.acts[i];
    for (let k = 0; k < delta.rows; k++) norms[k] += squaredNorm(delta.data, k * delta.cols, delta.cols) * (squaredNorm(act.data, k * act.cols, act.cols) + 1);
  });
  return norms;
}

function squaredNorm(values: Float64Array, from: number, length: number): number {
  let sum = 0;
  for (let p = from; p < from + length; p++) sum += values[p] * values[p];
  return sum;
}
