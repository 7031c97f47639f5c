/**
 * What a set of finished runs says, reduced for a chart or a sentence: runs grouped by setting and
 * batch size with the mean and the min–max spread over their seeds, the seed-mean history of a
 * group, the steps it took to reach a target, the training time of an epoch. Pure functions of
 * RunRecords, so they run in the browser too (notebooks 09 and 10, CLAIMS.md claim 11).
 */
import type { TrainRecord } from "../train/options.js";
import { stepsPerEpoch } from "../train/budget.js";
import { canonicalJson, firstPerRun, runKey, type RunConfig } from "./config.js";
import type { Experiment } from "./defaults.js";
import { finalPoint, type RunRecord } from "./record.js";

/** Mean, smallest and largest of some numbers (one per seed), and how many there were. */
export interface Spread {
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/** The metrics of a run's final point. */
export type FinalMetric = "trainLoss" | "trainAccuracy" | "testLoss" | "testAccuracy";
export const finalMetrics: readonly FinalMetric[] = ["testAccuracy", "testLoss", "trainAccuracy", "trainLoss"];

/** The runs of one setting at one batch size: normally the same configuration over several seeds. */
export interface RunGroup {
  readonly setting: string;
  readonly batchSize: number;
  readonly records: readonly RunRecord[];
}

/** A group reduced to numbers. Metrics are over the runs that did not diverge (null if none). */
export interface SettingSummary {
  readonly setting: string;
  readonly batchSize: number;
  /** The learning rate the runs used (after any scaling to B). */
  readonly lr: number;
  readonly runs: number;
  /** Runs whose loss stopped being finite. */
  readonly diverged: number;
  readonly trainLoss: Spread | null;
  readonly trainAccuracy: Spread | null;
  readonly testLoss: Spread | null;
  readonly testAccuracy: Spread | null;
  /** Training seconds per epoch (evaluation excluded), over every run. */
  readonly secondsPerEpoch: Spread;
}

/** The spread of a non-empty list of finite numbers. */
export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError("spreadOf: no values (expected at least one)");
  values.forEach((value, i) => {
    if (!Number.isFinite(value)) throw new RangeError(`spreadOf: value ${i} is ${value}, expected a finite number`);
  });
  const sum = values.reduce((a, b) => a + b, 0);
  return { mean: sum / values.length, min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/**
 * Groups runs by `setting(config)` and batch size: settings in the order first met, batch sizes
 * rising within each. Runs in one group must differ in their seed only (a group mixing two η, two
 * optimizers or two budgets would average different experiments), so a setting label that forgets
 * an axis is an error. A run given twice counts once (its first record).
 */
export function groupRuns(records: readonly RunRecord[], setting: (config: RunConfig) => string): RunGroup[] {
  const groups = new Map<string, Map<number, RunRecord[]>>();
  for (const record of firstPerRun(records, (r) => r.config)) {
    const label = setting(record.config);
    const byBatch = groups.get(label) ?? groups.set(label, new Map()).get(label)!;
    const group = byBatch.get(record.config.batchSize) ?? byBatch.set(record.config.batchSize, []).get(record.config.batchSize)!;
    if (group.length > 0 && seedlessKey(group[0].config) !== seedlessKey(record.config)) {
      throw new RangeError(
        `groupRuns: setting "${label}" at B = ${record.config.batchSize} mixes runs that differ in more than their seed ` +
          `(${differences(group[0].config, record.config)}); name that setting in the label`,
      );
    }
    group.push(record);
  }
  return [...groups].flatMap(([label, byBatch]) =>
    [...byBatch].sort(([a], [b]) => a - b).map(([batchSize, group]) => ({ setting: label, batchSize, records: group })),
  );
}

/** The key of a run's configuration with its seed left out: equal for the seeds of one setting. */
function seedlessKey(config: RunConfig): string {
  return runKey({ ...config, seed: 0 });
}

/** The settings two configurations disagree on, e.g. "lr 3 and 1, optimizer sgd and adam". */
function differences(a: RunConfig, b: RunConfig): string {
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((field) => field !== "seed").sort();
  const json = (config: RunConfig, field: string) => canonicalJson((config as unknown as Record<string, unknown>)[field]) ?? "none";
  return fields
    .filter((field) => json(a, field) !== json(b, field))
    .map((field) => `${field} ${json(a, field)} and ${json(b, field)}`)
    .join(", ");
}

/** Training seconds per epoch of a run: its training time over the epochs it trained. */
export function secondsPerEpoch(record: RunRecord): number {
  const { data, batchSize, lastBatch } = record.config;
  const epochs = record.steps / stepsPerEpoch(data.train, batchSize, lastBatch);
  if (!(epochs > 0)) throw new RangeError(`secondsPerEpoch: the run at B = ${batchSize} trained no step`);
  return record.seconds / epochs;
}

/** Mean and spread over seeds of each group's final point, and of its time per epoch. */
export function summarizeRuns(records: readonly RunRecord[], setting: (config: RunConfig) => string): SettingSummary[] {
  return summarizeGroups(groupRuns(records, setting));
}

/** summarizeRuns for runs already grouped. */
export function summarizeGroups(groups: readonly RunGroup[]): SettingSummary[] {
  return groups.map(({ setting: label, batchSize, records: group }) => {
    const finals = group.filter((record) => record.diverged === null).map(finalPoint).filter((point) => point !== undefined);
    const metric = (name: FinalMetric): Spread | null => {
      const values = finals.map((point) => point[name]).filter((value): value is number => value !== undefined);
      return values.length === 0 ? null : spreadOf(values);
    };
    return {
      setting: label,
      batchSize,
      lr: group[0].config.lr,
      runs: group.length,
      diverged: group.filter((record) => record.diverged !== null).length,
      trainLoss: metric("trainLoss"),
      trainAccuracy: metric("trainAccuracy"),
      testLoss: metric("testLoss"),
      testAccuracy: metric("testAccuracy"),
      secondsPerEpoch: spreadOf(group.map(secondsPerEpoch)),
    };
  });
}

/** For each batch size, the summary with the best mean of `metric` (highest accuracy, lowest loss). */
export function bestPerBatchSize(summaries: readonly SettingSummary[], metric: FinalMetric = "testAccuracy"): SettingSummary[] {
  const higher = metric.endsWith("Accuracy");
  const best = new Map<number, SettingSummary>();
  for (const summary of summaries) {
    const value = summary[metric]?.mean;
    if (value === undefined) continue;
    const current = best.get(summary.batchSize)?.[metric]?.mean;
    if (current === undefined || (higher ? value > current : value < current)) best.set(summary.batchSize, summary);
  }
  return [...best.values()].sort((a, b) => a.batchSize - b.batchSize);
}

/**
 * The seed-mean history of runs of one configuration: at every step that all of them checkpointed,
 * the mean of each metric (a diverged run ends early, so it limits the steps kept). A run given
 * twice counts once.
 */
export function meanHistory(records: readonly RunRecord[]): TrainRecord[] {
  if (records.length === 0) throw new RangeError("meanHistory: no runs");
  const bySteps = firstPerRun(records, (r) => r.config).map((record) => new Map(record.checkpoints.map((point) => [point.step, point])));
  const steps = records[0].checkpoints.map((point) => point.step).filter((step) => bySteps.every((map) => map.has(step)));
  return steps.map((step) => {
    const points = bySteps.map((map) => map.get(step)!);
    const mean = (pick: (point: TrainRecord) => number | undefined): number | undefined => {
      const values = points.map(pick);
      return values.some((value) => value === undefined) ? undefined : (values as number[]).reduce((a, b) => a + b, 0) / values.length;
    };
    const testLoss = mean((point) => point.testLoss);
    const testAccuracy = mean((point) => point.testAccuracy);
    return {
      epoch: points[0].epoch,
      step,
      samples: points[0].samples,
      trainLoss: mean((point) => point.trainLoss)!,
      trainAccuracy: mean((point) => point.trainAccuracy)!,
      ...(testLoss !== undefined && { testLoss }),
      ...(testAccuracy !== undefined && { testAccuracy }),
      seconds: mean((point) => point.seconds)!,
    };
  });
}

/**
 * The first checkpointed step at which the seed-mean test accuracy reaches `target`, or null when
 * it never does within the runs. The answer is only as fine as the checkpoints (≈ 20 a run).
 */
export function stepsToTarget(records: readonly RunRecord[], target: number): number | null {
  if (!(target > 0 && target <= 1)) throw new RangeError(`stepsToTarget: target accuracy ${target} must lie in (0, 1]`);
  const reached = meanHistory(records).find((point) => point.testAccuracy !== undefined && point.testAccuracy >= target);
  return reached?.step ?? null;
}

/** Experiments whose runs are not all in a results file. */
export class MissingRunsError extends Error {
  readonly missing: number;
  constructor(message: string, missing: number) {
    super(message);
    this.name = "MissingRunsError";
    this.missing = missing;
  }
}

/**
 * Each experiment's records, looked up by run key in a results file's `byKey`, in the experiment's
 * order. A run not in the file (a missing file, an interrupted grid, a changed default) is an error
 * that says how to produce it, never a chart silently missing points.
 */
export function experimentRecords(
  experiments: readonly Experiment[],
  byKey: ReadonlyMap<string, RunRecord>,
  rerun = "npm run experiment -- --default",
): Map<string, RunRecord[]> {
  const found = new Map<string, RunRecord[]>();
  const missing: string[] = [];
  let count = 0;
  for (const experiment of experiments) {
    const records = experiment.runs.flatMap((run) => byKey.get(runKey(run)) ?? []);
    if (records.length < experiment.runs.length) {
      count += experiment.runs.length - records.length;
      missing.push(`${experiment.id} (${experiment.runs.length - records.length} of ${experiment.runs.length})`);
    }
    found.set(experiment.id, records);
  }
  if (missing.length > 0) {
    const where = byKey.size === 0 ? "the results file is missing or empty" : `the results file lacks runs of ${missing.join(", ")}`;
    throw new MissingRunsError(`${where}: run \`${rerun}\` from the repository's root (it only runs what is missing), then rerun this`, count);
  }
  return found;
}
