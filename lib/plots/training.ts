import * as Plot from "@observablehq/plot";
import { keyword } from "../validate/validate.js";
import { frame, type FrameOptions, seriesColor } from "./frame.js";
import { seriesMarks } from "./marks.js";

/**
 * Charts of a training history: loss or accuracy against epochs (or steps, samples, seconds), one
 * line per series. Browser-safe: it returns Plot options, which `Plot.plot` draws in a page and
 * `renderPlot` (Node) turns into an SVG string for a notebook (notebook 07).
 */

/** The numbers of a `TrainRecord` a history chart can show; any record-like object with them fits. */
export interface HistoryPoint {
  readonly epoch: number;
  readonly step: number;
  readonly samples: number;
  readonly seconds: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly testLoss?: number;
  readonly testAccuracy?: number;
}

export type HistoryMetric = "trainLoss" | "testLoss" | "trainAccuracy" | "testAccuracy";
export type HistoryAxis = "epoch" | "step" | "samples" | "seconds";

/** A labelled run, for charts that compare several. */
export interface HistorySeries {
  readonly label: string;
  readonly records: readonly HistoryPoint[];
}

export interface HistoryPlotOptions extends FrameOptions {
  /** What to plot: one metric, or several (e.g. train and test loss), each its own line. */
  y: HistoryMetric | readonly HistoryMetric[];
  /** The horizontal axis. Default "epoch". */
  x?: HistoryAxis;
  /** Log scale for the vertical axis (losses spanning decades). Default false. */
  logY?: boolean;
}

/** One point of the chart's data: the series it belongs to, where it sits. */
export interface HistoryRow {
  readonly series: string;
  readonly x: number;
  readonly y: number;
}

const metricNames: Record<HistoryMetric, string> = {
  trainLoss: "train loss",
  testLoss: "test loss",
  trainAccuracy: "train accuracy",
  testAccuracy: "test accuracy",
};

const axisLabels: Record<HistoryAxis, string> = {
  epoch: "epoch",
  step: "step",
  samples: "samples seen",
  seconds: "training time (s)",
};

const isAccuracy = (metric: HistoryMetric): boolean => metric.endsWith("Accuracy");

/**
 * The rows a history chart draws: for each run and metric, a point per record that has the metric.
 * Series are named by the metric for one run ("test accuracy"), by the run's label for one metric
 * ("B = 10"), by both otherwise ("B = 10, test accuracy").
 */
export function historyRows(runs: readonly HistoryPoint[] | readonly HistorySeries[], options: HistoryPlotOptions): HistoryRow[] {
  const metrics: readonly HistoryMetric[] = typeof options.y === "string" ? [options.y] : options.y;
  const x = options.x ?? "epoch";
  if (metrics.length === 0) throw new RangeError("historyPlot: y names no metric (expected trainLoss, testLoss, trainAccuracy or testAccuracy)");
  for (const metric of metrics) {
    keyword(metric, "y", Object.keys(metricNames), "metric");
  }
  keyword(x, "x", Object.keys(axisLabels), "axis");
  if (metrics.some(isAccuracy) && !metrics.every(isAccuracy)) {
    throw new RangeError(`historyPlot: losses and accuracies have different units; plot [${metrics.join(", ")}] as two charts`);
  }
  if (runs.length === 0) throw new RangeError("historyPlot: no records to plot");
  const series: readonly HistorySeries[] = isSeriesList(runs) ? runs : [{ label: "", records: runs }];
  const rows: HistoryRow[] = [];
  const found = new Set<HistoryMetric>();
  for (const { label, records } of series) {
    for (const metric of metrics) {
      const name = series.length === 1 ? metricNames[metric] : metrics.length === 1 ? label : `${label}, ${metricNames[metric]}`;
      for (const record of records) {
        const value = record[metric];
        if (value === undefined || !Number.isFinite(value)) continue;
        rows.push({ series: name, x: record[x], y: value });
        found.add(metric);
      }
    }
  }
  const missing = metrics.filter((metric) => !found.has(metric));
  if (missing.length > 0) {
    const hint = missing.some((metric) => metric.startsWith("test")) ? " (train with { test } to record it)" : "";
    throw new RangeError(`historyPlot: no record has a finite ${missing.join(" or ")}${hint}`);
  }
  return rows;
}

/**
 * A line per series with a dot per record (its value in the dot's title), accuracies in percent,
 * and a swatch legend when there is more than one series (continuous legends need a canvas).
 * `rows` are historyRows(runs, options), for a caller that has them already.
 */
export function historyPlot(runs: readonly HistoryPoint[] | readonly HistorySeries[], options: HistoryPlotOptions, rows: readonly HistoryRow[] = historyRows(runs, options)): Plot.PlotOptions {
  const metrics: readonly HistoryMetric[] = typeof options.y === "string" ? [options.y] : options.y;
  const accuracy = isAccuracy(metrics[0]);
  const x = options.x ?? "epoch";
  const series = [...new Set(rows.map((row) => row.series))];
  // Whole epochs get a tick each, not Plot's 0.5 steps.
  const xs = [...new Set(rows.map((row) => row.x))].sort((a, b) => a - b);
  const wholeTicks = x === "epoch" && xs.length <= 20 && xs.every(Number.isInteger) ? { ticks: xs, tickFormat: (epoch: number) => String(epoch) } : {};
  const yLabel = accuracy ? "accuracy (%)" : "mean loss per sample";
  const format = (value: number) => (accuracy ? `${(100 * value).toFixed(1)}%` : value.toPrecision(4));
  return {
    ...frame(options, { height: 320, marginLeft: 56 }),
    x: { label: axisLabels[x], grid: true, ...wholeTicks },
    y: accuracy
      ? { label: yLabel, percent: true, grid: true }
      : { label: yLabel, grid: true, ...(options.logY ? { type: "log" as const } : { zero: false }) },
    // The legend lists series in the order asked for (train before test).
    color: seriesColor(series),
    marks: [
      ...seriesMarks(rows, { x: "x", y: "y", series: "series", title: (row: HistoryRow) => `${row.series}: ${format(row.y)} at ${axisLabels[x]} ${row.x}` }),
    ],
  };
}

function isSeriesList(runs: readonly HistoryPoint[] | readonly HistorySeries[]): runs is readonly HistorySeries[] {
  return runs.length > 0 && "records" in runs[0];
}
