/**
 * The summary table of a sweep: one row per setting, η and B, with its runs, how many diverged,
 * the final test accuracy and loss (mean over the runs that did not diverge, and their range), the
 * steps taken and the training speed. The one place that builds these rows: the end of
 * `batchprop experiment` prints them as text, `batchprop report` as an HTML table.
 */
import { formatCount } from "./config.js";
import type { Spread } from "./summary.js";
import type { Sweep } from "./sweep.js";

export interface SummaryTable {
  readonly header: readonly string[];
  /** Whether each column holds numbers (set right-aligned). */
  readonly numeric: readonly boolean[];
  readonly rows: readonly SummaryRow[];
}

export interface SummaryRow {
  readonly cells: readonly string[];
  /** How many of the row's runs diverged: such a row is marked. */
  readonly diverged: number;
}

/** "91.2% (90.1–92.5)": the mean, then the lowest and highest run when there are several that differ; "–" for none. */
function spreadText(spread: Spread | null, format: (value: number) => string, unit = ""): string {
  if (spread === null) return "–";
  const range = spread.n > 1 && spread.max > spread.min ? ` (${format(spread.min)}–${format(spread.max)})` : "";
  return `${format(spread.mean)}${unit}${range}`;
}

const percent = (value: number) => (100 * value).toFixed(1);
const loss = (value: number) => value.toPrecision(3);

/** The rows of every section, in the sweep's order; a "setting" column leads when the sweep has several. */
export function summaryTable(sweep: Sweep): SummaryTable {
  const named = sweep.sections.length > 1;
  const header = [...(named ? ["setting"] : []), "B", "η", "runs", "diverged", "test accuracy", "test loss", "steps", "samples/s"];
  const numeric = header.map((column) => column !== "setting");
  const rows = sweep.sections.flatMap((section) =>
    section.summaries.map((summary, i) => {
      const records = section.groups[i].records;
      const steps = records.map((record) => record.steps);
      const [fewest, most] = [Math.min(...steps), Math.max(...steps)];
      const seconds = records.reduce((sum, record) => sum + record.seconds, 0);
      const samples = records.reduce((sum, record) => sum + record.samples, 0);
      const cells = [
        ...(named ? [section.context] : []),
        String(summary.batchSize),
        String(+summary.lr.toPrecision(4)),
        String(summary.runs),
        String(summary.diverged),
        spreadText(summary.testAccuracy, percent, "%"),
        spreadText(summary.testLoss, loss),
        fewest === most ? formatCount(most) : `${formatCount(fewest)}–${formatCount(most)}`,
        seconds > 0 ? formatCount(Math.round(samples / seconds)) : "–",
      ];
      return { cells, diverged: summary.diverged };
    }),
  );
  return { header, numeric, rows };
}

/**
 * The table as aligned plain text, the same whether or not the output is a terminal: text columns
 * set left, numbers right, two spaces between columns, a rule under the header.
 */
export function formatTable(table: SummaryTable): string {
  const lines = [table.header, ...table.rows.map((row) => row.cells)];
  const widths = table.header.map((_, column) => Math.max(...lines.map((cells) => [...cells[column]].length)));
  const pad = (cell: string, column: number) => {
    const fill = " ".repeat(widths[column] - [...cell].length);
    return table.numeric[column] ? fill + cell : cell + fill;
  };
  const text = lines.map((cells) => cells.map(pad).join("  ").trimEnd());
  text.splice(1, 0, widths.map((width) => "-".repeat(width)).join("  "));
  return `${text.join("\n")}\n`;
}
