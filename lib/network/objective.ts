import { assertShape, type Matrix } from "../matrix/matrix.js";
import { type Loss, type Reduction, reductionScale } from "../losses/loss.js";

/** What a gradient is the gradient of: a per-sample loss, combined over the batch by a reduction. */
export interface Objective {
  readonly loss: Loss;
  readonly reduction: Reduction;
}

/** L of a batch: Σ_k ℓ_k, or its mean. */
export function batchLoss(output: Matrix, target: Matrix, objective: Objective): number {
  assertShape(target, output.rows, output.cols, "loss: target");
  const scale = reductionScale(objective.reduction, output.rows);
  return scale * objective.loss.total(output.data, target.data, output.cols);
}
