/**
 * The noise-scale set of notebook 11 (`npm run experiment -- --set noise-scale`, into
 * results/noise-scale.jsonl): the steps a batch size B needs to reach a test accuracy with η tuned
 * per B, for SGD and Adam (the curve of Shallue et al. 2019, whose bend is McCandlish's B_crit), and
 * the gradient noise scale B_simple measured over training on the seeds' set-up and a
 * well-conditioned one. A set of its own, not part of the default set, so the first `npm start`
 * keeps its budget; the site build runs it after the default set.
 *
 * Cost (2-core machine, relaxed-SIMD kernel, sparse inputs; lib/experiments/cost.ts): 174 runs,
 * about 400 CPU seconds, so about 3½ minutes on 2 idle cores; by the cost model over half of it is the 41 evaluations of a
 * steps-to-target run, and each of the six noise runs measures for about five times its training time.
 */
import type { OptimizerName } from "../optimizers/optimizer.js";
import type { DataConfig, RunConfig } from "./config.js";
import type { Experiment } from "./defaults.js";
import { expandGrid, type GridSpec } from "./grid.js";

const seeds = 3;
const data: DataConfig = { name: "digits", train: 8000, test: 2000, seed: 0 };

/**
 * The well-conditioned set-up: softmax outputs under cross-entropy (δ = y − t, no saturating
 * output), Xavier weights and zero biases, so no unit starts saturated.
 */
const conditioned = { activation: "sigmoid", outputActivation: "softmax", loss: "cross-entropy", init: "xavier", biasInit: "zeros" } as const;

/** The seeds' set-up: sigmoid throughout, sum of squares, N(0, 1) weights and biases. */
const seedsSetup = { activation: "sigmoid", loss: "sum-of-squares" } as const;

/** Batch sizes of the steps-to-target curves: 4 to 1024 by doublings for SGD, by fourfolds for Adam. */
export const noiseBatchSizes: readonly number[] = [4, 8, 16, 32, 64, 128, 256, 512, 1024];
const adamBatchSizes: readonly number[] = [4, 16, 64, 256, 1024];

/**
 * Enough to pass 92% test accuracy at every B with a tuned η, as a pilot run found: 40,000 samples
 * (five epochs) where small batches need many steps, at least 200 steps where large ones need few.
 */
function budgetFor(batchSize: number): { steps: number } {
  return { steps: Math.max(200, Math.ceil(40_000 / batchSize)) };
}

/**
 * The η grid of a batch size: four half-decades around its best, which grows with B (pilot runs:
 * SGD 0.1 at B = 1, 1 at 16, 3 at 256 and 1024; Adam 0.003 at 4, 0.01 at 16, 0.03 from 256).
 * Notebook 11 reports any best η at its grid's edge.
 */
function lrsFor(optimizer: OptimizerName, batchSize: number): number[] {
  if (optimizer === "adam") {
    if (batchSize <= 4) return [0.0003, 0.001, 0.003, 0.01];
    return batchSize <= 16 ? [0.001, 0.003, 0.01, 0.03] : [0.003, 0.01, 0.03, 0.1];
  }
  return batchSize <= 8 ? [0.1, 0.3, 1, 3] : [0.3, 1, 3, 10];
}

function curve(optimizer: OptimizerName, batchSizes: readonly number[]): RunConfig[] {
  return batchSizes.flatMap((batchSize) =>
    grid({ ...conditioned, optimizers: [optimizer], batchSizes: [batchSize], lrs: lrsFor(optimizer, batchSize), budgets: [budgetFor(batchSize)], checkpoints: 40 }),
  );
}

function grid(spec: Omit<GridSpec, "data" | "layers" | "seeds" | "lastBatch" | "baseBatch">): RunConfig[] {
  return expandGrid({ data, layers: [784, 30, 10], seeds, lastBatch: "drop", baseBatch: 10, ...spec });
}

/** The noise-scale experiments, in the order notebook 11 reads them. */
export function noiseScaleExperiments(): Experiment[] {
  return [
    {
      id: "noise-over-training",
      title: "B_simple over training",
      question:
        "B = 16 for 5 epochs, B_simple over the 8,000 training digits at 25 points: the seeds' set-up (sigmoid, sum of squares, N(0, 1), SGD η = 3) " +
        "and a well-conditioned one (softmax with cross-entropy, Xavier weights, zero biases, SGD η = 1). Does the noise scale grow as the loss falls?",
      runs: [
        ...grid({ ...seedsSetup, batchSizes: [16], lrs: [3], budgets: [{ epochs: 5 }], checkpoints: 25, noiseScales: 25 }),
        ...grid({ ...conditioned, batchSizes: [16], lrs: [1], budgets: [{ epochs: 5 }], checkpoints: 25, noiseScales: 25 }),
      ],
    },
    {
      id: "steps-to-target-sgd",
      title: "Steps to a target accuracy against B, SGD with η tuned per B",
      question:
        "The well-conditioned set-up, plain SGD, B from 4 to 1024, four η per B: at each B, the fewest steps any η takes to reach a test accuracy. " +
        "Perfect scaling halves the steps when B doubles; past the critical batch size the steps stop falling.",
      runs: curve("sgd", noiseBatchSizes),
    },
    {
      id: "steps-to-target-adam",
      title: "Steps to a target accuracy against B, Adam with η tuned per B",
      question: "The same curve for Adam at B = 4, 16, 64, 256, 1024: does an adaptive optimizer move the critical batch size?",
      runs: curve("adam", adamBatchSizes),
    },
  ];
}
