/**
 * The records of a run: the training (and test) loss and accuracy at checkpoints, at epoch ends and
 * at the end, divergence when an evaluation stops being finite, and B_simple every noiseScaleEvery
 * steps. Both ways of training record through it, from the float64 network (the GPU's weights are
 * read back into it first), so a record means the same whichever device trained.
 */
import type { Dataset } from "../data/dataset.js";
import type { Loss } from "../losses/loss.js";
import { compressRows, density, sparseDensityLimit } from "../matrix/sparse.js";
import type { Network } from "../network/network.js";
import type { Objective } from "../network/objective.js";
import type { Pass } from "../network/pass.js";
import { evaluate } from "./evaluate.js";
import { gradientNoiseScale } from "./noise-scale.js";
import type { TrainOptions, TrainRecord, TrainResult } from "./options.js";

export interface Recorder {
  /** The run so far: its records, steps, samples, training seconds, and how it ran. */
  readonly result: TrainResult;
  /** A record at the current step, pushed to checkpoints; false if the evaluation diverged (the run then ends). */
  checkpoint(epoch: number): boolean;
  /** The epoch's record (the checkpoint's, if one was just made), pushed to epochs; false if it diverged. */
  epochEnd(epoch: number): boolean;
  /** The run's last checkpoint, unless it diverged or the step has one already. */
  last(epoch: number): void;
  /** B_simple over the training set now, its time kept apart from training's. */
  noiseScale(epoch: number): void;
  /** Whether B_simple is due after `steps` steps: every noiseScaleEvery steps (0: never). */
  noiseScaleDue(steps: number): boolean;
  /** The last finite batch loss per sample, which a divergence reports. */
  lastFinite: number | null;
}

export interface RecorderSetup {
  readonly net: Network;
  readonly data: Dataset;
  readonly test: Dataset | undefined;
  readonly objective: Objective;
  /** Whether the evaluations' first layer skips the inputs' zeros. */
  readonly sparse: boolean;
  /** How the run trains, as its result says: the kernel, sparse first layer, threads, backend and adapter. */
  readonly run: Pick<TrainResult, "kernel" | "sparse" | "workers" | "backend" | "adapter">;
  /** B_simple before the first step and every this many steps (0: never). */
  readonly noiseScaleEvery: number;
  readonly onRecord: TrainOptions["onRecord"];
  /** Releases what the session holds (threads, GPU buffers) if the first B_simple measurement throws. */
  readonly release: () => void;
}

export function createRecorder({ net, data, test, objective, sparse, run, noiseScaleEvery, onRecord, release }: RecorderSetup): Recorder {
  const result: TrainResult = {
    epochs: [],
    checkpoints: [],
    steps: 0,
    samples: 0,
    seconds: 0,
    ...run,
    ...(noiseScaleEvery > 0 && { noiseScales: [], noiseScaleSeconds: 0 }),
  };
  const loss: Loss = objective.loss;
  const evalPasses = new Map<number, Pass>();
  const inputNonzeros = sparse ? compressRows(data.inputs) : undefined;
  const testNonzeros = sparse && test !== undefined ? compressRows(test.inputs) : undefined;
  // Decided once, at the first measurement: whether the noise scale's products skip the inputs' zeros.
  let noiseSparse: boolean | undefined;
  const recorder: Recorder = {
    result,
    lastFinite: null,
    checkpoint(epoch) {
      const rec = record(epoch);
      if (rec === undefined) return false;
      result.checkpoints.push(rec);
      onRecord?.(rec, "checkpoint");
      return true;
    },
    epochEnd(epoch) {
      const rec = result.checkpoints.at(-1)?.step === result.steps ? result.checkpoints.at(-1) : record(epoch);
      if (rec === undefined) return false;
      result.epochs.push(rec);
      onRecord?.(rec, "epoch");
      return true;
    },
    last(epoch) {
      if (result.diverged !== undefined || result.checkpoints.at(-1)?.step === result.steps) return;
      const rec = result.epochs.at(-1)?.step === result.steps ? result.epochs.at(-1) : record(epoch);
      if (rec === undefined) return;
      result.checkpoints.push(rec);
      onRecord?.(rec, "checkpoint");
    },
    noiseScaleDue(steps) {
      return noiseScaleEvery > 0 && steps % noiseScaleEvery === 0;
    },
    noiseScale(epoch) {
      noiseSparse ??= density(data.inputs) <= sparseDensityLimit;
      const started = performance.now();
      const estimate = gradientNoiseScale(net, data.inputs, data.targets, objective, noiseSparse);
      const seconds = (performance.now() - started) / 1000;
      result.noiseScaleSeconds! += seconds;
      // Weights gone non-finite (or |G|² = 0) give no estimate; a non-finite loss ends the run as diverged.
      if ([estimate.gradientSquared, estimate.trace, estimate.simple].every(Number.isFinite)) result.noiseScales!.push({ step: result.steps, epoch, ...estimate, seconds });
    },
  };
  function record(epoch: number): TrainRecord | undefined {
    const onTrain = evaluate(net, data, loss, evalPasses, inputNonzeros);
    const onTest = test === undefined ? undefined : evaluate(net, test, loss, evalPasses, testNonzeros);
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
    result.diverged = { epoch: Math.floor(epoch) + 1, step: result.steps + 1, lastFiniteLoss: recorder.lastFinite };
    return undefined;
  }
  if (noiseScaleEvery > 0) {
    // Measured before the first step: if it throws, the session's threads or buffers must not outlive it.
    try {
      recorder.noiseScale(0);
    } catch (error) {
      release();
      throw error;
    }
  }
  return recorder;
}
