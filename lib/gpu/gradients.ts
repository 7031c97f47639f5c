/**
 * One batch's gradient computed on the device and read back: the GPU's computeGradients, through
 * the very kernels training runs (the update gemms under the "gradient" rule store g instead of
 * stepping θ). What the tests hold against the float64 library, activation by activation.
 */
import { reductionScale } from "../losses/loss.js";
import type { Matrix } from "../matrix/matrix.js";
import { checkBatch } from "../network/backward.js";
import { cloneNetwork, type Network, parameters } from "../network/network.js";
import type { Objective } from "../network/objective.js";
import type { GpuHandle } from "./device.js";
import { createTrainer, writeWeights } from "./trainer.js";

/** ∂L/∂θ of the batch (input, target) in the order of parameters(net) (W₁, b₁, W₂, b₂, …), and L, from float32 on the GPU. */
export async function gpuGradients(gpu: GpuHandle, net: Network, input: Matrix, target: Matrix, objective: Objective): Promise<{ loss: number; grads: Float64Array[] }> {
  checkBatch(net, input, target);
  const rows = input.rows;
  const trainer = createTrainer(gpu, net, { name: "batch", inputs: input, targets: target }, objective, { name: "gradient", momentum: 0, beta1: 0, beta2: 0, epsilon: 0 });
  try {
    trainer.reserve(rows);
    await trainer.prepare([rows]);
    trainer.setOrder(Int32Array.from({ length: rows }, (_, i) => i));
    const encoder = gpu.device.createCommandEncoder();
    const readback = trainer.encode(encoder, [{ position: 0, rows, scale: reductionScale(objective.reduction, rows), lr: 1, t: 1 }], "gradient");
    gpu.device.queue.submit([encoder.finish()]);
    const { losses, weights } = await readback.read();
    // Laid out as the weights are ([W; b] per layer): a network of the same shape holds them as parameters.
    const holder = cloneNetwork(net);
    writeWeights(holder, weights!);
    const grads = parameters(holder);
    // The kernel's loss is per sample; L is the reduction's.
    return { loss: objective.reduction === "sum" ? losses[0] * rows : losses[0], grads };
  } finally {
    trainer.destroy();
  }
}
