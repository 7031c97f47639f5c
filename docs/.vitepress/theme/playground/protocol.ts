/**
 * The messages between the playground page and its training worker (engine.ts): the page starts a
 * run, pauses, resumes, stops or resets it, and changes B or η mid-run; the worker reports each
 * slice of steps, each record, and the finished run as a RunRecord, the line `npm run experiment` writes.
 */
import type { RunConfig, RunRecord, TrainRecord } from "batchprop/core";

export type Gradients = "vectorized" | "per-sample";

export type ToWorker =
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

export type FromWorker =
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
