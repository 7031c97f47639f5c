/**
 * What every chart here shares around its marks: the frame (title, size, left margin), the legend
 * of its series, and the log₂ axis of batch sizes. Each chart's options extend FrameOptions.
 */

/** A chart's title and size, as its caller gives them. */
export interface FrameOptions {
  title?: string;
  width?: number;
  height?: number;
}

/** The frame's defaults for one kind of chart: 640 wide and 340 high unless it says otherwise. */
interface FrameDefaults {
  readonly width?: number;
  readonly height?: number;
  /** Room for the y axis's tick labels. */
  readonly marginLeft: number;
}

/** The title, size and margin of a chart, the caller's options over the chart's defaults. */
export function frame(options: FrameOptions, { width = 640, height = 340, marginLeft }: FrameDefaults) {
  return { title: options.title, width: options.width ?? width, height: options.height ?? height, marginLeft };
}

/** One colour per series in the order given (not alphabetically), with a swatch legend when there are two or more. */
export function seriesColor(series: readonly string[]) {
  return { legend: series.length > 1, type: "categorical" as const, domain: [...series] };
}

/** B on a log₂ axis with a tick at each batch size, written as a plain integer. */
export function batchSizeAxis(batchSizes: readonly number[], label = "batch size B") {
  return {
    type: "log" as const,
    base: 2,
    label,
    ticks: [...new Set(batchSizes)].sort((a, b) => a - b),
    tickFormat: (b: number) => String(b),
    grid: true,
  };
}
