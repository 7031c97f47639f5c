import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";

/**
 * Renders an Observable Plot to an HTML string on the server, through linkedom's DOM, for notebooks
 * (tslab.display.html) and generated pages. Continuous colour legends need a canvas that linkedom
 * lacks: use swatches or direct labels instead.
 */
export function renderPlot(options: Plot.PlotOptions): string {
  const { document } = parseHTML("<!doctype html><html><head></head><body></body></html>");
  return Plot.plot({ ...options, document: document as unknown as Document }).outerHTML;
}
