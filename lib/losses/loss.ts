import type { ActivationName } from "../activations/activation.js";
import { keyword, lookup } from "../validate/validate.js";

/**
 * How a batch's per-sample losses ℓ_k combine: L = Σ_k ℓ_k (`sum`) or L = (1/B) Σ_k ℓ_k (`mean`).
 * The seeds disagree (the Q&A sums, the paper's 1/(2n) averages); the two differ only by a factor
 * B in the gradient, which rescales the learning rate (CLAIMS.md claim 9).
 */
export type Reduction = "sum" | "mean";

export const reductions: readonly Reduction[] = ["sum", "mean"];

/** The factor each per-sample gradient is multiplied by under `reduction`. */
export function reductionScale(reduction: Reduction, batchSize: number): number {
  return keyword(reduction, "reduction", reductions) === "sum" ? 1 : 1 / batchSize;
}

/** A per-sample loss ℓ(y, t) over rows of `width` outputs y and targets t. */
export interface Loss {
  readonly name: LossName;
  /** Σ_k ℓ_k over all rows. */
  total(output: Float64Array, target: Float64Array, width: number): number;
  /** dOut ← scale · ∂ℓ/∂y, row by row. */
  gradient(output: Float64Array, target: Float64Array, scale: number, dOut: Float64Array, width: number): void;
  /**
   * The output activation with which δ = ∂ℓ/∂z has a closed form free of 1/y. Backward uses it
   * when the pair meets: the same numbers as the chain rule, without dividing by a y that may
   * underflow to 0.
   */
  readonly pairsWith?: ActivationName;
  /** delta ← scale · ∂ℓ/∂z through `pairsWith`, row by row (present exactly when `pairsWith` is). */
  readonly pairedDelta?: (output: Float64Array, target: Float64Array, scale: number, delta: Float64Array, width: number) => void;
}

export type LossName = "sum-of-squares" | "cross-entropy" | "binary-cross-entropy";

/** Keeps log(y) and 1/y finite where a probability has underflowed to 0. */
const tiny = 1e-300;

/** ℓ = ½ Σ_j (t_j − y_j)², ∂ℓ/∂y = y − t (the paper's ψ − Ê is an erratum: CLAIMS.md claim 4). */
export const sumOfSquares: Loss = {
  name: "sum-of-squares",
  total(output, target) {
    let sum = 0;
    for (let p = 0; p < output.length; p++) {
      const e = target[p] - output[p];
      sum += e * e;
    }
    return sum / 2;
  },
  gradient(output, target, scale, dOut) {
    for (let p = 0; p < output.length; p++) dOut[p] = scale * (output[p] - target[p]);
  },
};

/** ℓ = −Σ_j t_j log y_j over a probability row (softmax outputs, one-hot targets). */
export const crossEntropy: Loss = {
  name: "cross-entropy",
  pairsWith: "softmax",
  // Through softmax, ∂ℓ/∂z_j = y_j Σ_i t_i − t_j: the familiar y − t when the targets sum to 1.
  pairedDelta(output, target, scale, delta, width) {
    for (let r = 0; r < output.length; r += width) {
      let sum = 0;
      for (let j = r; j < r + width; j++) sum += target[j];
      for (let j = r; j < r + width; j++) delta[j] = scale * (output[j] * sum - target[j]);
    }
  },
  total(output, target) {
    let sum = 0;
    for (let p = 0; p < output.length; p++) {
      if (target[p] !== 0) sum -= target[p] * Math.log(Math.max(output[p], tiny));
    }
    return sum;
  },
  gradient(output, target, scale, dOut) {
    for (let p = 0; p < output.length; p++) dOut[p] = (-scale * target[p]) / Math.max(output[p], tiny);
  },
};

/** ℓ = −Σ_j [t_j log y_j + (1 − t_j) log(1 − y_j)], each output an independent probability (sigmoid). */
export const binaryCrossEntropy: Loss = {
  name: "binary-cross-entropy",
  pairsWith: "sigmoid",
  // Through sigmoid, each output on its own: ∂ℓ/∂z = y − t.
  pairedDelta(output, target, scale, delta) {
    for (let p = 0; p < output.length; p++) delta[p] = scale * (output[p] - target[p]);
  },
  total(output, target) {
    let sum = 0;
    for (let p = 0; p < output.length; p++) {
      const y = output[p];
      const t = target[p];
      if (t !== 0) sum -= t * Math.log(Math.max(y, tiny));
      if (t !== 1) sum -= (1 - t) * Math.log(Math.max(1 - y, tiny));
    }
    return sum;
  },
  gradient(output, target, scale, dOut) {
    for (let p = 0; p < output.length; p++) {
      const y = output[p];
      dOut[p] = (scale * (y - target[p])) / Math.max(y * (1 - y), tiny);
    }
  },
};

export const losses: Readonly<Record<LossName, Loss>> = {
  "sum-of-squares": sumOfSquares,
  "cross-entropy": crossEntropy,
  "binary-cross-entropy": binaryCrossEntropy,
};

export function lossByName(name: string): Loss {
  return lookup(losses, name, "loss");
}
