/**
 * Executes notebooks through the tslab kernel, one fresh kernel per notebook, and writes the
 * executed copies (with outputs) next to nothing the user edits: build/notebooks/ by default.
 *
 * This is the programmatic face of `npm run notebooks`; tests and the site build call it.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { CellTimeoutError, Kernel, formatSeconds, repoRoot } from "./kernel.ts";
import { joinSource, outputText, outputsFromMessages, readNotebook, writeNotebook, type CodeCell, type Notebook } from "./notebook.ts";

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

/** Key of the runner's record in an executed copy's notebook metadata. */
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
  onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent =
  | { kind: "notebook-start"; path: string; codeCells: number }
  | { kind: "kernel-ready"; path: string; startupMs: number; pid: number }
  | { kind: "cell-start"; path: string; cell: number; codeCell: number; codeCells: number }
  | { kind: "cell-end"; path: string; cell: number; codeCell: number; codeCells: number; elapsedMs: number }
  | { kind: "notebook-end"; run: NotebookRun }
  | { kind: "notebook-failed"; path: string; error: Error };

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
  status: "ok" | "error";
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
    readonly source: string,
    readonly errorText: string,
    /** The executed copy, written up to and including the failing cell. */
    readonly outPath: string,
  ) {
    const head = source.split("\n").slice(0, 5);
    const more = source.split("\n").length > head.length ? ["…"] : [];
    super(
      [
        `${path}: cell ${cell} failed`,
        ...[...head, ...more].map((line) => `  | ${line}`),
        indent(withoutKernelFrames(errorText).trimEnd() || "(the kernel reported an error without text)", "  "),
        `  executed copy up to this cell: ${outPath}`,
      ].join("\n"),
    );
  }
}

/** Runs every code cell of one notebook in a fresh kernel whose cwd is the notebook's folder. */
export async function executeNotebook(path: string, options: ExecuteOptions = {}): Promise<NotebookRun> {
  const started = performance.now();
  const notebook = readNotebook(path);
  const outPath = join(resolve(options.outDir ?? defaultOutDir), basename(path));
  const sourceHash = sha256(readFileSync(path));
  const libHash = hashTree(options.libDist ?? defaultLibDist);
  const inputsHash = hashFiles(options.inputs ?? defaultInputs);
  const codeCells = notebook.cells.filter((cell) => cell.cell_type === "code").length;
  const emit = options.onProgress ?? (() => {});

  if (options.cached && isFresh(outPath, sourceHash, libHash, inputsHash)) {
    const run: NotebookRun = { path, outPath, status: "cached", codeCells, kernelStartupMs: 0, cellMs: [], elapsedMs: 0 };
    emit({ kind: "notebook-end", run });
    return run;
  }

  emit({ kind: "notebook-start", path, codeCells });
  const executed: Notebook = structuredClone(notebook);
  const record = (status: ExecutionRecord["status"]) => {
    const entry: ExecutionRecord = { status, source_sha256: sourceHash, lib_sha256: libHash, inputs_sha256: inputsHash, executed_at: new Date().toISOString() };
    executed.metadata[metadataKey] = entry;
    writeNotebook(outPath, executed);
  };
  for (const cell of executed.cells) {
    if (cell.cell_type === "code") {
      cell.outputs = [];
      cell.execution_count = null;
    }
  }

  const kernel = await Kernel.start({
    cwd: dirname(resolve(path)),
    tslab: options.tslab,
    startupTimeoutMs: options.startupTimeoutMs,
  });
  const cellMs: number[] = [];
  try {
    emit({ kind: "kernel-ready", path, startupMs: kernel.startupMs, pid: kernel.pid });
    if (kernel.kernelInfo.language_info) executed.metadata.language_info = kernel.kernelInfo.language_info;
    let codeCell = 0;
    for (const [index, cell] of executed.cells.entries()) {
      if (cell.cell_type !== "code") continue;
      codeCell++;
      const source = joinSource(cell.source);
      const position = { path, cell: index + 1, codeCell, codeCells };
      emit({ kind: "cell-start", ...position });
      const timeoutMs = options.timeoutMs ?? defaultCellTimeoutMs;
      let reply;
      try {
        reply = await kernel.execute(source, timeoutMs);
      } catch (error) {
        record("error");
        const text =
          error instanceof CellTimeoutError
            ? `timeout: the cell did not finish within ${formatSeconds(timeoutMs)} (the per-cell timeout); the kernel was shut down`
            : (error as Error).message;
        throw new NotebookExecutionError(path, index + 1, source, text, outPath);
      }
      cell.execution_count = reply.executionCount;
      cell.outputs = outputsFromMessages(reply.messages, reply.executionCount);
      cellMs.push(reply.elapsedMs);
      emit({ kind: "cell-end", ...position, elapsedMs: reply.elapsedMs });
      if (reply.status !== "ok") {
        // tslab aborts whatever arrives within 200 ms of an error, so the run stops here.
        record("error");
        throw new NotebookExecutionError(path, index + 1, source, errorText(cell, reply.reply), outPath);
      }
    }
    record("ok");
  } finally {
    await kernel.shutdown();
  }
  const run: NotebookRun = {
    path,
    outPath,
    status: "executed",
    codeCells,
    kernelStartupMs: kernel.startupMs,
    cellMs,
    elapsedMs: performance.now() - started,
  };
  emit({ kind: "notebook-end", run });
  return run;
}

export interface ExecuteAllResult {
  runs: NotebookRun[];
  /** Failures in the order met: NotebookExecutionError, NotebookFormatError, MissingKernelError… */
  failures: { path: string; error: Error }[];
}

/**
 * Executes the notebooks in name order, each in its own kernel, `jobs` at a time (default 1). A
 * failure does not stop the others unless `bail` is set; the caller decides what a failure means.
 * An aborted `signal` (or a failure under `bail`) starts no further notebook. Runs and failures are
 * listed in name order, whatever order they finished in.
 */
export async function executeAll(
  paths: readonly string[],
  options: ExecuteOptions & { jobs?: number; bail?: boolean; signal?: AbortSignal; onNotebook?: (index: number, total: number, path: string) => void } = {},
): Promise<ExecuteAllResult> {
  const ordered = [...paths].sort((a, b) => basename(a).localeCompare(basename(b)) || a.localeCompare(b));
  const outcomes: ({ run: NotebookRun } | { failure: { path: string; error: Error } } | undefined)[] = [];
  let next = 0;
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (next < ordered.length && !stopped && !options.signal?.aborted) {
      const index = next++;
      const path = ordered[index];
      options.onNotebook?.(index, ordered.length, path);
      try {
        outcomes[index] = { run: await executeNotebook(path, options) };
      } catch (error) {
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

function isFresh(outPath: string, sourceHash: string, libHash: string, inputsHash: string): boolean {
  if (!existsSync(outPath)) return false;
  try {
    const previous = JSON.parse(readFileSync(outPath, "utf8")) as { metadata?: Record<string, unknown> };
    const entry = previous.metadata?.[metadataKey] as Partial<ExecutionRecord> | undefined;
    return entry?.status === "ok" && entry.source_sha256 === sourceHash && entry.lib_sha256 === libHash && entry.inputs_sha256 === inputsHash;
  } catch {
    return false;
  }
}

/** tslab reports errors as stderr text; a kernel may also send an error message or fill the reply. */
function errorText(cell: CodeCell, reply: Record<string, unknown>): string {
  const parts = cell.outputs
    .filter((output) => output.output_type === "error" || (output.output_type === "stream" && output.name === "stderr"))
    .map(outputText);
  if (parts.length === 0 && typeof reply.ename === "string") parts.push(`${reply.ename}: ${String(reply.evalue ?? "")}`);
  if (parts.length === 0) parts.push(`the kernel answered with status "${String(reply.status)}"`);
  return parts.join("\n");
}

/** Stack frames inside tslab and node:vm say nothing about the notebook; the message drops them. */
function withoutKernelFrames(text: string): string {
  return text
    .split("\n")
    .filter((line) => !/^\s*at .*(node:vm|node:internal|[\\/]node_modules[\\/]tslab[\\/])/.test(line))
    .join("\n");
}

function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => prefix + line)
    .join("\n");
}
