import type { Activation } from "../activations/activation.js";
import { assertShape, type Matrix } from "../matrix/matrix.js";
import { type Loss, type Reduction, reductionScale } from "../losses/loss.js";

/** What a gradient is the gradient of: a per-sample loss, combined over the batch by a reduction. */
export interface Objective {
  readonly loss: Loss;
  readonly reduction: Reduction;
}

/**
 * The output layer's δ = scale · ∂ℓ/∂z, over rows of `width` (a batch, or one sample): the loss's
 * closed form when it pairs with the output activation (softmax with cross-entropy, sigmoid with
 * binary cross-entropy), else ∂ℓ/∂a into `dAct` and back through the activation. The one place
 * that rule is written, for the vectorized and the per-sample pass alike.
 */
export function outputDelta(
  loss: Loss,
  activation: Activation,
  z: Float64Array,
  output: Float64Array,
  target: Float64Array,
  scale: number,
  dAct: Float64Array,
  delta: Float64Array,
  width: number,
): void {
  if (loss.pairedDelta !== undefined && loss.pairsWith === activation.name) {
    loss.pairedDelta(output, target, scale, delta, width);
  } else {
    loss.gradient(output, target, scale, dAct, width);
    activation.backward(z, output, dAct, delta, width);
  }
}

/** L of a batch: Σ_k ℓ_k, or its mean. */
export function batchLoss(output: Matrix, target: Matrix, objective: Objective): number {
  assertShape(target, output.rows, output.cols, "loss: target");
  const scale = reductionScale(objective.reduction, output.rows);
  return scale * objective.loss.total(output.data, target.data, output.cols);
}
