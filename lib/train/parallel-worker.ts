/**
 * A worker thread of a parallel train() (Node only; lib/train/parallel.ts starts it). It sleeps in
 * Atomics.wait until the main thread starts a step, computes the gradient of its shard of the
 * batch on the shared weights into its shared gradient, counts itself done and sleeps again.
 * Anything it throws goes to the failure port and sets the failed slot, so the main thread, which
 * never runs its event loop during train(), learns of it at the step's end.
 */
import { type MessagePort, workerData } from "node:worker_threads";
import { useKernel } from "../matrix/gemm.js";
import { loadKernel } from "../matrix/kernels.js";
import { type Batch, batchGradient, createBatch } from "./batch.js";
import { rebuild, shardOf, slot, type WorkerSetup } from "./shards.js";

const { setup, failures } = workerData as { setup: WorkerSetup; failures: MessagePort };
const { control, order, totals, shard, shards, inputNonzeros } = setup;
const helpers = shards - 1;

function fail(error: unknown): void {
  failures.postMessage(`worker ${shard}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  Atomics.store(control, slot.failed, 1);
}

let state: ReturnType<typeof rebuild> | undefined;
try {
  useKernel(loadKernel(setup.kernel));
  state = rebuild(setup);
} catch (error) {
  fail(error);
}
Atomics.add(control, slot.ready, 1);
Atomics.notify(control, slot.ready);

// A shard has at most two sizes, of the full and of the partial last batch: each made on first use.
const batches = new Map<number, Batch>();
let seen = 0;
while (state !== undefined) {
  Atomics.wait(control, slot.generation, seen);
  seen = Atomics.load(control, slot.generation);
  if (Atomics.load(control, slot.stop) === 1) break;
  const rows = Atomics.load(control, slot.rows);
  const { start, count } = shardOf(rows, shards, shard);
  if (count > 0) {
    try {
      const { net, data, objective, grads } = state;
      let batch = batches.get(count);
      if (batch === undefined) batches.set(count, (batch = createBatch(net, count, inputNonzeros !== undefined)));
      totals[shard - 1] = batchGradient(net, data, inputNonzeros, order, start, batch, objective, grads, rows);
    } catch (error) {
      fail(error);
    }
  }
  if (Atomics.add(control, slot.done, 1) + 1 === helpers) Atomics.notify(control, slot.done);
}
