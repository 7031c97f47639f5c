import * as Plot from "@observablehq/plot";
import { describe, expect, it } from "vitest";
import { renderPlot, smallestScale } from "../../lib/plots/render.ts";

const marks = [Plot.dot([{ x: 1, y: 2 }], { x: "x", y: "y" })];
/** The inline style of the chart's <svg>. */
const svgStyle = (html: string) => /<svg\b[^>]*\bstyle="([^"]*)"/.exec(html)?.[1];

describe("renderPlot", () => {
  it("lets a chart shrink to 90% of its width and no further, so its 10 px labels stay at 9 px or more", () => {
    expect(smallestScale * 10).toBeGreaterThanOrEqual(9);
    expect(svgStyle(renderPlot({ marks }))).toBe("min-width:576px"); // Plot's default width, 640
    expect(svgStyle(renderPlot({ marks, width: 561 }))).toBe("min-width:505px"); // rounded up: never below 90%
  });

  it("keeps the chart's own style, and refuses a style string, which linkedom cannot apply", () => {
    const html = renderPlot({ marks, width: 560, title: "A title", style: { color: "red" } });
    expect(html).toMatch(/^<figure/);
    expect(svgStyle(html)).toBe("color:red;min-width:504px");
    expect(() => renderPlot({ marks, style: "color: red" })).toThrow("renderPlot: give style as an object of CSS properties, not a string");
  });
});
