/**
 * A finished run as it is stored: one JSON line of a results file. Losses are mean per-sample
 * losses whatever the reduction, so runs with different B and reductions compare directly.
 */
import type { NoiseScaleRecord } from "../train/noise-scale.js";
import type { Backend, TrainRecord, TrainResult } from "../train/options.js";
import type { RunConfig } from "./config.js";

export interface RunRecord {
  readonly config: RunConfig;
  /** train()'s record at the end of each whole epoch (testLoss and testAccuracy always present). */
  readonly epochs: readonly TrainRecord[];
  /** A point every `config.recordEvery` steps and at the end of the run. */
  readonly checkpoints: readonly TrainRecord[];
  /** Steps and samples actually trained (fewer than the budget when the run diverged). */
  readonly steps: number;
  readonly samples: number;
  /** Set when a loss stopped being finite: the epoch and step it happened at and the last finite batch loss. */
  readonly diverged: { readonly epoch: number; readonly step: number; readonly lastFiniteLoss: number | null } | null;
  /** Training wall time in seconds, evaluation excluded. */
  readonly seconds: number;
  /** The whole run's wall time in seconds: training, evaluations and setting up the network. */
  readonly wallSeconds: number;
  /**
   * The gemm kernel the run went through. Same kernel, seed and workers: the same record; another kernel
   * rounds differently (within the gemm error bound), so its losses may differ in the last digits.
   */
  readonly kernel: string;
  /** Whether the first layer skipped the inputs' exact zeros (train's sparseInputs): the same numbers within rounding. */
  readonly sparse: boolean;
  /** Threads that computed each batch's gradient (train's workers): more than 1 sums the shards in another order, the same numbers within rounding. */
  readonly workers: number;
  /** Where the steps ran (config.backend, or "cpu"); `adapter` names the GPU of a "webgpu" run. */
  readonly backend: Backend;
  readonly adapter?: string;
  /** Present when config.noiseScaleEvery is: B_simple over training (train's noiseScales) and the seconds it took in all. */
  readonly noiseScales?: readonly NoiseScaleRecord[];
  readonly noiseScaleSeconds?: number;
}

/**
 * The record of a run of `config` that gave `result`. Its config names the backend the run trained
 * on, so that its key does: a GPU session started from a config without one (the playground's) is
 * keyed, summarized and read back as the GPU run it was.
 */
export function toRunRecord(config: RunConfig, result: TrainResult, wallSeconds: number): RunRecord {
  const { backend: _asked, ...settings } = config;
  return {
    config: result.backend === "cpu" ? settings : { ...settings, backend: result.backend },
    epochs: result.epochs,
    checkpoints: result.checkpoints,
    steps: result.steps,
    samples: result.samples,
    diverged: result.diverged ?? null,
    seconds: result.seconds,
    wallSeconds,
    kernel: result.kernel,
    sparse: result.sparse,
    workers: result.workers,
    backend: result.backend,
    ...(result.adapter !== undefined && { adapter: result.adapter }),
    ...(result.noiseScales !== undefined && { noiseScales: result.noiseScales, noiseScaleSeconds: result.noiseScaleSeconds }),
  };
}

/** A record without its wall times. */
export type TimelessRecord = Omit<RunRecord, "seconds" | "wallSeconds" | "epochs" | "checkpoints" | "noiseScales" | "noiseScaleSeconds"> & {
  readonly epochs: readonly Omit<TrainRecord, "seconds">[];
  readonly checkpoints: readonly Omit<TrainRecord, "seconds">[];
  readonly noiseScales?: readonly Omit<NoiseScaleRecord, "seconds">[];
};

/** The record without its wall times: what must be identical however and wherever the run ran. */
export function withoutTimes(record: RunRecord): TimelessRecord {
  const { seconds: _s, wallSeconds: _w, noiseScaleSeconds: _n, noiseScales, ...rest } = record;
  const strip = <T extends { seconds: number }>(points: readonly T[]) => points.map(({ seconds: _t, ...p }) => p);
  return { ...rest, epochs: strip(record.epochs), checkpoints: strip(record.checkpoints), ...(noiseScales !== undefined && { noiseScales: strip(noiseScales) }) };
}

/** What a run's steps ran on: the gemm kernel ("gemm-4x4-wasmsimd"), or the GPU ("WebGPU on google swiftshader"). */
export function deviceOf(record: RunRecord): string {
  return record.backend === "webgpu" ? `WebGPU on ${record.adapter ?? "an unnamed adapter"}` : record.kernel;
}

/** The last point of a run: its final losses and accuracy. */
export function finalPoint(record: RunRecord): TrainRecord | undefined {
  return record.checkpoints.at(-1) ?? record.epochs.at(-1);
}
