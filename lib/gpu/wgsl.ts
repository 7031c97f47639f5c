/**
 * The library's math in WGSL (float32): each activation's f and f′, each loss's ℓ, ∂ℓ/∂y and paired
 * δ, and each optimizer's update, as the source lines the kernels (lib/gpu/kernels.ts) splice in.
 * Each mirrors its float64 original in lib/activations, lib/losses and lib/optimizers line for line.
 */
import type { ActivationName } from "../activations/activation.js";
import type { LossName } from "../losses/loss.js";
import type { OptimizerName } from "../optimizers/optimizer.js";

/** An elementwise activation: `forward` turns z into a, `derivative` is f′ from z and a. */
export const elementwise: Readonly<Record<Exclude<ActivationName, "softmax">, { forward: string; derivative: string }>> = {
  // exp(−z) overflows to +inf for z < −88 in float32, and 1 / (1 + inf) is the 0 that float64 rounds to.
  sigmoid: { forward: "1.0 / (1.0 + exp(-z))", derivative: "a * (1.0 - a)" },
  // tanh(z) is NaN past |z| ≈ 44 on SwiftShader (e^2z overflows in its quotient); float32's tanh is ±1 from |z| = 9 on, so
  // |z| ≤ 15 loses nothing. A NaN z stays NaN, as the CPU's Math.tanh keeps it.
  tanh: { forward: "select(tanh(clamp(z, -15.0, 15.0)), z, (bitcast<u32>(z) & 0x7fffffffu) > 0x7f800000u)", derivative: "1.0 - a * a" },
  relu: { forward: "max(z, 0.0)", derivative: "select(0.0, 1.0, z > 0.0)" },
  identity: { forward: "z", derivative: "1.0" },
};

/**
 * A loss over one row of `width` outputs y and targets t, as WGSL statements: `total` adds ℓ to
 * `sum`; `gradient` sets `g` = ∂ℓ/∂y_j; `paired` sets `d` = ∂ℓ/∂z_j through the activation it pairs
 * with (`rowTargets` is Σ_j t_j, computed when needed).
 */
export interface WgslLoss {
  readonly total: string;
  readonly gradient: string;
  readonly pairsWith?: ActivationName;
  readonly paired?: string;
}

/** Where float32 keeps log(y) and 1/y finite for a probability that underflowed: the smallest normal float32. */
const tiny = "1.17549435e-38";

export const wgslLosses: Readonly<Record<LossName, WgslLoss>> = {
  "sum-of-squares": {
    total: "let e = t - y; sum += e * e / 2.0;",
    gradient: "g = y - t;",
  },
  "cross-entropy": {
    total: `if (t != 0.0) { sum -= t * log(max(y, ${tiny})); }`,
    gradient: `g = -t / max(y, ${tiny});`,
    pairsWith: "softmax",
    paired: "d = y * rowTargets - t;",
  },
  "binary-cross-entropy": {
    total: `if (t != 0.0) { sum -= t * log(max(y, ${tiny})); } if (t != 1.0) { sum -= (1.0 - t) * log(max(1.0 - y, ${tiny})); }`,
    gradient: `g = (y - t) / max(y * (1.0 - y), ${tiny});`,
    pairsWith: "sigmoid",
    paired: "d = y - t;",
  },
};

/**
 * An optimizer's update of parameter p from its gradient g, with the step's η (`now.lr`) and, for
 * Adam, its bias corrections (`now.c1`, `now.c2`), over `slots` state arrays s0, s1. "gradient"
 * is not an optimizer: it stores g in s0 and leaves θ, for reading one batch's gradient back.
 */
export type WgslRule = OptimizerName | "gradient";

export const wgslRules: Readonly<Record<WgslRule, { slots: number; update: (settings: { momentum: number; beta1: number; beta2: number; epsilon: number }) => string }>> = {
  sgd: { slots: 0, update: () => "theta[p] -= now.lr * g;" },
  momentum: { slots: 1, update: ({ momentum }) => `let v = ${f32(momentum)} * s0[p] + g; s0[p] = v; theta[p] -= now.lr * v;` },
  adagrad: { slots: 1, update: ({ epsilon }) => `let s = s0[p] + g * g; s0[p] = s; theta[p] -= now.lr * g / (sqrt(s) + ${f32(epsilon)});` },
  adam: {
    slots: 2,
    update: ({ beta1, beta2, epsilon }) =>
      `let mean = ${f32(beta1)} * s0[p] + ${f32(1 - beta1)} * g; let square = ${f32(beta2)} * s1[p] + ${f32(1 - beta2)} * g * g; ` +
      `s0[p] = mean; s1[p] = square; theta[p] -= now.lr * (mean / now.c1) / (sqrt(square / now.c2) + ${f32(epsilon)});`,
  },
  gradient: { slots: 1, update: () => "s0[p] = g;" },
};

/** A number as a WGSL f32 literal (always with a point or exponent). */
export function f32(value: number): string {
  const text = String(Math.fround(value));
  return /[.e]/.test(text) ? text : `${text}.0`;
}
