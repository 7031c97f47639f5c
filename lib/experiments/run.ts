/** Executes one run: its data (cached per process), a network from its seed, train(), one record. */
import { createNetwork } from "../network/network.js";
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
  const net = createNetwork({ sizes: config.layers, activation: config.activation, outputActivation: config.outputActivation, init: config.init, biasInit: config.biasInit, rng: config.seed });
  const { onEpoch, onProgress } = options;
  const result = train(net, trainSet, {
    loss: config.loss,
    reduction: config.reduction,
    optimizer: { name: config.optimizer, lr: config.lr },
    batchSize: config.batchSize,
    budget: config.budget,
    seed: config.seed,
    lastBatch: config.lastBatch,
    recordEvery: config.recordEvery,
    noiseScaleEvery: config.noiseScaleEvery,
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
