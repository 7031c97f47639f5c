import { gemm, sparseGemm } from "../matrix/gemm.js";
import { assertFinite, assertShape, type Matrix } from "../matrix/matrix.js";
import { columnSums } from "../matrix/ops.js";
import { transposeRows } from "../matrix/sparse.js";
import { reductionScale } from "../losses/loss.js";
import { createGradients, type Gradients } from "./gradients.js";
import { type Network, sizesOf } from "./network.js";
import { batchLoss, type Objective, outputDelta } from "./objective.js";
import { createPass, forward, type Pass } from "./pass.js";

// Made once: the backward pass runs for every batch and allocates nothing.
const transposeA = { transA: true } as const;
const transposeB = { transB: true } as const;

export interface BackwardOptions {
  /**
   * The rows of the whole batch when `pass` holds one shard of it (CLAIMS.md claim 10): a mean
   * divides by the batch's B, so the shards' gradients add up to the batch's. Default pass.rows.
   */
  batchRows?: number;
}

/**
 * The vectorized backward pass over a whole batch, after `forward` filled `pass`
 * (notebooks 3–5; CLAIMS.md claims 4–8):
 *
 *   δ_L = ∂L/∂a_L ⊙ f′(z_L)               (δ = y − t, scaled, when the loss pairs with f)
 *   dWeights_i = act_iᵀ · δ_i             (n_in×K · K×n_out: the sum of per-sample outer products)
 *   dBias_i    = column sums of δ_i
 *   δ_{i−1} = (δ_i · weights_iᵀ) ⊙ f′(z_{i−1})
 *
 * The input layer's dAct is never formed: nothing upstream needs it. A pass with sparseInput
 * multiplies actᵀ·delta for the first layer from the input's nonzeros that forward compressed.
 */
export function backward(net: Network, pass: Pass, target: Matrix, objective: Objective, grads: Gradients = createGradients(net), options: BackwardOptions = {}): Gradients {
  const { layers } = net;
  const last = layers.length - 1;
  const output = pass.acts[last + 1];
  assertShape(target, output.rows, output.cols, "backward: target");
  const scale = reductionScale(objective.reduction, options.batchRows ?? pass.rows);
  outputDelta(objective.loss, layers[last].activation, pass.zs[last].data, output.data, target.data, scale, pass.dActs[last].data, pass.deltas[last].data, output.cols);
  for (let i = last; i >= 0; i--) {
    const delta = pass.deltas[i];
    const sparse = i === 0 ? pass.sparseInput : undefined;
    if (sparse !== undefined) sparseGemm(transposeRows(sparse.byRow, sparse.byColumn), delta, grads.dWeights[i]);
    else gemm(pass.acts[i], delta, grads.dWeights[i], transposeA);
    columnSums(delta, grads.dBias[i]);
    if (i > 0) {
      const dAct = pass.dActs[i - 1];
      gemm(delta, layers[i].weights, dAct, transposeB);
      layers[i - 1].activation.backward(pass.zs[i - 1].data, pass.acts[i].data, dAct.data, pass.deltas[i - 1].data, dAct.cols);
    }
  }
  return grads;
}

/** The batch's loss and its gradient by the vectorized pass, inputs checked first. */
export function computeGradients(
  net: Network,
  input: Matrix,
  target: Matrix,
  objective: Objective,
  pass: Pass = createPass(net, input.rows),
  grads: Gradients = createGradients(net),
): { loss: number; grads: Gradients } {
  checkBatch(net, input, target);
  const output = forward(net, input, pass);
  const loss = batchLoss(output, target, objective);
  return { loss, grads: backward(net, pass, target, objective, grads) };
}

/** Shapes agree with the network, every value finite: the checks at each public entry. */
export function checkBatch(net: Network, input: Matrix, target: Matrix): void {
  const sizes = sizesOf(net);
  const nOut = sizes[sizes.length - 1];
  if (input.cols !== sizes[0]) throw new RangeError(`input is ${input.shape}, the network takes ${sizes[0]} inputs per row`);
  if (target.rows !== input.rows || target.cols !== nOut) {
    throw new RangeError(`target is ${target.shape}, expected ${input.rows}×${nOut} (one row per input, ${nOut} outputs)`);
  }
  assertFinite(input, "input");
  assertFinite(target, "target");
}
