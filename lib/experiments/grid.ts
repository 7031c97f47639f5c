/**
 * A grid of runs: batch sizes × learning rates × seeds, crossed with any other axis given as a
 * list (optimizers, reductions, lr scalings, budgets). Every combination becomes one RunConfig.
 */
import type { ActivationName } from "../activations/activation.js";
import type { LossName, Reduction } from "../losses/loss.js";
import type { OptimizerName } from "../optimizers/optimizer.js";
import type { Budget } from "../train/train.js";
import { budgetSteps, checkpointInterval, type DataConfig, firstPerRun, type LrScaling, type RunConfig, scaleLr } from "./config.js";

export interface GridSpec {
  readonly data: DataConfig;
  readonly layers: readonly number[];
  /** Of the hidden layers. Default "sigmoid". */
  readonly activation?: ActivationName;
  /** Of the output layer. Default: `activation`. Written to a run only when it differs from it. */
  readonly outputActivation?: ActivationName;
  /** Default "sum-of-squares". */
  readonly loss?: LossName;
  /** Default ["mean"]. */
  readonly reductions?: readonly Reduction[];
  /** Default ["sgd"]. */
  readonly optimizers?: readonly OptimizerName[];
  readonly batchSizes: readonly number[];
  /** Learning rates before scaling. */
  readonly lrs: readonly number[];
  /** Default ["none"]. */
  readonly lrScalings?: readonly LrScaling[];
  /** B₀ of the scaling. Default 10. */
  readonly baseBatch?: number;
  readonly budgets: readonly Budget[];
  /** The seeds, or how many (0, 1, …, n − 1). */
  readonly seeds: number | readonly number[];
  /** Default "partial", train()'s default. */
  readonly lastBatch?: "partial" | "drop";
  /** Checkpoints per run: a run gets between this and twice as many. Default 20. */
  readonly checkpoints?: number;
}

/** The seeds a spec names: a list as given, or a count n as 0 … n − 1. */
function seedList(seeds: number | readonly number[]): number[] {
  return typeof seeds === "number" ? Array.from({ length: seeds }, (_, i) => i) : [...seeds];
}

/**
 * Every run of the grid, in a fixed order (budget, optimizer, reduction, scaling, batch size,
 * learning rate, seed), each with its learning rate scaled to its batch size.
 */
export function expandGrid(spec: GridSpec): RunConfig[] {
  const {
    data,
    layers,
    activation = "sigmoid",
    outputActivation = activation,
    loss = "sum-of-squares",
    reductions = ["mean"],
    optimizers = ["sgd"],
    lrScalings = ["none"],
    baseBatch = 10,
    lastBatch = "partial",
    checkpoints = 20,
  } = spec;
  const runs: RunConfig[] = [];
  for (const budget of spec.budgets)
    for (const optimizer of optimizers)
      for (const reduction of reductions)
        for (const lrScaling of lrScalings)
          for (const batchSize of spec.batchSizes)
            for (const baseLr of spec.lrs)
              for (const seed of seedList(spec.seeds)) {
                const steps = budgetSteps(budget, data.train, batchSize, lastBatch);
                runs.push({
                  data,
                  layers: [...layers],
                  activation,
                  ...(outputActivation !== activation && { outputActivation }),
                  loss,
                  reduction,
                  optimizer,
                  batchSize,
                  lr: scaleLr(baseLr, batchSize, lrScaling, baseBatch),
                  baseLr,
                  lrScaling,
                  baseBatch,
                  budget,
                  seed,
                  lastBatch,
                  recordEvery: checkpointInterval(steps, checkpoints),
                });
              }
  return runs;
}

/** The runs with duplicates (same key) removed, first occurrence kept. */
export function uniqueRuns(runs: readonly RunConfig[]): RunConfig[] {
  return firstPerRun(runs, (run) => run);
}
