/** Executes one run: its data (cached per process), a network from its seed, train(), one record. */
import { runNetwork, runTrainOptions } from "./run-setup.js";
import { train } from "../train/parallel.js";
import type { TrainOptions, TrainProgress } from "../train/options.js";
import type { Dataset } from "../data/dataset.js";
import type { GpuHandle } from "../gpu/device.js";
import { ConfigError } from "../validate/validate.js";
import { backendOf, type RunConfig } from "./config.js";
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
  /** Threads computing each batch's gradient (train's workers; CPU runs only). Default 1, this thread alone. */
  workers?: number;
  /** The device of a "webgpu" run; default one opened for the run and closed after it (nodeGpu). */
  gpu?: GpuHandle;
}

/**
 * A run on the CPU. The same configuration gives the same record (wall times aside) in any
 * process: the network's weights come from `createRng(seed)` and the shuffles from train()'s own
 * `createRng(seed)`. A "webgpu" run is asynchronous: runOneAsync runs it.
 */
export function runOne(config: RunConfig, options: RunOptions = {}): RunRecord {
  if (backendOf(config) !== "cpu") throw new ConfigError("backend", `runOne runs on the CPU; a "${backendOf(config)}" run is asynchronous: await runOneAsync`);
  const started = performance.now();
  const { train: trainSet, test } = loadData(config.data);
  const result = train(runNetwork(config), trainSet, {
    ...commonOptions(config, test, options),
    // One worker is this thread alone: the plain path, without copying the data to shared memory.
    ...(options.workers !== undefined && options.workers > 1 && { workers: options.workers }),
  });
  return toRunRecord(config, result, (performance.now() - started) / 1000);
}

/** Any run, on the backend its configuration names: the one place that decides where a run trains. */
export async function runOneAsync(config: RunConfig, options: RunOptions = {}): Promise<RunRecord> {
  if (backendOf(config) === "cpu") return runOne(config, options);
  if (options.workers !== undefined && options.workers > 1) {
    throw new ConfigError("workers", `splits a batch across CPU threads; a "${backendOf(config)}" run takes every step on the GPU`);
  }
  const started = performance.now();
  const { train: trainSet, test } = loadData(config.data);
  const result = await train(runNetwork(config), trainSet, { ...commonOptions(config, test, options), backend: "webgpu", ...(options.gpu && { gpu: options.gpu }) });
  return toRunRecord(config, result, (performance.now() - started) / 1000);
}

/** train()'s options for a run on either backend: the run's own, its test set, the signal and the callbacks. */
function commonOptions(config: RunConfig, test: Dataset, { onEpoch, onProgress, signal }: RunOptions): Omit<TrainOptions, "backend" | "workers" | "gradients" | "sparseInputs"> {
  return {
    ...runTrainOptions(config),
    test,
    signal,
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
  };
}
