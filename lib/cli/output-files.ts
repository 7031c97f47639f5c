/**
 * The names the command line's output files may have, and how the report's files are written: the
 * one place for each rule. A results file holds JSON lines, so `experiment --out` may not claim
 * another format by its extension; a report is HTML (.html, .htm) and its runs' table CSV (.csv);
 * neither replaces the results file it is made from, and each is written whole or not at all.
 * Node only.
 */
import { existsSync, lstatSync, mkdirSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { outTarget } from "./out-path.js";
import writeFileAtomic from "write-file-atomic";
import { ConfigError } from "../validate/validate.js";

/** A kind of file the report writes. */
export interface OutputKind {
  /** The option of `batchprop report` that names it. */
  readonly option: "--out" | "--csv";
  /** Its extensions, lower case, the first one suggested. */
  readonly extensions: readonly string[];
  /** What it must be, as a sentence's start: "the report is one HTML page". */
  readonly what: string;
  /** What it makes from a results file: "an HTML report with its charts". */
  readonly made: string;
}

export const htmlReport: OutputKind = { option: "--out", extensions: [".html", ".htm"], what: "the report is one HTML page", made: "an HTML report with its charts" };
export const runsTable: OutputKind = { option: "--csv", extensions: [".csv"], what: "the runs' table is CSV", made: "a CSV table of its runs" };

/**
 * Extensions of formats a results file is not, and the kind of report file nearest to each. Other
 * names (.jsonl, .json, none, or anything else) are taken as they are.
 */
const notResults: Record<string, readonly [format: string, nearest: OutputKind]> = {
  ".csv": ["CSV", runsTable],
  ".tsv": ["TSV", runsTable],
  ".xlsx": ["a spreadsheet", runsTable],
  ".xls": ["a spreadsheet", runsTable],
  ".ods": ["a spreadsheet", runsTable],
  ".html": ["HTML", htmlReport],
  ".htm": ["HTML", htmlReport],
  ".svg": ["an image", htmlReport],
  ".png": ["an image", htmlReport],
  ".pdf": ["a document", htmlReport],
};

/** Refuses a results file (experiment --out) whose name claims a format other than JSON lines, saying how to get that format. */
export function checkResultsName(path: string): void {
  const extension = extname(path);
  const other = notResults[extension.toLowerCase()];
  if (other === undefined) return;
  const [format, { option, extensions, made }] = other;
  const stem = path.slice(0, path.length - extension.length);
  throw new ConfigError(
    "--out",
    `${path}: results are written as JSON lines, not ${format}; name the results file ${stem}.jsonl, then make ${made} with \`batchprop report ${stem}.jsonl ${option} ${stem}${extensions[0]}\``,
  );
}

/**
 * Throws a ConfigError naming the kind's option unless `path` can take a file of this kind: its extension,
 * not the input file (however reached: a link, another name), a regular file or a new one in a
 * folder that exists or can be made, with room in the name for the temporary file written beside it.
 */
export function checkOutputFile(path: string, kind: OutputKind, input: string): void {
  const { option } = kind;
  if (path === "") throw new ConfigError(option, "the file's name is empty");
  const extension = extname(path).toLowerCase();
  if (!kind.extensions.includes(extension)) {
    throw new ConfigError(option, `${path}: ${kind.what}; give a name ending in ${kind.extensions.join(" or ")}`);
  }
  if (existsSync(path)) {
    const [out, from] = [statSync(path), statSync(input)];
    if (out.dev === from.dev && out.ino === from.ino) throw new ConfigError(option, `${path} is the results file the report is made from; name another file`);
    if (!out.isFile()) throw new ConfigError(option, `${path} exists and is not a regular file`);
  }
  const target = landsAt(path);
  const { existing: folder, stats, denied } = outTarget(dirname(target));
  if (!stats.isDirectory()) throw new ConfigError(option, `cannot create ${path}: ${folder} is not a folder`);
  if (denied !== undefined) throw new ConfigError(option, `cannot write ${path}: ${denied.message}`);
  // write-file-atomic writes `<name>.<up to 10 digits>` beside the file, then renames it.
  try {
    lstatSync(join(folder, `${basename(target)}.4294967295`));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENAMETOOLONG") {
      throw new ConfigError(option, `${path}: the name ${basename(target)} (${Buffer.byteLength(basename(target))} bytes) is too long for this file system, with the 11 bytes of the temporary file written beside it`);
    }
  }
}

/**
 * Writes the whole text to a temporary file beside `path`, flushed to disk, then renames it over
 * `path` (following a link): a reader sees the old file or the new one, never half of one, and a
 * failed or interrupted write leaves no temporary file behind. Creates missing folders.
 */
export function writeWhole(path: string, text: string): void {
  mkdirSync(dirname(landsAt(path)), { recursive: true });
  writeFileAtomic.sync(path, text);
}

/** The absolute path a write to `path` lands on: the file a link leads to, or the new file's. */
function landsAt(path: string): string {
  return existsSync(path) ? realpathSync(path) : resolve(path);
}
