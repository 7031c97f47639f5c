/**
 * The messages between the playground page and its training worker (engine.ts): the page asks
 * whether the worker can open a GPU, starts a run (on the GPU when its config's backend is
 * "webgpu"), pauses, resumes, stops or resets it, and changes B or η mid-run; the worker reports
 * each slice of steps, each record, and the finished run as a RunRecord, the line `npm run experiment` writes.
 */
import type { RunConfig, RunRecord, TrainOptions, TrainRecord } from "batchprop/core";

/** The backward pass a CPU run uses: the library's own choice of train option. */
export type Gradients = NonNullable<TrainOptions["gradients"]>;

export type ToWorker =
  /** Asks for the worker's WebGPU device (opened once, kept for its runs): answered by a "gpu" message. */
  | { readonly type: "gpu" }
  | { readonly type: "start"; readonly id: string; readonly config: RunConfig; readonly gradients: Gradients; readonly digitsUrl: string }
  | { readonly type: "pause" }
  | { readonly type: "resume" }
  /** Ends the run where it is and reports it as done (train()'s abort): it stays on the charts. */
  | { readonly type: "stop" }
  /** Forgets the run: nothing more is reported about it. */
  | { readonly type: "reset" }
  | { readonly type: "set"; readonly batchSize?: number; readonly lr?: number };

/** A change of B or η mid-run, from the step after `step`. */
export interface SettingChange {
  readonly step: number;
  readonly batchSize: number;
  readonly lr: number;
}

/** A RunRecord from the page: `changes` lists B and η changed mid-run (its config holds those it started with). */
export type PageRunRecord = RunRecord & { readonly changes?: readonly SettingChange[] };

/** A record as the chart draws it, with the B and η the steps before it used. */
export type LiveRecord = TrainRecord & { readonly kind: "epoch" | "checkpoint"; readonly batchSize: number; readonly lr: number };

/** Whether the worker's WebGPU device opened: its adapter, or why not (GpuUnavailableError's message, which names where it looked). */
export type GpuState = { readonly available: true; readonly adapter: string } | { readonly available: false; readonly reason: string };

export type FromWorker =
  | ({ readonly type: "gpu" } & GpuState)
  /** `kernel`: the gemm kernel of a CPU run, the adapter of a GPU run. */
  | { readonly type: "started"; readonly id: string; readonly kernel: string; readonly dataSeconds: number }
  /** The steps since the last report: where the run is, and the B and η its last step used. */
  | {
      readonly type: "progress";
      readonly id: string;
      readonly step: number;
      readonly samples: number;
      readonly epoch: number;
      readonly batchSize: number;
      readonly lr: number;
      readonly batchLoss: number;
      readonly samplesPerSecond: number;
    }
  | { readonly type: "record"; readonly id: string; readonly record: LiveRecord }
  | { readonly type: "done"; readonly id: string; readonly run: PageRunRecord }
  | { readonly type: "error"; readonly id: string; readonly message: string };
