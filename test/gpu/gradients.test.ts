// One step on the GPU (float32) against the float64 library, for every activation × loss × optimizer:
// the batch's gradient (gpuGradients, through the training kernels) and the weights one optimizer
// step leaves, each within 1e-5 normwise. Runs on whatever adapter Dawn finds: in CI, SwiftShader
// (the gpu project sets VK_ICD_FILENAMES).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ActivationName,
  activations,
  cloneNetwork,
  computeGradients,
  createNetwork,
  gradientArrays,
  type GpuHandle,
  type LossName,
  lossByName,
  nodeGpu,
  optimizerNames,
  parameterVector,
  train,
} from "../../lib/index.ts";
import { gpuGradients } from "../../lib/gpu/gradients.ts";
import { randomDistributions, randomUniform } from "../helpers.ts";

/** ‖a − b‖ / ‖b‖ over every parameter. */
function normwise(a: readonly Float64Array[], b: readonly Float64Array[]): number {
  let diff = 0;
  let norm = 0;
  a.forEach((values, i) => values.forEach((v, p) => ((diff += (v - b[i][p]) ** 2), (norm += b[i][p] ** 2))));
  return Math.sqrt(diff / norm);
}

/** Each loss with the output activation it is meant for (sum of squares takes any: the hidden one). */
const lossOutputs: readonly [LossName, ActivationName | "same"][] = [
  ["sum-of-squares", "same"],
  ["cross-entropy", "softmax"],
  ["binary-cross-entropy", "sigmoid"],
];
const hidden = Object.keys(activations) as ActivationName[];

let gpu: GpuHandle;
beforeAll(async () => {
  gpu = await nodeGpu();
});
afterAll(() => gpu?.close());

/** A 6-9-7-4 network, a batch of 37 rows (K not a multiple of a tile) with targets the loss can take. */
function setup(activation: ActivationName, loss: LossName, output: ActivationName | "same") {
  const net = createNetwork({ sizes: [6, 9, 7, 4], activation, outputActivation: output === "same" ? activation : output, init: "xavier", rng: 5 });
  const input = randomUniform(37, 6, 1);
  const target = loss === "sum-of-squares" ? randomUniform(37, 4, 2) : loss === "cross-entropy" ? randomDistributions(37, 4, 3) : randomUniform(37, 4, 4, 0, 1);
  return { net, input, target, data: { name: "batch", inputs: input, targets: target } };
}

describe.each(hidden)("activation %s", (activation) => {
  it.each(lossOutputs)("%s (output %s): the batch gradient and loss, sum and mean", async (loss, output) => {
    const { net, input, target } = setup(activation, loss, output);
    for (const reduction of ["sum", "mean"] as const) {
      const objective = { loss: lossByName(loss), reduction };
      const cpu = computeGradients(net, input, target, objective);
      const onGpu = await gpuGradients(gpu, net, input, target, objective);
      expect(normwise(onGpu.grads, gradientArrays(cpu.grads))).toBeLessThan(1e-5);
      expect(Math.abs(onGpu.loss - cpu.loss) / Math.abs(cpu.loss)).toBeLessThan(1e-5);
    }
  });

  it.each(lossOutputs)("%s (output %s): one step of each optimizer updates the weights as float64 does", async (loss, output) => {
    for (const name of optimizerNames) {
      const { net, data } = setup(activation, loss, output);
      const before = parameterVector(net);
      const onGpu = cloneNetwork(net);
      const options = { loss, optimizer: { name, lr: 0.1 }, batchSize: 37, budget: { steps: 1 } } as const;
      train(net, data, options);
      await train(onGpu, data, { ...options, backend: "webgpu", gpu });
      const moved = parameterVector(net).map((v, p) => v - before[p]);
      // The step itself, not just the weights (which barely move), within 1e-5 of float64's.
      const movedOnGpu = parameterVector(onGpu).map((v, p) => v - before[p]);
      expect(normwise([parameterVector(onGpu)], [parameterVector(net)]), name).toBeLessThan(1e-5);
      expect(normwise([movedOnGpu], [moved]), name).toBeLessThan(1e-4);
    }
  });
});
