/**
 * The playground's charts, as Observable Plot options: the library's own history and batch-size
 * charts (lib/plots), with Plot's pointer tip for reading values and a mark where a run diverged.
 */
import * as Plot from "@observablehq/plot";
import { batchSizePlot, historyPlot, historyRows, type HistoryAxis, type HistoryMetric, type HistoryPoint, type RunConfig, type RunRecord, summarizeRuns } from "batchprop/core";

/** Where a run diverged: after its last step, on each axis, with the step it could not take. */
export interface DivergedAt {
  readonly epoch: number;
  readonly step: number;
  readonly samples: number;
  readonly seconds: number;
  /** The first step that could not be taken (RunRecord.diverged.step). */
  readonly failedStep: number;
}

/** A run as the charts see it: its label, its points so far, and where it diverged. */
export interface ChartRun {
  readonly label: string;
  readonly records: readonly HistoryPoint[];
  readonly diverged?: DivergedAt;
}

const metricsOf = { loss: ["trainLoss", "testLoss"], accuracy: ["trainAccuracy", "testAccuracy"] } as const satisfies Record<string, readonly HistoryMetric[]>;

/**
 * Loss or accuracy, train and test, of every run against the chosen axis, a red rule where a run
 * diverged; undefined while nothing is recorded, or a note when the only runs diverged before recording.
 */
export function historyChart(runs: readonly ChartRun[], what: "loss" | "accuracy", x: HistoryAxis, width: number): Plot.PlotOptions | string | undefined {
  const series = runs.filter((run) => run.records.length > 0);
  const diverged = runs.flatMap((run) => (run.diverged ? [{ label: run.label, at: run.diverged }] : []));
  const note = diverged.map(({ label, at }) => `${label} diverged at step ${at.failedStep}`).join("; ");
  if (series.length === 0) return note === "" ? undefined : `${note}, before its first record.`;
  const options = { y: metricsOf[what], x, width, height: Math.round(Math.min(320, Math.max(220, width * 0.55))), logY: what === "loss" };
  const rows = historyRows(series, options);
  const plot = historyPlot(series, options, rows);
  const unit = what === "accuracy" ? (y: number) => `${(100 * y).toFixed(1)}%` : (y: number) => y.toPrecision(4);
  type Diverged = (typeof diverged)[number];
  return {
    ...plot,
    // Legible on a phone: the legend and ticks keep their size as the chart narrows.
    style: { fontSize: "12px" },
    // A diverging loss spans hundreds of decades: "1e+120", not Plot's SI prefixes run out.
    ...(what === "loss" && { y: { ...plot.y, tickFormat: "~g" } }),
    marks: [
      ...(plot.marks ?? []),
      Plot.tip(rows, Plot.pointer({ x: "x", y: "y", title: (row: (typeof rows)[number]) => `${row.series}\n${unit(row.y)} at ${x} ${+row.x.toPrecision(6)}` })),
      Plot.ruleX(diverged, { x: (d: Diverged) => d.at[x], stroke: "red", strokeDasharray: "4,3", ariaLabel: (d: Diverged) => `${d.label} diverged` }),
      Plot.text(diverged, { x: (d: Diverged) => d.at[x], text: (d: Diverged) => `${d.label} diverged at step ${d.at.failedStep}`, frameAnchor: "top", textAnchor: "end", dx: -4, dy: 4, fill: "red" }),
    ],
  };
}

/** A label naming only what differs between the runs, so runs that differ in seed only are averaged. */
function settingOf(records: readonly RunRecord[]): (config: RunConfig) => string {
  const fields: [string, (config: RunConfig) => string][] = [
    ["", (c) => c.data.name],
    ["", (c) => c.layers.join("-")],
    ["", (c) => c.optimizer],
    ["η=", (c) => String(c.baseLr) + (c.lrScaling === "none" ? "" : ` ${c.lrScaling} from B=${c.baseBatch}`)],
    ["", (c) => c.reduction],
    ["", (c) => JSON.stringify(c.budget).replace(/[{}"]/g, "")],
    ["", (c) => `${c.activation}/${c.outputActivation ?? c.activation}`],
    ["", (c) => c.loss],
    ["last batch ", (c) => c.lastBatch],
    ["", (c) => `${c.data.train}/${c.data.test}`],
    ["", (c) => (c.backend === "webgpu" ? "on GPU" : "on CPU")],
  ];
  const varying = fields.filter(([, field]) => new Set(records.map((record) => field(record.config))).size > 1);
  return (config) => varying.map(([prefix, field]) => `${prefix}${field(config)}`).join(" ") || "runs";
}

/** Final test accuracy or loss against B over finished runs (the notebooks' chart), or why it cannot be drawn. */
export function batchSizeChart(records: readonly RunRecord[], y: "testAccuracy" | "testLoss", width: number): Plot.PlotOptions | string {
  if (records.length === 0) return "no finished runs yet";
  try {
    return { ...batchSizePlot(summarizeRuns(records, settingOf(records)), { y, width, height: 280 }), style: { fontSize: "12px" } };
  } catch (error) {
    return (error as Error).message;
  }
}
