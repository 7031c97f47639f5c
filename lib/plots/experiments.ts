import * as Plot from "@observablehq/plot";
import { keyword } from "../validate/validate.js";
import { batchSizeAxis, frame, type FrameOptions, seriesColor } from "./frame.js";
import { seriesMarks } from "./marks.js";
import type { RunRecord } from "../experiments/record.js";
import { type FinalMetric, finalMetrics, groupRuns, meanHistory, type SettingSummary, type Spread } from "../experiments/summary.js";
import type { HistoryAxis, HistoryMetric, HistoryRow } from "./training.js";

/**
 * Charts of the batch-size experiments (CLAIMS.md claim 11, notebooks 09 and 10): final metrics and
 * time per epoch against B, seed-mean curves per B, the loss over (B, η), steps to a target.
 * Browser-safe: each returns Plot options for `Plot.plot` or `renderPlot`. Legends are swatches
 * (continuous colour legends need a canvas), so ordered categories use an ordinal scheme.
 */

const metricLabels: Record<FinalMetric | "secondsPerEpoch", string> = {
  trainLoss: "final train loss (mean per sample)",
  testLoss: "final test loss (mean per sample)",
  trainAccuracy: "final train accuracy (%)",
  testAccuracy: "final test accuracy (%)",
  secondsPerEpoch: "training seconds per epoch",
};

const sortedUnique = (values: readonly number[]): number[] => [...new Set(values)].sort((a, b) => a - b);

/** How a point's title writes a value of the metric: "83.0%", "0.900 s", "0.1234". */
function metricFormat(y: FinalMetric | "secondsPerEpoch"): (value: number) => string {
  if (y.endsWith("Accuracy")) return (value) => `${(100 * value).toFixed(1)}%`;
  if (y === "secondsPerEpoch") return (value) => `${value.toPrecision(3)} s`;
  return (value) => value.toPrecision(4);
}

/** An accuracy's vertical axis: percent, from 0 to 100. */
const accuracyAxis = (label: string) => ({ label, percent: true, grid: true, domain: [0, 100] });

/**
 * The marks of a chart of seed means: a rule over each point's seed range, a line per series through
 * the means with a dot on each, titled "<where>: mean … over n (lowest to highest)".
 */
function spreadMarks<T extends Spread>(rows: readonly T[], x: keyof T & string, series: keyof T & string, y: FinalMetric | "secondsPerEpoch", where: (row: T) => string): Plot.Markish[] {
  const format = metricFormat(y);
  return [
    Plot.ruleX(rows, { x, y1: "min", y2: "max", stroke: series, strokeOpacity: 0.5, strokeWidth: 3 }),
    ...seriesMarks(rows, { x, y: "mean", series, r: 3.5, title: (row) => `${where(row)}: mean ${format(row.mean)} over ${row.n} (${format(row.min)} to ${format(row.max)})` }),
  ];
}

export interface BatchSizePlotOptions extends FrameOptions {
  /** What to plot against B: a metric of the final point, or the training time of an epoch. */
  y: FinalMetric | "secondsPerEpoch";
  /** Log scale for the vertical axis. Default: true for seconds per epoch, false otherwise. */
  logY?: boolean;
}

/** A point of a batch-size chart: a setting's mean at one B and the range its seeds span. */
interface BatchSizeRow {
  readonly setting: string;
  readonly batchSize: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/** The rows of `batchSizePlot`: one per summary that has the metric (all-diverged groups have none). */
function batchSizeRows(summaries: readonly SettingSummary[], y: BatchSizePlotOptions["y"]): BatchSizeRow[] {
  keyword(y, "y", Object.keys(metricLabels), "metric");
  const rows = summaries.flatMap(({ setting, batchSize, ...rest }) => {
    const spread = rest[y];
    return spread === null ? [] : [{ setting, batchSize, ...spread }];
  });
  if (rows.length === 0) throw new RangeError(`batchSizePlot: no summary has a ${y}`);
  return rows;
}

/**
 * A metric against B on a log₂ axis: one line per setting through the seed means, a vertical rule
 * from the smallest to the largest seed at each point, a swatch legend in the settings' order.
 */
export function batchSizePlot(summaries: readonly SettingSummary[], options: BatchSizePlotOptions): Plot.PlotOptions {
  const rows = batchSizeRows(summaries, options.y);
  const accuracy = options.y.endsWith("Accuracy");
  const logY = options.logY ?? options.y === "secondsPerEpoch";
  const settings = [...new Set(rows.map((row) => row.setting))];
  return {
    ...frame(options, { marginLeft: 60 }),
    x: batchSizeAxis(rows.map((row) => row.batchSize)),
    y: accuracy
      ? accuracyAxis(metricLabels[options.y])
      : {
          label: metricLabels[options.y],
          grid: true,
          // Plain decimals: Plot's SI ticks would write 0.9 s as "900m".
          ...(logY ? { type: "log" as const, tickFormat: (v: number) => String(+v.toPrecision(2)) } : { zero: true }),
        },
    color: seriesColor(settings),
    marks: spreadMarks(rows, "batchSize", "setting", options.y, (row) => `${row.setting}, B = ${row.batchSize}`),
  };
}

export interface LearningRatePlotOptions extends FrameOptions {
  /** The metric of the final point against η. */
  y: FinalMetric;
}

/**
 * A metric against η on a log axis, one line per batch size through the seed means (coloured from
 * small to large B), a rule over the seeds' range: the other cut through the (B, η) grid. The
 * summaries must be of one setting, so that each (B, η) is one point.
 */
export function learningRatePlot(summaries: readonly SettingSummary[], options: LearningRatePlotOptions): Plot.PlotOptions {
  const { y } = options;
  keyword(y, "y", finalMetrics, "metric");
  const rows = summaries
    .flatMap(({ batchSize, lr, ...rest }) => {
      const spread = rest[y];
      return spread === null ? [] : [{ series: `B = ${batchSize}`, batchSize, lr, ...spread }];
    })
    .sort((a, b) => a.lr - b.lr);
  if (rows.length === 0) throw new RangeError(`learningRatePlot: no summary has a ${y}`);
  const accuracy = y.endsWith("Accuracy");
  const series = sortedUnique(rows.map((row) => row.batchSize)).map((b) => `B = ${b}`);
  const lrs = sortedUnique(rows.map((row) => row.lr));
  return {
    ...frame(options, { marginLeft: 60 }),
    x: { type: "log", label: "learning rate η", ticks: lrs.length <= 12 ? lrs : undefined, tickFormat: (v: number) => String(+v.toPrecision(3)), grid: true },
    y: accuracy ? accuracyAxis(metricLabels[y]) : { label: metricLabels[y], grid: true, zero: true },
    color: { legend: true, type: "ordinal", scheme: "viridis", domain: series },
    marks: spreadMarks(rows, "lr", "series", y, (row) => `${row.series}, η = ${+row.lr.toPrecision(4)}`),
  };
}

export interface CurvesPlotOptions extends FrameOptions {
  /** The metric of the curves. Default "testLoss". */
  y?: HistoryMetric;
  /** Epochs or optimizer steps. Default "epoch". */
  x?: Extract<HistoryAxis, "epoch" | "step">;
  /** Log scale for the horizontal axis (steps spanning decades). Default: true for steps. */
  logX?: boolean;
}

/**
 * The seed-mean curve of each batch size against epochs or steps: runs grouped by B (they must
 * differ in nothing else but the seed), coloured along an ordinal scale from small to large B.
 */
export function batchCurvesPlot(records: readonly RunRecord[], options: CurvesPlotOptions = {}): Plot.PlotOptions {
  if (records.length === 0) throw new RangeError("batchCurvesPlot: no runs to plot");
  const y = options.y ?? "testLoss";
  const x = options.x ?? "epoch";
  const logX = options.logX ?? x === "step";
  const series = groupRuns(records, () => "").map(({ batchSize, records: group }) => ({ label: `B = ${batchSize}`, records: meanHistory(group) }));
  const rows: HistoryRow[] = series.flatMap(({ label, records: points }) =>
    points.flatMap((point) => {
      const value = point[y];
      return value !== undefined && Number.isFinite(value) ? [{ series: label, x: point[x], y: value }] : [];
    }),
  );
  if (rows.length === 0) throw new RangeError(`batchCurvesPlot: no run has a finite ${y}`);
  const labels = series.map((s) => s.label);
  const accuracy = y.endsWith("Accuracy");
  return {
    ...frame(options, { marginLeft: 56 }),
    x: { label: x === "step" ? "optimizer steps" : "epoch", grid: true, ...(logX ? { type: "log" as const } : {}) },
    y: accuracy ? { label: "accuracy (%), mean over seeds", percent: true, grid: true } : { label: "mean loss per sample, mean over seeds", grid: true },
    color: { legend: true, type: "ordinal", scheme: "viridis", domain: labels },
    marks: [
      ...seriesMarks(rows, { x: "x", y: "y", series: "series", r: 2, title: (row: HistoryRow) => `${row.series}: ${row.y.toPrecision(4)} at ${x} ${row.x}` }),
    ],
  };
}

export interface HeatmapOptions extends FrameOptions {
  /** A cell whose mean final test accuracy is below this is marked "near chance". Default 0.2 (chance is 0.1). */
  stuckBelow?: number;
  /** Upper bounds of the loss bins, rising; the last bin is open. Default [0.15, 0.25, 0.35, 0.45]. */
  bins?: readonly number[];
}

/** A cell of the heatmap: one (B, η) point, its loss bin and whether it diverged or got stuck. */
export interface HeatmapCell {
  readonly batchSize: number;
  readonly lr: number;
  readonly loss: number | null;
  readonly bin: string;
  readonly status: "ok" | "diverged" | "near chance";
  readonly label: string;
}

/** The cells of `lossHeatmap`, one per summary, with the loss's bin and the run's status. */
export function heatmapCells(summaries: readonly SettingSummary[], options: HeatmapOptions = {}): HeatmapCell[] {
  if (summaries.length === 0) throw new RangeError("lossHeatmap: no summaries to plot");
  const stuckBelow = options.stuckBelow ?? 0.2;
  const bins = binLabels(options.bins ?? [0.15, 0.25, 0.35, 0.45]);
  return summaries.map((summary) => {
    const loss = summary.testLoss?.mean ?? null;
    const accuracy = summary.testAccuracy?.mean;
    const status = summary.diverged > 0 ? "diverged" : accuracy === undefined || accuracy < stuckBelow ? "near chance" : "ok";
    const text = loss === null ? "–" : loss.toFixed(3);
    return {
      batchSize: summary.batchSize,
      lr: summary.lr,
      loss,
      bin: loss === null ? "diverged" : bins.of(loss),
      status,
      label: status === "ok" ? text : `${text}\n${status === "diverged" ? `diverged ${summary.diverged}/${summary.runs}` : "near chance"}`,
    };
  });
}

function binLabels(edges: readonly number[]): { labels: string[]; of: (loss: number) => string } {
  if (edges.length === 0 || edges.some((edge, i) => !Number.isFinite(edge) || (i > 0 && edge <= edges[i - 1]))) {
    throw new RangeError(`lossHeatmap: bins must be rising finite numbers, got [${edges.join(", ")}]`);
  }
  const labels = [`< ${edges[0]}`, ...edges.slice(1).map((edge, i) => `${edges[i]}–${edge}`), `≥ ${edges[edges.length - 1]}`];
  const of = (loss: number) => {
    const bin = edges.findIndex((edge) => loss < edge);
    return labels[bin === -1 ? edges.length : bin];
  };
  return { labels, of };
}

/**
 * The mean final test loss over (B, η): a cell per point, filled by loss bin (an ordinal scale with
 * a swatch legend), its value written in it, diverged and near-chance points named in the cell.
 */
export function lossHeatmap(summaries: readonly SettingSummary[], options: HeatmapOptions = {}): Plot.PlotOptions {
  const cells = heatmapCells(summaries, options);
  const { labels } = binLabels(options.bins ?? [0.15, 0.25, 0.35, 0.45]);
  const domain = cells.some((cell) => cell.loss === null) ? [...labels, "diverged"] : labels;
  const range = [...Array.from({ length: labels.length }, (_, i) => interpolateBlues(0.85 - (0.7 * i) / (labels.length - 1))), "#d62728"];
  const fmt = (value: number) => String(+value.toPrecision(4));
  return {
    ...frame(options, { width: 560, height: 60 * sortedUnique(cells.map((cell) => cell.lr)).length + 80, marginLeft: 60 }),
    x: { type: "band", label: "batch size B", domain: sortedUnique(cells.map((cell) => cell.batchSize)) },
    y: { type: "band", label: "learning rate η", domain: sortedUnique(cells.map((cell) => cell.lr)).reverse(), tickFormat: fmt },
    color: { type: "ordinal", domain, range: range.slice(0, domain.length), legend: true, label: "final test loss" },
    marks: [
      Plot.cell(cells, { x: "batchSize", y: "lr", fill: "bin", inset: 1, title: (cell: HeatmapCell) => `B = ${cell.batchSize}, η = ${fmt(cell.lr)}: ${cell.label.replace("\n", ", ")}` }),
      Plot.text(cells, {
        x: "batchSize",
        y: "lr",
        text: "label",
        // White on the darker half of the bins (the lowest losses), black on the lighter ones and on red.
        fill: (cell: HeatmapCell) => (cell.loss !== null && labels.indexOf(cell.bin) < Math.floor(labels.length / 2) ? "white" : "black"),
      }),
    ],
  };
}

/** A blue from light (t = 0) to dark (t = 1), so the bins read from dark (low loss) to light. */
function interpolateBlues(t: number): string {
  const light = [222, 235, 247];
  const dark = [8, 48, 107];
  const mix = light.map((c, i) => Math.round(c + (dark[i] - c) * t));
  return `rgb(${mix.join(",")})`;
}

/** Steps one series took to reach the target at one batch size; null when it never did. */
export interface StepsPoint {
  readonly series: string;
  readonly batchSize: number;
  readonly steps: number | null;
}

export interface StepsPlotOptions extends FrameOptions {
  /** The target accuracy, for the axis label. */
  target: number;
}

/**
 * Steps to reach a target accuracy against B, both axes logarithmic: a line and dots per series,
 * and a "not reached" mark along the top for the batch sizes that never got there.
 */
export function stepsToTargetPlot(points: readonly StepsPoint[], options: StepsPlotOptions): Plot.PlotOptions {
  if (points.length === 0) throw new RangeError("stepsToTargetPlot: no points to plot");
  points.forEach((point, i) => {
    if (point.steps !== null && !(Number.isFinite(point.steps) && point.steps > 0)) {
      throw new RangeError(`stepsToTargetPlot: point ${i} (${point.series}, B = ${point.batchSize}) has ${point.steps} steps, expected a positive number or null`);
    }
  });
  const reached = points.filter((point) => point.steps !== null).sort((a, b) => a.batchSize - b.batchSize);
  const missed = points.filter((point) => point.steps === null);
  const series = [...new Set(points.map((point) => point.series))];
  const percent = `${+(100 * options.target).toPrecision(3)}%`;
  return {
    ...frame(options, { marginLeft: 60 }),
    marginTop: 44,
    x: batchSizeAxis(points.map((point) => point.batchSize)),
    y: { type: "log", label: `steps to reach ${percent} test accuracy`, grid: true },
    color: seriesColor(series),
    marks: [
      ...seriesMarks(reached, { x: "batchSize", y: "steps", series: "series", r: 3.5, title: (p: StepsPoint) => `${p.series}, B = ${p.batchSize}: ${p.steps} steps` }),
      Plot.text(missed, {
        x: "batchSize",
        frameAnchor: "top",
        dy: -14,
        // Plot's 10 px, as every label: at 9 it would render below 9 px in a chart shrunk to fit (renderPlot).
        fontSize: 10,
        lineHeight: 1.1,
        text: () => "not\nreached",
        fill: "series",
        title: (p: StepsPoint) => `${p.series}, B = ${p.batchSize}: never reached ${percent}`,
      }),
    ],
  };
}
