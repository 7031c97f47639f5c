import { describe, expect, it } from "vitest";
import { count, group } from "./svg.ts";
import { fakeRun } from "../experiments/runs.ts";
import {
  batchCurvesPlot,
  batchSizePlot,
  heatmapCells,
  learningRatePlot,
  lossHeatmap,
  renderPlot,
  type RunRecord,
  type SettingSummary,
  stepsToTargetPlot,
  type TrainRecord,
} from "../../lib/index.ts";


const spread = (mean: number, min = mean, max = mean) => ({ mean, min, max, n: 3 });

function summary(setting: string, batchSize: number, lr: number, loss: number | null, accuracy: number | null, diverged = 0): SettingSummary {
  return {
    setting,
    batchSize,
    lr,
    runs: 3,
    diverged,
    trainLoss: loss === null ? null : spread(loss),
    trainAccuracy: accuracy === null ? null : spread(accuracy),
    testLoss: loss === null ? null : spread(loss, loss - 0.01, loss + 0.01),
    testAccuracy: accuracy === null ? null : spread(accuracy, accuracy - 0.05, accuracy + 0.05),
    secondsPerEpoch: spread(1 / batchSize),
  };
}

describe("batchSizePlot", () => {
  const summaries = [summary("2 epochs", 1, 3, 0.2, 0.7), summary("2 epochs", 4, 3, 0.1, 0.85), summary("2 epochs", 16, 3, 0.3, 0.5), summary("300 steps", 1, 3, 0.45, 0.25), summary("300 steps", 16, 3, 0.3, 0.55)];

  it("draws a line per setting, a dot and a seed-range rule per point, a swatch legend", () => {
    const html = renderPlot(batchSizePlot(summaries, { y: "testAccuracy" }));
    expect(count(group(html, "line"), "path")).toBe(2);
    expect(count(group(html, "dot"), "circle")).toBe(5);
    expect(count(group(html, "rule"), "line")).toBe(5);
    expect(html).toContain("300 steps</span>");
    expect(html).toContain("final test accuracy (%)");
    expect(html).not.toContain("<canvas");
    // The log₂ axis labels the batch sizes themselves.
    expect(group(html, "x-axis tick label")).toMatch(/>16</);
  });

  it("plots seconds per epoch on a log axis and skips groups without the metric", () => {
    const html = renderPlot(batchSizePlot([...summaries, summary("2 epochs", 64, 3, null, null, 3)], { y: "secondsPerEpoch" }));
    expect(count(group(html, "dot"), "circle")).toBe(6); // seconds exist even for the all-diverged group
    expect(html).toContain("training seconds per epoch");
    const loss = renderPlot(batchSizePlot([...summaries, summary("2 epochs", 64, 3, null, null, 3)], { y: "testLoss" }));
    expect(count(group(loss, "dot"), "circle")).toBe(5);
  });

  it("refuses an unknown metric", () => {
    expect(() => batchSizePlot(summaries, { y: "speed" as "testLoss" })).toThrow(/^y: unknown metric "speed" \(expected trainLoss, testLoss, trainAccuracy, testAccuracy or secondsPerEpoch\)$/);
  });
});

// B = 4 at three η, B = 64 at two (the third diverged).
const grid = [
  summary("η = 1", 4, 1, 0.16, 0.8),
  summary("η = 3", 4, 3, 0.12, 0.83),
  summary("η = 30", 4, 30, 0.48, 0.15),
  summary("η = 1", 64, 1, 0.41, 0.32),
  summary("η = 3", 64, 3, 0.3, 0.54),
  summary("η = 30", 64, 30, null, null, 3),
];

describe("learningRatePlot", () => {
  // The same grid listed out of η order: B = 4's η = 30 comes first.
  const shuffled = [grid[2], grid[0], grid[1], ...grid.slice(3)];

  it("draws a line per batch size through its η in rising order, a dot and a seed-range rule per point with a metric", () => {
    const html = renderPlot(learningRatePlot(shuffled, { y: "testAccuracy" }));
    expect(count(group(html, "line"), "path")).toBe(2);
    expect(count(group(html, "dot"), "circle")).toBe(5);
    expect(count(group(html, "rule"), "line")).toBe(5);
    expect(html).toContain("B = 64</span>");
    expect(html).toContain("learning rate η");
    // B = 4 at η = 3: mean 83.0% over the seeds, from 78.0% to 88.0%.
    expect(html).toContain("B = 4, η = 3: mean 83.0% over 3 (78.0% to 88.0%)");
    // Each line goes left to right: B = 4's path passes η = 1, 3, 30 in order, so its x only rises.
    const paths = [...group(html, "line").matchAll(/ d="M([^"]+)"/g)].map((m) => m[1].split("L").map((xy) => Number(xy.split(",")[0])));
    for (const xs of paths) expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(html).not.toContain("<canvas");
  });

  it("refuses an unknown metric and summaries with none", () => {
    expect(() => learningRatePlot(shuffled, { y: "secondsPerEpoch" as "testLoss" })).toThrow(/y: unknown metric "secondsPerEpoch"/);
    expect(() => learningRatePlot([shuffled[5]], { y: "testLoss" })).toThrow(/no summary has a testLoss/);
  });
});

describe("lossHeatmap", () => {
  it("bins the loss, and names diverged and near-chance cells", () => {
    const cells = heatmapCells(grid);
    expect(cells.map((c) => c.bin)).toEqual(["0.15–0.25", "< 0.15", "≥ 0.45", "0.35–0.45", "0.25–0.35", "diverged"]);
    expect(cells.map((c) => c.status)).toEqual(["ok", "ok", "near chance", "ok", "ok", "diverged"]);
    expect(cells[2].label).toBe("0.480\nnear chance");
    expect(cells[5].label).toBe("–\ndiverged 3/3");
  });

  it("draws a cell and a label per point with an ordinal swatch legend, no canvas", () => {
    const html = renderPlot(lossHeatmap(grid, { title: "loss" }));
    expect(count(group(html, "cell"), "rect")).toBe(6);
    expect(count(group(html, "text"), "text")).toBe(6);
    expect(html).toContain("diverged</span>");
    expect(html).toContain("&lt; 0.15</span>");
    expect(html).not.toContain("<canvas");
  });

  it("writes white on the darker half of the bins, whatever they are, and black on the rest", () => {
    const fills = (html: string) => [...group(html, "text").matchAll(/<text[^>]*fill="([^"]+)"/g)].map((m) => m[1]);
    // Default bins: < 0.15 and 0.15–0.25 are dark.
    expect(fills(renderPlot(lossHeatmap(grid)))).toEqual(["white", "white", "black", "black", "black", "black"]);
    // Bins for losses near 1: only < 0.9 and 0.9–1 are dark.
    const high = grid.map((s) => ({ ...s, testLoss: s.testLoss && spread(s.testLoss.mean + 0.8) }));
    expect(fills(renderPlot(lossHeatmap(high, { bins: [0.9, 1, 1.1, 1.2] })))).toEqual(["white", "white", "black", "black", "black", "black"]);
  });

  it("refuses bins that do not rise", () => {
    expect(() => heatmapCells(grid, { bins: [0.3, 0.2] })).toThrow(/rising/);
  });
});

describe("batchCurvesPlot", () => {
  const point = (step: number, testLoss: number): TrainRecord => ({ epoch: step / 10, step, samples: step, trainLoss: testLoss, trainAccuracy: 0.5, testLoss, testAccuracy: 0.5, seconds: 0 });
  // A made-up run (test/experiments/runs.ts) with these checkpoints instead of its own.
  const run = (batchSize: number, seed: number, points: TrainRecord[]): RunRecord => ({
    ...fakeRun({ batchSize, lr: 3, seed, accuracy: 0.5 }),
    checkpoints: points,
    steps: points[points.length - 1].step,
  });

  it("draws one seed-mean line per batch size", () => {
    const runs = [
      run(1, 0, [point(5, 0.4), point(10, 0.2)]),
      run(1, 1, [point(5, 0.6), point(10, 0.4)]),
      run(10, 0, [point(1, 0.5)]),
    ];
    const html = renderPlot(batchCurvesPlot(runs, { x: "step" }));
    expect(count(group(html, "line"), "path")).toBe(2);
    expect(count(group(html, "dot"), "circle")).toBe(3); // B = 1: two seed means; B = 10: one point
    expect(html).toContain("B = 10</span>");
    // The mean of 0.4 and 0.6 at step 5 is 0.5: its dot says so.
    expect(html).toContain("B = 1: 0.5000 at step 5");
  });
});

describe("stepsToTargetPlot", () => {
  it("draws reached points as a line and dots, the missed ones as a note at the top", () => {
    const points = [
      { series: "η = 3", batchSize: 1, steps: null },
      { series: "η = 3", batchSize: 4, steps: 240 },
      { series: "η = 3", batchSize: 64, steps: 135 },
      { series: "best η", batchSize: 4, steps: 400 },
      { series: "best η", batchSize: 64, steps: 60 },
    ];
    const html = renderPlot(stepsToTargetPlot(points, { target: 0.4 }));
    expect(count(group(html, "line"), "path")).toBe(2);
    expect(count(group(html, "dot"), "circle")).toBe(4);
    expect(count(group(html, "text"), "text")).toBe(1);
    expect(html).toContain("steps to reach 40% test accuracy");
  });

  it("refuses a non-positive step count", () => {
    expect(() => stepsToTargetPlot([{ series: "a", batchSize: 2, steps: 0 }], { target: 0.5 })).toThrow(/0 steps/);
  });
});
