import type { Dataset } from "../data/dataset.js";
import { currentKernel } from "../matrix/gemm.js";
import { compressRows } from "../matrix/sparse.js";
import type { Network } from "../network/network.js";
import { parameters } from "../network/network.js";
import { type BatchGradients, singleThread, type TrainSetup } from "./batch.js";
import { checkTrainOptions, type TrainOptions, type TrainResult } from "./options.js";
import { createRecorder } from "./recorder.js";
import { createSchedule, type SessionView, withSessionView } from "./schedule.js";

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
export interface TrainingSession extends SessionView {
  /** Takes the next step; returns whether the run goes on (false once the budget is spent or it diverged). */
  step(): boolean;
  /** B and η of the next steps: B from 1 to the training set, η positive and finite. A new B rescales recordEvery so that records keep their spacing in samples. */
  set(changes: { readonly batchSize?: number; readonly lr?: number }): void;
  /** Ends the run where it is, as train() does when aborted: a last checkpoint, `aborted` set. */
  stop(): void;
  /** Releases the gradients' buffers (or threads) if a step threw; a finished or stopped run has released them. */
  close(): void;
  /** The run so far, as train() returns it: records, steps, samples, divergence. */
  readonly result: TrainResult;
}

/**
 * train()'s onProgress as a session's onStep: each step with the steps the budget allows at the
 * session's B, read as the step is reported (B may have changed).
 */
export function progressSteps(onProgress: TrainOptions["onProgress"], session: () => SessionView): Pick<SessionOptions, "onStep"> {
  return onProgress === undefined ? {} : { onStep: ({ epoch, step, batchLoss }) => onProgress({ epoch, step, totalSteps: session().plannedSteps, batchLoss }) };
}

export function createSession(net: Network, data: Dataset, options: SessionOptions = {}): TrainingSession {
  return sessionWith(net, data, options, singleThread);
}

/** A session whose batch gradients come from `compute`: singleThread, or the worker threads of lib/train/parallel.ts. */
export function sessionWith(net: Network, data: Dataset, options: SessionOptions, compute: (setup: TrainSetup) => BatchGradients): TrainingSession {
  const checked = checkTrainOptions(net, data, options);
  const { lastBatch, noiseScaleEvery, gradients, test, objective, optimizer, sparse } = checked;
  const { reduction } = objective;
  const n = data.inputs.rows;
  const inputNonzeros = sparse ? compressRows(data.inputs) : undefined;
  const params = parameters(net);
  const schedule = createSchedule(data, checked);
  const gradientsFor = (batchSize: number): BatchGradients =>
    compute({ net, data, objective, batchSize, remainder: lastBatch === "partial" ? n % batchSize : 0, gradients, ...(inputNonzeros && { inputNonzeros }) });
  let batches = gradientsFor(schedule.batchSize);
  let closed = false;
  const close = () => {
    if (!closed) batches.close();
    closed = true;
  };
  const recorder = createRecorder({
    net,
    data,
    test,
    objective,
    sparse,
    run: { kernel: currentKernel().name, sparse, workers: batches.workers, backend: "cpu" },
    noiseScaleEvery,
    onRecord: options.onRecord,
    release: close,
  });
  const { result } = recorder;
  let done = false;

  const finish = () => {
    done = true;
    close();
    recorder.last(schedule.epochNow());
  };
  const diverged = () => {
    done = true;
    close();
  };
  const endEpoch = () => {
    if (!recorder.epochEnd(schedule.epochNow())) return diverged();
    schedule.endEpoch();
    if (schedule.budgetSpent()) finish();
  };

  return withSessionView<TrainingSession>(
    {
      step() {
        if (done) return false;
        // B grew past what is left of an epoch that drops its last batch.
        if (!schedule.atEpochStart && schedule.usedUp()) {
          endEpoch();
          if (done) return false;
        }
        const { from, rows } = schedule.next();
        const started = performance.now();
        const stepLoss = batches.step(schedule.order, from, rows);
        const perSample = reduction === "sum" ? stepLoss / rows : stepLoss;
        if (!Number.isFinite(perSample)) {
          result.diverged = { epoch: schedule.epochsDone + 1, step: result.steps + 1, lastFiniteLoss: recorder.lastFinite };
          finish();
          return false;
        }
        recorder.lastFinite = perSample;
        optimizer.step(params, batches.gradArrays);
        result.steps++;
        result.samples += rows;
        result.seconds += (performance.now() - started) / 1000;
        const epoch = schedule.epochsDone + 1;
        schedule.took(rows);
        options.onStep?.({ epoch, step: result.steps, batchSize: schedule.batchSize, rows, lr: optimizer.lr, batchLoss: perSample });
        if (schedule.checkpointDue() && !recorder.checkpoint(schedule.epochNow())) {
          diverged();
          return false;
        }
        if (recorder.noiseScaleDue(result.steps)) recorder.noiseScale(schedule.epochNow());
        if (schedule.usedUp()) endEpoch();
        else if (schedule.budgetSpent()) finish();
        return !done;
      },
      set(changes) {
        if (!schedule.change(changes, optimizer) || done) return;
        batches.close();
        batches = gradientsFor(schedule.batchSize);
      },
      stop() {
        if (done) return;
        result.aborted = true;
        finish();
      },
      close,
      result,
    },
    schedule,
    optimizer,
    () => done,
  );
}
