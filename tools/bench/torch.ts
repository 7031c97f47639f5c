/**
 * PyTorch CUDA in the same run as the library's GPU rows (gpu.ts): torch_train.py trains the
 * bench's network on the same data, from the same initial weights, in the same batch orders, which
 * this file hands over in a temporary folder, eager and with CUDA graphs, in float32.
 */
import { readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRng, type Dataset, type Network } from "batchprop";
import { type HandedArray, handOverArrays, runPython } from "./python.ts";

export const torchScript = resolve(dirname(fileURLToPath(import.meta.url)), "torch_train.py");

/** What torch_train.py --probe says: torch on CUDA and its device, or why not. */
export type TorchProbe =
  | { available: true; python: string; torch: string; cuda: string; device: string }
  | { available: false; why: string; python?: string; torch?: string };

export type TorchMode = "eager" | "graphs";
export const torchRunners: Record<TorchMode, string> = { eager: "PyTorch eager", graphs: "PyTorch CUDA graphs" };

/** A run of torch_train.py: timed, with its final parameters in parameterVector's order, or the error it raised. */
export type TorchRun = { batchSize: number; mode: TorchMode } & ({ samples: number; seconds: number; weights: Float64Array } | { error: string });

/** Whether `python` has torch with CUDA; never throws: a python that cannot run says why. */
export async function probeTorch(python: string): Promise<TorchProbe> {
  try {
    return JSON.parse(await runPython(python, torchScript, ["--probe"])) as TorchProbe;
  } catch (error) {
    return { available: false, why: (error as Error).message };
  }
}

/** One line for the bench's header. */
export function describeTorch(probe: TorchProbe): string {
  return probe.available
    ? `PyTorch ${probe.torch} on CUDA ${probe.cuda}, ${probe.device} (Python ${probe.python})`
    : `PyTorch CUDA: not available (${probe.why})`;
}

/** train()'s epoch orders for `epochs` epochs of `samples` rows: 0…n−1 shuffled again at each epoch start by the generator of `seed` (lib/train/session.ts). */
export function epochOrders(samples: number, epochs: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: samples }, (_, i) => i);
  const rng = createRng(seed);
  const orders = new Int32Array(samples * epochs);
  for (let epoch = 0; epoch < epochs; epoch++) orders.set(rng.shuffle(order), epoch * samples);
  return orders;
}

/** Writes the data and initial parameters in float32 and the orders, with setup.json describing them for torch_train.py, into a new temporary folder. */
export function handOver(net: Network, data: Dataset, orders: Int32Array, epochs: number, lr: number): string {
  const arrays: Record<string, HandedArray> = {
    inputs: { values: Float32Array.from(data.inputs.data), shape: [data.inputs.rows, data.inputs.cols] },
    targets: { values: Float32Array.from(data.targets.data), shape: [data.targets.rows, data.targets.cols] },
    orders: { values: orders, shape: [epochs, data.inputs.rows] },
  };
  net.layers.forEach((layer, l) => {
    arrays[`weights${l}`] = { values: Float32Array.from(layer.weights.data), shape: [layer.weights.rows, layer.weights.cols] };
    arrays[`bias${l}`] = { values: Float32Array.from(layer.bias), shape: [layer.bias.length] };
  });
  return handOverArrays("batchprop-bench-torch-", arrays, { layers: net.layers.length, lr });
}

/**
 * PyTorch's eager and CUDA-graph runs at each B: `epochs` epochs of `data` in `orders`
 * (epochOrders), the last partial batch of each dropped, from `net`'s weights (left as they are).
 */
export async function benchTorch(
  python: string,
  { net, data, orders, epochs, lr }: { net: Network; data: Dataset; orders: Int32Array; epochs: number; lr: number },
  batchSizes: readonly number[],
): Promise<TorchRun[]> {
  const folder = handOver(net, data, orders, epochs, lr);
  try {
    const said = await runPython(python, torchScript, [folder, batchSizes.join(",")]);
    return said
      .trim()
      .split("\n")
      .map((line): TorchRun => {
        const said = JSON.parse(line) as { batchSize: number; mode: TorchMode } & ({ samples: number; seconds: number } | { error: string });
        if ("error" in said) return said;
        const bytes = readFileSync(join(folder, `final-${said.batchSize}-${said.mode}.f32`));
        return { ...said, weights: Float64Array.from(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))) };
      });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** ‖a − b‖ / ‖b‖: how far two runs' final parameters are apart, relative to their size. */
export function normwiseDifference(a: Float64Array, b: Float64Array): number {
  let difference = 0;
  let size = 0;
  for (let i = 0; i < b.length; i++) {
    difference += (a[i] - b[i]) ** 2;
    size += b[i] ** 2;
  }
  return Math.sqrt(difference / size);
}
