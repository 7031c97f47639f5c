/**
 * Training on a WebGPU device: the GPU's counterpart of lib/train/session.ts, with the same
 * schedule (budgets, last batch, B and η changed between steps) and the same recorder (records,
 * divergence, B_simple). The CPU plans chunks of up to 64 steps ahead, each cut where something must
 * be read back: a checkpoint, an epoch's end, a B_simple measurement, the end of the budget. A chunk
 * is one compute pass; its steps' losses come back with it, and the weights come back into the
 * float64 network only at a cut, where the recorder evaluates them on the CPU. The next chunk is
 * encoded and submitted while the device works on the one before, so the CPU's encoding overlaps
 * the GPU's work.
 */
import type { Dataset } from "../data/dataset.js";
import { reductionScale } from "../losses/loss.js";
import type { Network } from "../network/network.js";
import type { OptimizerSettings } from "../optimizers/optimizer.js";
import { type CheckedOptions, checkTrainOptions, type TrainResult } from "../train/options.js";
import { createRecorder } from "../train/recorder.js";
import { createSchedule, type SessionView, withSessionView } from "../train/schedule.js";
import type { SessionOptions, SessionStep } from "../train/session.js";
import { checkBatchSize, ConfigError } from "../validate/validate.js";
import { type GpuHandle, GpuUnavailableError } from "./device.js";
import { type ChunkReadback, createTrainer, maxChunk, type StepParams, writeWeights } from "./trainer.js";

/** A training session whose steps run on the GPU: createSession's, but each call takes many steps. */
export interface GpuSession extends SessionView {
  /**
   * Takes up to `maxSteps` more steps (fewer at the end of the budget, on divergence, or once
   * `signal` is aborted: the chunks already sent, up to 2 × 64 steps, still count); resolves whether
   * the run goes on. onStep and onRecord are called for each, in order, before it resolves.
   */
  advance(maxSteps: number, signal?: AbortSignal): Promise<boolean>;
  /** B and η from the next step: checked as the CPU session checks them. */
  set(changes: { readonly batchSize?: number; readonly lr?: number }): void;
  /** Ends the run where it is (an advance under way first lands the chunks it has sent): the weights come back, a last checkpoint, `aborted` set. */
  stop(): Promise<void>;
  /** Releases the run's GPU buffers (not the device, which is the caller's). */
  close(): void;
  readonly result: TrainResult;
}

export type { SessionStep };

/** A planned chunk: its steps, and what happens after them. */
interface Chunk {
  readonly steps: (StepParams & { readonly epoch: number; readonly batchSize: number })[];
  /** The run's epoch count at the chunk's end, for its records. */
  readonly epochAtEnd: number;
  readonly checkpoint: boolean;
  readonly noiseScale: boolean;
  readonly epochEnd: boolean;
  /** The budget is spent after this chunk's steps (and epoch end). */
  readonly last: boolean;
}

/** train()'s checks, and what the GPU cannot run: a ConfigError naming it, before any device work; with the settings of the optimizer's rule. */
export function checkGpuOptions(net: Network, data: Dataset, options: SessionOptions & { readonly workers?: number }): CheckedOptions & { readonly settings: OptimizerSettings } {
  const cpuOnly = 'is an option of the CPU backend; backend "webgpu" computes the vectorized gradient on the GPU';
  if (options.workers !== undefined) throw new ConfigError("workers", cpuOnly);
  if (options.gradients !== undefined && options.gradients !== "vectorized") throw new ConfigError("gradients", cpuOnly);
  if (options.sparseInputs !== undefined) throw new ConfigError("sparseInputs", cpuOnly);
  const checked = checkTrainOptions(net, data, options);
  const { optimizer } = checked;
  if (optimizer.settings === undefined) {
    throw new ConfigError("optimizer", 'backend "webgpu" runs the library\'s own update rules: give { name, lr, … } or an optimizer made by createOptimizer');
  }
  return { ...checked, settings: optimizer.settings };
}

export async function createGpuSession(net: Network, data: Dataset, options: SessionOptions, gpu: GpuHandle): Promise<GpuSession> {
  const checked = checkGpuOptions(net, data, options);
  const { noiseScaleEvery, test, objective, optimizer, settings } = checked;
  const schedule = createSchedule(data, checked);
  const trainer = createTrainer(gpu, net, data, objective, { name: optimizer.name, ...settings });
  try {
    trainer.reserve(schedule.batchSize);
  } catch (error) {
    trainer.destroy();
    throw error;
  }
  let done = false;
  let closed = false;
  const close = () => {
    if (!closed) trainer.destroy();
    closed = true;
    done = true;
  };
  const recorder = createRecorder({
    net,
    data,
    test,
    objective,
    sparse: checked.sparse,
    run: { kernel: "wgsl", sparse: false, workers: 1, backend: "webgpu", adapter: gpu.adapter },
    noiseScaleEvery,
    onRecord: options.onRecord,
    release: close,
  });
  const { result } = recorder;

  /** The next chunk: steps until a cut, at most `room`. */
  const plan = (room: number): Chunk => {
    const steps: Chunk["steps"] = [];
    let checkpoint = false;
    let noiseScale = false;
    let epochEnd = !schedule.atEpochStart && schedule.usedUp();
    while (!epochEnd && steps.length < Math.min(room, maxChunk)) {
      const epoch = schedule.epochsDone + 1;
      const { from, rows } = schedule.next();
      if (from === 0) trainer.setOrder(schedule.order);
      // Adam's t counts the optimizer's steps from 1: the schedule's steps once this one is taken.
      steps.push({ position: from, rows, scale: reductionScale(objective.reduction, rows), lr: optimizer.lr, t: schedule.steps + 1, epoch, batchSize: schedule.batchSize });
      schedule.took(rows);
      checkpoint = schedule.checkpointDue();
      noiseScale = recorder.noiseScaleDue(schedule.steps);
      epochEnd = schedule.usedUp();
      if (checkpoint || noiseScale || epochEnd || schedule.budgetSpent()) break;
    }
    const epochAtEnd = schedule.epochNow();
    if (epochEnd) schedule.endEpoch();
    return { steps, epochAtEnd, checkpoint, noiseScale, epochEnd, last: schedule.budgetSpent() };
  };

  const cut = (chunk: Chunk) => chunk.checkpoint || chunk.noiseScale || chunk.epochEnd || chunk.last;
  /**
   * Encodes and submits steps as one chunk. A chunk the device refuses runs nothing and its copies
   * read back zeros: its read() fails with the device's message instead.
   */
  const send = (steps: Chunk["steps"], copy: "weights" | "none"): ChunkReadback => {
    let readback: ChunkReadback;
    let refused: Promise<GPUError | null>;
    gpu.device.pushErrorScope("validation");
    try {
      const encoder = gpu.device.createCommandEncoder();
      readback = trainer.encode(encoder, steps, copy);
      gpu.device.queue.submit([encoder.finish()]);
    } finally {
      refused = gpu.device.popErrorScope();
    }
    return {
      async read() {
        const error = await refused;
        if (error !== null) throw new Error(`webgpu: the device refused a chunk of ${steps.length} step${steps.length === 1 ? "" : "s"}: ${error.message}`);
        return readback.read();
      },
    };
  };
  const submit = (chunk: Chunk): ChunkReadback => send(chunk.steps, cut(chunk) ? "weights" : "none");

  /**
   * Training time: the advances' wall time less what is not training, as the CPU counts only its
   * steps: the records' evaluations, B_simple (kept in noiseScaleSeconds) and the caller's onStep.
   */
  let secondsBefore = 0;
  let advanceStarted = 0;
  let asideSeconds = 0;
  const timed = <T>(work: () => T): T => {
    const started = performance.now();
    try {
      return work();
    } finally {
      asideSeconds += (performance.now() - started) / 1000;
    }
  };

  /** Takes in a chunk's results: its steps (up to a divergence), then its records. */
  const land = async (chunk: Chunk, readback: ChunkReadback) => {
    const { losses, firstBad, weights } = await readback.read();
    result.seconds = secondsBefore + (performance.now() - advanceStarted) / 1000 - asideSeconds;
    for (const [i, step] of chunk.steps.entries()) {
      if (firstBad === i + 1) {
        result.diverged = { epoch: step.epoch, step: result.steps + 1, lastFiniteLoss: recorder.lastFinite };
        break;
      }
      recorder.lastFinite = losses[i];
      result.steps++;
      result.samples += step.rows;
      const taken: SessionStep = { epoch: step.epoch, step: result.steps, batchSize: step.batchSize, rows: step.rows, lr: step.lr, batchLoss: losses[i] };
      if (options.onStep !== undefined) timed(() => options.onStep!(taken));
    }
    if (weights !== undefined) writeWeights(net, weights);
    // The device kept the weights of the last finite step: its updates stop at the flag.
    else if (result.diverged !== undefined) await syncWeights();
    if (result.diverged !== undefined) return close();
    if (chunk.checkpoint && !timed(() => recorder.checkpoint(chunk.epochAtEnd))) return close();
    if (chunk.noiseScale) timed(() => recorder.noiseScale(chunk.epochAtEnd));
    if (chunk.epochEnd && !timed(() => recorder.epochEnd(chunk.epochAtEnd))) return close();
    if (chunk.last) {
      timed(() => recorder.last(chunk.epochAtEnd));
      close();
    }
  };

  /** Reads the weights back as they are now, through an empty chunk. */
  const syncWeights = async () => {
    const { weights } = await send([], "weights").read();
    writeWeights(net, weights!);
  };

  /** Why the device went, once it has (destroyed by its owner, or lost to a driver reset): Dawn's failed reads then say nothing. */
  let lost: string | undefined;
  void gpu.device.lost.then((info) => (lost = info.message || info.reason || "no reason given"));
  /** The advance under way, which stop() lets finish its chunks in flight; `halting` stops it planning more. */
  let running: Promise<boolean> | undefined;
  let halting = false;
  const run = async (maxSteps: number, signal: AbortSignal | undefined): Promise<boolean> => {
    let left = maxSteps;
    secondsBefore = result.seconds;
    asideSeconds = 0;
    advanceStarted = performance.now();
    // One chunk in flight while the next is planned and encoded; none is planned past a cut,
    // whose records must be made before the run goes on (or ends).
    let inFlight: { chunk: Chunk; readback: ChunkReadback } | undefined;
    try {
      while (!done && (left > 0 || inFlight !== undefined)) {
        let next: typeof inFlight;
        if (signal?.aborted || halting) left = 0;
        if (left > 0 && (inFlight === undefined || !cut(inFlight.chunk))) {
          const chunk = plan(left);
          left -= chunk.steps.length;
          await trainer.prepare(new Set(chunk.steps.map((step) => step.rows)));
          next = { chunk, readback: submit(chunk) };
        }
        if (inFlight !== undefined) await land(inFlight.chunk, inFlight.readback);
        inFlight = next;
      }
    } catch (error) {
      // Closed under it (close() while it ran): the run is over, not failed.
      if (closed) return false;
      close();
      throw lost === undefined ? error : new GpuUnavailableError(`webgpu: the device was lost during training (${lost})`);
    }
    // Halted by stop(), which ends the run as soon as this resolves.
    return !done && !halting;
  };

  return withSessionView<GpuSession>(
    {
      async advance(maxSteps, signal) {
        if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new RangeError(`advance: maxSteps must be a positive integer, got ${maxSteps}`);
        if (running !== undefined) throw new Error("advance: the previous advance has not finished (await it first)");
        running = run(maxSteps, signal);
        try {
          return await running;
        } finally {
          running = undefined;
        }
      },
      set(changes) {
        // Room for the new B first: one the adapter cannot hold is refused with the run unchanged.
        if (changes.batchSize !== undefined && !done) {
          checkBatchSize(changes.batchSize, data.inputs.rows, data.name);
          trainer.reserve(changes.batchSize);
        }
        schedule.change(changes, optimizer);
      },
      async stop() {
        halting = true;
        await running?.catch(() => undefined);
        halting = false;
        if (done) return;
        result.aborted = true;
        try {
          await syncWeights();
          recorder.last(schedule.epochNow());
        } finally {
          close();
        }
      },
      close,
      result,
    },
    schedule,
    optimizer,
    () => done,
  );
}
