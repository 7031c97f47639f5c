import * as Plot from "@observablehq/plot";

export interface SeriesMarksOptions<T> {
  x: keyof T & string;
  y: keyof T & string;
  /** The field naming each row's series: one line and one colour per series. */
  series: keyof T & string;
  /** Dot radius. Default 3. */
  r?: number;
  /** The tooltip of each dot. */
  title?: (row: T) => string;
}

/** A line through each series and a dot on each of its points, coloured by series: the marks every chart here draws. */
export function seriesMarks<T>(rows: readonly T[], { x, y, series, r = 3, title }: SeriesMarksOptions<T>): Plot.Markish[] {
  return [Plot.lineY(rows, { x, y, stroke: series, z: series }), Plot.dot(rows, { x, y, fill: series, r, title })];
}
