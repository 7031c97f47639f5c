/**
 * train() across cores (Node only; CLAIMS.md claim 10): the batch gradient is the sum of its
 * shards' gradients, so each of `workers` threads computes one shard of every batch on the same
 * weights, and the main thread adds the shards up and takes one optimizer step.
 *
 *   main thread:  write the batch's rows → bump generation, notify ─┐
 *                 gradient of shard 0                               │  workers 1 … n−1: gradient of their shard,
 *                 wait until done = n − 1  ◄────────────────────────┘  done += 1 (the last one notifies)
 *                 add the shards' gradients and losses → optimizer step
 *
 * The weights, the data and every worker's gradient live in SharedArrayBuffers, handed over once:
 * a step copies only the batch's row indices. The threads meet through Atomics.wait/notify on an
 * Int32Array (a round trip costs tens of µs); no one spins, since the main thread and the workers
 * share the cores. The main thread computes a shard itself: with n − 1 helpers, n threads work and
 * none sits waiting. A shard's gradient is scaled for the whole batch (backward's batchRows), so a
 * mean is Σ shard sums / B, and only the order of the sums differs from one thread's result.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { Dataset } from "../data/dataset.js";
import { reductionScale } from "../losses/loss.js";
import { currentKernel } from "../matrix/gemm.js";
import { addGradients, createGradients, gradientArrays } from "../network/gradients.js";
import { type Network, parameters } from "../network/network.js";
import { type Batch, batchGradient, createBatch } from "./batch.js";
import { controlSlots, shardOf, shareDataset, sharedFloat64, sharedGradients, sharedInt32, shareNetwork, shareNonzeros, slot, type WorkerSetup } from "./shards.js";
import type { BatchGradients, TrainSetup } from "./batch.js";
import type { GpuTrainOptions, TrainOptions, TrainResult } from "./options.js";
import { checkCpuOptions, train as trainOnOneThread, trainWith } from "./train.js";
import { nodeGpu } from "../gpu/node-device.js";
import { trainOnGpu } from "../gpu/train.js";

/** How long the workers may take to load before train() gives up on them. */
const startupMs = 60_000;

/**
 * train() of batchprop/core, plus `workers`: with it, each batch's gradient is computed by that
 * many threads (this one and workers − 1 worker threads), the result equal to one thread's within
 * rounding (the shards are summed in another order). `workers: 1` runs the same shared-memory path
 * on this thread alone, bit-identical to leaving `workers` out. `net` is trained on a shared copy
 * of its weights and receives them when train() returns or throws; the worker threads end then too.
 */
export function train(net: Network, data: Dataset, options: GpuTrainOptions): Promise<TrainResult>;
export function train(net: Network, data: Dataset, options?: TrainOptions): TrainResult;
export function train(net: Network, data: Dataset, options: TrainOptions | GpuTrainOptions = {}): TrainResult | Promise<TrainResult> {
  if (options.backend === "webgpu") return trainOnGpu(net, data, options, nodeGpu);
  checkCpuOptions(options);
  const { workers, ...rest } = options;
  if (workers === undefined) return trainOnOneThread(net, data, rest);
  checkWorkers(workers);
  if (rest.gradients === "per-sample") throw new RangeError('train: workers splits the vectorized gradient; gradients "per-sample" runs on one thread (leave workers out)');
  const shared = shareNetwork(net);
  try {
    return trainWith(shared, data, rest, (setup) => startWorkers(setup, workers));
  } finally {
    const trained = parameters(shared);
    parameters(net).forEach((values, i) => values.set(trained[i]));
  }
}

/** One check of a worker count, wherever it comes from: a positive integer, at most the machine's cores. */
function checkWorkers(workers: number): void {
  const cores = availableParallelism();
  if (!Number.isInteger(workers) || workers < 1 || workers > cores) {
    throw new RangeError(`train: workers must be an integer from 1 to ${cores} (this machine's cores), got ${workers}`);
  }
}

/** The compiled worker: beside this file in lib/dist, or in lib/dist when this file runs from source. */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts") ? new URL("../dist/train/parallel-worker.js", here) : new URL("./parallel-worker.js", here);
}

/** Starts workers − 1 threads and returns the BatchGradients that forks each step across them and joins. */
function startWorkers(setup: TrainSetup, workers: number): BatchGradients {
  const { net, objective, batchSize } = setup;
  const helpers = workers - 1;
  const url = workerUrl();
  if (helpers > 0 && !existsSync(url)) throw new Error(`train: the compiled worker ${url.pathname} is missing: run npm run build:lib`);
  const data = helpers > 0 ? shareDataset(setup.data) : setup.data;
  const inputNonzeros = helpers > 0 && setup.inputNonzeros !== undefined ? shareNonzeros(setup.inputNonzeros) : setup.inputNonzeros;
  const control = sharedInt32(controlSlots);
  const order = sharedInt32(batchSize);
  const totals = sharedFloat64(helpers);
  const helperGrads = Array.from({ length: helpers }, () => sharedGradients(net));
  const grads = createGradients(net);
  const gradArrays = gradientArrays(grads);
  const batches = new Map<number, Batch>();
  // One channel per helper: a MessagePort can be handed to one worker only.
  const failures = Array.from({ length: helpers }, () => new MessageChannel());
  const threads: Worker[] = [];

  const close = () => {
    Atomics.store(control, slot.stop, 1);
    Atomics.add(control, slot.generation, 1);
    Atomics.notify(control, slot.generation);
    for (const thread of threads) void thread.terminate();
    for (const channel of failures) channel.port1.close();
  };
  /** Throws what a worker reported, if one failed. */
  const checkFailures = () => {
    if (Atomics.load(control, slot.failed) === 0) return;
    const reported = failures.map((channel) => receiveMessageOnPort(channel.port1)?.message as string | undefined).find((message) => message !== undefined);
    throw new Error(`train: a worker thread failed: ${reported ?? "(no message)"}`);
  };

  try {
    for (let shard = 1; shard <= helpers; shard++) {
      const workerSetup: WorkerSetup = {
        shard,
        shards: workers,
        kernel: currentKernel().name,
        layers: net.layers.map((layer) => ({ weights: layer.weights, bias: layer.bias, activation: layer.activation.name })),
        loss: objective.loss.name,
        reduction: objective.reduction,
        inputs: data.inputs,
        targets: data.targets,
        ...(inputNonzeros && { inputNonzeros }),
        order,
        control,
        totals,
        dWeights: helperGrads[shard - 1].dWeights,
        dBias: helperGrads[shard - 1].dBias,
      };
      const { port2 } = failures[shard - 1];
      const thread = new Worker(url, { workerData: { setup: workerSetup, failures: port2 }, transferList: [port2] });
      // Failures come through the port: the main thread's event loop does not run during train().
      thread.on("error", () => {});
      thread.unref();
      threads.push(thread);
    }
    const deadline = performance.now() + startupMs;
    for (let ready; (ready = Atomics.load(control, slot.ready)) < helpers; ) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`train: the worker threads did not start within ${startupMs / 1000} s`);
      Atomics.wait(control, slot.ready, ready, left);
    }
    checkFailures();
  } catch (error) {
    close();
    throw error;
  }

  return {
    workers,
    gradArrays,
    step(batchOrder, from, rows) {
      order.set(batchOrder.subarray(from, from + rows));
      Atomics.store(control, slot.rows, rows);
      Atomics.store(control, slot.done, 0);
      Atomics.add(control, slot.generation, 1);
      Atomics.notify(control, slot.generation);
      // Shard 0 is never empty: it takes one of the rows that do not divide evenly.
      const own = shardOf(rows, workers, 0).count;
      let batch = batches.get(own);
      if (batch === undefined) batches.set(own, (batch = createBatch(net, own, inputNonzeros !== undefined)));
      let total = batchGradient(net, data, inputNonzeros, order, 0, batch, objective, grads, rows);
      for (let done; (done = Atomics.load(control, slot.done)) < helpers; ) Atomics.wait(control, slot.done, done);
      checkFailures();
      for (let h = 0; h < helpers; h++) {
        if (shardOf(rows, workers, h + 1).count === 0) continue;
        total += totals[h];
        addGradients(grads, helperGrads[h]);
      }
      return reductionScale(objective.reduction, rows) * total;
    },
    close,
  };
}

