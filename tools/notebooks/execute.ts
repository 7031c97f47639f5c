/**
 * Executes notebooks through nbclient (nbclient_run.py, Jupyter's own client) and this checkout's
 * tslab kernel, one fresh kernel per notebook, and writes the executed copies (with outputs) next
 * to nothing the user edits: build/notebooks/ by default.
 *
 * This is the programmatic face of `npm run notebooks`; tests and the site build call it.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { basename, join, relative, resolve } from "node:path";
import { repoRoot } from "./kernelspec.ts";
import { NotebookFormatError, readNotebook } from "./notebook.ts";

export const defaultOutDir = join(repoRoot, "build", "notebooks");
export const defaultNotebookDir = join(repoRoot, "notebooks");
export const defaultLibDist = join(repoRoot, "lib", "dist");
/**
 * Files every notebook depends on beyond its source and the library: the experiment sets' results
 * (notebooks 09-10 read the default set's, 11 the noise-scale set's) and the lock file (tslab, Plot
 * and the rest, at their versions).
 */
export const defaultInputs = [join(repoRoot, "results", "default.jsonl"), join(repoRoot, "results", "noise-scale.jsonl"), join(repoRoot, "package-lock.json")];
export const defaultCellTimeoutMs = 300_000;
/** The executor: nbclient on this checkout's tslab, reporting as JSON lines (see its doc). */
export const nbclientRun = join(repoRoot, "tools", "notebooks", "nbclient_run.py");
/** Debian's Python, with Jupyter (tools/setup.sh); a `python3` on PATH may be a pyenv one without it. */
export const jupyterPython = "/usr/bin/python3";

/** Key of the runner's record in an executed copy's notebook metadata (RECORD_KEY in nbclient_run.py). */
export const metadataKey = "batchprop";

export interface ExecuteOptions {
  /** Folder for the executed copies; default build/notebooks of this checkout. */
  outDir?: string;
  /** Per-cell timeout in milliseconds; default 300 s. */
  timeoutMs?: number;
  /** How long a kernel may take to start, in milliseconds; default 60 s. */
  startupTimeoutMs?: number;
  /** Skip a notebook whose source and built library are unchanged since its last successful run. */
  cached?: boolean;
  /** The built library whose contents key the cache; default lib/dist of this checkout. */
  libDist?: string;
  /**
   * Files a notebook depends on, whose contents key the cache too (a missing file counts as a state);
   * default `defaultInputs`. Every notebook's key includes them all: simpler than tracking
   * which notebook reads what, at the cost of rerunning the rest when the results change.
   */
  inputs?: readonly string[];
  /** The tslab launcher; default this checkout's (tests point it elsewhere). */
  tslab?: string;
  /**
   * Stops the run when aborted with a signal's name as its reason ("SIGINT", "SIGTERM", "SIGHUP"):
   * the executor gets that signal, shuts its kernel down, writes the copy so far and ends.
   */
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent =
  | { kind: "notebook-start"; path: string; codeCells: number }
  | { kind: "kernel-ready"; path: string; startupMs: number; pid: number }
  | { kind: "cell-start"; path: string; cell: number; codeCell: number; codeCells: number }
  | { kind: "cell-end"; path: string; cell: number; codeCell: number; codeCells: number; elapsedMs: number }
  | { kind: "notebook-end"; run: NotebookRun }
  | { kind: "notebook-failed"; path: string; error: Error };

/** What nbclient_run.py reports besides progress: why a notebook did not run to its end. */
interface FailedEvent {
  kind: "failed";
  error: "setup" | "notebook" | "kernel" | "cell";
  cell: number | null;
  message: string;
}

type ExecutorEvent = Exclude<ProgressEvent, { kind: "notebook-end" | "notebook-failed" }> | FailedEvent | { kind: "notebook-end" };

export interface NotebookRun {
  /** The source notebook, as given. */
  path: string;
  /** The executed copy. */
  outPath: string;
  status: "executed" | "cached";
  codeCells: number;
  kernelStartupMs: number;
  /** Wall time of each code cell, in order. */
  cellMs: number[];
  elapsedMs: number;
}

/** The runner's record in the executed copy; a later `cached` run compares against it. */
interface ExecutionRecord {
  status: "ok" | "error" | "interrupted";
  source_sha256: string;
  lib_sha256: string;
  inputs_sha256: string;
  executed_at: string;
}

/** A cell failed or timed out. The message names the notebook, the cell, its first lines and the error. */
export class NotebookExecutionError extends Error {
  override name = "NotebookExecutionError";
  constructor(
    readonly path: string,
    /** 1-based position among all cells, as a reader counts them in JupyterLab. */
    readonly cell: number,
    message: string,
    /** The executed copy, written up to and including the failing cell. */
    readonly outPath: string,
  ) {
    super(message);
  }
}

/** Something the runner needs is not installed: tslab, the built library, Debian's Python with Jupyter. */
export class MissingKernelError extends Error {
  override name = "MissingKernelError";
}

/** The kernel did not start, or the executor ended without saying why. */
export class KernelError extends Error {
  override name = "KernelError";
}

/** A signal stopped the notebook (ExecuteOptions.signal, or one sent to the executor). */
export class NotebookInterruptedError extends Error {
  override name = "NotebookInterruptedError";
}

/** The part of a notebook's cache key that every notebook shares: the built library and the inputs. */
type SharedKeys = Pick<ExecutionRecord, "lib_sha256" | "inputs_sha256">;

function sharedKeys(options: ExecuteOptions): SharedKeys {
  return { lib_sha256: hashTree(options.libDist ?? defaultLibDist), inputs_sha256: hashFiles(options.inputs ?? defaultInputs) };
}

/**
 * Runs every code cell of one notebook in a fresh kernel whose cwd is the notebook's folder.
 * `shared` is hashed here unless given (executeAll hashes it once for all its notebooks).
 */
export async function executeNotebook(path: string, options: ExecuteOptions = {}, shared: SharedKeys = sharedKeys(options)): Promise<NotebookRun> {
  const started = performance.now();
  const notebook = readNotebook(path);
  const outDir = resolve(options.outDir ?? defaultOutDir);
  const outPath = join(outDir, basename(path));
  const record = { source_sha256: sha256(readFileSync(path)), ...shared };
  const codeCells = notebook.cells.filter((cell) => cell.cell_type === "code").length;
  const emit = options.onProgress ?? (() => {});

  if (options.cached && isFresh(outPath, record)) {
    const run: NotebookRun = { path, outPath, status: "cached", codeCells, kernelStartupMs: 0, cellMs: [], elapsedMs: 0 };
    emit({ kind: "notebook-end", run });
    return run;
  }
  if (options.signal?.aborted) throw new NotebookInterruptedError(`${path}: not run, stopped by ${String(options.signal.reason)}`);

  const seconds = (ms: number) => String(ms / 1000);
  const args = [
    nbclientRun,
    "--events",
    ["--out", outDir],
    ["--timeout", seconds(options.timeoutMs ?? defaultCellTimeoutMs)],
    ["--startup-timeout", seconds(options.startupTimeoutMs ?? 60_000)],
    ["--node", process.execPath],
    options.tslab === undefined ? [] : ["--tslab", resolve(options.tslab)],
    ["--record", JSON.stringify(record)],
    path,
  ].flat();
  let kernelStartupMs = 0;
  const cellMs: number[] = [];
  let failed: FailedEvent | undefined;
  const ended = await runExecutor(args, options.signal, (event) => {
    switch (event.kind) {
      case "failed":
        failed = event;
        break;
      case "notebook-end":
        break;
      default:
        if (event.kind === "kernel-ready") kernelStartupMs = event.startupMs;
        if (event.kind === "cell-end") cellMs.push(event.elapsedMs);
        emit({ ...event, path });
    }
  });
  const ok = ended.code === 0 && failed === undefined;
  if (!ok && options.signal?.aborted) throw new NotebookInterruptedError(`${path}: stopped by ${String(options.signal.reason)}; executed copy so far: ${outPath}`);
  if (failed !== undefined) throw failure(failed, path, outPath, ended.stderr);
  if (!ok) {
    const how = ended.signal === null ? `exited with status ${ended.code}` : `was killed by ${ended.signal}`;
    throw new KernelError(`${path}: ${jupyterPython} ${nbclientRun} ${how}${withOutput(ended.stderr)}`);
  }
  const run: NotebookRun = { path, outPath, status: "executed", codeCells, kernelStartupMs, cellMs, elapsedMs: performance.now() - started };
  emit({ kind: "notebook-end", run });
  return run;
}

/** The error for what the executor reported; `stderr` holds the kernel's own output (startup errors, crashes). */
function failure(event: FailedEvent, path: string, outPath: string, stderr: string): Error {
  switch (event.error) {
    case "cell":
      return new NotebookExecutionError(path, event.cell ?? 0, event.message, outPath);
    case "setup":
      return new MissingKernelError(event.message);
    case "notebook":
      return new NotebookFormatError(event.message);
    case "kernel":
      return new KernelError(event.message + withOutput(stderr));
  }
}

function withOutput(stderr: string): string {
  const tail = stderr.trim().slice(-4000);
  return tail === "" ? "" : `; its output:\n${tail}`;
}

/**
 * Runs nbclient_run.py to its end, passing each event it reports to `onEvent`, and forwarding the
 * abort signal's reason (a signal name) to it. Resolves with its exit status or the signal that
 * killed it, and the end of its stderr.
 */
function runExecutor(
  args: readonly string[],
  stop: AbortSignal | undefined,
  onEvent: (event: ExecutorEvent) => void,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(jupyterPython, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    const keep = (text: string) => (stderr = (stderr + text).slice(-16_000));
    child.stderr.setEncoding("utf8").on("data", keep);
    createInterface({ input: child.stdout }).on("line", (line) => {
      let event: ExecutorEvent;
      try {
        event = JSON.parse(line) as ExecutorEvent;
      } catch {
        keep(`${line}\n`); // not an event: something in the executor printed it, and it is kept as its output
        return;
      }
      onEvent(event);
    });
    const forward = () => child.kill(stop!.reason as NodeJS.Signals);
    stop?.addEventListener("abort", forward, { once: true });
    child.once("error", (error) => {
      stop?.removeEventListener("abort", forward);
      fail(new MissingKernelError(`cannot run ${jupyterPython} (${error.message}): the notebooks run under Debian's Python with Jupyter's nbclient; run \`bash tools/setup.sh\` in ${repoRoot}`));
    });
    child.once("close", (code, signal) => {
      stop?.removeEventListener("abort", forward);
      done({ code, signal, stderr });
    });
  });
}

export interface ExecuteAllResult {
  runs: NotebookRun[];
  /** Failures in the order met: NotebookExecutionError, NotebookFormatError, MissingKernelError… */
  failures: { path: string; error: Error }[];
}

/**
 * Executes the notebooks in name order, each in its own kernel, `jobs` at a time (default 1). A
 * failure does not stop the others unless `bail` is set; the caller decides what a failure means.
 * An aborted `signal` stops the notebooks running (a notebook it stopped is neither a run nor a
 * failure) and, like a failure under `bail`, starts no further notebook. Runs and failures are
 * listed in name order, whatever order they finished in.
 */
export async function executeAll(
  paths: readonly string[],
  options: ExecuteOptions & { jobs?: number; bail?: boolean; onNotebook?: (index: number, total: number, path: string) => void } = {},
): Promise<ExecuteAllResult> {
  const ordered = [...paths].sort((a, b) => basename(a).localeCompare(basename(b)) || a.localeCompare(b));
  const shared = sharedKeys(options);
  const outcomes: ({ run: NotebookRun } | { failure: { path: string; error: Error } } | undefined)[] = [];
  let next = 0;
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (next < ordered.length && !stopped && !options.signal?.aborted) {
      const index = next++;
      const path = ordered[index];
      options.onNotebook?.(index, ordered.length, path);
      try {
        outcomes[index] = { run: await executeNotebook(path, options, shared) };
      } catch (error) {
        if (error instanceof NotebookInterruptedError) continue;
        outcomes[index] = { failure: { path, error: error as Error } };
        options.onProgress?.({ kind: "notebook-failed", path, error: error as Error });
        if (options.bail) stopped = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs ?? 1, ordered.length)) }, worker));
  const result: ExecuteAllResult = { runs: [], failures: [] };
  for (const outcome of outcomes) {
    if (outcome === undefined) continue;
    if ("run" in outcome) result.runs.push(outcome.run);
    else result.failures.push(outcome.failure);
  }
  return result;
}

/** The project's notebooks: every notebooks/*.ipynb, in name order. */
export function projectNotebooks(dir = defaultNotebookDir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(".ipynb"))
    .sort()
    .map((name) => join(dir, name));
}

/** A hash of a folder's files (relative paths and contents), so any change to the build shows. */
export function hashTree(dir: string): string {
  const hash = createHash("sha256");
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        hash.update(relative(dir, full)).update("\0").update(readFileSync(full)).update("\0");
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  else hash.update("(missing)");
  return hash.digest("hex");
}

/** A hash of some files (paths and contents; a missing file hashes as missing). */
export function hashFiles(paths: readonly string[]): string {
  const hash = createHash("sha256");
  for (const path of paths) {
    hash.update(path).update("\0");
    if (existsSync(path)) hash.update(readFileSync(path));
    else hash.update("(missing)");
    hash.update("\0");
  }
  return hash.digest("hex");
}

function isFresh(outPath: string, record: Omit<ExecutionRecord, "status" | "executed_at">): boolean {
  if (!existsSync(outPath)) return false;
  try {
    const previous = JSON.parse(readFileSync(outPath, "utf8")) as { metadata?: Record<string, unknown> };
    const entry = previous.metadata?.[metadataKey] as Partial<ExecutionRecord> | undefined;
    return (
      entry?.status === "ok" &&
      entry.source_sha256 === record.source_sha256 &&
      entry.lib_sha256 === record.lib_sha256 &&
      entry.inputs_sha256 === record.inputs_sha256
    );
  } catch {
    return false;
  }
}

function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

export function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
