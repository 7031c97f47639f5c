/**
 * The batches of a run: each epoch a seeded shuffle of the samples cut into batches of B, and the
 * budget that ends the run. Both ways of training walk it, one step at a time (lib/train/session.ts)
 * or a chunk of steps ahead of the device (lib/gpu/session.ts). B may change between steps: the
 * epoch goes on from where it is, cut into batches of the new size.
 */
import type { Dataset } from "../data/dataset.js";
import type { Optimizer } from "../optimizers/optimizer.js";
import { createRng } from "../random/rng.js";
import { checkBatchSize } from "../validate/validate.js";
import { type Budget, budgetSteps, stepsPerEpoch } from "./budget.js";

export interface Schedule {
  /** The samples in this epoch's order: a batch is order[from … from + rows). */
  readonly order: Int32Array;
  readonly batchSize: number;
  /** Steps taken over the run. */
  readonly steps: number;
  readonly epochsDone: number;
  /** Whether the next batch starts an epoch (and `begin` shuffles). */
  readonly atEpochStart: boolean;
  /** Whether the epoch has no batch left: its samples are used up, or, dropping the last batch, fewer than B are left. */
  usedUp(): boolean;
  /** Epochs completed, fractional within one: steps / stepsPerEpoch when B stays the same. */
  epochNow(): number;
  /** The next batch, shuffling at an epoch's start; `took` moves past it once it is trained. */
  next(): { from: number; rows: number };
  took(rows: number): void;
  /** Starts the next epoch. */
  endEpoch(): void;
  budgetSpent(): boolean;
  /** The optimizer steps the budget allows at the current B. */
  plannedSteps(): number;
  /** Whether the step just taken is a checkpoint: every recordEvery steps (0: none). */
  checkpointDue(): boolean;
  /**
   * B and η of the next steps, as a session's set() takes them: B from 1 to the training set, η
   * positive and finite (the optimizer checks it). Returns whether B changed, so the caller remakes
   * what is sized for it.
   */
  change(changes: { readonly batchSize?: number; readonly lr?: number }, optimizer: Optimizer): boolean;
}

export interface ScheduleOptions {
  readonly batchSize: number;
  readonly budget: Budget;
  readonly lastBatch: "partial" | "drop";
  readonly seed: number;
  readonly recordEvery: number;
}

export function createSchedule(data: Dataset, options: ScheduleOptions): Schedule {
  const { budget, lastBatch, seed } = options;
  let { batchSize, recordEvery } = options;
  const trainSize = data.inputs.rows;
  const n = trainSize;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const rng = createRng(seed);
  let epochsDone = 0;
  let steps = 0;
  /** Where the epoch is: its first `position` shuffled samples are trained, in `stepInEpoch` steps. */
  let position = 0;
  let stepInEpoch = 0;
  /** Σ B over the steps, which a { samples } budget counts: ⌈samples / B⌉ steps when B stays the same. */
  let samplesAsked = 0;
  const usedUp = () => position >= n || (lastBatch === "drop" && n - position < batchSize);
  return {
    order,
    get batchSize() {
      return batchSize;
    },
    get steps() {
      return steps;
    },
    get epochsDone() {
      return epochsDone;
    },
    get atEpochStart() {
      return position === 0;
    },
    usedUp,
    epochNow() {
      if (usedUp()) return epochsDone + 1;
      const perEpoch = stepsPerEpoch(n, batchSize, lastBatch);
      return (epochsDone * perEpoch + stepInEpoch) / perEpoch;
    },
    next() {
      if (position === 0) rng.shuffle(order);
      return { from: position, rows: Math.min(batchSize, n - position) };
    },
    took(rows) {
      steps++;
      samplesAsked += batchSize;
      position += rows;
      stepInEpoch++;
    },
    endEpoch() {
      epochsDone++;
      position = 0;
      stepInEpoch = 0;
    },
    budgetSpent() {
      return "epochs" in budget ? epochsDone >= budget.epochs : "steps" in budget ? steps >= budget.steps : samplesAsked >= budget.samples;
    },
    plannedSteps() {
      return budgetSteps(budget, n, batchSize, lastBatch);
    },
    checkpointDue() {
      return recordEvery > 0 && steps % recordEvery === 0;
    },
    change({ batchSize: newBatchSize, lr }, optimizer) {
      if (newBatchSize !== undefined) checkBatchSize(newBatchSize, n, data.name);
      if (lr !== undefined) optimizer.lr = lr;
      if (newBatchSize === undefined || newBatchSize === batchSize) return false;
      // The epoch keeps its place: its steps so far count in the new B's steps per epoch.
      stepInEpoch = Math.round((position / n) * stepsPerEpoch(n, newBatchSize, lastBatch));
      // Records keep coming every as many samples as before: every step of B = 1 would evaluate thousands of times.
      if (recordEvery > 0) recordEvery = Math.max(1, Math.round((recordEvery * batchSize) / newBatchSize));
      batchSize = newBatchSize;
      return true;
    },
  };
}

/** Where a session is, as both kinds report it: B and η of the next step, whether it is done, its planned steps. */
export interface SessionView {
  readonly batchSize: number;
  readonly lr: number;
  readonly done: boolean;
  /** The optimizer steps the budget allows at the current B. */
  readonly plannedSteps: number;
}

/** `methods` with the SessionView's getters added, read from the schedule, the optimizer and `isDone`. */
export function withSessionView<S extends SessionView>(methods: Omit<S, keyof SessionView>, schedule: Schedule, optimizer: Optimizer, isDone: () => boolean): S {
  return Object.defineProperties(methods, {
    batchSize: { get: () => schedule.batchSize, enumerable: true },
    lr: { get: () => optimizer.lr, enumerable: true },
    done: { get: isDone, enumerable: true },
    plannedSteps: { get: () => schedule.plannedSteps(), enumerable: true },
  }) as S;
}
