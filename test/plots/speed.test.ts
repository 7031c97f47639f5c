import { describe, expect, it } from "vitest";
import { count, group } from "./svg.ts";
import { renderPlot, speedPlot, type SpeedPoint } from "../../lib/index.ts";

const points: SpeedPoint[] = [1, 4, 16, 64].flatMap((batchSize, i) => [
  { method: "vectorized", batchSize, samplesPerSecond: 1000 * (i + 1) },
  { method: "per-sample", batchSize, samplesPerSecond: 900 },
]);


describe("speedPlot", () => {
  it("draws a line per method and a dot per measurement, B on a log₂ axis labelled with the batch sizes", () => {
    const html = renderPlot(speedPlot(points));
    expect(html).toContain("<svg");
    expect(count(group(html, "line"), "path")).toBe(2);
    expect(count(group(html, "dot"), "circle")).toBe(8);
    expect(html).toContain("batch size B");
    expect(html).toContain("samples per second");
    expect(html).toContain("vectorized</span>");
    expect(html).toContain("per-sample</span>");
    expect(html.indexOf("vectorized</span>")).toBeLessThan(html.indexOf("per-sample</span>"));
    const ticks = [...group(html, "x-axis tick label").matchAll(/>(\d+)</g)].map((m) => Number(m[1]));
    expect(ticks).toEqual([1, 4, 16, 64]);
    // log₂: B = 1, 4, 16, 64 are evenly spaced.
    const xs = [...group(html, "x-axis tick label").matchAll(/translate\(([\d.]+),/g)].map((m) => Number(m[1]));
    const gaps = xs.slice(1).map((x, i) => x - xs[i]);
    gaps.forEach((gap) => expect(gap).toBeCloseTo(gaps[0], 6));
  });

  it("rejects measurements it cannot place", () => {
    expect(() => speedPlot([])).toThrow(/no measurements/);
    expect(() => speedPlot([{ method: "v", batchSize: 0, samplesPerSecond: 1 }])).toThrow(/batch size 0/);
    expect(() => speedPlot([{ method: "v", batchSize: 2, samplesPerSecond: Number.NaN }])).toThrow(/B = 2\) has NaN samples\/s/);
  });
});
