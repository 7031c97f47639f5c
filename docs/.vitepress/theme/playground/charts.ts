/**
 * The playground's charts, as Observable Plot options: the library's own history and batch-size
 * charts (lib/plots), with Plot's pointer tip for reading values and a mark where a run diverged.
 */
import * as Plot from "@observablehq/plot";
import { batchSizePlot, historyPlot, historyRows, type HistoryAxis, type HistoryMetric, type HistoryPoint, type RunConfig, type RunRecord, summarizeRuns } from "batchprop/core";

/** A run as the charts see it: its label, its points so far, and where it diverged. */
export interface ChartRun {
  readonly label: string;
  readonly records: readonly HistoryPoint[];
  readonly diverged: boolean;
}

const metricsOf = { loss: ["trainLoss", "testLoss"], accuracy: ["trainAccuracy", "testAccuracy"] } as const satisfies Record<string, readonly HistoryMetric[]>;

/** Loss or accuracy, train and test, of every run against the chosen axis; undefined while nothing is recorded. */
export function historyChart(runs: readonly ChartRun[], what: "loss" | "accuracy", x: HistoryAxis, width: number): Plot.PlotOptions | undefined {
  const series = runs.filter((run) => run.records.length > 0);
  if (series.length === 0) return undefined;
  const options = { y: metricsOf[what], x, width, height: Math.round(Math.min(320, Math.max(220, width * 0.55))), logY: what === "loss" };
  const plot = historyPlot(series, options);
  const rows = historyRows(series, options);
  const unit = what === "accuracy" ? (y: number) => `${(100 * y).toFixed(1)}%` : (y: number) => y.toPrecision(4);
  const diverged = series.filter((run) => run.diverged).map((run) => ({ label: run.label, point: run.records[run.records.length - 1] }));
  const yOf = (point: HistoryPoint) => point[metricsOf[what][0]];
  return {
    ...plot,
    // Legible on a phone: the legend and ticks keep their size as the chart narrows.
    style: { fontSize: "12px" },
    marks: [
      ...(plot.marks ?? []),
      Plot.tip(rows, Plot.pointer({ x: "x", y: "y", title: (row: (typeof rows)[number]) => `${row.series}\n${unit(row.y)} at ${x} ${+row.x.toPrecision(6)}` })),
      Plot.dot(diverged, { x: (d: (typeof diverged)[number]) => d.point[x], y: (d: (typeof diverged)[number]) => yOf(d.point), r: 7, stroke: "red", strokeWidth: 2, symbol: "times", ariaLabel: "diverged" }),
      Plot.text(diverged, { x: (d: (typeof diverged)[number]) => d.point[x], y: (d: (typeof diverged)[number]) => yOf(d.point), text: (d: (typeof diverged)[number]) => `${d.label} diverged`, dy: -12, fill: "red" }),
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
