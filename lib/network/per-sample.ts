import type { Matrix } from "../matrix/matrix.js";
import { reductionScale } from "../losses/loss.js";
import { checkBatch } from "./backward.js";
import { createGradients, type Gradients } from "./gradients.js";
import { type Network, sizesOf } from "./network.js";
import { type Objective, outputDelta } from "./objective.js";

/**
 * Backpropagation one sample at a time, as it is usually taught and as the seeds compare against:
 * for each row k, a forward pass of that sample alone, its δ per layer, and the outer products
 * a_kᵀ δ_k added into the gradient (CLAIMS.md claim 9: ∇e = Σ_k ∇e_k, scaled by 1/B for the mean).
 * Plain loops, no matrix product: an independent reference for `backward`.
 */
export function perSampleGradients(
  net: Network,
  input: Matrix,
  target: Matrix,
  objective: Objective,
  grads: Gradients = createGradients(net),
): { loss: number; grads: Gradients } {
  checkBatch(net, input, target);
  return { loss: accumulatePerSample(net, input, target, objective, grads, createSampleVectors(net)), grads };
}

/** One sample's activations, pre-activations, ∂L/∂a and δ for every layer: made once per run. */
export interface SampleVectors {
  readonly acts: Float64Array[];
  readonly zs: Float64Array[];
  readonly dActs: Float64Array[];
  readonly deltas: Float64Array[];
}

export function createSampleVectors(net: Network): SampleVectors {
  const sizes = sizesOf(net);
  const layerWidths = () => sizes.slice(1).map((n) => new Float64Array(n));
  return { acts: sizes.map((n) => new Float64Array(n)), zs: layerWidths(), dActs: layerWidths(), deltas: layerWidths() };
}

/**
 * The loop itself, for a batch already checked: grads ← the batch's gradient, returning its loss.
 * train() calls it with vectors made once, as it does the vectorized pass with its buffers.
 */
export function accumulatePerSample(
  net: Network,
  input: Matrix,
  target: Matrix,
  objective: Objective,
  grads: Gradients,
  { acts, zs, dActs, deltas }: SampleVectors,
): number {
  const { layers } = net;
  const last = layers.length - 1;
  const nOut = layers[last].weights.cols;
  const scale = reductionScale(objective.reduction, input.rows);
  grads.dWeights.forEach((dW) => dW.data.fill(0));
  grads.dBias.forEach((db) => db.fill(0));
  let loss = 0;

  for (let k = 0; k < input.rows; k++) {
    acts[0].set(input.row(k));
    layers.forEach((layer, i) => {
      const { weights, bias } = layer;
      const a = acts[i];
      const z = zs[i];
      for (let j = 0; j < weights.cols; j++) {
        let sum = bias[j];
        for (let p = 0; p < weights.rows; p++) sum += a[p] * weights.data[p * weights.cols + j];
        z[j] = sum;
      }
      layer.activation.forward(z, acts[i + 1], z.length);
    });
    const y = acts[last + 1];
    const t = target.row(k);
    loss += scale * objective.loss.total(y, t, nOut);

    outputDelta(objective.loss, layers[last].activation, zs[last], y, t, scale, dActs[last], deltas[last], nOut);
    for (let i = last; i >= 0; i--) {
      const delta = deltas[i];
      const a = acts[i];
      const dW = grads.dWeights[i].data;
      const db = grads.dBias[i];
      const width = delta.length;
      for (let p = 0; p < a.length; p++) {
        for (let j = 0; j < width; j++) dW[p * width + j] += a[p] * delta[j];
      }
      for (let j = 0; j < width; j++) db[j] += delta[j];
      if (i > 0) {
        const weights = layers[i].weights.data;
        const dAct = dActs[i - 1];
        for (let p = 0; p < dAct.length; p++) {
          let sum = 0;
          for (let j = 0; j < width; j++) sum += weights[p * width + j] * delta[j];
          dAct[p] = sum;
        }
        layers[i - 1].activation.backward(zs[i - 1], a, dAct, deltas[i - 1], dAct.length);
      }
    }
  }
  return loss;
}
