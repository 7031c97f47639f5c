import { describe, expect, it } from "vitest";
import { count, group } from "./svg.ts";
import { historyPlot, historyRows, renderPlot, type HistoryPoint } from "../../lib/index.ts";

/** Three epochs of a made-up run, with test metrics unless `withTest` is false. */
function records(withTest = true): HistoryPoint[] {
  return [1, 2, 3].map((epoch) => ({
    epoch,
    step: 100 * epoch,
    samples: 1000 * epoch,
    seconds: 0.5 * epoch,
    trainLoss: 0.4 / epoch,
    trainAccuracy: 0.6 + 0.1 * epoch,
    ...(withTest && { testLoss: 0.45 / epoch, testAccuracy: 0.55 + 0.1 * epoch }),
  }));
}


describe("historyPlot", () => {
  it("draws a line per metric and a dot per record, with a swatch legend naming both", () => {
    const html = renderPlot(historyPlot(records(), { y: ["trainAccuracy", "testAccuracy"] }));
    expect(html).toContain("<svg");
    expect(count(group(html, "line"), "path")).toBe(2);
    expect(count(group(html, "dot"), "circle")).toBe(6);
    expect(html).toContain("train accuracy</span>");
    expect(html).toContain("test accuracy</span>");
    expect(html).toContain("accuracy (%)");
    expect(html).toContain("epoch");
    // Accuracies are shown in percent: 0.65 sits at tick 65 or thereabouts, never at 0.65.
    expect(group(html, "y-axis tick label")).toMatch(/>(60|65|70|75|80|85)</);
  });

  it("takes labelled runs: one line per run, named by its label", () => {
    const runs = [
      { label: "B = 10", records: records() },
      { label: "B = 100", records: records().slice(0, 2) },
    ];
    const html = renderPlot(historyPlot(runs, { y: "testLoss", x: "samples" }));
    expect(count(group(html, "line"), "path")).toBe(2);
    expect(count(group(html, "dot"), "circle")).toBe(5);
    expect(html).toContain("B = 100</span>");
    expect(html).toContain("samples seen");
    expect(html).toContain("mean loss per sample");
  });

  it("has no legend for a single series", () => {
    const html = renderPlot(historyPlot(records(), { y: "trainLoss" }));
    expect(html).not.toContain("swatch");
    expect(count(group(html, "line"), "path")).toBe(1);
  });

  it("places each point at its record's values", () => {
    const rows = historyRows(records(), { y: ["trainLoss", "testLoss"], x: "step" });
    expect(rows).toHaveLength(6);
    expect(rows[0]).toEqual({ series: "train loss", x: 100, y: 0.4 });
    expect(rows[5]).toEqual({ series: "test loss", x: 300, y: 0.15 });
  });

  it("says what is missing or mixed", () => {
    expect(() => historyPlot(records(false), { y: "testAccuracy" })).toThrow(/no record has a finite testAccuracy \(train with \{ test \}/);
    expect(() => historyPlot(records(), { y: ["trainLoss", "testAccuracy"] })).toThrow(/different units/);
    expect(() => historyPlot([], { y: "trainLoss" })).toThrow(/no records to plot/);
    expect(() => historyPlot(records(), { y: [] })).toThrow(/names no metric/);
  });
});

describe("historyPlot's axes and legend order", () => {
  it("lists series in the order asked for and ticks every whole epoch", () => {
    const html = renderPlot(historyPlot(records(), { y: ["trainLoss", "testLoss"] }));
    expect(html.indexOf("train loss</span>")).toBeLessThan(html.indexOf("test loss</span>"));
    const ticks = [...group(html, "x-axis tick label").matchAll(/>([\d.]+)</g)].map((m) => m[1]);
    expect(ticks).toEqual(["1", "2", "3"]);
  });
});
