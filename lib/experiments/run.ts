/** Executes one run: its data (cached per process), a network from its seed, train(), one record. */
import { runNetwork, runTrainOptions } from "./run-setup.js";
import { train } from "../train/parallel.js";
import type { TrainProgress } from "../train/options.js";
import type { RunConfig } from "./config.js";
import { loadData } from "./datasets.js";
import { type RunRecord, toRunRecord } from "./record.js";

/** Where a run stands at the end of an epoch, for a live display. */
export interface EpochSummary {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly testLoss: number;
  readonly testAccuracy: number;
}

export interface RunOptions {
  /** Called after every step. */
  onProgress?: (progress: TrainProgress) => void;
  /** Called at the end of every whole epoch with train()'s own record of it. */
  onEpoch?: (summary: EpochSummary) => void;
  signal?: AbortSignal;
  /** Threads computing each batch's gradient (train's workers). Default 1, this thread alone. */
  workers?: number;
}

/**
 * The same configuration gives the same record (wall times aside) in any process: the network's
 * weights come from `createRng(seed)` and the shuffles from train()'s own `createRng(seed)`.
 */
export function runOne(config: RunConfig, options: RunOptions = {}): RunRecord {
  const started = performance.now();
  const { train: trainSet, test } = loadData(config.data);
  const { onEpoch, onProgress } = options;
  const result = train(runNetwork(config), trainSet, {
    ...runTrainOptions(config),
    test,
    signal: options.signal,
    // One worker is this thread alone: the plain path, without copying the data to shared memory.
    ...(options.workers !== undefined && options.workers > 1 && { workers: options.workers }),
    onProgress,
    onRecord: (point, kind) => {
      if (kind !== "epoch" || onEpoch === undefined) return;
      onEpoch({
        epoch: point.epoch,
        trainLoss: point.trainLoss,
        trainAccuracy: point.trainAccuracy,
        testLoss: point.testLoss ?? Number.NaN,
        testAccuracy: point.testAccuracy ?? Number.NaN,
      });
    },
  });
  return toRunRecord(config, result, (performance.now() - started) / 1000);
}
