/**
 * Runs as CSV for a spreadsheet: one row per run, its configuration flattened into columns, its
 * final metrics, steps, samples, times, where it diverged and where it ran. Numbers are written in full
 * (JavaScript's shortest round-tripping form); quoting follows RFC 4180 (csv-stringify).
 */
import { stringify } from "csv-stringify/sync";
import { firstPerRun, outputActivationOf } from "./config.js";
import { finalPoint, type RunRecord } from "./record.js";

type Cell = string | number | boolean | null;

/** The final metrics of a run that did not diverge; a diverged run has none (its last point is from before). */
const final = (record: RunRecord) => (record.diverged === null ? finalPoint(record) : undefined);

/** Each column: its header and its value for a run (null: empty). */
const columns: readonly (readonly [string, (record: RunRecord) => Cell])[] = [
  ["dataset", (r) => r.config.data.name],
  ["trainSamples", (r) => r.config.data.train],
  ["testSamples", (r) => r.config.data.test],
  ["dataSeed", (r) => r.config.data.seed],
  ["layers", (r) => r.config.layers.join("-")],
  ["activation", (r) => r.config.activation],
  ["outputActivation", (r) => outputActivationOf(r.config)],
  ["loss", (r) => r.config.loss],
  ["reduction", (r) => r.config.reduction],
  ["optimizer", (r) => r.config.optimizer],
  ["lr", (r) => r.config.lr],
  ["baseLr", (r) => r.config.baseLr],
  ["lrScaling", (r) => r.config.lrScaling],
  ["baseBatch", (r) => r.config.baseBatch],
  ["batchSize", (r) => r.config.batchSize],
  ["seed", (r) => r.config.seed],
  ["budgetEpochs", (r) => ("epochs" in r.config.budget ? r.config.budget.epochs : null)],
  ["budgetSteps", (r) => ("steps" in r.config.budget ? r.config.budget.steps : null)],
  ["budgetSamples", (r) => ("samples" in r.config.budget ? r.config.budget.samples : null)],
  ["lastBatch", (r) => r.config.lastBatch],
  ["recordEvery", (r) => r.config.recordEvery],
  ["finalTrainLoss", (r) => final(r)?.trainLoss ?? null],
  ["finalTrainAccuracy", (r) => final(r)?.trainAccuracy ?? null],
  ["finalTestLoss", (r) => final(r)?.testLoss ?? null],
  ["finalTestAccuracy", (r) => final(r)?.testAccuracy ?? null],
  ["steps", (r) => r.steps],
  ["samples", (r) => r.samples],
  ["seconds", (r) => r.seconds],
  ["wallSeconds", (r) => r.wallSeconds],
  ["divergedStep", (r) => r.diverged?.step ?? null],
  ["divergedEpoch", (r) => r.diverged?.epoch ?? null],
  ["lastFiniteLoss", (r) => r.diverged?.lastFiniteLoss ?? null],
  ["kernel", (r) => r.kernel],
  ["workers", (r) => r.workers],
  ["sparse", (r) => r.sparse],
  // Last, so that the columns before them stay where spreadsheets made before the GPU found them.
  ["backend", (r) => r.backend],
  ["adapter", (r) => r.adapter ?? null],
];

export const csvColumns: readonly string[] = columns.map(([name]) => name);

/** A header line and a line per run (a run given twice once), CRLF-terminated as RFC 4180 has it. */
export function runsCsv(records: readonly RunRecord[]): string {
  const rows = firstPerRun(records, (record) => record.config).map((record) => columns.map(([, value]) => value(record)));
  return stringify([csvColumns, ...rows], { record_delimiter: "windows", cast: { boolean: (value) => String(value) } });
}
