/**
 * `npm run bench`: runs each benchmark section, prints one aligned table per section and writes
 * everything, with the machine it ran on, to build/bench.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { watchParent } from "../../lib/cli/parent-watch.ts";
import { benchGemm } from "./gemm.ts";
import { benchSync, benchTraining, benchWorkers } from "./training.ts";

/** One flat record per measurement: its fields become the table's columns. */
type BenchRow = object;

export interface BenchSection {
  title: string;
  run: () => readonly BenchRow[] | Promise<readonly BenchRow[]>;
}

/** A section is a title and a function returning rows; a new benchmark is one more entry here. */
export const sections: BenchSection[] = [
  { title: "gemm, float64", run: benchGemm },
  { title: "training one epoch of the 10,000 digits, 784-100-10 sigmoid", run: () => withRatios(benchTraining()) },
  { title: "the same with each batch split across 2 worker threads, against 1 (interleaved, median of 5)", run: () => benchWorkers() },
  { title: "a step's fork and join across 2 threads (2-2-2 network, B = 2)", run: () => benchSync() },
];

/** Adds to each vectorized row how many times faster it is than the per-sample loop at the same B. */
function withRatios(rows: ReturnType<typeof benchTraining>): object[] {
  return rows.map((row) => {
    const perSample = rows.find((r) => r.gradients === "per-sample" && r.batchSize === row.batchSize);
    // per-sample rows are dense: the loop over samples never multiplies through a kernel
    return { ...row, vsPerSample: perSample ? row.samplesPerSecond / perSample.samplesPerSecond : 1 };
  });
}

const outFile = resolve(dirname(fileURLToPath(import.meta.url)), "../../build/bench.json");

function format(value: unknown): string {
  if (typeof value !== "number") return String(value);
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(Math.abs(value) >= 100 ? 0 : 2);
}

/** A plain text table: a header row, a rule, then one line per row; numbers right-aligned. */
export function table(rows: readonly BenchRow[]): string {
  if (rows.length === 0) return "(no rows)";
  const columns = Object.keys(rows[0]);
  const cells = rows.map((row) => columns.map((column) => (row as Record<string, unknown>)[column]));
  const numeric = columns.map((_, c) => cells.every((line) => typeof line[c] === "number"));
  const text = cells.map((line) => line.map(format));
  const widths = columns.map((column, c) => Math.max(column.length, ...text.map((line) => line[c].length)));
  const pad = (value: string, c: number) => (numeric[c] ? value.padStart(widths[c]) : value.padEnd(widths[c]));
  return [
    columns.map(pad).join("  "),
    widths.map((width) => "-".repeat(width)).join("  "),
    ...text.map((line) => line.map(pad).join("  ")),
  ].join("\n");
}

async function main(): Promise<void> {
  watchParent(); // killing npm ends the benchmark too
  const machine = {
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
  };
  console.log(`node ${machine.node}, ${machine.cpu} × ${machine.cores}, ${machine.date}\n`);
  const results = [];
  for (const section of sections) {
    const rows = await section.run();
    console.log(`${section.title}\n${table(rows)}\n`);
    results.push({ title: section.title, rows });
  }
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify({ machine, sections: results }, null, 2)}\n`);
  console.log(`wrote ${outFile}`);
}

await main();
