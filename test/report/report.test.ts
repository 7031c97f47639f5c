import { parseHTML } from "linkedom";
import { describe, expect, it } from "vitest";
import { lossBins, reportHtml, type RunRecord } from "../../lib/index.ts";
import { fakeRun } from "../experiments/runs.ts";
import { count, group } from "../plots/svg.ts";

/** B = 1, 8, 64 × η = 0.5, 3 × seeds 0, 1: six (B, η) settings, twelve runs. */
const grid = (extra: Partial<Parameters<typeof fakeRun>[0]> = {}): RunRecord[] =>
  [0.5, 3].flatMap((lr) => [1, 8, 64].flatMap((batchSize) => [0, 1].map((seed) => fakeRun({ batchSize, lr, seed, accuracy: 0.5 + batchSize / 200 + lr / 20 + seed / 100, ...extra }))));

function page(records: readonly RunRecord[], source = "results/grid.jsonl") {
  const report = reportHtml(records, { source, metric: "testAccuracy" });
  const { document } = parseHTML(report.html);
  const figure = (id: string) => document.getElementById(id)?.outerHTML ?? "";
  const notes = Array.from(document.querySelectorAll("p.note")).map((p) => p.textContent);
  return { report, document, figure, notes };
}

describe("reportHtml", () => {
  it("is one page that needs nothing else: no script, no stylesheet or image to load, no link out", () => {
    const { document, report } = page(grid());
    expect(document.querySelectorAll("script, link, img, iframe, object, embed")).toHaveLength(0);
    const pointers = Array.from(document.querySelectorAll("*")).flatMap((element) => ["src", "href", "xlink:href"].flatMap((name) => element.getAttribute(name) ?? []));
    expect(pointers).toEqual([]);
    expect(report.html).not.toMatch(/url\(|@import/);
    expect(document.querySelector("meta")?.getAttribute("charset")).toBe("utf-8");
  });

  it("draws each chart of notebooks 09–10 as one SVG with a mark per (B, η) setting", () => {
    const { report, figure } = page(grid());
    expect(report.charts).toEqual(["chart-1-batch-size", "chart-1-learning-rate", "chart-1-curves-1", "chart-1-curves-2", "chart-1-heatmap"]);
    // One plot per figure (the legend's swatches are small SVGs of no class).
    for (const id of report.charts) expect(figure(id).match(/<svg[^>]* class="plot-/g), id).toHaveLength(1);
    // Against B: a line per η through its 3 batch sizes; against η: a line per B through its 2 rates.
    expect(count(group(figure("chart-1-batch-size"), "dot"), "circle")).toBe(6);
    expect(count(group(figure("chart-1-batch-size"), "line"), "path")).toBe(2);
    expect(count(group(figure("chart-1-learning-rate"), "dot"), "circle")).toBe(6);
    expect(count(group(figure("chart-1-learning-rate"), "line"), "path")).toBe(3);
    // Curves at one η: a curve per B of 2 checkpoints (the seed mean).
    expect(count(group(figure("chart-1-curves-1"), "line"), "path")).toBe(3);
    expect(count(group(figure("chart-1-curves-1"), "dot"), "circle")).toBe(6);
    expect(count(group(figure("chart-1-heatmap"), "cell"), "rect")).toBe(6);
  });

  it("tabulates each (B, η) once, as the summary table has it", () => {
    const { document, report } = page(grid());
    const rows = Array.from(document.querySelectorAll("#summary tbody tr")).map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent));
    expect(rows).toEqual(report.table.rows.map((row) => row.cells));
    expect(rows.map((row) => row.slice(0, 2))).toEqual([["1", "0.5"], ["8", "0.5"], ["64", "0.5"], ["1", "3"], ["8", "3"], ["64", "3"]]);
  });

  it("marks diverged runs in the table, a note and the heatmap, and leaves them out of the lines", () => {
    const runs = grid().map((run) => (run.config.batchSize === 64 && run.config.lr === 3 ? fakeRun({ batchSize: 64, lr: 3, seed: run.config.seed, accuracy: 0.5, divergedAt: 6 }) : run));
    const { document, figure, notes } = page(runs);
    expect(document.querySelectorAll("#summary tr.diverged")).toHaveLength(1);
    expect(notes[0]).toMatch(/^Diverged \(a loss stopped being finite\): η = 3, B = 64: 2 of 2\./);
    expect(count(group(figure("chart-1-batch-size"), "dot"), "circle")).toBe(5);
    expect(figure("chart-1-heatmap")).toContain("diverged 2/2");
  });

  it("with one batch size, says why there is no chart against B and no heatmap", () => {
    const { report, notes } = page(grid().filter((run) => run.config.batchSize === 8));
    expect(report.charts).toEqual(["chart-1-learning-rate", "chart-1-curves-1", "chart-1-curves-2"]);
    expect(notes).toContain("No chart against B: every run has B = 8.");
    expect(notes).toContain("No (B, η) heatmap: it needs two or more batch sizes and two or more learning rates (here 1 and 2).");
  });

  it("with one η, says why there is no chart against η", () => {
    const { report, notes } = page(grid().filter((run) => run.config.lr === 3));
    expect(report.charts).toEqual(["chart-1-batch-size", "chart-1-curves-1"]);
    expect(notes).toContain("No chart against η: every run has η = 3.");
  });

  it("with every run diverged, charts no final metric and says so", () => {
    const { report, notes } = page(grid({ divergedAt: 2 }));
    expect(report.charts).toEqual(["chart-1-heatmap"]);
    expect(notes).toContain("Every run diverged: there is no final test accuracy to chart against B or η.");
    expect(notes.filter((note) => note?.startsWith("No curves at η"))).toHaveLength(2);
  });

  it("gives each optimizer its own charts, under its name", () => {
    const adam = grid({ grid: { optimizers: ["adam"] } });
    const { document, report } = page([...grid(), ...adam]);
    expect(Array.from(document.querySelectorAll("h2")).map((h) => h.textContent)).toEqual(["Summary", "Charts: sgd", "Charts: adam"]);
    expect(report.charts.filter((id) => id.endsWith("heatmap"))).toEqual(["chart-1-heatmap", "chart-2-heatmap"]);
    expect(document.querySelectorAll("#summary tbody tr")).toHaveLength(12);
  });

  it("writes the file's name as text, whatever it holds", () => {
    const { document } = page(grid(), "<b>odd</b>.jsonl");
    expect(document.querySelector("h1 code")?.textContent).toBe("<b>odd</b>.jsonl");
    expect(document.querySelectorAll("b")).toHaveLength(0);
  });
});

describe("lossBins", () => {
  it("spreads four rising edges over the losses, whatever their scale", () => {
    expect(lossBins([0.1, 0.6])).toEqual([0.2, 0.3, 0.4, 0.5]);
    expect(lossBins([2, 12])).toEqual([4, 6, 8, 10]);
    expect(lossBins([0.5])).toEqual([0.5]);
    expect(lossBins([])).toEqual([1]);
  });
});
