/**
 * A results file: one finished run per line, as JSON (JSON Lines), appended the moment the run
 * finishes so an interrupted grid keeps everything it finished. Node only.
 */
import { createHash } from "node:crypto";
import { accessSync, appendFileSync, closeSync, constants, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, readSync, statSync, truncateSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { runKey } from "./config.js";
import type { RunRecord } from "./record.js";
import { isCutShort, parseResults, ResultsFileError } from "./results-text.js";

export { ResultsFileError } from "./results-text.js";

export interface ResultsFile {
  /** Every run in the file, once: a run on two lines counts by its first. */
  readonly records: RunRecord[];
  /** The records by their run's key. */
  readonly byKey: Map<string, RunRecord>;
}

/** Every run in the file (none if it does not exist yet), checked line by line as parseResults says. */
export function readResults(path: string): ResultsFile {
  if (!existsSync(path)) return { records: [], byKey: new Map() };
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ResultsFileError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const records = parseResults(text, path);
  return { records, byKey: new Map(records.map((record) => [runKey(record.config), record])) };
}

/**
 * Throws unless `path` names a regular file that can be read and appended to, or one that can be
 * created (with its lock and any set-aside fragment beside it): checked before any run starts,
 * creating nothing. A symbolic link is followed: the file written is its target.
 */
export function checkResultsPath(path: string): void {
  if (path === "") throw new ResultsFileError("the results file's name is empty");
  if (path.endsWith("/") || basename(path) === "." || basename(path) === "..") throw new ResultsFileError(`${path} names a folder, not a results file`);
  const target = linkTarget(path);
  const what = target === path ? path : `${path} (a link to ${target})`;
  if (existsSync(target)) {
    const kind = fileKind(target);
    if (kind !== "file") throw new ResultsFileError(`${what} is ${kind}, not a results file`);
    try {
      accessSync(target, constants.R_OK | constants.W_OK);
    } catch (error) {
      throw new ResultsFileError(`cannot read and append to ${what}: ${(error as Error).message}`);
    }
  }
  for (const file of new Set([path, target])) {
    let dir = dirname(resolve(file));
    while (!existsSync(dir)) dir = dirname(dir);
    if (isNameTooLong(join(dir, basename(file)))) {
      throw new ResultsFileError(`${what}: the name ${basename(file)} (${Buffer.byteLength(basename(file))} bytes) is too long for this file system`);
    }
    if (!statSync(dir).isDirectory()) throw new ResultsFileError(`cannot create ${what}: ${dir} is not a directory`);
    try {
      accessSync(dir, constants.W_OK);
    } catch (error) {
      throw new ResultsFileError(`cannot create ${what} or files beside it: ${(error as Error).message}`);
    }
  }
}

/**
 * The file `<path><suffix>` beside a results file (its lock, a set-aside fragment), or, when the
 * results file's name is too long for the file system to take the suffix as well, a short name
 * unique to the results file in the same folder: any name that works for the file works for these.
 * The folder must exist.
 */
export function besidePath(path: string, suffix: string): string {
  const plain = `${path}${suffix}`;
  return isNameTooLong(plain) ? join(dirname(resolve(path)), `.${shortName(path)}${suffix}`) : plain;
}

/** A short name, unique to the file `path`, for the files a sweep keeps beside it. */
export function shortName(path: string): string {
  return `batchprop-${createHash("sha256").update(resolve(path)).digest("hex").slice(0, 16)}`;
}

/** Whether the file system refuses `path`'s last name as too long (asked of the folder that holds it, which must exist). */
function isNameTooLong(path: string): boolean {
  try {
    lstatSync(path);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENAMETOOLONG";
  }
}

/** The file `path` writes to: itself, or, for a symbolic link, its final target (which may not exist yet). */
function linkTarget(path: string): string {
  let file = path;
  // Linux follows at most 40 links in a path: more is a loop.
  for (let hops = 0; hops <= 40; hops++) {
    let link: string;
    try {
      if (!lstatSync(file).isSymbolicLink()) return file;
      link = readlinkSync(file);
    } catch {
      return file;
    }
    file = resolve(dirname(file), link);
  }
  throw new ResultsFileError(`${path} is a symbolic link in a loop`);
}

/** What is at an existing path, in words: reading a FIFO, a socket or a device would block or never end. */
function fileKind(path: string): string {
  const stats = statSync(path);
  if (stats.isFile()) return "file";
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a named pipe (FIFO)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  return "not a regular file";
}

/**
 * Makes the file end at a line's end before anything is appended to it, so a new record never
 * joins the last one. A whole last line without its newline gets one. A last line cut short (not
 * JSON) is set aside: its bytes are written to `<path>.truncated-<time>` and synced, and only then
 * removed from the file; one line on stderr says what moved where.
 */
export function endLastLine(path: string): void {
  if (!existsSync(path)) return;
  const size = statSync(path).size;
  if (size === 0 || lastByte(path, size) === 0x0a) return;
  const bytes = readFileSync(path);
  const start = bytes.lastIndexOf(0x0a) + 1;
  const tail = bytes.subarray(start);
  if (!isCutShort(tail.toString("utf8"))) {
    appendFileSync(path, "\n");
    return;
  }
  const aside = besidePath(path, `.truncated-${new Date().toISOString().replaceAll(":", "-")}`);
  const fd = openSync(aside, "wx");
  try {
    writeSync(fd, tail);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  truncateSync(path, start);
  process.stderr.write(`batchprop: the last line of ${path} was cut short (${tail.length} bytes, not a whole run); moved it to ${aside}\n`);
}

function lastByte(path: string, size: number): number {
  const fd = openSync(path, "r");
  try {
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, size - 1);
    return byte[0];
  } finally {
    closeSync(fd);
  }
}

/** Appends one run as one line, creating the file (and its folder, or a link's target's folder) if needed. */
export function appendRecord(path: string, record: RunRecord): void {
  mkdirSync(dirname(linkTarget(path)), { recursive: true });
  endLastLine(path);
  appendFileSync(path, `${JSON.stringify(record)}\n`);
}
