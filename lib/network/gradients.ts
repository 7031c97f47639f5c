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

/** Adds `from` into `into` (combining shards: SEEDS.md claim 10). */
export function addGradients(into: Gradients, from: Gradients): Gradients {
  const a = gradientArrays(into);
  const b = gradientArrays(from);
  a.forEach((x, i) => {
    const y = b[i];
    if (x.length !== y.length) throw new RangeError(`addGradients: parameter ${i} sizes differ (${x.length} vs ${y.length})`);
    for (let p = 0; p < x.length; p++) x[p] += y[p];
  });
  return into;
}
