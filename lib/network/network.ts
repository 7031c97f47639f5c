import { type Activation, type ActivationName, activationByName } from "../activations/activation.js";
import { type Init, randomMatrix } from "../matrix/init.js";
import { Matrix } from "../matrix/matrix.js";
import { concatenate } from "../matrix/ops.js";
import { createRng, type Rng } from "../random/rng.js";

/** A dense layer: z = act·weights + bias (weights n_in×n_out, bias n_out), a = f(z). */
export interface Layer {
  readonly weights: Matrix;
  readonly bias: Float64Array;
  readonly activation: Activation;
}

export interface Network {
  readonly layers: readonly Layer[];
}

export interface NetworkOptions {
  /** Widths from input to output, e.g. [784, 30, 10]: at least two. */
  sizes: readonly number[];
  /** Activation of the hidden layers. Default sigmoid, as in the seeds. */
  activation?: ActivationName;
  /** Activation of the output layer. Default: the hidden one. */
  outputActivation?: ActivationName;
  /** How weights are drawn. Default "normal", N(0, 1), Nielsen's choice. */
  init?: Init;
  /** How biases are drawn. Default "normal", N(0, 1), Nielsen's choice. */
  biasInit?: Init;
  /** The generator, or a seed for one. Default seed 0. */
  rng?: Rng | number;
}

export function createNetwork(options: NetworkOptions): Network {
  const { sizes, activation = "sigmoid", init = "normal", biasInit = "normal" } = options;
  const outputActivation = options.outputActivation ?? activation;
  if (sizes.length < 2 || !sizes.every((n) => Number.isInteger(n) && n > 0)) {
    throw new RangeError(`createNetwork: sizes must be two or more positive integers, got [${sizes.join(", ")}]`);
  }
  const rng = typeof options.rng === "object" ? options.rng : createRng(options.rng ?? 0);
  const hidden = activationByName(activation);
  const output = activationByName(outputActivation, "outputActivation");
  const layers = sizes.slice(1).map((nOut, l) => ({
    weights: randomMatrix(sizes[l], nOut, init, rng),
    bias: randomMatrix(1, nOut, biasInit, rng).data,
    activation: l === sizes.length - 2 ? output : hidden,
  }));
  return { layers };
}

/** Widths from input to output. */
export function sizesOf(net: Network): number[] {
  return [net.layers[0].weights.rows, ...net.layers.map((layer) => layer.weights.cols)];
}

/** A deep copy: same numbers, separate storage. */
export function cloneNetwork(net: Network): Network {
  return {
    layers: net.layers.map((layer) => ({
      weights: layer.weights.clone(),
      bias: layer.bias.slice(),
      activation: layer.activation,
    })),
  };
}

/** Every parameter array, in the order optimizers and gradients use: W₁, b₁, W₂, b₂, … */
export function parameters(net: Network): Float64Array[] {
  return net.layers.flatMap((layer) => [layer.weights.data, layer.bias]);
}

/** Every parameter in one vector, in the order of `parameters(net)`: a copy, for comparing whole networks. */
export function parameterVector(net: Network): Float64Array {
  return concatenate(parameters(net));
}
