/**
 * `npm run bench`: runs each benchmark section the options ask for (options.ts, --help), prints one
 * aligned table per section and writes everything, with the machine it ran on, to --out
 * (build/bench.json).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname } from "node:path";
import { CommanderError } from "commander";
import { type GpuHandle, GpuUnavailableError, nodeGpu } from "batchprop";
import { watchParent } from "../../lib/cli/parent-watch.ts";
import { withFlags } from "../../lib/cli/flags.ts";
import { ConfigError } from "../../lib/validate/validate.ts";
import { benchDefaultExperiments } from "./default-experiments.ts";
import { benchGemm } from "./gemm.ts";
import { benchGpu, failed, type GpuBenchRow, gpuSets } from "./gpu.ts";
import { benchTrainingWithNumpy, describeNumpy, probeNumpy } from "./numpy.ts";
import { type BenchPlan, benchCommand, benchFlags, planBench } from "./options.ts";
import { judgeTargets } from "./targets.ts";
import { describeTorch, probeTorch, type TorchProbe } from "./torch.ts";
import { benchSync, benchWorkers, trainingSetup } from "./training.ts";

/** One flat record per measurement: its fields become the table's columns. */
type BenchRow = object;

export interface BenchSection {
  title: string;
  run: () => readonly BenchRow[] | Promise<readonly BenchRow[]>;
}

/** The GPU and PyTorch a --backend webgpu run measures on. */
interface GpuSide {
  gpu: GpuHandle;
  torch: TorchProbe;
}

/** A section is a title and a function returning rows; a new benchmark is one more entry here. */
function sections(plan: BenchPlan, python: string | undefined, gpuSide: GpuSide | undefined): BenchSection[] {
  if (plan.gpu !== undefined && gpuSide !== undefined) return gpuSections(plan.gpu, plan.python!, gpuSide);
  const digits = plan.samples === trainingSetup.maxSamples ? "the 10,000 digits" : `${plan.samples.toLocaleString("en-US")} digits`;
  return [
    ...(plan.gemm ? [{ title: "gemm, float64", run: benchGemm }] : []),
    ...(plan.training
      ? [{ title: `training one epoch of ${digits}, 784-100-10 sigmoid`, run: async () => withRatios(await benchTrainingWithNumpy(plan.batchSizes, plan.samples, python)) }]
      : []),
    ...(plan.workers
      ? [
          { title: "the same with each batch split across 2 worker threads, against 1 (interleaved, median of 5)", run: () => benchWorkers() },
          { title: "a step's fork and join across 2 threads (2-2-2 network, B = 2)", run: () => benchSync() },
        ]
      : []),
    ...(plan.defaultExperiments ? [{ title: "the default experiments (notebooks 09-10) from scratch", run: benchDefaultExperiments }] : []),
  ];
}

/** Training on the GPU against PyTorch, then issue 13's targets judged on its synthetic set's rows. */
function gpuSections(gpuPlan: NonNullable<BenchPlan["gpu"]>, python: string, { gpu, torch }: GpuSide): BenchSection[] {
  const sets = gpuSets(gpuPlan);
  const epochs = gpuPlan.epochs === 1 ? "one epoch" : `${gpuPlan.epochs} epochs`;
  let rows: GpuBenchRow[] = [];
  return [
    {
      title:
        `training on the GPU, ${epochs} a run after a warm-up, every step a whole batch; 784-100-10 sigmoid, sum of squares (mean), SGD η = ${trainingSetup.lr}, float32\n` +
        sets.map((set) => `${set.name}: ${set.about}`).join("\n"),
      run: async () => (rows = await benchGpu(gpu, gpuPlan, python, torch)),
    },
    { title: "issue 13's targets, on the synthetic set", run: () => judgeTargets(rows, "synthetic", gpu.adapter) },
  ];
}

/** Adds to each row how many times faster it is than the per-sample loop at the same B. */
function withRatios<Row extends { gradients: string; batchSize: number; samplesPerSecond: number }>(rows: Row[]): (Row & { vsPerSample: number })[] {
  return rows.map((row) => {
    const perSample = rows.find((r) => r.gradients === "per-sample" && r.batchSize === row.batchSize);
    // per-sample rows are dense: the loop over samples never multiplies through a kernel
    return { ...row, vsPerSample: perSample ? row.samplesPerSecond / perSample.samplesPerSecond : 1 };
  });
}

function format(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value !== "number") return String(value);
  if (Number.isInteger(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 0.01) return value.toExponential(1);
  return value.toFixed(Math.abs(value) >= 100 ? 0 : 2);
}

/** A plain text table: a header row, a rule, then one line per row; numbers right-aligned. A column missing from a row stays blank. */
export function table(rows: readonly BenchRow[]): string {
  if (rows.length === 0) return "(no rows)";
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cells = rows.map((row) => columns.map((column) => (row as Record<string, unknown>)[column]));
  const numeric = columns.map((_, c) => cells.every((line) => line[c] === undefined || typeof line[c] === "number"));
  const text = cells.map((line) => line.map(format));
  const widths = columns.map((column, c) => Math.max(column.length, ...text.map((line) => line[c].length)));
  const pad = (value: string, c: number) => (numeric[c] ? value.padStart(widths[c]) : value.padEnd(widths[c]));
  return [
    columns.map(pad).join("  "),
    widths.map((width) => "-".repeat(width)).join("  "),
    ...text.map((line) => line.map(pad).join("  ")),
  ].join("\n");
}

/** The options parsed and checked, or the exit status when they were not (help, a bad option). */
function parse(argv: string[]): BenchPlan | number {
  const command = benchCommand();
  try {
    command.parse(argv, { from: "user" });
    return withFlags(benchFlags, () => planBench(command.opts(), (option) => command.getOptionValueSource(option) === "cli"));
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2; // commander printed it
    if (error instanceof ConfigError) {
      process.stderr.write(`bench: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function main(): Promise<number> {
  watchParent(); // killing npm ends the benchmark too
  const plan = parse(process.argv.slice(2));
  if (typeof plan === "number") return plan;
  const numpy = plan.python === undefined || plan.gpu !== undefined ? undefined : await probeNumpy(plan.python);
  let gpuSide: GpuSide | undefined;
  if (plan.gpu !== undefined) {
    try {
      gpuSide = { gpu: await nodeGpu(), torch: await probeTorch(plan.python!) };
    } catch (error) {
      if (!(error instanceof GpuUnavailableError)) throw error;
      process.stderr.write(`bench: ${error.message}\n`);
      return 1;
    }
  }
  try {
    return await measure(plan, numpy, gpuSide);
  } finally {
    gpuSide?.gpu.close();
  }
}

async function measure(plan: BenchPlan, numpy: Awaited<ReturnType<typeof probeNumpy>> | undefined, gpuSide: GpuSide | undefined): Promise<number> {
  const machine = {
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
    ...(numpy !== undefined && { numpy }),
    ...(gpuSide !== undefined && { gpu: gpuSide.gpu.adapter, torch: gpuSide.torch }),
  };
  console.log(`node ${machine.node}, ${machine.cpu} × ${machine.cores}, ${machine.date}`);
  if (numpy !== undefined && "missing" in numpy) console.error(numpy.missing);
  else if (numpy !== undefined) console.log(describeNumpy(numpy));
  if (gpuSide !== undefined) console.log(`webgpu: ${gpuSide.gpu.adapter}\n${describeTorch(gpuSide.torch)}`);
  console.log();
  const python = numpy !== undefined && !("missing" in numpy) ? plan.python : undefined;
  const results = [];
  for (const section of sections(plan, python, gpuSide)) {
    const rows = await section.run();
    console.log(`${section.title}\n${table(rows)}\n`);
    results.push({ title: section.title, rows });
  }
  mkdirSync(dirname(plan.out), { recursive: true });
  writeFileSync(plan.out, `${JSON.stringify({ machine, sections: results }, null, 2)}\n`);
  console.log(`wrote ${plan.out}`);
  // A GPU run that failed is a row saying so (gpu.ts), the others measured and written all the same.
  const failures = results.flatMap(({ rows }) => rows).filter((row) => "note" in row && String(row.note).startsWith(failed));
  if (failures.length > 0) process.stderr.write(`bench: ${failures.length} run${failures.length === 1 ? "" : "s"} failed: see the notes in ${plan.out}\n`);
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
