import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";

/** Plot's default width, which a chart has when its options name none. */
const defaultWidth = 640;

/**
 * How far a chart may shrink to fit a narrow column: to 90% of its width, where Plot's 10 px
 * labels still render at 9 px. A narrower column (a phone's) scrolls it sideways instead, as
 * JupyterLab's output area and the site's outputs (docs/.vitepress/theme/notebook.css) do.
 */
export const smallestScale = 0.9;

/**
 * Renders an Observable Plot to an HTML string on the server, through linkedom's DOM, for notebooks
 * (tslab.display.html) and generated pages. The chart shrinks with its container (Plot's own
 * max-width: 100%) down to `smallestScale` of its width. Continuous colour legends need a canvas
 * that linkedom lacks: use swatches or direct labels instead.
 */
export function renderPlot(options: Plot.PlotOptions): string {
  return plotElement(options, emptyDocument()).outerHTML;
}

/** The plot (its SVG, or a figure holding the SVG and a legend) as an element of `document`, for a page built there. */
export function plotElement(options: Plot.PlotOptions, document: Document): Element {
  // linkedom's style property cannot be assigned, which is how Plot applies a string.
  if (typeof options.style === "string") throw new TypeError("renderPlot: give style as an object of CSS properties, not a string");
  const minWidth = `${Math.ceil(smallestScale * (options.width ?? defaultWidth))}px`;
  return Plot.plot({ ...options, style: { ...options.style, minWidth }, document });
}

/** A blank HTML document of linkedom's, in which to build a page or a plot. */
export function emptyDocument(): Document {
  return parseHTML("<!doctype html><html><head></head><body></body></html>").document as unknown as Document;
}
