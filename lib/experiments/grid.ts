/**
 * A grid of runs: batch sizes × learning rates × seeds, crossed with any other axis given as a
 * list (optimizers, reductions, lr scalings, budgets). Every combination becomes one RunConfig,
 * up to maxGridRuns of them.
 */
import type { ActivationName } from "../activations/activation.js";
import type { LossName, Reduction } from "../losses/loss.js";
import type { Init } from "../matrix/init.js";
import type { OptimizerName } from "../optimizers/optimizer.js";
import { ConfigError } from "../validate/validate.js";
import { type Budget, budgetSteps } from "../train/budget.js";
import { checkpointInterval, type DataConfig, firstPerRun, formatCount, type LrScaling, type RunConfig, scaleLr } from "./config.js";

export interface GridSpec {
  readonly data: DataConfig;
  readonly layers: readonly number[];
  /** Of the hidden layers. Default "sigmoid". */
  readonly activation?: ActivationName;
  /** Of the output layer. Default: `activation`. Written to a run only when it differs from it. */
  readonly outputActivation?: ActivationName;
  /** How weights and biases are drawn. Default "normal", written to a run only when it is not. */
  readonly init?: Init;
  readonly biasInit?: Init;
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
  /** B_simple measurements per run, at step 0 and then as many as `checkpoints` gives checkpoints. Default none. */
  readonly noiseScales?: number;
}

/**
 * The most runs one grid may hold: at a tenth of a second each, 10,000 runs take 17 minutes on
 * one core, and their plan stays a few MB. A larger study is several grids sharing one results file.
 */
export const maxGridRuns = 10_000;

/**
 * Throws a ConfigError naming the lists whose product exceeds maxGridRuns, from their lengths
 * alone: nothing is expanded (800 batch sizes × 1,000 seeds took 1.1 GB to plan before it was refused).
 */
export function checkGridSize(spec: GridSpec): void {
  const axes: [string, number][] = [
    ["batchSizes", spec.batchSizes.length],
    ["lrs", spec.lrs.length],
    ["seeds", typeof spec.seeds === "number" ? spec.seeds : spec.seeds.length],
    ["optimizers", spec.optimizers?.length ?? 1],
    ["reductions", spec.reductions?.length ?? 1],
    ["lrScalings", spec.lrScalings?.length ?? 1],
    ["budgets", spec.budgets.length],
  ];
  const runs = axes.reduce((product, [, length]) => product * length, 1);
  if (runs <= maxGridRuns) return;
  const lists = axes.filter(([, length]) => length > 1);
  throw new ConfigError(
    lists.map(([name]) => name),
    `${lists.map(([, length]) => formatCount(length)).join(" × ")} = ${formatCount(runs)} runs, more than the ${formatCount(maxGridRuns)} one grid may hold; split it into smaller grids (they may share one results file)`,
  );
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
  checkGridSize(spec);
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
    init = "normal",
    biasInit = "normal",
    noiseScales = 0,
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
                  ...(init !== "normal" && { init }),
                  ...(biasInit !== "normal" && { biasInit }),
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
                  ...(noiseScales > 0 && { noiseScaleEvery: checkpointInterval(steps, noiseScales) }),
                });
              }
  return runs;
}

/** The runs with duplicates (same key) removed, first occurrence kept. */
export function uniqueRuns(runs: readonly RunConfig[]): RunConfig[] {
  return firstPerRun(runs, (run) => run);
}
