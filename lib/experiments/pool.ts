/**
 * Runs a list of experiment runs on a pool of worker threads (Node only), appending each finished
 * run to the results file the moment it arrives. Runs already in the file are skipped, so a rerun
 * after an interruption resumes where it stopped. Aborting terminates the workers: the runs they
 * were in the middle of are discarded, every finished one is already on disk. The file's lock is
 * held throughout, so only one sweep at a time writes it.
 *
 * Runs on the GPU ("webgpu") go one at a time on this thread, on one device, beside the worker
 * threads' CPU runs: a device per worker thread would put several Dawn instances on one GPU (or
 * several SwiftShaders on the same cores), each run slowing the others, for no gain. A GPU run
 * waits on its device, so this thread stays free to append records and hear the signal.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { backendOf, firstPerRun, runKey, type RunConfig } from "./config.js";
import type { RunRecord } from "./record.js";
import { runOneAsync } from "./run.js";
import type { GpuHandle } from "../gpu/device.js";
import { nodeGpu } from "../gpu/node-device.js";
import { appendRecord, endLastLine, readResults } from "./results-file.js";
import { lockResults } from "./results-lock.js";

/** A message to a worker: one run to execute. */
export interface ToWorker {
  readonly id: number;
  readonly config: RunConfig;
  /** Threads the run computes its gradients on (train's workers). */
  readonly workers: number;
}

/** A worker's answer: the run's record, or the error it threw. */
export type FromWorker = { readonly id: number; readonly record: RunRecord } | { readonly id: number; readonly error: string };

export interface PoolOptions {
  /** The results file: read first (finished runs are skipped), appended to as runs finish. */
  readonly out: string;
  /**
   * Worker threads, one run each. Default os.availableParallelism(). When fewer runs are left than
   * that, each run splits its batches across the idle threads' share of the cores (workersPerRun).
   */
  readonly workers?: number;
  /** Stops the grid: workers terminated, the GPU run stopped, finished runs kept. */
  readonly signal?: AbortSignal;
  /** The device of the "webgpu" runs (the caller's to close); default one opened at the first and closed at the end (nodeGpu). */
  readonly gpu?: GpuHandle;
  /**
   * Called once the runs still to do are known: `total` runs in the list, `skipped` of them not run
   * (already in the file, or repeating an earlier run of the list), `todo` to run, and the
   * `records` the file held before this call, `existing` those records by run key.
   */
  readonly onStart?: (info: { total: number; skipped: number; todo: number; records: number; pending: readonly RunConfig[]; existing: ReadonlyMap<string, RunRecord> }) => void;
  /** Called after each finished run has been appended. */
  readonly onRun?: (record: RunRecord, done: number, todo: number) => void;
}

export interface PoolResult {
  /** Runs of the list not run by this call: already in the file, or repeating an earlier run of the list. */
  readonly skipped: number;
  /** Runs finished (and appended) by this call. */
  readonly finished: number;
  /** Runs this call had to do. */
  readonly todo: number;
  /** True when stopped by the signal before every run finished. */
  readonly interrupted: boolean;
}

/** The compiled worker: beside this file in lib/dist, or in lib/dist when this file runs from source. */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts") ? new URL("../dist/experiments/worker.js", here) : new URL("./worker.js", here);
}

/**
 * Runs what the file lacks. Holding the file's lock from before it is read until the last worker
 * has stopped, whatever ends the grid (finished, aborted, failed): a second sweep on the same file
 * throws at once instead of running the same runs again.
 */
export async function runPool(runs: readonly RunConfig[], options: PoolOptions): Promise<PoolResult> {
  const { out, signal, onStart } = options;
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`runPool: workers must be a positive integer, got ${workers}`);
  const lock = lockResults(out);
  try {
    endLastLine(out);
    const { byKey: existing, records } = readResults(out);
    const todo = firstPerRun(runs, (run) => run).filter((run) => !existing.has(runKey(run)));
    const skipped = runs.length - todo.length;
    onStart?.({ total: runs.length, skipped, todo: todo.length, records: records.length, pending: todo, existing });
    if (todo.length === 0 || signal?.aborted) return { skipped, finished: 0, todo: todo.length, interrupted: todo.length > 0 };
    const url = workerUrl();
    if (todo.some(onCpu) && !existsSync(url)) throw new Error(`runPool: the compiled worker ${url.pathname} is missing: run npm run build:lib`);
    return await runAll(url, todo, workers, skipped, options);
  } finally {
    lock.release();
  }
}

/**
 * The smallest batch whose steps a run splits across threads. Measured on the 2-core machine
 * (npm run bench, 784-100-10 digits, quiet): 2 threads against 1 ran 0.67× at B = 16, 0.88× at 64,
 * 1.11× at 256 and 1.02× at 1024, since each thread stages the weights into its own kernel's memory
 * every step; below 256 a second thread only slows a run down.
 */
export const minParallelBatch = 256;

/**
 * The threads a run of batch size `batchSize` gets when `runsLeft` runs (in progress or not yet
 * started) share `cores` threads: all of them to one run, half each to two, … one each once runs
 * outnumber cores, and one to a run whose batches are too small to split (minParallelBatch). A run
 * started later, with fewer left, never gets fewer than one started earlier, so the runs in
 * progress never hold more threads than `cores`.
 */
export function workersPerRun(cores: number, runsLeft: number, batchSize = minParallelBatch): number {
  if (batchSize < minParallelBatch) return 1;
  return Math.max(1, Math.floor(cores / Math.min(cores, Math.max(runsLeft, 1))));
}

const onCpu = (run: RunConfig) => backendOf(run) === "cpu";

/**
 * Runs `todo`: the CPU runs on `workers` threads, the GPU runs one after another on this thread,
 * appending each record as it arrives; settles once every worker and the GPU run have stopped.
 */
function runAll(url: URL, todo: readonly RunConfig[], workers: number, skipped: number, options: PoolOptions): Promise<PoolResult> {
  const { out, signal, onRun } = options;
  const cpuRuns = todo.filter(onCpu);
  const gpuRuns = todo.filter((run) => !onCpu(run));
  return new Promise((resolvePool, rejectPool) => {
    const pool: Worker[] = [];
    const gpuStop = new AbortController();
    let gpuLane: Promise<void> = Promise.resolve();
    let next = 0;
    let cpuFinished = 0;
    let finished = 0;
    let settled = false;
    const stop = async (outcome: { interrupted: boolean } | { error: Error }) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      gpuStop.abort();
      await Promise.all([...pool.map((worker) => worker.terminate()), gpuLane]);
      if ("error" in outcome) rejectPool(outcome.error);
      else resolvePool({ skipped, finished, todo: todo.length, interrupted: outcome.interrupted });
    };
    const onAbort = () => void stop({ interrupted: true });
    signal?.addEventListener("abort", onAbort);
    /** Appends a finished run; false once the grid has stopped. */
    const land = (record: RunRecord): boolean => {
      try {
        appendRecord(out, record);
      } catch (error) {
        void stop({ error: error as Error });
        return false;
      }
      finished++;
      onRun?.(record, finished, todo.length);
      if (finished === todo.length) void stop({ interrupted: false });
      return !settled;
    };

    const feed = (worker: Worker) => {
      if (next < cpuRuns.length) {
        const message: ToWorker = { id: next, config: cpuRuns[next], workers: workersPerRun(Math.min(workers, availableParallelism()), cpuRuns.length - cpuFinished, cpuRuns[next].batchSize) };
        next++;
        worker.postMessage(message);
      }
    };
    for (let w = 0; w < Math.min(workers, cpuRuns.length); w++) {
      const worker = new Worker(url);
      pool.push(worker);
      worker.on("message", (message: FromWorker) => {
        if (settled) return;
        if ("error" in message) {
          void stop({ error: new Error(`run ${runKey(cpuRuns[message.id])} failed: ${message.error}`) });
          return;
        }
        cpuFinished++;
        if (land(message.record)) feed(worker);
      });
      worker.on("error", (error) => void stop({ error }));
      worker.on("exit", (code) => {
        if (!settled) void stop({ error: new Error(`a worker exited with code ${code} before the grid finished`) });
      });
      feed(worker);
    }
    if (gpuRuns.length > 0) gpuLane = runOnGpu(gpuRuns, options.gpu, gpuStop.signal, land).catch((error: unknown) => void stop({ error: error as Error }));
  });
}

/** The GPU runs one at a time on one device; a run the grid stopped in the middle of is discarded. */
async function runOnGpu(runs: readonly RunConfig[], given: GpuHandle | undefined, stopped: AbortSignal, land: (record: RunRecord) => boolean): Promise<void> {
  const gpu = given ?? (await nodeGpu());
  try {
    for (const config of runs) {
      if (stopped.aborted) return;
      let record: RunRecord;
      try {
        record = await runOneAsync(config, { gpu, signal: stopped });
      } catch (error) {
        throw new Error(`run ${runKey(config)} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      if (stopped.aborted || !land(record)) return;
    }
  } finally {
    if (given === undefined) gpu.close();
  }
}
