/**
 * Any set of finished runs (a sweep's grid, a whole results file), divided by what varies in it:
 * the settings every run shares, the contexts (one per combination of the settings that vary,
 * η and B aside), and within each context one group per η and B, summarized over its seeds. The
 * labels name only what varies, so a grid of B × η reads "η = 3" and a file that also mixes
 * optimizers reads "adam" above its own η and B. Pure, browser-safe.
 */
import { backendOf, firstPerRun, outputActivationOf, type RunConfig } from "./config.js";
import type { RunRecord } from "./record.js";
import { groupRuns, type RunGroup, type SettingSummary, summarizeGroups } from "./summary.js";

/** A setting that may vary between runs, other than η, B and the seed, with how to say it. */
interface Axis {
  readonly label: (config: RunConfig) => string;
  /** Whether to name it among the shared settings when every run has the same. */
  readonly shared: (config: RunConfig) => boolean;
  /** Set by the grid from B and the other settings (the checkpoint interval, from the steps a budget makes at B): named only when they leave it free. */
  readonly derived?: true;
}

const always = () => true;

/**
 * Every field of a run's key but the seed, B and η (RunConfig): two runs at one B with the same
 * labels here and the same η label differ in their seed only, as groupRuns requires.
 */
const axes: readonly Axis[] = [
  { label: ({ data }) => `${data.name} (${data.train} train, ${data.test} test, data seed ${data.seed})`, shared: always },
  { label: (c) => c.layers.join("-"), shared: always },
  { label: (c) => c.activation, shared: always },
  { label: (c) => `${outputActivationOf(c)} output`, shared: (c) => outputActivationOf(c) !== c.activation },
  { label: (c) => c.loss, shared: always },
  { label: (c) => `${c.reduction} reduction`, shared: always },
  { label: (c) => c.optimizer, shared: always },
  { label: (c) => budgetLabel(c.budget), shared: always },
  { label: (c) => ({ none: "η fixed", linear: "η ∝ B", sqrt: "η ∝ √B" })[c.lrScaling], shared: (c) => c.lrScaling !== "none" },
  { label: (c) => `B₀ = ${c.baseBatch}`, shared: (c) => c.lrScaling !== "none" },
  { label: (c) => `last batch ${c.lastBatch}`, shared: () => false },
  { label: (c) => `a checkpoint every ${c.recordEvery} steps`, shared: () => false, derived: true },
  // float32 on a GPU rounds otherwise than float64: its runs are never averaged with the CPU's.
  { label: (c) => ({ cpu: "on the CPU", webgpu: "on WebGPU" })[backendOf(c)], shared: (c) => backendOf(c) !== "cpu" },
];

/** "1 epoch", "300 steps". */
export function budgetLabel(budget: RunConfig["budget"]): string {
  const [kind, value] = Object.entries(budget)[0];
  return `${value} ${value === 1 ? kind.replace(/s$/, "") : kind}`;
}

/** The η of a run as given: the rate itself, or how it was scaled to B ("η = 3·B/10"). */
export function etaLabel(config: RunConfig): string {
  switch (config.lrScaling) {
    case "none":
      return `η = ${config.lr}`;
    case "linear":
      return `η = ${config.baseLr}·B/${config.baseBatch}`;
    case "sqrt":
      return `η = ${config.baseLr}·√(B/${config.baseBatch})`;
  }
}

/** One combination of the settings that vary (η and B aside): its runs, grouped by η and B. */
export interface SweepSection {
  /** The varying settings' labels, e.g. "adam, 2 epochs"; "" when nothing but η, B and the seed varies. */
  readonly context: string;
  readonly records: readonly RunRecord[];
  /** One per η and B, η rising, B rising within each η; each group's summary at the same index. */
  readonly groups: readonly RunGroup[];
  readonly summaries: readonly SettingSummary[];
}

export interface Sweep {
  /** The settings every run shares, e.g. ["xor (800 train, …)", "2-6-2", "sigmoid", …]. */
  readonly shared: readonly string[];
  readonly sections: readonly SweepSection[];
  /** The distinct batch sizes and learning rates (as used) of all runs, rising. */
  readonly batchSizes: readonly number[];
  readonly lrs: readonly number[];
  /** How many seeds the runs used, in all. */
  readonly seeds: number;
}

/** Divides the runs by what varies among them (a run given twice counts once); throws on none. */
export function describeSweep(given: readonly RunRecord[]): Sweep {
  if (given.length === 0) throw new RangeError("describeSweep: no runs");
  const records = firstPerRun(given, (record) => record.config);
  // A setting names a context when runs at one B differ in it; a derived one, when runs at one B
  // that agree on every setting named so far differ in it.
  const differsWithin = (axis: Axis, key: (config: RunConfig) => string) => {
    const first = new Map<string, string>();
    for (const { config } of records) {
      const label = axis.label(config);
      const seen = first.get(key(config));
      if (seen === undefined) first.set(key(config), label);
      else if (seen !== label) return true;
    }
    return false;
  };
  const named = (chosen: readonly Axis[]) => (config: RunConfig) => chosen.map((axis) => axis.label(config)).join(", ");
  const chosen = axes.filter((axis) => !axis.derived && differsWithin(axis, (config) => String(config.batchSize)));
  const settings = named(chosen);
  const context = named([...chosen, ...axes.filter((axis) => axis.derived && differsWithin(axis, (config) => `${config.batchSize}|${settings(config)}`))]);
  const first = records[0].config;
  const shared = axes.filter((axis) => axis.shared(first) && records.every(({ config }) => axis.label(config) === axis.label(first))).map((axis) => axis.label(first));
  // Sorted by η as given, so each section's groups come η by η (summarizeGroups keeps the order met).
  const sorted = [...records].sort((a, b) => a.config.baseLr - b.config.baseLr || a.config.batchSize - b.config.batchSize);
  const byContext = new Map<string, RunRecord[]>();
  for (const record of sorted) {
    const label = context(record.config);
    (byContext.get(label) ?? byContext.set(label, []).get(label)!).push(record);
  }
  const order = [...new Set(records.map((record) => context(record.config)))];
  const sections = order.map((label) => {
    const runs = byContext.get(label)!;
    const groups = groupRuns(runs, etaLabel);
    return { context: label, records: runs, groups, summaries: summarizeGroups(groups) };
  });
  const rising = (values: number[]) => [...new Set(values)].sort((a, b) => a - b);
  return {
    shared,
    sections,
    batchSizes: rising(records.map((record) => record.config.batchSize)),
    lrs: rising(records.map((record) => record.config.lr)),
    seeds: new Set(records.map((record) => record.config.seed)).size,
  };
}
