import * as Plot from "@observablehq/plot";
import { batchSizeAxis, frame, type FrameOptions, seriesColor } from "./frame.js";
import { seriesMarks } from "./marks.js";

/**
 * Throughput against batch size, one line per method (vectorized vs per-sample: CLAIMS.md claim 12,
 * notebook 08). Browser-safe: it returns Plot options for `Plot.plot` or `renderPlot`.
 */

/** One timing: how many samples per second `method` trained at batch size B. */
export interface SpeedPoint {
  readonly method: string;
  readonly batchSize: number;
  readonly samplesPerSecond: number;
}

export interface SpeedPlotOptions extends FrameOptions {
  /** Log scale for samples per second too (methods differing by orders of magnitude). Default false. */
  logY?: boolean;
}

/** Samples per second against B on a log₂ axis, a line and dots per method, a swatch legend. */
export function speedPlot(points: readonly SpeedPoint[], options: SpeedPlotOptions = {}): Plot.PlotOptions {
  if (points.length === 0) throw new RangeError("speedPlot: no measurements to plot");
  points.forEach((point, i) => {
    const { method, batchSize, samplesPerSecond } = point;
    if (typeof method !== "string" || method === "") throw new RangeError(`speedPlot: point ${i} has no method name`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`speedPlot: point ${i} has batch size ${batchSize}, expected a positive integer`);
    if (!Number.isFinite(samplesPerSecond) || samplesPerSecond <= 0) {
      throw new RangeError(`speedPlot: point ${i} (${method}, B = ${batchSize}) has ${samplesPerSecond} samples/s, expected a positive number`);
    }
  });
  const methods = [...new Set(points.map((point) => point.method))];
  const sorted = [...points].sort((a, b) => a.batchSize - b.batchSize);
  return {
    ...frame(options, { marginLeft: 64 }),
    x: batchSizeAxis(points.map((point) => point.batchSize)),
    y: options.logY
      ? { type: "log", label: "samples per second", grid: true }
      : { label: "samples per second", grid: true, zero: true },
    // Methods in the order measured.
    color: seriesColor(methods),
    marks: [
      ...seriesMarks(sorted, { x: "batchSize", y: "samplesPerSecond", series: "method", r: 3.5, title: (point: SpeedPoint) => `${point.method}, B = ${point.batchSize}: ${Math.round(point.samplesPerSecond).toLocaleString("en-US")} samples/s` }),
    ],
  };
}
