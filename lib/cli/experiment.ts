/**
 * `batchprop experiment`: a grid of batch sizes × learning rates × seeds (or the embedded default
 * set), run on worker threads, each finished run appended to the results file as one JSON line.
 * Rerunning the same command skips the runs already in the file; Ctrl-C (or SIGTERM, SIGHUP) keeps
 * every finished run.
 */
import { availableParallelism } from "node:os";
import { Command, Option } from "commander";
import { signalExitStatus, stopSignals } from "./signals.js";
import { backendOf, checkRunConfig, type LrScaling, lrScalings, type RunConfig, runKey } from "../experiments/config.js";
import { experimentSetNames, experimentSets, type ExperimentSetName, setRuns } from "../experiments/sets.js";
import { expandGrid, uniqueRuns } from "../experiments/grid.js";
import { runCost } from "../experiments/cost.js";
import { runPool } from "../experiments/pool.js";
import { deviceOf, finalPoint, type RunRecord } from "../experiments/record.js";
import { checkResultsPath } from "../experiments/results-file.js";
import { formatTable, summaryTable } from "../experiments/summary-table.js";
import { describeSweep } from "../experiments/sweep.js";
import type { Budget } from "../train/budget.js";
import { checkBatchSize, checkLr, ConfigError, keyword } from "../validate/validate.js";
import { experimentFlags, withFlags } from "./flags.js";
import { addModelOptions, countLimits, flagOf, type ModelOptionValues, parseCount, parseIntegerList, parseModelOptions, parseNumberList, refuseCpuFlags } from "./options.js";
import { checkResultsName } from "./output-files.js";
import { progressBar } from "./progress.js";
import { formatDuration, UsageError } from "./usage.js";

interface ExperimentOptionValues extends ModelOptionValues {
  batchSizes: string;
  lrs: string;
  lrScaling: string;
  baseBatch: string;
  epochs?: string;
  steps?: string;
  samples?: string;
  seeds: string;
  workers: string;
  out?: string;
  default?: boolean;
  set?: string;
}

/** What the command will do, checked in full before any worker starts. */
export interface ExperimentPlan {
  readonly runs: RunConfig[];
  readonly workers: number;
  readonly out: string;
  readonly label: string;
}

export function experimentCommand(): Command {
  const command = new Command("experiment")
    .description(
      "Train a grid of networks (batch sizes × learning rates × seeds) on worker threads, appending each finished run to --out as one JSON line. " +
        "Runs already in the file are skipped, so rerunning resumes; Ctrl-C, SIGTERM and SIGHUP keep every finished run (exit status 130, 143, 129). " +
        "One sweep at a time writes a file: it holds <file>.lock while it runs, and a second one exits (status 2). " +
        "A last line cut short by a crash is moved to <file>.truncated-<time> before anything is appended.",
    );
  addModelOptions(command)
    .addOption(new Option("--batch-sizes <list>", "batch sizes B, comma-separated, each from 1 to the training-set size").default("1,10,100"))
    .addOption(new Option("--lrs <list>", "learning rates η (before scaling), comma-separated, each > 0").default("3"))
    .addOption(new Option("--lr-scaling <mode>", `how η follows B: none, linear (η·B/B₀) or sqrt (η·√(B/B₀))`).default("none"))
    .addOption(new Option("--base-batch <B0>", "the batch size B₀ at which a scaled η equals the given η").default("10"))
    .addOption(new Option("--epochs <n>", "budget: whole epochs per run (the default budget is 1 epoch; give one of --epochs, --steps, --samples)"))
    .addOption(new Option("--steps <n>", "budget: optimizer steps per run"))
    .addOption(new Option("--samples <n>", "budget: training samples seen per run"))
    .addOption(new Option("--seeds <n>", "seeds per grid point (seeds 0 … n−1; each sets the initial weights and the shuffles)").default("3"))
    .addOption(
      new Option("--workers <n>", "worker threads running runs in parallel, at most one per core (each holds its own copy of the data; --backend cpu only: GPU runs go one at a time)").default(
        String(availableParallelism()),
      ),
    )
    .addOption(new Option("--out <file>", "the results file (JSON Lines), read to resume and appended to; not .csv, .html and the like: `batchprop report` makes those from it (default: results/experiment.jsonl, or results/NAME.jsonl with --set NAME)"))
    .addOption(new Option("--default", "run the embedded default experiment set on the digits, as --set default (takes only --workers and --out)"))
    .addOption(new Option("--set <name>", "run an embedded experiment set: default (notebooks 09–10) or noise-scale (notebook 11) (takes only --workers and --out)"))
    .action(async (values: ExperimentOptionValues, cmd: Command) => {
      const plan = withFlags(experimentFlags, () => planExperiment(values, (name) => cmd.getOptionValueSource(name) === "cli"));
      process.exitCode = await runPlan(plan);
    });
  return command;
}

/** Checks every option and expands the grid; throws ConfigError (naming the field: experimentFlags names the flag) or UsageError. */
export function planExperiment(values: ExperimentOptionValues, given: (option: string) => boolean): ExperimentPlan {
  // More workers than cores run no faster, and each holds its own copy of the data.
  const workers = parseCount("--workers", values.workers, "the worker count", availableParallelism());
  const budgets = (["epochs", "steps", "samples"] as const).filter((kind) => values[kind] !== undefined);
  if (budgets.length > 1) {
    throw new UsageError(`give one budget, not ${budgets.length}: ${budgets.map((kind) => `--${kind} ${values[kind] ?? ""}`).join(" and ")}`);
  }
  let runs: RunConfig[];
  let label: string;
  const set = embeddedSet(values);
  if (set !== undefined) {
    const grid = ["dataset", "layers", "activation", "outputActivation", "loss", "reduction", "optimizer", "backend", "batchSizes", "lrs", "lrScaling", "baseBatch", "epochs", "steps", "samples", "seeds"];
    const extra = grid.filter(given);
    const option = values.default === true ? "--default" : `--set ${set}`;
    if (extra.length > 0) {
      throw new UsageError(`${option} runs the embedded experiment set and takes only --workers and --out, got ${extra.map(flagOf).join(", ")}`);
    }
    runs = setRuns(set);
    label = `the ${set} set (${experimentSets[set]().map((e) => e.id).join(", ")})`;
  } else {
    const model = parseModelOptions(values);
    refuseCpuFlags(model.backend, ["workers"], given);
    const batchSizes = parseIntegerList("--batch-sizes", values.batchSizes, "batch size");
    for (const batchSize of batchSizes) checkBatchSize(batchSize, model.shape.train, values.dataset, "batchSizes");
    const lrs = parseNumberList("--lrs", values.lrs, "learning rate");
    for (const lr of lrs) checkLr(lr, "lrs");
    const lrScaling = keyword<LrScaling>(values.lrScaling, "lrScaling", lrScalings, "lr scaling");
    const baseBatch = parseCount("--base-batch", values.baseBatch, "the base batch", countLimits["--base-batch"]);
    const kind = budgets[0] ?? "epochs";
    const budget = { [kind]: parseCount(`--${kind}`, values[kind] ?? "1", kind, countLimits[`--${kind}`]) } as Budget;
    const seeds = parseCount("--seeds", values.seeds, "the number of seeds", countLimits["--seeds"]);
    // A list that repeats a value (--batch-sizes 10,10) would plan the same run twice: run it once.
    // Every run of the sweep on the backend given, written into its config only when not the CPU (RunConfig.backend).
    const backend = model.backend !== "cpu" ? { backend: model.backend } : {};
    runs = uniqueRuns(expandGrid({
      data: model.data,
      layers: model.layers,
      activation: model.activation,
      outputActivation: model.outputActivation,
      loss: model.loss,
      reductions: [model.reduction],
      optimizers: [model.optimizer],
      batchSizes,
      lrs,
      lrScalings: [lrScaling],
      baseBatch,
      budgets: [budget],
      seeds,
    })).map((run) => ({ ...run, ...backend }));
    for (const run of runs) checkRunConfig(run, model.shape);
    const distinct = (list: readonly number[]) => new Set(list).size;
    label = `${plural(distinct(batchSizes), "batch size")} × ${plural(distinct(lrs), "learning rate")} × ${plural(seeds, "seed")} on ${values.dataset}`;
  }
  const out = values.out ?? (set !== undefined ? `results/${set}.jsonl` : "results/experiment.jsonl");
  checkResultsName(out);
  try {
    checkResultsPath(out);
  } catch (error) {
    throw new ConfigError("--out", (error as Error).message);
  }
  return { runs, workers, out, label };
}

/** The set --set names (or --default, the set "default"); undefined for a grid. */
function embeddedSet(values: ExperimentOptionValues): ExperimentSetName | undefined {
  if (values.set === undefined) return values.default === true ? "default" : undefined;
  const set = keyword<ExperimentSetName>(values.set, "--set", experimentSetNames, "experiment set");
  if (values.default === true && set !== "default") throw new UsageError(`--default is the set "default": give it or --set ${set}, not both`);
  return set;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * Runs the plan with a progress bar (plain lines when stderr is not a terminal); returns the exit
 * status. The counts printed are the pool's own: the runs it found in the file and the ones it runs.
 */
export async function runPlan(plan: ExperimentPlan): Promise<number> {
  const { runs, out } = plan;
  const controller = new AbortController();
  // Ctrl-C, kill and a closed terminal all stop the grid the same way: workers stopped, lock
  // released, what was kept said; the exit status is 128 + the signal's number, as a shell reports it.
  const onSignal = (signal: NodeJS.Signals) => controller.abort(signal);
  for (const signal of stopSignals) process.on(signal, onSignal);
  const started = performance.now();
  const bar = progressBar("runs {bar} {done}/{runs} | elapsed {duration_formatted} | {left} | {last}");
  let inFile = 0;
  /** The file's runs by key, kept up to date as runs land: what the closing table is made from, without reading the file again. */
  const byKey = new Map<string, RunRecord>();
  const kernels = new Set<string>();
  // Progress is measured in cost (experiments/cost.ts), not runs, so the time left holds while
  // cheap and costly runs alternate.
  let costLeft = 0;
  let costDone = 0;
  const timeLeft = (elapsed: number) => (costDone === 0 ? "about … left" : `about ${formatDuration((elapsed / costDone) * costLeft)} left`);
  try {
    const result = await runPool(runs, {
      out,
      workers: plan.workers,
      signal: controller.signal,
      onStart: ({ total, skipped, todo, records, pending, existing }) => {
        inFile = records;
        for (const [key, record] of existing) byKey.set(key, record);
        costLeft = pending.reduce((sum, run) => sum + runCost(run), 0);
        // --backend applies to every run of a grid: they all go to the worker threads, or all to the GPU.
        const where = pending.some((run) => backendOf(run) !== "cpu") ? "one at a time on the GPU" : `on ${plural(Math.min(plan.workers, Math.max(todo, 1)), "worker")}`;
        process.stdout.write(`${plural(total, "run")}: ${plan.label}; ${skipped} already in ${out}, ${todo} to run ${where}\n`);
        // The build runs --default before the notebooks: say plainly that it had nothing to do.
        if (todo === 0) process.stdout.write(`Nothing left to run: ${total === 1 ? "the run is" : `all ${total} runs are`} in ${out}.\n`);
        else bar?.start(costLeft, 0, { done: 0, runs: todo, left: timeLeft(0), last: "" });
      },
      onRun: (record, done, total) => {
        byKey.set(runKey(record.config), record);
        kernels.add(deviceOf(record));
        const elapsed = (performance.now() - started) / 1000;
        const last = describe(record);
        const cost = runCost(record.config);
        costDone += cost;
        costLeft -= cost;
        if (bar) bar.update(costDone, { done, left: timeLeft(elapsed), last });
        else process.stderr.write(`[${done}/${total}] ${last} | elapsed ${formatDuration(elapsed)} | ${timeLeft(elapsed)}\n`);
      },
    });
    bar?.stop();
    if (result.todo === 0) return 0;
    const elapsed = formatDuration((performance.now() - started) / 1000);
    if (result.interrupted) {
      const kept = inFile + result.finished;
      const signal = controller.signal.reason as NodeJS.Signals; // the first one, if several came
      process.stderr.write(
        `Interrupted after ${elapsed} by ${signal}: kept ${kept} finished run${kept === 1 ? "" : "s"} in ${out} (${result.finished} of ${result.todo} from this call); ` +
          `the runs in progress were discarded. Rerun the same command to resume.\n`,
      );
      return signalExitStatus(signal);
    }
    process.stdout.write(`Finished ${plural(result.finished, "run")} in ${elapsed} on ${[...kernels].join(", ")}; ${out} holds ${inFile + result.finished}.\n`);
    // The grid's runs, this call's and those already in the file, as `batchprop report` tabulates them.
    process.stdout.write(`\n${formatTable(summaryTable(describeSweep(runs.flatMap((run) => byKey.get(runKey(run)) ?? []))))}`);
    return 0;
  } finally {
    bar?.stop();
    for (const signal of stopSignals) process.removeListener(signal, onSignal);
  }
}


/** One run in a line: its grid point and outcome. */
function describe(record: RunRecord): string {
  const { config } = record;
  const budget = Object.entries(config.budget).map(([k, v]) => `${v} ${k}`).join("");
  const where = `B=${config.batchSize} η=${+config.lr.toPrecision(4)} ${config.optimizer} ${config.reduction} ${budget} seed ${config.seed}`;
  if (record.diverged) return `${where}: diverged at step ${record.diverged.step}`;
  const last = finalPoint(record);
  const accuracy = last?.testAccuracy;
  return `${where}: test accuracy ${accuracy === undefined ? "–" : `${(100 * accuracy).toFixed(1)}%`}`;
}
