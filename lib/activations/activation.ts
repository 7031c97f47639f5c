import { lookup } from "../validate/validate.js";

/**
 * An activation a = f(z), applied to rows of `width` values (a batch, or one sample: the same code).
 * `backward` turns ∂Loss/∂a into δ = ∂Loss/∂z: elementwise dAct ⊙ f′(z) for all but softmax,
 * whose Jacobian couples a row, so δ_i = a_i (g_i − Σ_j g_j a_j).
 */
export interface Activation {
  readonly name: ActivationName;
  forward(z: Float64Array, act: Float64Array, width: number): void;
  backward(z: Float64Array, act: Float64Array, dAct: Float64Array, delta: Float64Array, width: number): void;
}

export type ActivationName = "sigmoid" | "tanh" | "relu" | "identity" | "softmax";

/** σ(z) = 1 / (1 + e^−z), σ′ = σ(1 − σ): the seeds' activation (paper §1, §2.3). */
export const sigmoid: Activation = {
  name: "sigmoid",
  forward(z, act) {
    for (let p = 0; p < z.length; p++) act[p] = 1 / (1 + Math.exp(-z[p]));
  },
  backward(_z, act, dAct, delta) {
    for (let p = 0; p < act.length; p++) delta[p] = dAct[p] * act[p] * (1 - act[p]);
  },
};

export const tanh: Activation = {
  name: "tanh",
  forward(z, act) {
    for (let p = 0; p < z.length; p++) act[p] = Math.tanh(z[p]);
  },
  backward(_z, act, dAct, delta) {
    for (let p = 0; p < act.length; p++) delta[p] = dAct[p] * (1 - act[p] * act[p]);
  },
};

/** max(0, z); its derivative at 0 is taken as 0. */
export const relu: Activation = {
  name: "relu",
  forward(z, act) {
    for (let p = 0; p < z.length; p++) act[p] = z[p] > 0 ? z[p] : 0;
  },
  backward(z, _act, dAct, delta) {
    for (let p = 0; p < z.length; p++) delta[p] = z[p] > 0 ? dAct[p] : 0;
  },
};

export const identity: Activation = {
  name: "identity",
  forward(z, act) {
    act.set(z);
  },
  backward(_z, _act, dAct, delta) {
    delta.set(dAct);
  },
};

/** Row-wise softmax, shifted by the row maximum so e^z never overflows. */
export const softmax: Activation = {
  name: "softmax",
  forward(z, act, width) {
    for (let r = 0; r < z.length; r += width) {
      let max = -Infinity;
      for (let j = r; j < r + width; j++) if (z[j] > max) max = z[j];
      let sum = 0;
      for (let j = r; j < r + width; j++) sum += act[j] = Math.exp(z[j] - max);
      for (let j = r; j < r + width; j++) act[j] /= sum;
    }
  },
  backward(_z, act, dAct, delta, width) {
    for (let r = 0; r < act.length; r += width) {
      let dot = 0;
      for (let j = r; j < r + width; j++) dot += dAct[j] * act[j];
      for (let j = r; j < r + width; j++) delta[j] = act[j] * (dAct[j] - dot);
    }
  },
};

export const activations: Readonly<Record<ActivationName, Activation>> = { sigmoid, tanh, relu, identity, softmax };

export function activationByName(name: string, field = "activation"): Activation {
  return lookup(activations, name, field, "activation");
}
