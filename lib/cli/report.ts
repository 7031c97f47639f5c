/**
 * `batchprop report FILE`: any results file as one self-contained HTML page (summary table and the
 * charts of notebooks 09–10) and, with --csv, a CSV of its runs; the summary table on stdout too.
 * Everything is checked before anything is written: the options, the output names, then every
 * line of the file (a bad one is named by file, line and field, exit status 2).
 */
import { existsSync, statSync } from "node:fs";
import { extname } from "node:path";
import { Command, Option } from "commander";
import { formatCount } from "../experiments/config.js";
import { readResults, ResultsFileError } from "../experiments/results-file.js";
import { runsCsv } from "../experiments/runs-csv.js";
import { type FinalMetric, finalMetrics } from "../experiments/summary.js";
import { formatTable } from "../experiments/summary-table.js";
import { reportHtml } from "../report/report.js";
import { keyword } from "../validate/validate.js";
import { checkOutputFile, htmlReport, runsTable, writeWhole } from "./output-files.js";

interface ReportOptionValues {
  out?: string;
  csv?: string;
  metric: string;
}

/**
 * The largest results file a report reads: it is read whole, as one string, and V8's strings end
 * at 2^29 characters. 256 MiB hold some 50,000 runs of the default experiments' size.
 */
const maxReportBytes = 256 * 2 ** 20;

export function reportCommand(): Command {
  return new Command("report")
    .description(
      "Turn a results file (the JSON lines of `batchprop experiment`) into one HTML page that opens from disk, offline: the summary table, " +
        "the final metric against B (a line per η) and against η (a line per B), the curves of each η, and the final test loss over (B, η). " +
        "Prints the summary table; --csv also writes every run as a row of a CSV file.",
    )
    .argument("<file>", "the results file (JSON lines)")
    .addOption(new Option("--out <file>", "the HTML report, ending in .html or .htm (default: FILE with .html for its extension)"))
    .addOption(new Option("--csv <file>", "also write the runs, one row each, to this file, ending in .csv"))
    .addOption(new Option("--metric <name>", `the final metric charted against B and η, and in the curves: ${finalMetrics.join(", ")}`).default("testAccuracy"))
    .action((file: string, values: ReportOptionValues) => {
      const metric = keyword<FinalMetric>(values.metric, "--metric", finalMetrics, "metric");
      checkResultsInput(file);
      const out = values.out ?? `${file.slice(0, file.length - extname(file).length)}.html`;
      checkOutputFile(out, htmlReport, file);
      if (values.csv !== undefined) checkOutputFile(values.csv, runsTable, file);
      const { records } = readResults(file);
      if (records.length === 0) throw new ResultsFileError(`${file} holds no runs: nothing to report`);

      const report = reportHtml(records, { source: file, metric, ...(values.csv !== undefined && { csv: values.csv }) });
      if (values.csv !== undefined) writeWhole(values.csv, runsCsv(records));
      writeWhole(out, report.html);
      process.stdout.write(formatTable(report.table));
      const runs = `${formatCount(records.length)} run${records.length === 1 ? "" : "s"}`;
      if (values.csv !== undefined) process.stdout.write(`Wrote ${values.csv}: ${runs}, one row each.\n`);
      process.stdout.write(`Wrote ${out}: ${runs}, ${report.charts.length} chart${report.charts.length === 1 ? "" : "s"}.\n`);
    });
}

/** The results file must be a regular file of at most maxReportBytes: a missing one is not an empty report. */
function checkResultsInput(file: string): void {
  if (!existsSync(file)) throw new ResultsFileError(`${file}: no such results file`);
  const stats = statSync(file);
  if (!stats.isFile()) throw new ResultsFileError(`${file} is not a regular file`);
  if (stats.size > maxReportBytes) {
    throw new ResultsFileError(`${file} holds ${formatCount(stats.size)} bytes, more than the ${formatCount(maxReportBytes)} (256 MiB) a report reads`);
  }
}
