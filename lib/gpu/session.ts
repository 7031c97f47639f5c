/**
 * Training on a WebGPU device, a chunk of steps at a time: the GPU's counterpart of
 * lib/train/session.ts, with the same budgets, last batch, records and divergence.
 * (Skeleton: the implementation lands with the kernels.)
 */
import type { Dataset } from "../data/dataset.js";
import type { Network } from "../network/network.js";
import type { SessionOptions, SessionStep } from "../train/session.js";
import type { TrainResult } from "../train/options.js";
import type { GpuHandle } from "./device.js";

/** A training session whose steps run on the GPU: createSession's, but each call takes many steps. */
export interface GpuSession {
  /** Takes up to `maxSteps` more steps (fewer at the end of the budget or on divergence); resolves whether the run goes on. onStep and onRecord are called for each, in order, before it resolves. */
  advance(maxSteps: number): Promise<boolean>;
  /** B and η of the steps not yet sent to the GPU. */
  set(changes: { readonly batchSize?: number; readonly lr?: number }): void;
  /** Ends the run where it is: a last checkpoint, `aborted` set. */
  stop(): Promise<void>;
  readonly batchSize: number;
  readonly lr: number;
  readonly done: boolean;
  readonly plannedSteps: number;
  /** Releases the run's GPU buffers (not the device, which is the caller's). */
  close(): void;
  readonly result: TrainResult;
}

export type { SessionStep };

export async function createGpuSession(_net: Network, _data: Dataset, _options: SessionOptions, _gpu: GpuHandle): Promise<GpuSession> {
  throw new Error("createGpuSession: not implemented yet");
}
