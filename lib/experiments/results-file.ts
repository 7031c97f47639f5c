/**
 * A results file: one finished run per line, as JSON (JSON Lines), appended the moment the run
 * finishes so an interrupted grid keeps everything it finished. Node only.
 */
import { accessSync, appendFileSync, constants, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { runKey } from "./config.js";
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
  readonly records: RunRecord[];
  /** The records by their run's key. */
  readonly byKey: Map<string, RunRecord>;
}

/**
 * Every run in the file (none if it does not exist yet). Blank lines are skipped; any other line
 * that is not a run record is an error naming its line number: never silently dropped.
 */
export function readResults(path: string): ResultsFile {
  const records: RunRecord[] = [];
  const byKey = new Map<string, RunRecord>();
  if (!existsSync(path)) return { records, byKey };
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ResultsFileError(`cannot read ${path}: ${(error as Error).message}`);
  }
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const record = parseRecord(line);
    if (typeof record === "string") {
      throw new ResultsFileError(`${path}, line ${i + 1}: not a run record (${record}); fix or delete that line, then rerun`, i + 1);
    }
    records.push(record);
    byKey.set(runKey(record.config), record);
  });
  return { records, byKey };
}

/** The record on a line, or why it is not one. */
function parseRecord(line: string): RunRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return (error as Error).message;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not a JSON object";
  const record = value as Partial<Record<keyof RunRecord, unknown>>;
  const config = record.config as Record<string, unknown> | undefined;
  if (config === null || typeof config !== "object" || typeof config.batchSize !== "number" || typeof config.lr !== "number") {
    return "no run configuration";
  }
  if (!Array.isArray(record.checkpoints) || !Array.isArray(record.epochs)) return "no history";
  if (typeof record.steps !== "number" || typeof record.samples !== "number") return "no step count";
  return value as RunRecord;
}

/**
 * Throws unless `path` can be read (if it exists) and appended to (or created): checked before
 * any run starts, creating nothing.
 */
export function checkResultsPath(path: string): void {
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) throw new ResultsFileError(`${path} is a directory, not a results file`);
    try {
      accessSync(path, constants.R_OK | constants.W_OK);
    } catch (error) {
      throw new ResultsFileError(`cannot read and append to ${path}: ${(error as Error).message}`);
    }
    return;
  }
  let dir = dirname(resolve(path));
  while (!existsSync(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) throw new ResultsFileError(`cannot create ${path}: ${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new ResultsFileError(`cannot create ${path}: ${(error as Error).message}`);
  }
}

/** Appends one run as one line, creating the file (and its folder) if needed. */
export function appendRecord(path: string, record: RunRecord): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  appendFileSync(path, `${JSON.stringify(record)}\n`);
}
