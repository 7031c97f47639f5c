/**
 * The HTML report of a set of runs: one self-contained page (inline SVG and CSS, no script, nothing
 * fetched) with the summary table and, for each combination of the settings that vary, the charts
 * of notebooks 09–10: the final metric against B (a line per η), against η (a line per B), the
 * seed-mean curves of each η, and the final test loss over (B, η). A chart the runs cannot fill
 * (one B, one η, every run diverged) is left out with a sentence saying why.
 */
import type * as Plot from "@observablehq/plot";
import type { RunRecord } from "../experiments/record.js";
import { type FinalMetric, meanHistory, type RunGroup, type SettingSummary } from "../experiments/summary.js";
import { type SummaryTable, summaryTable } from "../experiments/summary-table.js";
import { budgetLabel, describeSweep, type SweepSection } from "../experiments/sweep.js";
import { batchCurvesPlot, batchSizePlot, lossHeatmap, learningRatePlot } from "../plots/experiments.js";
import { emptyDocument, plotElement } from "../plots/render.js";

const metricWords: Record<FinalMetric, string> = {
  testAccuracy: "test accuracy",
  testLoss: "test loss",
  trainAccuracy: "training accuracy",
  trainLoss: "training loss",
};

export interface ReportOptions {
  /** The results file the runs come from, as named on the command line. */
  readonly source: string;
  /** The metric of the charts against B and η and of the curves. */
  readonly metric: FinalMetric;
  /** The CSV of the same runs, when one is written, to point to. */
  readonly csv?: string;
}

export interface Report {
  readonly html: string;
  /** Its summary table, for the command line to print. */
  readonly table: SummaryTable;
  /** The charts drawn, by id (the id of each one's figure). */
  readonly charts: readonly string[];
}

const style = `
body { font: 15px/1.45 system-ui, sans-serif; color: #222; max-width: 1100px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
code { font-size: 0.92em; background: #f4f4f4; padding: 0 0.2em; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 1em 0; }
th, td { padding: 0.2em 0.7em; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
th.text, td.text { text-align: left; }
tr.diverged td { background: #fde8e8; }
caption { caption-side: bottom; text-align: left; color: #555; font-size: 0.9em; padding-top: 0.5em; }
figure.chart { margin: 1.5em 0; }
figure.chart > h3 { margin: 0 0 0.5em; font-size: 1.05em; }
p.note { color: #555; font-style: italic; }
`;

/** The report's page: throws on no runs. */
export function reportHtml(records: readonly RunRecord[], options: ReportOptions): Report {
  const sweep = describeSweep(records);
  const document = emptyDocument();
  const charts: string[] = [];
  const el = (tag: string, attributes: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement => {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    element.append(...children);
    return element;
  };
  const runCount = sweep.sections.reduce((sum, section) => sum + section.records.length, 0);
  const title = `batchprop report: ${options.source}`;

  document.documentElement.setAttribute("lang", "en");
  document.head.append(el("meta", { charset: "utf-8" }), el("title", {}, title), el("style", {}, style));
  const body = document.body;
  body.append(
    el("h1", {}, "Report on ", el("code", {}, options.source)),
    el(
      "p",
      {},
      `${runCount} run${runCount === 1 ? "" : "s"}: B = ${sweep.batchSizes.join(", ")}; η = ${sweep.lrs.map((lr) => +lr.toPrecision(4)).join(", ")}; ` +
        `${sweep.seeds} seed${sweep.seeds === 1 ? "" : "s"}${sweep.sections.length > 1 ? `; ${sweep.sections.length} settings` : ""}.` +
        (sweep.shared.length > 0 ? ` Every run: ${sweep.shared.join(", ")}.` : ""),
    ),
  );
  if (options.csv !== undefined) body.append(el("p", {}, "Every run, one row each, for a spreadsheet: ", el("code", {}, options.csv), "."));

  const table = summaryTable(sweep);
  const cell = (tag: "th" | "td", text: string, column: number) => el(tag, table.numeric[column] ? {} : { class: "text" }, text);
  body.append(
    el("h2", {}, "Summary"),
    el(
      "table",
      { id: "summary" },
      el("thead", {}, el("tr", {}, ...table.header.map((text, i) => cell("th", text, i)))),
      el("tbody", {}, ...table.rows.map((row) => el("tr", row.diverged > 0 ? { class: "diverged" } : {}, ...row.cells.map((text, i) => cell("td", text, i))))),
      el(
        "caption",
        {},
        "Final test accuracy and loss: the mean over the runs that did not diverge, and in brackets the lowest and highest of them. " +
          "Steps: optimizer steps taken. Samples/s: training samples per second of training time (evaluation excluded). Rows with a diverged run are shaded.",
      ),
    ),
  );

  sweep.sections.forEach((section, index) => {
    body.append(el("h2", {}, section.context === "" ? "Charts" : `Charts: ${section.context}`));
    const chart = (id: string, heading: string, plot: Plot.PlotOptions) => {
      const figureId = `chart-${index + 1}-${id}`;
      charts.push(figureId);
      body.append(el("figure", { class: "chart", id: figureId }, el("h3", {}, heading), plotElement(plot, document)));
    };
    const note = (text: string) => body.append(el("p", { class: "note" }, text));
    drawSection(section, options.metric, chart, note);
  });
  body.append(el("p", { class: "note" }, `Made by batchprop report from ${options.source}: a single file, with nothing to load.`));
  return { html: document.toString(), table, charts };
}

/** The charts of one section, each drawn or said why not. */
function drawSection(
  section: SweepSection,
  metric: FinalMetric,
  chart: (id: string, heading: string, plot: Plot.PlotOptions) => void,
  note: (text: string) => void,
): void {
  const { summaries, records } = section;
  const words = metricWords[metric];
  const diverged = summaries.filter((summary) => summary.diverged > 0);
  if (diverged.length > 0) {
    note(
      `Diverged (a loss stopped being finite): ${diverged.map((s) => `${s.setting}, B = ${s.batchSize}: ${s.diverged} of ${s.runs}`).join("; ")}. ` +
        "Diverged runs are left out of the means and lines; the heatmap shows them in red.",
    );
  }
  const charted = summaries.filter((summary) => summary[metric] !== null);
  // A line needs two points: some η at two B for the chart against B, some B at two η for the one against η.
  const longestLine = (line: (s: SettingSummary) => string) => {
    const points = new Map<string, number>();
    for (const s of charted) points.set(line(s), (points.get(line(s)) ?? 0) + 1);
    return Math.max(0, ...points.values());
  };
  const batchSizes = new Set(summaries.map((s) => s.batchSize)).size;
  const lrs = new Set(summaries.map((s) => s.lr)).size;

  const unless = `a final ${words} at two`;
  if (charted.length === 0) note(`Every run diverged: there is no final ${words} to chart against B or η.`);
  else {
    if (batchSizes === 1) note(`No chart against B: every run has B = ${summaries[0].batchSize}.`);
    else if (longestLine((s) => s.setting) < 2) note(`No chart against B: no η has ${unless} batch sizes (the other runs diverged).`);
    else chart("batch-size", `Final ${words} against B, a line per η (rule: lowest to highest run)`, batchSizePlot(charted, { y: metric }));
    if (lrs === 1) note(`No chart against η: every run has η = ${+summaries[0].lr.toPrecision(4)}.`);
    else if (longestLine((s) => String(s.batchSize)) < 2) note(`No chart against η: no batch size has ${unless} learning rates (the other runs diverged, or each B has its own η).`);
    else chart("learning-rate", `Final ${words} against η, a line per B (rule: lowest to highest run)`, learningRatePlot(charted, { y: metric }));
  }

  const budget = budgetLabel(records[0].config.budget);
  // The section's groups are one per η (its label) and B: the curves of an η are its groups'.
  const byEta = new Map<string, RunGroup[]>();
  for (const group of section.groups) (byEta.get(group.setting) ?? byEta.set(group.setting, []).get(group.setting)!).push(group);
  [...byEta].forEach(([eta, groups], i) => {
    // batchCurvesPlot draws the seed mean of each B over the steps all its seeds recorded: a curve needs two.
    const curve = groups.some((group) => meanHistory(group.records).filter((point) => Number.isFinite(point[metric])).length >= 2);
    if (!curve) note(`No curves at ${eta}: no batch size has two checkpoints of ${words} that all its runs recorded (they diverged first).`);
    else chart(`curves-${i + 1}`, `${words[0].toUpperCase()}${words.slice(1)} against optimizer steps at ${eta}, a curve per B (mean over seeds; ${budget})`, batchCurvesPlot(groups.flatMap((group) => group.records), { y: metric, x: "step" }));
  });

  if (batchSizes < 2 || lrs < 2) note(`No (B, η) heatmap: it needs two or more batch sizes and two or more learning rates (here ${batchSizes} and ${lrs}).`);
  else {
    const classes = Math.max(2, records[0].config.layers.at(-1)!);
    const stuckBelow = Math.min(1, 1 / classes + 0.1);
    const losses = summaries.flatMap((s) => (s.testLoss === null ? [] : [s.testLoss.mean]));
    chart(
      "heatmap",
      `Final test loss over (B, η): darker is lower; "near chance" below ${(100 * stuckBelow).toFixed(0)}% test accuracy`,
      lossHeatmap(summaries, { bins: lossBins(losses), stuckBelow }),
    );
  }
}

/** Four bin edges spread evenly over the losses (rounded to two digits), so any loss scale gets distinct colours. */
export function lossBins(losses: readonly number[]): number[] {
  if (losses.length === 0) return [1];
  const [low, high] = [Math.min(...losses), Math.max(...losses)];
  const edges = [1, 2, 3, 4].map((i) => +(low + ((high - low) * i) / 5).toPrecision(2));
  const rising = edges.filter((edge, i) => i === 0 || edge > edges[i - 1]);
  return rising.length > 0 && high > low ? rising : [+high.toPrecision(2) || 1];
}
