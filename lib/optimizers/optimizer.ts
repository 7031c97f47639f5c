import { checkLr, ConfigError, lookup } from "../validate/validate.js";

/**
 * An update rule θ ← θ − (a step computed from the gradient g), applied to every parameter
 * array in place (the paper's §2.4 for plain SGD; claim 11 brings in Adagrad and Adam).
 * State (velocities, squared-gradient sums) is per optimizer, allocated at the first step.
 */
export interface Optimizer {
  readonly name: OptimizerName;
  /** η, which may change between steps (the playground's slider): velocities and moments are kept. */
  lr: number;
  step(params: readonly Float64Array[], grads: readonly Float64Array[]): void;
  /** The rule's settings, for whoever runs the same rule elsewhere (the GPU backend); createOptimizer's optimizers have them. */
  readonly settings?: OptimizerSettings;
}

/** A rule's settings besides η, each with its default filled in. */
export type OptimizerSettings = Readonly<Required<Omit<OptimizerOptions, "name" | "lr">>>;

export type OptimizerName = "sgd" | "momentum" | "adagrad" | "adam";

export interface OptimizerOptions {
  name: OptimizerName;
  /** The learning rate η: a positive finite number. */
  lr: number;
  /** Momentum's μ. Default 0.9. */
  momentum?: number;
  /** Adam's β₁ and β₂. Defaults 0.9 and 0.999 (Kingma & Ba 2015). */
  beta1?: number;
  beta2?: number;
  /** Added to the denominators of Adagrad and Adam. Default 1e-8. */
  epsilon?: number;
}

/** One parameter array's update: θ and g, the rule's `slots` state arrays for it, t, the step from 1, and η now. */
type Update = (theta: Float64Array, g: Float64Array, state: Float64Array[], t: number, lr: number) => void;

/** An update rule: the state arrays it keeps per parameter, and its update under checked settings. */
interface Rule {
  readonly slots: number;
  readonly update: (settings: OptimizerSettings) => Update;
}

const rules: Readonly<Record<OptimizerName, Rule>> = {
  sgd: {
    slots: 0,
    update: () => (theta, g, _state, _t, lr) => {
      for (let p = 0; p < theta.length; p++) theta[p] -= lr * g[p];
    },
  },
  momentum: {
    slots: 1,
    update: ({ momentum }) => (theta, g, [v], _t, lr) => {
      for (let p = 0; p < theta.length; p++) {
        v[p] = momentum * v[p] + g[p];
        theta[p] -= lr * v[p];
      }
    },
  },
  adagrad: {
    slots: 1,
    update: ({ epsilon }) => (theta, g, [sumSq], _t, lr) => {
      for (let p = 0; p < theta.length; p++) {
        sumSq[p] += g[p] * g[p];
        theta[p] -= (lr * g[p]) / (Math.sqrt(sumSq[p]) + epsilon);
      }
    },
  },
  adam: {
    slots: 2,
    update: ({ beta1, beta2, epsilon }) => (theta, g, [m, v], t, lr) => {
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      for (let p = 0; p < theta.length; p++) {
        m[p] = beta1 * m[p] + (1 - beta1) * g[p];
        v[p] = beta2 * v[p] + (1 - beta2) * g[p] * g[p];
        theta[p] -= (lr * (m[p] / c1)) / (Math.sqrt(v[p] / c2) + epsilon);
      }
    },
  },
};

export const optimizerNames = Object.keys(rules) as readonly OptimizerName[];

export function createOptimizer(options: OptimizerOptions): Optimizer {
  const { name, lr, momentum = 0.9, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = options;
  const rule = lookup(rules, name, "optimizer");
  checkLr(lr);
  for (const [what, value] of [["momentum", momentum], ["beta1", beta1], ["beta2", beta2]] as const) {
    if (!(value >= 0 && value < 1)) throw new ConfigError(what, `must be in [0, 1), got ${value}`);
  }
  if (!(epsilon > 0 && Number.isFinite(epsilon))) throw new ConfigError("epsilon", `must be a positive finite number, got ${epsilon}`);
  const settings = { momentum, beta1, beta2, epsilon };
  return stateful(name, lr, rule.slots, rule.update(settings), settings);
}

/** An optimizer whose rule keeps `slots` arrays per parameter; t counts steps from 1; η may be set between steps. */
function stateful(name: OptimizerName, initialLr: number, slots: number, update: Update, settings: OptimizerSettings): Optimizer {
  let lr = initialLr;
  let state: Float64Array[][] = [];
  let owner: readonly Float64Array[] = [];
  let t = 0;
  return {
    name,
    settings,
    get lr() {
      return lr;
    },
    set lr(value: number) {
      checkLr(value);
      lr = value;
    },
    step(params, grads) {
      if (params.length !== grads.length) {
        throw new RangeError(`${name}: ${params.length} parameter arrays but ${grads.length} gradients`);
      }
      if (t === 0) {
        owner = [...params];
        state = params.map((theta) => Array.from({ length: slots }, () => new Float64Array(theta.length)));
      } else if (params.length !== owner.length || params.some((theta, i) => theta !== owner[i])) {
        // Its velocities or moments belong to the parameters it first stepped.
        throw new RangeError(`${name}: this optimizer already steps another network's parameters; make one optimizer per network`);
      }
      t++;
      params.forEach((theta, i) => {
        if (grads[i].length !== theta.length) {
          throw new RangeError(`${name}: parameter ${i} has ${theta.length} values, its gradient ${grads[i].length}`);
        }
        update(theta, grads[i], state[i], t, lr);
      });
    },
  };
}
