/**
 * The names the command line's output files may have, and how the report's files are written: the
 * one place for each rule. A results file holds JSON lines, so `experiment --out` may not claim
 * another format by its extension; a report is HTML (.html, .htm) and its runs' table CSV (.csv);
 * neither replaces the results file it is made from, and each is written whole or not at all.
 * Node only.
 */
import { accessSync, constants, existsSync, lstatSync, mkdirSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { ConfigError } from "../validate/validate.js";

/** What each report option makes from a results file. */
const reportOptions = {
  "--csv": { extension: ".csv", what: "a CSV table of its runs" },
  "--out": { extension: ".html", what: "an HTML report with its charts" },
} as const;

/**
 * Extensions of formats a results file is not, and the report option that makes the nearest thing
 * from one. Other names (.jsonl, .json, none, or anything else) are taken as they are.
 */
const notResults: Record<string, readonly [format: string, option: keyof typeof reportOptions]> = {
  ".csv": ["CSV", "--csv"],
  ".tsv": ["TSV", "--csv"],
  ".xlsx": ["a spreadsheet", "--csv"],
  ".xls": ["a spreadsheet", "--csv"],
  ".ods": ["a spreadsheet", "--csv"],
  ".html": ["HTML", "--out"],
  ".htm": ["HTML", "--out"],
  ".svg": ["an image", "--out"],
  ".png": ["an image", "--out"],
  ".pdf": ["a document", "--out"],
};

/** Refuses a results file (experiment --out) whose name claims a format other than JSON lines, saying how to get that format. */
export function checkResultsName(path: string): void {
  const extension = extname(path);
  const other = notResults[extension.toLowerCase()];
  if (other === undefined) return;
  const [format, option] = other;
  const stem = path.slice(0, path.length - extension.length);
  const { extension: made, what } = reportOptions[option];
  throw new ConfigError(
    "--out",
    `${path}: results are written as JSON lines, not ${format}; name the results file ${stem}.jsonl, then make ${what} with \`batchprop report ${stem}.jsonl ${option} ${stem}${made}\``,
  );
}

/** A kind of file the report writes. */
export interface OutputKind {
  /** Its extensions, lower case, the first one suggested. */
  readonly extensions: readonly string[];
  /** What it must be, as a sentence's start: "the report is one HTML page". */
  readonly what: string;
}

export const htmlReport: OutputKind = { extensions: [".html", ".htm"], what: "the report is one HTML page" };
export const runsTable: OutputKind = { extensions: [".csv"], what: "the runs' table is CSV" };

/**
 * Throws a ConfigError naming `option` unless `path` can take a file of this kind: its extension,
 * not the input file (however reached: a link, another name), a regular file or a new one in a
 * folder that exists or can be made, with room in the name for the temporary file written beside it.
 */
export function checkOutputFile(option: string, path: string, kind: OutputKind, input: string): void {
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
  const target = existsSync(path) ? realpathSync(path) : resolve(path);
  let folder = dirname(target);
  while (!existsSync(folder)) folder = dirname(folder);
  if (!statSync(folder).isDirectory()) throw new ConfigError(option, `cannot create ${path}: ${folder} is not a folder`);
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw new ConfigError(option, `cannot write ${path}: ${(error as Error).message}`);
  }
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
  mkdirSync(dirname(existsSync(path) ? realpathSync(path) : resolve(path)), { recursive: true });
  writeFileAtomic.sync(path, text);
}
