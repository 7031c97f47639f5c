import { type Dataset, validateDataset } from "../data/dataset.js";
import { type LossName, lossByName, type Reduction, reductions, reductionScale } from "../losses/loss.js";
import { currentKernel } from "../matrix/gemm.js";
import { compressRows, density, type SparseRows, sparseDensityLimit } from "../matrix/sparse.js";
import { createGradients, gradientArrays } from "../network/gradients.js";
import { type Network, parameters, sizesOf } from "../network/network.js";
import type { Objective } from "../network/objective.js";
import type { Pass } from "../network/pass.js";
import { accumulatePerSample, createSampleVectors } from "../network/per-sample.js";
import { createOptimizer, type Optimizer, type OptimizerOptions } from "../optimizers/optimizer.js";
import { createRng } from "../random/rng.js";
import { checkBatchSize, keyword } from "../validate/validate.js";
import { batchGradient, createBatch, gatherRows } from "./batch.js";
import { evaluate } from "./evaluate.js";
import { type Budget, budgetSteps, checkBudget, stepsPerEpoch } from "./budget.js";
import { gradientNoiseScale, type NoiseScaleRecord } from "./noise-scale.js";

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
  /** Called after every step. */
  onProgress?: (progress: TrainProgress) => void;
  /** Called with each record as it is made: at epoch ends and at checkpoints (the same record may be both). */
  onRecord?: (record: TrainRecord, kind: "epoch" | "checkpoint") => void;
  /** Stops the run cleanly after the current step when aborted; the result says so. */
  signal?: AbortSignal;
}

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

/**
 * Mini-batch gradient descent (CLAIMS.md claim 9): each epoch shuffles the samples with the seeded
 * generator, cuts them into batches of B rows, and per batch runs forward, backward and one
 * optimizer step. B = 1 is SGD, B = N full-batch descent. Buffers are allocated once, so an epoch
 * allocates almost nothing per batch. Trains `net` in place.
 */
export function train(net: Network, data: Dataset, options: TrainOptions = {}): TrainResult {
  if (options.workers !== undefined) throw new RangeError('train: workers needs worker threads: use the train of "batchprop" (Node), not of "batchprop/core"');
  return trainWith(net, data, options, singleThread);
}

/** What train() has checked and decided, from which each batch's gradient is computed. */
export interface TrainSetup {
  readonly net: Network;
  readonly data: Dataset;
  readonly objective: Objective;
  readonly batchSize: number;
  /** Rows of the partial last batch of an epoch, 0 when there is none. */
  readonly remainder: number;
  readonly gradients: "vectorized" | "per-sample";
  /** The training inputs' nonzeros, compressed once, when the first layer skips the inputs' zeros. */
  readonly inputNonzeros?: SparseRows;
}

/** What computes each batch's gradient: singleThread here, or the worker threads of lib/train/parallel.ts. */
export interface BatchGradients {
  /** Threads computing each gradient. */
  readonly workers: number;
  /** Where step() leaves the gradient, in the order of parameters(net). */
  readonly gradArrays: Float64Array[];
  /** The gradient of the batch of rows order[from … from + rows) into gradArrays; returns the batch's loss L. */
  step(order: Int32Array, from: number, rows: number): number;
  /** Releases what it holds; called however training ends. */
  close(): void;
}

/**
 * train() with each batch's gradient computed by what `compute` makes from the checked options:
 * the same budgets, records, divergence, abort and callbacks whoever computes the gradients.
 */
export function trainWith(net: Network, data: Dataset, options: TrainOptions, compute: (setup: TrainSetup) => BatchGradients): TrainResult {
  const { reduction, batchSize, budget, seed, lastBatch, recordEvery, noiseScaleEvery, gradients, test, objective, optimizer, sparse } = checkTrainOptions(net, data, options);
  const { loss } = objective;
  const n = data.inputs.rows;
  const remainder = lastBatch === "partial" ? n % batchSize : 0;
  const perEpoch = stepsPerEpoch(n, batchSize, lastBatch);
  const totalSteps = budgetSteps(budget, n, batchSize, lastBatch);

  // The inputs never change: their nonzeros are listed once and gathered per batch.
  const inputNonzeros = sparse ? compressRows(data.inputs) : undefined;
  const testNonzeros = sparse && test !== undefined ? compressRows(test.inputs) : undefined;
  const params = parameters(net);
  const evalPasses = new Map<number, Pass>();
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const rng = createRng(seed);
  const batches = compute({ net, data, objective, batchSize, remainder, gradients, ...(inputNonzeros && { inputNonzeros }) });
  try {
    const result: TrainResult = { epochs: [], checkpoints: [], steps: 0, samples: 0, seconds: 0, kernel: currentKernel().name, sparse, workers: batches.workers, ...(noiseScaleEvery > 0 && { noiseScales: [], noiseScaleSeconds: 0 }) };
    const record = (): TrainRecord | undefined => {
      const onTrain = evaluate(net, data, loss, evalPasses, inputNonzeros);
      const onTest = test === undefined ? undefined : evaluate(net, test, loss, evalPasses, testNonzeros);
      const rec: TrainRecord = {
        epoch: result.steps / perEpoch,
        step: result.steps,
        samples: result.samples,
        trainLoss: onTrain.loss,
        trainAccuracy: onTrain.accuracy,
        ...(onTest && { testLoss: onTest.loss, testAccuracy: onTest.accuracy }),
        seconds: result.seconds,
      };
      if (Number.isFinite(rec.trainLoss) && (onTest === undefined || Number.isFinite(onTest.loss))) return rec;
      result.diverged = { epoch: Math.floor(result.steps / perEpoch) + 1, step: result.steps + 1, lastFiniteLoss: lastFinite };
      return undefined;
    };

    const measureNoise = () => {
      const started = performance.now();
      const estimate = gradientNoiseScale(net, data.inputs, data.targets, objective);
      const seconds = (performance.now() - started) / 1000;
      result.noiseScaleSeconds! += seconds;
      // Weights gone non-finite (or |G|² = 0) give no estimate; a non-finite loss ends the run as diverged.
      if ([estimate.gradientSquared, estimate.trace, estimate.simple].every(Number.isFinite)) result.noiseScales!.push({ step: result.steps, epoch: result.steps / perEpoch, ...estimate, seconds });
    };
    if (noiseScaleEvery > 0) measureNoise();

    let lastFinite: number | null = null;
    run: for (let epoch = 1; result.steps < totalSteps; epoch++) {
      rng.shuffle(order);
      for (let b = 0; b < perEpoch && result.steps < totalSteps; b++) {
        if (options.signal?.aborted) {
          result.aborted = true;
          break run;
        }
        const started = performance.now();
        const rows = Math.min(batchSize, n - b * batchSize);
        const stepLoss = batches.step(order, b * batchSize, rows);
        const perSample = reduction === "sum" ? stepLoss / rows : stepLoss;
        if (!Number.isFinite(perSample)) {
          result.diverged = { epoch, step: result.steps + 1, lastFiniteLoss: lastFinite };
          break run;
        }
        lastFinite = perSample;
        optimizer.step(params, batches.gradArrays);
        result.steps++;
        result.samples += rows;
        result.seconds += (performance.now() - started) / 1000;
        options.onProgress?.({ epoch, step: result.steps, totalSteps, batchLoss: perSample });
        if (recordEvery > 0 && result.steps % recordEvery === 0) {
          const rec = record();
          if (rec === undefined) break run;
          result.checkpoints.push(rec);
          options.onRecord?.(rec, "checkpoint");
        }
        if (noiseScaleEvery > 0 && result.steps % noiseScaleEvery === 0) measureNoise();
      }
      if (result.steps % perEpoch === 0) {
        const rec = result.checkpoints.at(-1)?.step === result.steps ? result.checkpoints.at(-1) : record();
        if (rec === undefined) break;
        result.epochs.push(rec);
        options.onRecord?.(rec, "epoch");
      }
    }
    if (result.diverged === undefined && result.checkpoints.at(-1)?.step !== result.steps) {
      const rec = result.epochs.at(-1)?.step === result.steps ? result.epochs.at(-1) : record();
      if (rec !== undefined) {
        result.checkpoints.push(rec);
        options.onRecord?.(rec, "checkpoint");
      }
    }
    return result;
  } finally {
    batches.close();
  }
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

/**
 * Each batch's gradient on this thread: vectorized, or the per-sample loop the seeds compare against.
 * A batch of other than B rows (the partial last one, or what is left of an epoch after a session
 * changed B) gets buffers of its size, kept until another size comes.
 */
export function singleThread({ net, data, objective, batchSize, remainder, gradients, inputNonzeros }: TrainSetup): BatchGradients {
  const sparse = inputNonzeros !== undefined;
  const full = createBatch(net, batchSize, sparse);
  let partial = remainder > 0 ? createBatch(net, remainder, sparse) : undefined;
  const grads = createGradients(net);
  const sampleVectors = gradients === "per-sample" ? createSampleVectors(net) : undefined;
  return {
    workers: 1,
    gradArrays: gradientArrays(grads),
    step(order, from, rows) {
      if (rows !== batchSize && partial?.input.rows !== rows) partial = createBatch(net, rows, sparse);
      const batch = rows === batchSize ? full : partial!;
      if (sampleVectors === undefined) return reductionScale(objective.reduction, rows) * batchGradient(net, data, inputNonzeros, order, from, batch, objective, grads, rows);
      gatherRows(data.inputs, order, from, batch.input);
      gatherRows(data.targets, order, from, batch.target);
      return accumulatePerSample(net, batch.input, batch.target, objective, grads, sampleVectors);
    },
    close() {},
  };
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
