import { Matrix } from "../matrix/matrix.js";
import { concatenate } from "../matrix/ops.js";
import type { Network } from "./network.js";

/** ∂L/∂weights and ∂L/∂bias for every layer, shaped like the network's parameters. */
export interface Gradients {
  readonly dWeights: Matrix[];
  readonly dBias: Float64Array[];
}

export function createGradients(net: Network): Gradients {
  return {
    dWeights: net.layers.map((layer) => new Matrix(layer.weights.rows, layer.weights.cols)),
    dBias: net.layers.map((layer) => new Float64Array(layer.bias.length)),
  };
}

/** Gradient arrays in the order of `parameters(net)`: dW₁, db₁, dW₂, db₂, … */
export function gradientArrays(grads: Gradients): Float64Array[] {
  return grads.dWeights.flatMap((dW, l) => [dW.data, grads.dBias[l]]);
}

/** Every gradient in one vector, in the order of `gradientArrays` (and so of `parameterVector`): a copy. */
export function gradientVector(grads: Gradients): Float64Array {
  return concatenate(gradientArrays(grads));
}

/**
 * Adds `weight · from` into `into` (combining shards: CLAIMS.md claim 10). The default weight 1 adds
 * shards of a summed loss; shards reporting their own mean combine with weight K_s / K each.
 */
export function addGradients(into: Gradients, from: Gradients, weight = 1): Gradients {
  if (!Number.isFinite(weight)) throw new RangeError(`addGradients: weight is ${weight}, expected a finite number`);
  const a = gradientArrays(into);
  const b = gradientArrays(from);
  if (a.length !== b.length) throw new RangeError(`addGradients: ${a.length} vs ${b.length} parameter arrays (different networks)`);
  a.forEach((x, i) => {
    const y = b[i];
    if (x.length !== y.length) throw new RangeError(`addGradients: parameter ${i} sizes differ (${x.length} vs ${y.length})`);
    for (let p = 0; p < x.length; p++) x[p] += weight * y[p];
  });
  return into;
}
