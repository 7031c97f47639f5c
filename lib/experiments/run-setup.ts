/**
 * What a run's configuration stands for: its network, with the weights its seed gives, and the
 * options of train(). Browser-safe: `runOne` (Node) and the site's playground start a run through
 * these, so the same configuration trains the same way, and makes the same record, in both.
 */
import { createNetwork, type Network } from "../network/network.js";
import type { TrainOptions } from "../train/options.js";
import type { RunConfig } from "./config.js";

/** The network a run starts from: its widths and activations, its weights from `createRng(seed)`. */
export function runNetwork(config: RunConfig): Network {
  return createNetwork({ sizes: config.layers, activation: config.activation, outputActivation: config.outputActivation, init: config.init, biasInit: config.biasInit, rng: config.seed });
}

/** train()'s options for the run (the shuffles also from its seed); the caller adds its test set and callbacks. */
export function runTrainOptions(config: RunConfig): TrainOptions {
  return {
    loss: config.loss,
    reduction: config.reduction,
    optimizer: { name: config.optimizer, lr: config.lr },
    batchSize: config.batchSize,
    budget: config.budget,
    seed: config.seed,
    lastBatch: config.lastBatch,
    recordEvery: config.recordEvery,
    ...(config.noiseScaleEvery !== undefined && { noiseScaleEvery: config.noiseScaleEvery }),
  };
}
