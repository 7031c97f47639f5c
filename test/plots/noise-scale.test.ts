import { describe, expect, it } from "vitest";
import { count, group } from "./svg.ts";
import { noiseScalePlot, renderPlot } from "../../lib/index.ts";

describe("noiseScalePlot", () => {
  const points = [
    { series: "seeds' set-up", x: 0, simple: 3 },
    { series: "seeds' set-up", x: 1, simple: 30 },
    { series: "well-conditioned", x: 0, simple: 5 },
    { series: "well-conditioned", x: 1, simple: 80 },
    { series: "well-conditioned", x: 2, simple: 200 },
  ];

  it("draws a line per series and a dot per measurement, B_simple on a log axis", () => {
    const html = renderPlot(noiseScalePlot(points, { xLabel: "epochs" }));
    expect(count(group(html, "line"), "path")).toBe(2);
    expect(count(group(html, "dot"), "circle")).toBe(5);
    expect(html).toContain("B_simple = tr(Σ) / |G|² (samples)");
  });

  it("refuses a B_simple that is not positive (|G|² estimated below zero), naming the point", () => {
    expect(() => noiseScalePlot([...points, { series: "x", x: 3, simple: -2 }], { xLabel: "epochs" })).toThrow("noiseScalePlot: point 5 (x) is (3, -2), expected a finite x and a positive B_simple");
  });
});
