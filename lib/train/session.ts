import type { Dataset } from "../data/dataset.js";
import { currentKernel } from "../matrix/gemm.js";
import { compressRows, density, sparseDensityLimit } from "../matrix/sparse.js";
import type { Network } from "../network/network.js";
import { parameters } from "../network/network.js";
import type { Pass } from "../network/pass.js";
import { createRng } from "../random/rng.js";
import { checkBatchSize } from "../validate/validate.js";
import { type BatchGradients, singleThread, type TrainSetup } from "./batch.js";
import { budgetSteps, stepsPerEpoch } from "./budget.js";
import { evaluate } from "./evaluate.js";
import { gradientNoiseScale } from "./noise-scale.js";
import { checkTrainOptions, type TrainOptions, type TrainRecord, type TrainResult } from "./options.js";

/** A step as the session took it: the batch size and η it used, and its loss per sample. */
export interface SessionStep {
  /** The epoch it belongs to, from 1. */
  readonly epoch: number;
  readonly step: number;
  /** B, the rows it asked for; `rows` is fewer for a partial last batch. */
  readonly batchSize: number;
  readonly rows: number;
  readonly lr: number;
  readonly batchLoss: number;
}

/** train()'s options less its threads, signal and per-step callback (a session reports each step to onStep). */
export type SessionOptions = Omit<TrainOptions, "workers" | "signal" | "onProgress" | "backend"> & {
  onStep?: (step: SessionStep) => void;
};

/**
 * Training one step at a time: what train() runs to the end (lib/train/train.ts), and what a caller
 * that pauses between steps and changes B or η on the way (the site's playground) steps itself. Its
 * parts are the notebooks': the batches of an epoch (a seeded shuffle, cut into batches of B), one
 * step (forward → loss → backward → update, notebook 5), and the recorder (a record every
 * recordEvery steps and at epoch ends, divergence, B_simple every noiseScaleEvery steps). A change
 * applies from the next batch: the epoch goes on from where it is, cut into batches of the new size,
 * and the optimizer keeps its state.
 */
export interface TrainingSession {
  /** Takes the next step; returns whether the run goes on (false once the budget is spent or it diverged). */
  step(): boolean;
  /** B and η of the next steps: B from 1 to the training set, η positive and finite. A new B rescales recordEvery so that records keep their spacing in samples. */
  set(changes: { readonly batchSize?: number; readonly lr?: number }): void;
  /** Ends the run where it is, as train() does when aborted: a last checkpoint, `aborted` set. */
  stop(): void;
  readonly batchSize: number;
  readonly lr: number;
  readonly done: boolean;
  /** The optimizer steps the budget allows at the current B. */
  readonly plannedSteps: number;
  /** Releases the gradients' buffers (or threads) if a step threw; a finished or stopped run has released them. */
  close(): void;
  /** The run so far, as train() returns it: records, steps, samples, divergence. */
  readonly result: TrainResult;
}

export function createSession(net: Network, data: Dataset, options: SessionOptions = {}): TrainingSession {
  return sessionWith(net, data, options, singleThread);
}

/** A session whose batch gradients come from `compute`: singleThread, or the worker threads of lib/train/parallel.ts. */
export function sessionWith(net: Network, data: Dataset, options: SessionOptions, compute: (setup: TrainSetup) => BatchGradients): TrainingSession {
  const checked = checkTrainOptions(net, data, options);
  const { budget, seed, lastBatch, noiseScaleEvery, gradients, test, objective, optimizer, sparse } = checked;
  let { recordEvery } = checked;
  const { loss, reduction } = objective;
  const n = data.inputs.rows;
  const inputNonzeros = sparse ? compressRows(data.inputs) : undefined;
  const testNonzeros = sparse && test !== undefined ? compressRows(test.inputs) : undefined;
  const params = parameters(net);
  const evalPasses = new Map<number, Pass>();
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const rng = createRng(seed);
  const gradientsFor = (batchSize: number): BatchGradients =>
    compute({ net, data, objective, batchSize, remainder: lastBatch === "partial" ? n % batchSize : 0, gradients, ...(inputNonzeros && { inputNonzeros }) });
  let batchSize = checked.batchSize;
  let batches = gradientsFor(batchSize);
  let closed = false;
  const close = () => {
    if (!closed) batches.close();
    closed = true;
  };
  const result: TrainResult = {
    epochs: [],
    checkpoints: [],
    steps: 0,
    samples: 0,
    seconds: 0,
    kernel: currentKernel().name,
    sparse,
    workers: batches.workers,
    backend: "cpu",
    ...(noiseScaleEvery > 0 && { noiseScales: [], noiseScaleSeconds: 0 }),
  };
  let done = false;
  let epochsDone = 0;
  /** Where the epoch is: its first `position` shuffled samples are trained, in `stepInEpoch` steps. */
  let position = 0;
  let stepInEpoch = 0;
  /** Σ B over the steps, which a { samples } budget counts: ⌈samples / B⌉ steps when B stays the same. */
  let samplesAsked = 0;
  let lastFinite: number | null = null;

  // An epoch ends when its samples are used up, or, dropping the last batch, when fewer than B are left.
  const epochUsedUp = () => position >= n || (lastBatch === "drop" && n - position < batchSize);
  // Epochs completed, fractional within one: train()'s steps / stepsPerEpoch when B stays the same.
  const epochNow = () => {
    if (epochUsedUp()) return epochsDone + 1;
    const perEpoch = stepsPerEpoch(n, batchSize, lastBatch);
    return (epochsDone * perEpoch + stepInEpoch) / perEpoch;
  };
  const record = (): TrainRecord | undefined => {
    const onTrain = evaluate(net, data, loss, evalPasses, inputNonzeros);
    const onTest = test === undefined ? undefined : evaluate(net, test, loss, evalPasses, testNonzeros);
    const epoch = epochNow();
    const rec: TrainRecord = {
      epoch,
      step: result.steps,
      samples: result.samples,
      trainLoss: onTrain.loss,
      trainAccuracy: onTrain.accuracy,
      ...(onTest && { testLoss: onTest.loss, testAccuracy: onTest.accuracy }),
      seconds: result.seconds,
    };
    if (Number.isFinite(rec.trainLoss) && (onTest === undefined || Number.isFinite(onTest.loss))) return rec;
    result.diverged = { epoch: Math.floor(epoch) + 1, step: result.steps + 1, lastFiniteLoss: lastFinite };
    done = true;
    close();
    return undefined;
  };
  /** B_simple over the training set, its time kept apart from training's. */
  const noiseSparse = noiseScaleEvery > 0 && density(data.inputs) <= sparseDensityLimit;
  const measureNoise = () => {
    const started = performance.now();
    const estimate = gradientNoiseScale(net, data.inputs, data.targets, objective, noiseSparse);
    const seconds = (performance.now() - started) / 1000;
    result.noiseScaleSeconds! += seconds;
    // Weights gone non-finite (or |G|² = 0) give no estimate; a non-finite loss ends the run as diverged.
    if ([estimate.gradientSquared, estimate.trace, estimate.simple].every(Number.isFinite)) result.noiseScales!.push({ step: result.steps, epoch: epochNow(), ...estimate, seconds });
  };
  if (noiseScaleEvery > 0) {
    // Measured before the first step: if it throws, the gradients' threads must not outlive it.
    try {
      measureNoise();
    } catch (error) {
      close();
      throw error;
    }
  }
  const budgetSpent = () =>
    "epochs" in budget ? epochsDone >= budget.epochs : "steps" in budget ? result.steps >= budget.steps : samplesAsked >= budget.samples;
  const finish = () => {
    done = true;
    close();
    if (result.diverged !== undefined || result.checkpoints.at(-1)?.step === result.steps) return;
    const rec = result.epochs.at(-1)?.step === result.steps ? result.epochs.at(-1) : record();
    if (rec === undefined) return;
    result.checkpoints.push(rec);
    options.onRecord?.(rec, "checkpoint");
  };
  const endEpoch = () => {
    const rec = result.checkpoints.at(-1)?.step === result.steps ? result.checkpoints.at(-1) : record();
    if (rec === undefined) return;
    result.epochs.push(rec);
    options.onRecord?.(rec, "epoch");
    epochsDone++;
    position = 0;
    stepInEpoch = 0;
    if (budgetSpent()) finish();
  };

  return {
    step() {
      if (done) return false;
      // B grew past what is left of an epoch that drops its last batch.
      if (position > 0 && epochUsedUp()) {
        endEpoch();
        if (done) return false;
      }
      if (position === 0) rng.shuffle(order);
      const started = performance.now();
      const rows = Math.min(batchSize, n - position);
      const stepLoss = batches.step(order, position, rows);
      const perSample = reduction === "sum" ? stepLoss / rows : stepLoss;
      if (!Number.isFinite(perSample)) {
        result.diverged = { epoch: epochsDone + 1, step: result.steps + 1, lastFiniteLoss: lastFinite };
        finish();
        return false;
      }
      lastFinite = perSample;
      optimizer.step(params, batches.gradArrays);
      result.steps++;
      result.samples += rows;
      result.seconds += (performance.now() - started) / 1000;
      samplesAsked += batchSize;
      position += rows;
      stepInEpoch++;
      options.onStep?.({ epoch: epochsDone + 1, step: result.steps, batchSize, rows, lr: optimizer.lr, batchLoss: perSample });
      if (recordEvery > 0 && result.steps % recordEvery === 0) {
        const rec = record();
        if (rec === undefined) return false;
        result.checkpoints.push(rec);
        options.onRecord?.(rec, "checkpoint");
      }
      if (noiseScaleEvery > 0 && result.steps % noiseScaleEvery === 0) measureNoise();
      if (epochUsedUp()) endEpoch();
      else if (budgetSpent()) finish();
      return !done;
    },
    set({ batchSize: newBatchSize, lr }) {
      if (newBatchSize !== undefined) checkBatchSize(newBatchSize, n, data.name);
      if (lr !== undefined) optimizer.lr = lr;
      if (newBatchSize === undefined || newBatchSize === batchSize || done) return;
      // The epoch keeps its place: its steps so far count in the new B's steps per epoch.
      stepInEpoch = Math.round((position / n) * stepsPerEpoch(n, newBatchSize, lastBatch));
      // Records keep coming every as many samples as before: every step of B = 1 would evaluate thousands of times.
      if (recordEvery > 0) recordEvery = Math.max(1, Math.round((recordEvery * batchSize) / newBatchSize));
      batchSize = newBatchSize;
      batches.close();
      batches = gradientsFor(batchSize);
    },
    stop() {
      if (done) return;
      result.aborted = true;
      finish();
    },
    get batchSize() {
      return batchSize;
    },
    get lr() {
      return optimizer.lr;
    },
    get done() {
      return done;
    },
    get plannedSteps() {
      return budgetSteps(budget, n, batchSize, lastBatch);
    },
    close,
    result,
  };
}
