/**
 * One sweep at a time per results file: `<file>.lock` holds the pid and start time of the sweep
 * writing it. Two sweeps on one file would both run every missing run and both append it. Node only.
 */
import { linkSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ResultsFileError } from "./results-file.js";

export interface ResultsLock {
  /** The lock file, `<results file>.lock`. */
  readonly path: string;
  /** Removes the lock if it is still this process's; safe to call more than once. */
  release(): void;
}

interface Holder {
  readonly pid: number;
  readonly started: string;
}

/**
 * Takes the lock of the results file `path`, or throws a ResultsFileError naming the file and the
 * pid of the sweep that holds it. A lock left by a process that no longer runs (a sweep that was
 * killed) is stale: it is taken over, with one line on stderr saying so. Creates the file's folder.
 */
export function lockResults(path: string): ResultsLock {
  const lockPath = `${path}.lock`;
  mkdirSync(dirname(resolve(path)), { recursive: true });
  const mine: Holder = { pid: process.pid, started: new Date().toISOString() };
  const text = `${JSON.stringify(mine)}\n`;
  if (!create(lockPath, text)) {
    const holder = readHolder(lockPath);
    if (holder !== undefined && isRunning(holder.pid)) {
      throw new ResultsFileError(
        `${path} is being written by another sweep (pid ${holder.pid}, started ${holder.started}); wait for it to end or stop it, then rerun ` +
          `(if no such sweep runs, delete ${lockPath})`,
      );
    }
    rmSync(lockPath, { force: true });
    if (!create(lockPath, text)) throw new ResultsFileError(`${path} was locked by another sweep as this one started; wait for it to end, then rerun`);
    const left = holder === undefined ? "naming no pid" : `by pid ${holder.pid}, started ${holder.started}, which no longer runs`;
    process.stderr.write(`batchprop: took over the stale lock ${lockPath}, left ${left}\n`);
  }
  return {
    path: lockPath,
    release: () => {
      if (readFileSafe(lockPath) === text) unlinkSync(lockPath);
    },
  };
}

/**
 * Creates `lockPath` holding `text`, or returns false if it exists. The text goes to a file of its
 * own first and is linked into place, so the lock never exists without its holder written in it.
 */
function create(lockPath: string, text: string): boolean {
  const draft = `${lockPath}.${process.pid}`;
  try {
    writeFileSync(draft, text);
  } catch (error) {
    throw new ResultsFileError(`cannot create the lock ${lockPath}: ${(error as Error).message}`);
  }
  try {
    linkSync(draft, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new ResultsFileError(`cannot create the lock ${lockPath}: ${(error as Error).message}`);
  } finally {
    unlinkSync(draft);
  }
}

function readFileSafe(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function readHolder(lockPath: string): Holder | undefined {
  try {
    const holder = JSON.parse(readFileSafe(lockPath) ?? "") as Partial<Holder>;
    return Number.isSafeInteger(holder.pid) && (holder.pid as number) > 0 ? { pid: holder.pid as number, started: String(holder.started) } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid runs (signal 0 checks without sending; EPERM: it runs as another user). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
