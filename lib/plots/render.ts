import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";

/**
 * Renders an Observable Plot to an HTML string on the server, through linkedom's DOM, for notebooks
 * (tslab.display.html) and generated pages. Continuous colour legends need a canvas that linkedom
 * lacks: use swatches or direct labels instead.
 */
export function renderPlot(options: Plot.PlotOptions): string {
  return plotElement(options, emptyDocument()).outerHTML;
}

/** The plot (its SVG, or a figure holding the SVG and a legend) as an element of `document`, for a page built there. */
export function plotElement(options: Plot.PlotOptions, document: Document): Element {
  return Plot.plot({ ...options, document });
}

/** A blank HTML document of linkedom's, in which to build a page or a plot. */
export function emptyDocument(): Document {
  return parseHTML("<!doctype html><html><head></head><body></body></html>").document as unknown as Document;
}
