/**
 * One sweep at a time per results file: `<file>.lock` holds the pid and start time of the sweep
 * writing it. Two sweeps on one file would both run every missing run and both append it. Node only.
 */
import { linkSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { besidePath, ResultsFileError, shortName } from "./results-file.js";

export interface ResultsLock {
  /** The lock file, `<results file>.lock` (a short name beside it when that one is too long). */
  readonly path: string;
  /** Removes the lock if it is still this process's; safe to call more than once. */
  release(): void;
}

interface Holder {
  readonly pid: number;
  readonly started: string;
}

/**
 * Takes the lock of the results file `path` (`<path>.lock`), or throws a ResultsFileError naming
 * the file and the pid of the sweep that holds it. A lock left by a process that no longer runs (a sweep that was
 * killed, whose pid may since have been reused) is stale: it is taken over, with one line on stderr saying so. Creates the file's folder.
 */
export function lockResults(path: string): ResultsLock {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  const lockPath = besidePath(path, ".lock");
  const mine: Holder = { pid: process.pid, started: new Date().toISOString() };
  const text = `${JSON.stringify(mine)}\n`;
  if (!create(lockPath, text)) {
    const holder = readHolder(lockPath);
    if (holder !== undefined && holds(holder)) throw busy(path, lockPath, holder);
    takeOver(path, lockPath, text);
  }
  return {
    path: lockPath,
    release: () => {
      if (readFileSafe(lockPath) === text) unlinkSync(lockPath);
    },
  };
}

function busy(path: string, lockPath: string, holder: Holder): ResultsFileError {
  return new ResultsFileError(
    `${path} is being written by another sweep (pid ${holder.pid}, started ${holder.started}); wait for it to end or stop it, then rerun ` +
      `(if no such sweep runs, delete ${lockPath})`,
  );
}

/**
 * Replaces a stale lock by this sweep's text. Two sweeps that both found the lock stale must not
 * both take it over (the second would delete the first one's fresh lock), so a take-over happens
 * only while holding a guard beside the lock, created exclusively and held for a few system calls:
 * under it the lock is read again, and removed only if it is still stale. A guard left by a
 * take-over killed in those calls is not guessed about: the message says to delete it.
 */
function takeOver(path: string, lockPath: string, text: string): void {
  const guard = join(dirname(resolve(path)), `.${shortName(lockPath)}.takeover`);
  if (!create(guard, text)) {
    const taker = readHolder(guard);
    if (taker === undefined || holds(taker)) throw raced(path);
    throw new ResultsFileError(
      `a take-over of the stale lock ${lockPath} was interrupted (pid ${taker.pid} no longer runs); if no sweep runs on ${path}, delete ${guard}, then rerun`,
    );
  }
  try {
    const holder = readHolder(lockPath);
    if (holder !== undefined && holds(holder)) throw raced(path); // taken over since it was read
    rmSync(lockPath, { force: true });
    if (!create(lockPath, text)) throw raced(path);
    const left = holder === undefined ? "naming no pid" : `by pid ${holder.pid}, started ${holder.started}, which no longer runs`;
    process.stderr.write(`batchprop: took over the stale lock ${lockPath}, left ${left}\n`);
  } finally {
    rmSync(guard, { force: true });
  }
}

function raced(path: string): ResultsFileError {
  return new ResultsFileError(`${path} was locked by another sweep as this one started; wait for it to end, then rerun`);
}

/**
 * Creates `lockPath` holding `text`, or returns false if it exists. The text goes to a draft file
 * (short-named, beside it) first and is linked into place, so the lock never exists without its
 * holder written in it.
 */
function create(lockPath: string, text: string): boolean {
  const draft = join(dirname(resolve(lockPath)), `.${shortName(lockPath)}.${process.pid}.draft`);
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

/**
 * Whether the lock's holder still runs: a process with its pid runs (signal 0 checks without
 * sending; EPERM: it runs as another user), and, where /proc tells (Linux), it is not a zombie
 * (exited, not yet reaped) and it started before the lock did: a process started later only
 * reuses the pid of a holder that has ended.
 */
function holds(holder: Holder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const stat = readFileSafe(`/proc/${holder.pid}/stat`);
  const bootSeconds = Number(/^btime (\d+)$/m.exec(readFileSafe("/proc/stat") ?? "")?.[1]);
  if (stat === undefined || !Number.isFinite(bootSeconds)) return true;
  // After the command's name in parentheses: field 3, the state, … field 22, the start time in
  // clock ticks after boot (USER_HZ, 100 on every Linux platform).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z") return false;
  const processStarted = (bootSeconds + Number(fields[19]) / 100) * 1000;
  const lockStarted = Date.parse(holder.started);
  // btime is whole seconds: a second's slack keeps a holder that locked in its first second.
  return Number.isNaN(lockStarted) || processStarted <= lockStarted + 1000;
}
