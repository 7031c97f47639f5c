/**
 * What train() takes and gives back: its options, checked once with their defaults (every way of
 * training starts from checkTrainOptions: train(), a session, the worker threads), the records it
 * makes and its result.
 */
import { type Dataset, validateDataset } from "../data/dataset.js";
import { type LossName, lossByName, type Reduction, reductions } from "../losses/loss.js";
import { density, sparseDensityLimit } from "../matrix/sparse.js";
import { type Network, sizesOf } from "../network/network.js";
import type { Objective } from "../network/objective.js";
import { createOptimizer, type Optimizer, type OptimizerOptions } from "../optimizers/optimizer.js";
import { checkBatchSize, keyword } from "../validate/validate.js";
import { type Budget, checkBudget } from "./budget.js";
import type { GpuHandle } from "../gpu/device.js";
import type { NoiseScaleRecord } from "./noise-scale.js";

/** Where a run's steps happen: this thread's float64 library, or a WebGPU device in float32. */
export type Backend = "cpu" | "webgpu";
export const backends: readonly Backend[] = ["cpu", "webgpu"];

export interface TrainOptions {
  /** Default "sum-of-squares", the seeds' loss. */
  loss?: LossName;
  /** Default "mean". */
  reduction?: Reduction;
  /** An optimizer, or how to make one. Default plain SGD with η = 3 (Nielsen's 784-30-10 set-up). */
  optimizer?: Optimizer | OptimizerOptions;
  /** Samples per step, B. Default 10. */
  batchSize?: number;
  /** Default one epoch. */
  budget?: Budget;
  /** Seeds the shuffle of every epoch. Default 0. */
  seed?: number;
  /**
   * What to do with the N mod B samples left at the end of an epoch: "partial" (default) takes a
   * last, smaller step over them, so every sample is seen once per epoch (with mean reduction that
   * step averages over its own rows); "drop" skips them, so every step has exactly B samples.
   */
  lastBatch?: "partial" | "drop";
  /** Held-out data evaluated at each record. */
  test?: Dataset;
  /** Also record every this many steps (0: only at epoch ends and at the end). Default 0. */
  recordEvery?: number;
  /**
   * Also measure the gradient noise scale B_simple over the whole training set (gradientNoiseScale)
   * before the first step and every this many steps (0: never). Each measurement costs two to three
   * evaluations of the training set; their time is TrainResult.noiseScaleSeconds, outside `seconds`. Default 0.
   */
  noiseScaleEvery?: number;
  /**
   * Skip the inputs' exact zeros in the first layer's products (vectorized gradients only): the
   * same numbers within rounding, faster for sparse inputs such as MNIST's digits. Default: on when
   * at most sparseDensityLimit of the training inputs are nonzero.
   */
  sparseInputs?: boolean;
  /** "vectorized" (default) or "per-sample", the loop over batch items the seeds compare against. */
  gradients?: "vectorized" | "per-sample";
  /**
   * Threads computing each batch's gradient, each a shard of the batch on the same weights
   * (CLAIMS.md claim 10). Node only: the train of batchprop (lib/train/parallel.ts) takes it, the
   * train of batchprop/core refuses it. Default: this thread alone.
   */
  workers?: number;
  /** "cpu" (the default): the float64 library. For the GPU, train() takes GpuTrainOptions (backend "webgpu") and returns a Promise. */
  backend?: "cpu";
  /** Called after every step. */
  onProgress?: (progress: TrainProgress) => void;
  /** Called with each record as it is made: at epoch ends and at checkpoints (the same record may be both). */
  onRecord?: (record: TrainRecord, kind: "epoch" | "checkpoint") => void;
  /** Stops the run cleanly after the current step when aborted (on the GPU, after the steps already sent: at most 128); the result says so. */
  signal?: AbortSignal;
}

/**
 * train() on a WebGPU device (lib/gpu/): every step on the device in float32, the weights read back
 * into `net` at records and at the end. The CPU's threads, per-sample loop and sparse first layer
 * do not apply. An optimizer object given here lends its rule, settings and η; its state (Adam's t
 * and moments, velocities) starts afresh on the device and is not written back.
 */
export type GpuTrainOptions = Omit<TrainOptions, "backend" | "workers" | "gradients" | "sparseInputs"> & {
  backend: "webgpu";
  /** The device to train on; default one opened for the run (navigator.gpu, or Dawn in Node) and closed after it. */
  gpu?: GpuHandle;
};

export interface TrainProgress {
  epoch: number;
  step: number;
  totalSteps: number;
  /** The step's loss as a mean per sample. */
  batchLoss: number;
}

/** The state of training at one moment. Losses are mean per-sample losses, whatever the reduction. */
export interface TrainRecord {
  /** Epochs completed, fractional between epoch ends. */
  epoch: number;
  step: number;
  samples: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss?: number;
  testAccuracy?: number;
  /** Training time so far, evaluation excluded. */
  seconds: number;
}

export interface TrainResult {
  /** A record at the end of each whole epoch. */
  epochs: TrainRecord[];
  /** A record every `recordEvery` steps and at the end of the run. */
  checkpoints: TrainRecord[];
  steps: number;
  samples: number;
  /** Training time, evaluation excluded. */
  seconds: number;
  /** The gemm kernel every matrix product of the run went through (lib/matrix/kernels.ts). */
  kernel: string;
  /** Whether the first layer's products skipped the inputs' zeros (TrainOptions.sparseInputs). */
  sparse: boolean;
  /** Threads that computed each batch's gradient: 1, or the `workers` of batchprop's Node train (lib/train/parallel.ts). */
  workers: number;
  /** Where the steps ran; with "webgpu", `adapter` names the GPU. */
  backend: Backend;
  adapter?: string;
  /**
   * Set when a loss or an evaluation stopped being finite: the run ends there, its results so far
   * kept. `step` is the first step that could not be taken, `epoch` the epoch it belongs to (from 1),
   * `lastFiniteLoss` the last finite batch loss (per sample), null if there was none.
   */
  diverged?: { epoch: number; step: number; lastFiniteLoss: number | null };
  /** Set when the run was stopped by its signal. */
  aborted?: boolean;
  /** With noiseScaleEvery: B_simple at step 0 and every noiseScaleEvery steps, and the seconds they took in all. */
  noiseScales?: NoiseScaleRecord[];
  noiseScaleSeconds?: number;
}

/** train()'s options with their defaults, each checked: what every way of training starts from. */
export interface CheckedOptions {
  readonly reduction: Reduction;
  readonly batchSize: number;
  readonly budget: Budget;
  readonly seed: number;
  readonly lastBatch: "partial" | "drop";
  readonly recordEvery: number;
  readonly noiseScaleEvery: number;
  readonly gradients: "vectorized" | "per-sample";
  readonly test: Dataset | undefined;
  readonly objective: Objective;
  readonly optimizer: Optimizer;
  /** Whether the first layer skips the inputs' zeros (TrainOptions.sparseInputs, or its default). */
  readonly sparse: boolean;
}

/** Throws a ConfigError (or RangeError) naming the first option of `options` that cannot train `net` on `data`. */
export function checkTrainOptions(net: Network, data: Dataset, options: TrainOptions): CheckedOptions {
  const {
    reduction = "mean",
    batchSize = 10,
    budget = { epochs: 1 },
    seed = 0,
    lastBatch = "partial",
    recordEvery = 0,
    noiseScaleEvery = 0,
    gradients = "vectorized",
    test,
  } = options;
  const loss = lossByName(options.loss ?? "sum-of-squares");
  keyword(reduction, "reduction", reductions);
  const optimizer = toOptimizer(options.optimizer ?? { name: "sgd", lr: 3 });
  checkData(net, data, "training data");
  if (test !== undefined) checkData(net, test, "test data");
  const n = data.inputs.rows;
  checkBatchSize(batchSize, n, data.name);
  keyword(gradients, "gradients", ["vectorized", "per-sample"], "gradient computation");
  if (options.sparseInputs !== undefined && typeof options.sparseInputs !== "boolean") {
    throw new RangeError(`train: sparseInputs must be true or false, got ${JSON.stringify(options.sparseInputs)}`);
  }
  keyword(lastBatch, "lastBatch", ["partial", "drop"], "last batch");
  if (!Number.isInteger(recordEvery) || recordEvery < 0) throw new RangeError(`train: recordEvery must be a non-negative integer, got ${recordEvery}`);
  if (!Number.isInteger(noiseScaleEvery) || noiseScaleEvery < 0) throw new RangeError(`train: noiseScaleEvery must be a non-negative integer, got ${noiseScaleEvery}`);
  if (noiseScaleEvery > 0 && n < 2) throw new RangeError(`train: noiseScaleEvery needs at least 2 training samples, got ${n}`);
  checkBudget(budget);
  const sparse = gradients === "vectorized" && (options.sparseInputs ?? density(data.inputs) <= sparseDensityLimit);
  return { reduction, batchSize, budget, seed, lastBatch, recordEvery, noiseScaleEvery, gradients, test, objective: { loss, reduction }, optimizer, sparse };
}

function toOptimizer(optimizer: Optimizer | OptimizerOptions): Optimizer {
  return "step" in optimizer ? optimizer : createOptimizer(optimizer);
}

function checkData(net: Network, data: Dataset, what: string): void {
  validateDataset(data);
  const sizes = sizesOf(net);
  const nOut = sizes[sizes.length - 1];
  if (data.inputs.cols !== sizes[0]) {
    throw new RangeError(`train: ${what} has ${data.inputs.cols} inputs per row, the network's first layer takes ${sizes[0]}`);
  }
  if (data.targets.cols !== nOut) {
    throw new RangeError(`train: ${what} has labels ${data.targets.cols} wide, the network has ${nOut} outputs`);
  }
}
