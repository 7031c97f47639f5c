/**
 * train(): Nielsen's SGD. The batches of an epoch, one step and the recorder are the parts of a
 * training session (lib/train/session.ts); train() runs one to the end of its budget.
 */
import type { Dataset } from "../data/dataset.js";
import { browserGpu } from "../gpu/device.js";
import { trainOnGpu } from "../gpu/train.js";
import type { Network } from "../network/network.js";
import { type BatchGradients, singleThread, type TrainSetup } from "./batch.js";
import { ConfigError, keyword } from "../validate/validate.js";
import { backends, type GpuTrainOptions, type TrainOptions, type TrainResult } from "./options.js";
import { progressSteps, sessionWith } from "./session.js";

/**
 * Mini-batch gradient descent (CLAIMS.md claim 9): each epoch shuffles the samples with the seeded
 * generator, cuts them into batches of B rows, and per batch runs forward, backward and one
 * optimizer step. B = 1 is SGD, B = N full-batch descent. Buffers are allocated once, so an epoch
 * allocates almost nothing per batch. Trains `net` in place.
 */
export function train(net: Network, data: Dataset, options: GpuTrainOptions): Promise<TrainResult>;
export function train(net: Network, data: Dataset, options?: TrainOptions): TrainResult;
export function train(net: Network, data: Dataset, options: TrainOptions | GpuTrainOptions = {}): TrainResult | Promise<TrainResult> {
  if (options.backend === "webgpu") return trainOnGpu(net, data, options, browserGpu);
  checkCpuOptions(options);
  if (options.workers !== undefined) throw new RangeError('train: workers needs worker threads: use the train of "batchprop" (Node), not of "batchprop/core"');
  return trainWith(net, data, options, singleThread);
}

/** The options only the GPU takes, refused on the CPU: backend is checked here once for every CPU train. */
export function checkCpuOptions(options: TrainOptions): void {
  keyword(options.backend ?? "cpu", "backend", backends);
  if ("gpu" in options) throw new ConfigError("gpu", 'a GPU device is used only with backend "webgpu"');
}

/**
 * train() with each batch's gradient computed by what `compute` makes from the checked options:
 * the same budgets, records, divergence, abort and callbacks whoever computes the gradients.
 */
export function trainWith(net: Network, data: Dataset, options: TrainOptions, compute: (setup: TrainSetup) => BatchGradients): TrainResult {
  const { onProgress, signal, workers: _workers, backend: _backend, ...rest } = options;
  const session = sessionWith(net, data, { ...rest, ...progressSteps(onProgress, () => session) }, compute);
  try {
    while (!session.done) {
      if (signal?.aborted) session.stop();
      else session.step();
    }
    return session.result;
  } finally {
    session.close();
  }
}
