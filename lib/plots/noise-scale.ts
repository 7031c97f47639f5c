import * as Plot from "@observablehq/plot";
import { frame, type FrameOptions, seriesColor } from "./frame.js";
import { seriesMarks } from "./marks.js";

/** One B_simple measurement of one series (a set-up, a seed mean): where in training, and its value. */
export interface NoiseScalePoint {
  readonly series: string;
  /** Epochs trained, or the mean training loss there: whichever the chart puts along x. */
  readonly x: number;
  readonly simple: number;
}

export interface NoiseScalePlotOptions extends FrameOptions {
  /** The label of the horizontal axis, e.g. "epochs" or "train loss". */
  xLabel: string;
  /** Log scale along x (a loss that falls by decades). Default false. */
  logX?: boolean;
  /** Draw x from right to left (a falling loss read as training goes on). Default false. */
  reverseX?: boolean;
}

/**
 * The gradient noise scale B_simple over training (notebook 11), a line per series, the vertical
 * axis logarithmic and labelled in samples: where it crosses a batch size, that batch's gradient
 * noise equals its signal.
 */
export function noiseScalePlot(points: readonly NoiseScalePoint[], options: NoiseScalePlotOptions): Plot.PlotOptions {
  if (points.length === 0) throw new RangeError("noiseScalePlot: no points to plot");
  points.forEach((point, i) => {
    if (!(Number.isFinite(point.x) && Number.isFinite(point.simple) && point.simple > 0)) {
      throw new RangeError(`noiseScalePlot: point ${i} (${point.series}) is (${point.x}, ${point.simple}), expected a finite x and a positive B_simple`);
    }
  });
  const series = [...new Set(points.map((point) => point.series))];
  return {
    ...frame(options, { marginLeft: 60 }),
    x: { label: options.xLabel, type: options.logX === true ? "log" : "linear", reverse: options.reverseX ?? false, grid: true },
    y: { type: "log", label: "B_simple = tr(Σ) / |G|² (samples)", grid: true },
    color: seriesColor(series),
    marks: seriesMarks(points, { x: "x", y: "simple", series: "series", title: (p: NoiseScalePoint) => `${p.series}: B_simple ${p.simple.toPrecision(3)} at ${options.xLabel} ${p.x.toPrecision(3)}` }),
  };
}
