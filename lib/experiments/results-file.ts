/**
 * A results file: one finished run per line, as JSON (JSON Lines), appended the moment the run
 * finishes so an interrupted grid keeps everything it finished. Node only.
 */
import { createHash } from "node:crypto";
import { accessSync, appendFileSync, closeSync, constants, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, readSync, statSync, truncateSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { z } from "zod";
import { activations } from "../activations/activation.js";
import { losses, reductions } from "../losses/loss.js";
import { inits } from "../matrix/init.js";
import { optimizerNames } from "../optimizers/optimizer.js";
import { firstPerRun, lrScalings, runKey } from "./config.js";
import type { RunRecord } from "./record.js";

/** A results file that cannot be used: unreadable, unwritable, or holding a line that is not a run. */
export class ResultsFileError extends Error {
  /** The 1-based line that is not a run record, when that is the problem. */
  readonly line: number | undefined;
  constructor(message: string, line?: number) {
    super(message);
    this.name = "ResultsFileError";
    this.line = line;
  }
}

export interface ResultsFile {
  /** Every run in the file, once: a run on two lines counts by its first. */
  readonly records: RunRecord[];
  /** The records by their run's key. */
  readonly byKey: Map<string, RunRecord>;
}

/**
 * Every run in the file (none if it does not exist yet). Blank lines are skipped, and so is a last
 * line cut short (no newline, not JSON: a write that a crash interrupted; the next sweep sets it
 * aside). Any other line that is not a run record is an error naming its line number and what is
 * wrong with it: never silently dropped.
 */
export function readResults(path: string): ResultsFile {
  if (!existsSync(path)) return { records: [], byKey: new Map() };
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ResultsFileError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const lines = text.split("\n");
  if (isCutShort(lines[lines.length - 1])) lines.pop();
  const all = lines.flatMap((line, i) => {
    if (line.trim() === "") return [];
    const record = parseRecord(line);
    if (typeof record === "string") {
      throw new ResultsFileError(`${path}, line ${i + 1}: not a run record (${record}); fix or delete that line, then rerun`, i + 1);
    }
    return [record];
  });
  const records = firstPerRun(all, (record) => record.config);
  return { records, byKey: new Map(records.map((record) => [runKey(record.config), record])) };
}

/** An unterminated last line that is not JSON: the start of a record whose write was cut short. */
function isCutShort(lastLine: string): boolean {
  if (lastLine.trim() === "") return false;
  try {
    JSON.parse(lastLine);
    return false;
  } catch {
    return true;
  }
}

const name = <T extends string>(names: readonly T[]) => z.enum(names as [T, ...T[]]);
const point = z.object({
  epoch: z.number(),
  step: z.number(),
  samples: z.number(),
  trainLoss: z.number(),
  trainAccuracy: z.number(),
  testLoss: z.number().optional(),
  testAccuracy: z.number().optional(),
  seconds: z.number(),
});
const budget = z.union([z.strictObject({ epochs: z.number() }), z.strictObject({ steps: z.number() }), z.strictObject({ samples: z.number() })], {
  error: "expected one of {epochs: n}, {steps: n}, {samples: n}",
});

/** What a line must hold to be a run: every field of RunRecord that anything reads. */
const runRecord: z.ZodType<RunRecord> = z.object({
  config: z.object({
    data: z.object({ name: z.string(), train: z.number(), test: z.number(), seed: z.number() }),
    layers: z.array(z.number()),
    activation: name(Object.keys(activations) as (keyof typeof activations)[]),
    outputActivation: name(Object.keys(activations) as (keyof typeof activations)[]).optional(),
    init: name(inits).optional(),
    biasInit: name(inits).optional(),
    loss: name(Object.keys(losses) as (keyof typeof losses)[]),
    reduction: name(reductions),
    optimizer: name(optimizerNames),
    batchSize: z.number(),
    lr: z.number(),
    baseLr: z.number(),
    lrScaling: name(lrScalings),
    baseBatch: z.number(),
    budget,
    seed: z.number(),
    lastBatch: name(["partial", "drop"] as const),
    recordEvery: z.number(),
    noiseScaleEvery: z.number().optional(),
  }),
  epochs: z.array(point),
  checkpoints: z.array(point),
  steps: z.number(),
  samples: z.number(),
  diverged: z.object({ epoch: z.number(), step: z.number(), lastFiniteLoss: z.number().nullable() }).nullable(),
  seconds: z.number(),
  wallSeconds: z.number(),
  // Records written before runs named their kernel all ran on the JavaScript kernel, dense.
  kernel: z.string().default("js"),
  sparse: z.boolean().default(false),
  // Records written before runs named their workers ran on one thread.
  workers: z.number().int().positive().default(1),
  noiseScales: z
    .array(z.object({ step: z.number(), epoch: z.number(), batchSize: z.number(), gradientSquared: z.number(), trace: z.number(), simple: z.number(), seconds: z.number() }))
    .optional(),
  noiseScaleSeconds: z.number().optional(),
});

/** The record on a line, as written, or why it is not one: the field missing or wrong, by its path. */
function parseRecord(line: string): RunRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return (error as Error).message;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not a JSON object";
  const checked = runRecord.safeParse(value);
  if (checked.success) return value as RunRecord;
  const issue = checked.error.issues[0];
  const field = issue.path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("");
  if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) return `missing ${field}`;
  return `${field}: ${issue.message.replace(/^Invalid (input|option): /, "")}`;
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
