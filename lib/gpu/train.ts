/**
 * train() with backend "webgpu": a GPU session (lib/gpu/session.ts) run to the end of its budget,
 * on the device given in the options or on one opened for the run.
 */
import type { Dataset } from "../data/dataset.js";
import type { Network } from "../network/network.js";
import type { GpuTrainOptions, TrainResult } from "../train/options.js";
import type { GpuHandle } from "./device.js";
import { progressSteps } from "../train/session.js";
import { checkGpuOptions, createGpuSession } from "./session.js";

/** Steps per advance(): enough to keep the device busy, few enough that an abort is heard soon. */
const stepsPerAdvance = 256;

/** Trains `net` in place on the GPU; `open` makes the device when the options give none (browserGpu, or nodeGpu in Node). */
export async function trainOnGpu(net: Network, data: Dataset, options: GpuTrainOptions, open: () => Promise<GpuHandle>): Promise<TrainResult> {
  const { onProgress, signal, backend: _backend, gpu: given, ...rest } = options;
  // Checked before a device is opened for them: a bad option is named, not hidden behind a missing GPU.
  if (given === undefined) checkGpuOptions(net, data, rest);
  const gpu = given ?? (await open());
  try {
    const session = await createGpuSession(net, data, { ...rest, ...progressSteps(onProgress, () => session) }, gpu);
    try {
      while (!session.done) {
        if (signal?.aborted) await session.stop();
        else await session.advance(stepsPerAdvance, signal);
      }
      return session.result;
    } finally {
      session.close();
    }
  } finally {
    if (given === undefined) gpu.close();
  }
}
