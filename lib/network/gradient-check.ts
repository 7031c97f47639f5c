import { centralDifferences } from "../check/finite-differences.js";
import type { Matrix } from "../matrix/matrix.js";
import { relativeDifference } from "../matrix/ops.js";
import { computeGradients } from "./backward.js";
import { gradientArrays, type Gradients } from "./gradients.js";
import { type Network, parameters } from "./network.js";
import { batchLoss, type Objective } from "./objective.js";
import { createPass, forward } from "./pass.js";

export interface GradientCheckOptions {
  /** Step of the central difference. Default 1e-5. */
  h?: number;
  /** The analytic gradient to check. Default: the vectorized backward pass. */
  gradients?: Gradients;
}

export interface GradientCheckResult {
  /** The largest |a − n| / max(|a|, |n|) over every parameter (0 where both are 0). */
  maxRelativeError: number;
  /** Where it occurred: layer (from 0), weights or bias, flat index, both values. */
  worst: { layer: number; parameter: "weights" | "bias"; index: number; analytic: number; numeric: number };
  /** How many parameters were checked. */
  checked: number;
}

/**
 * Checks an analytic gradient against central finite differences, (L(θ + h) − L(θ − h)) / 2h,
 * for every parameter, biases included. The network is restored exactly afterwards.
 */
export function gradientCheck(net: Network, input: Matrix, target: Matrix, objective: Objective, options: GradientCheckOptions = {}): GradientCheckResult {
  const { h = 1e-5 } = options;
  const analytic = gradientArrays(options.gradients ?? computeGradients(net, input, target, objective).grads);
  const params = parameters(net);
  const pass = createPass(net, input.rows);
  const lossAt = () => batchLoss(forward(net, input, pass), target, objective);
  const result: GradientCheckResult = {
    maxRelativeError: 0,
    worst: { layer: 0, parameter: "weights", index: 0, analytic: 0, numeric: 0 },
    checked: 0,
  };
  params.forEach((theta, a) => {
    const numerics = centralDifferences(theta, lossAt, h);
    for (let p = 0; p < theta.length; p++) {
      const numeric = numerics[p];
      const exact = analytic[a][p];
      const error = relativeDifference(exact, numeric);
      result.checked++;
      if (error > result.maxRelativeError || Number.isNaN(error)) {
        result.maxRelativeError = error;
        result.worst = { layer: a >> 1, parameter: a % 2 === 0 ? "weights" : "bias", index: p, analytic: exact, numeric };
      }
    }
  });
  return result;
}
