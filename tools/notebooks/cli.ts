/**
 * `npm run notebooks [-- options] [paths…]`: executes notebooks with Jupyter's nbclient and the
 * tslab kernel (nbclient_run.py, one process per notebook) and writes executed copies with their
 * outputs to build/notebooks/. Usage is in --help.
 */
import { type Stats, existsSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, join, relative, resolve } from "node:path";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import cliProgress from "cli-progress";
import { NotebookExecutionError, defaultCellTimeoutMs, defaultOutDir, executeAll, formatSeconds, projectNotebooks, type NotebookRun, type ProgressEvent } from "./execute.ts";
import { repoRoot } from "./kernelspec.ts";
import { outTarget } from "../../lib/cli/out-path.ts";
import { NotebookFormatError, readNotebook } from "./notebook.ts";
import { watchParent } from "../../lib/cli/parent-watch.ts";
import { parseCount } from "../../lib/cli/options.ts";
import { signalExitStatus, stopSignals } from "../../lib/cli/signals.ts";

/** Two kernels at a time on a machine with two cores or more: a kernel's start is mostly waiting. */
const defaultJobs = Math.min(2, availableParallelism());

/** The project's one integer parser, its message in commander's form. */
function parseJobs(value: string): number {
  try {
    return parseCount("--jobs", value, "notebooks at a time", availableParallelism());
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

const program = new Command("npm run notebooks --")
  .description(
    "Execute Jupyter notebooks with Jupyter's own client (nbclient) and this checkout's tslab kernel.\n" +
      "Each notebook gets a fresh kernel whose working directory is the notebook's own folder (as in\n" +
      "JupyterLab). Executed copies, with outputs, go to the output folder; sources are never touched.\n" +
      "A notebook stops at its first failing cell; the run then exits 1 naming the notebook, the cell,\n" +
      "its first lines and the error, and the executed copy still holds every cell run so far.",
  )
  .argument("[notebooks...]", "notebook files to run, in name order", [])
  .option("-o, --out <dir>", "folder for the executed copies", relative(process.cwd(), defaultOutDir) || ".")
  .option("-t, --timeout <seconds>", "per-cell timeout", parseSeconds, defaultCellTimeoutMs / 1000)
  .option("--startup-timeout <seconds>", "how long a kernel may take to start", parseSeconds, 60)
  .option("--cached", "skip notebooks whose source, built library (lib/dist), results files (results/default.jsonl, results/noise-scale.jsonl) and lock file are unchanged since their last successful run")
  .option("-j, --jobs <n>", "notebooks run side by side, each in its own kernel (at most the machine's cores)", parseJobs, defaultJobs)
  .option("--bail", "stop at the first failing notebook instead of running the rest")
  .option("--tslab <path>", "the tslab launcher (default: this checkout's node_modules/tslab/bin/tslab)")
  .exitOverride()
  .addHelpText(
    "after",
    `
With no notebook given, runs every notebooks/*.ipynb of the checkout.

Examples:
  npm run notebooks                                     run them all
  npm run notebooks -- notebooks/01-forward-pass.ipynb  run one
  npm run notebooks -- --cached                         what the site build does
  node_modules/.bin/tsx tools/notebooks/cli.ts --timeout 60 --out /tmp/nb

Exit status: 0 when every notebook ran (or was cached), 1 when one failed, 2 on a bad option or a
missing or malformed notebook, or two with the same file name (checked before any kernel starts), 129/130/143 on SIGHUP/Ctrl-C/SIGTERM; the
kernel is shut down in every case, and when the process that started the runner dies.
Each notebook runs in its own /usr/bin/python3 tools/notebooks/nbclient_run.py, which also runs
notebooks by itself: /usr/bin/python3 tools/notebooks/nbclient_run.py --out DIR notebooks/*.ipynb
To open them in JupyterLab, register the kernel once with \`npm run kernel\`.`,
  );

/** A day: setTimeout fires at once past 24.8 days, so a longer timeout would be none at all. */
const maxSeconds = 86_400;

/** Seconds in plain decimal digits ("90", "2.5"): Number() would also read "0x10" and " 1e3". */
function parseSeconds(value: string): number {
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value)) throw new InvalidArgumentError(`expected a plain decimal number of seconds, got "${value}"`);
  const seconds = Number(value);
  if (seconds === 0) throw new InvalidArgumentError(`expected more than 0 seconds, got ${value}`);
  if (seconds > maxSeconds) throw new InvalidArgumentError(`expected at most ${maxSeconds} seconds (a day), got ${value}`);
  return seconds;
}

/** What a path that exists is, for messages: "a folder", "a named pipe (FIFO)", "a file"… */
function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return "a folder";
  if (stats.isFIFO()) return "a named pipe (FIFO)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  return "a file";
}

/** Why `out` cannot be the folder of the executed copies (a file, or below one), or undefined when it can. */
function outProblem(out: string): string | undefined {
  // resolve("") is the current folder, which would fill up with executed copies.
  if (out === "") return "expected a folder, got an empty string";
  const { existing, itself, stats, denied } = outTarget(out);
  if (!stats.isDirectory()) return itself ? `${out} is ${kindOf(stats)}, not a folder` : `cannot create ${out}: ${existing} is ${kindOf(stats)}`;
  return denied === undefined ? undefined : `cannot write in ${itself ? out : existing}`;
}

/** Why `path` is not a file to read (missing, a folder, a pipe…), or undefined when it is one. */
function fileProblem(path: string, what: string): string | undefined {
  if (!existsSync(path)) return `${path}: no such ${what}`;
  const stats = statSync(path);
  return stats.isFile() ? undefined : `${path} is ${kindOf(stats)}, not a ${what}`;
}

/** Two notebooks whose executed copies would overwrite each other (same file name), or undefined. */
function sameCopy(paths: readonly string[], out: string): string | undefined {
  const seen = new Map<string, string>();
  for (const path of paths) {
    const other = seen.get(basename(path));
    if (other !== undefined) return `${other} and ${path} would both write the executed copy ${join(out, basename(path))}: run notebooks that share a file name separately, each with its own --out`;
    seen.set(basename(path), path);
  }
  return undefined;
}

interface CliOptions {
  out: string;
  timeout: number;
  startupTimeout: number;
  jobs: number;
  cached?: boolean;
  bail?: boolean;
  tslab?: string;
}

/**
 * Shows progress as one bar on a terminal (notebooks done of all, the ones running and their
 * cells, an estimate of the time left) and as plain lines in logs and CI. Notebooks may run side
 * by side (--jobs), so everything is keyed by the notebook's path.
 */
function createReporter(): { onNotebook: (index: number, total: number, path: string) => void; onProgress: (event: ProgressEvent) => void; stop: () => void } {
  const tty = process.stdout.isTTY === true;
  const notebooks = new Map<string, { prefix: string; name: string; started: number; cell: string }>();
  let total = 0;
  let done = 0;
  const bar = tty
    ? new cliProgress.SingleBar(
        { format: "notebooks |{bar}| {value}/{total} | {running} | {duration_formatted}{left}", hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const running = () =>
    [...notebooks.values()].map((notebook) => `${notebook.name}${notebook.cell}`).join(", ") || "starting";
  const started = performance.now();
  /** The time left, from the mean time per notebook so far: said once one has finished. */
  const left = () => (done === 0 ? "" : `, about ${formatSeconds(((performance.now() - started) / done) * (total - done))} left`);
  const redraw = () => bar?.update(done, { running: running(), left: left() });
  const line = (text: string) => {
    if (bar?.isActive) bar.stop();
    console.log(text);
    if (bar && done < total) bar.start(total, done, { running: running(), left: left() });
  };
  const of = (path: string) => notebooks.get(path) ?? { prefix: path, name: basename(path), started: performance.now(), cell: "" };
  const seconds = (path: string) => formatSeconds(performance.now() - of(path).started);
  const finish = (path: string, text: string) => {
    done++;
    notebooks.delete(path);
    line(text);
  };
  const finished = (prefix: string, run: NotebookRun) =>
    run.status === "cached"
      ? `${prefix} unchanged since its last run, skipped (--cached)`
      : `${prefix} ok: ${run.codeCells} code cell${run.codeCells === 1 ? "" : "s"} in ${formatSeconds(run.elapsedMs)} ` +
        `(kernel start ${formatSeconds(run.kernelStartupMs)}) → ${shortPath(run.outPath)}`;
  return {
    onNotebook(index, count, path) {
      total = count;
      notebooks.set(path, { prefix: `[${index + 1}/${count}] ${relative(process.cwd(), path)}`, name: basename(path, ".ipynb"), started: performance.now(), cell: "" });
      if (bar && !bar.isActive) bar.start(total, done, { running: running(), left: left() });
      redraw();
    },
    onProgress(event) {
      switch (event.kind) {
        case "notebook-start":
          if (!bar) line(`${of(event.path).prefix}: starting a kernel`);
          break;
        case "kernel-ready":
          if (!bar) line(`${of(event.path).prefix}: kernel ready in ${formatSeconds(event.startupMs)} (pid ${event.pid})`);
          break;
        case "cell-start":
          of(event.path).cell = ` cell ${event.codeCell}/${event.codeCells}`;
          if (bar) redraw();
          else line(`${of(event.path).prefix}: cell ${event.codeCell}/${event.codeCells} (${seconds(event.path)})`);
          break;
        case "notebook-end":
          finish(event.run.path, finished(of(event.run.path).prefix, event.run));
          break;
        case "notebook-failed":
          finish(event.path, `${of(event.path).prefix} FAILED after ${seconds(event.path)}${event.error instanceof NotebookExecutionError ? ` at cell ${event.error.cell}` : ""}`);
          break;
        default:
          break;
      }
    },
    stop() {
      if (bar?.isActive) bar.stop();
    },
  };
}

/** A path relative to the current folder when it lies below it, else absolute. */
function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") ? resolve(path) : rel;
}

async function main(): Promise<number> {
  program.parse();
  const options = program.opts<CliOptions>();
  const given = program.args;
  // Everything the user typed is checked here, before the first kernel starts.
  const fail = (problem: string): never => program.error(`error: ${problem}`, { exitCode: 2 });
  const badOut = outProblem(options.out);
  if (badOut !== undefined) fail(`--out: ${badOut}`);
  const badTslab = options.tslab === undefined ? undefined : fileProblem(options.tslab, "file");
  if (badTslab !== undefined) fail(`--tslab: ${badTslab}`);
  for (const path of given) {
    const problem = fileProblem(path, "notebook");
    if (problem !== undefined) fail(problem);
  }
  // Paths stay relative to where the user stands, so messages name files as the user typed them.
  const paths = given.length > 0 ? given : projectNotebooks().map((path) => relative(process.cwd(), path));
  if (paths.length === 0) {
    console.log(`no notebooks to run: ${relative(process.cwd(), resolve(repoRoot, "notebooks")) || "."} holds no .ipynb file`);
    return 0;
  }
  const clash = sameCopy(paths, options.out);
  if (clash !== undefined) fail(clash);
  for (const path of paths) {
    try {
      readNotebook(path);
    } catch (error) {
      if (error instanceof NotebookFormatError) fail(error.message);
      throw error;
    }
  }

  const reporter = createReporter();
  const stop = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second Ctrl-C ends the runner now; each executor then sees it has lost its parent and kills its kernel.
    if (stoppedBy !== undefined) process.exit(signalExitStatus(signal));
    stoppedBy = signal;
    reporter.stop();
    console.error(`\n${signal}: shutting down the kernel…`);
    stop.abort(signal); // the executors get the signal, and no notebook starts after them
  };
  // SIGHUP too: closing the terminal must not leave a kernel behind.
  for (const signal of stopSignals) process.on(signal, onSignal);
  // And so must killing npm, whose death the watcher turns into a SIGHUP.
  watchParent();

  const result = await executeAll(paths, {
    outDir: options.out,
    timeoutMs: options.timeout * 1000,
    startupTimeoutMs: options.startupTimeout * 1000,
    cached: options.cached === true,
    jobs: options.jobs,
    bail: options.bail === true,
    signal: stop.signal,
    tslab: options.tslab,
    onNotebook: reporter.onNotebook,
    onProgress: reporter.onProgress,
  });
  reporter.stop();
  if (stoppedBy !== undefined) return signalExitStatus(stoppedBy);
  if (result.failures.length === 0) return 0;
  for (const { error } of result.failures) console.error(`\n${error.message}`);
  const ran = result.runs.length + result.failures.length;
  console.error(`\n${result.failures.length} of ${ran} notebooks failed${ran < paths.length ? ` (${paths.length - ran} not run, --bail)` : ""}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Commander has printed its message (or the help): a bad option is exit 2, as in lib/cli.
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    // An executor still running sees that its parent is gone and shuts its kernel down.
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
