/**
 * The project's one model of nbformat 4 and its one parser: the runner checks the notebooks it is
 * given with it before any kernel starts, the site reads the executed copies with it, and the
 * tests read both. Executing and writing notebooks is nbclient's (nbclient_run.py).
 */
import { readFileSync } from "node:fs";

/** nbformat stores multi-line strings either whole or as a list of lines. */
export type MultilineString = string | string[];

export type Output =
  | { output_type: "stream"; name: string; text: MultilineString }
  | { output_type: "display_data"; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: "execute_result"; execution_count: number | null; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

/** An output carrying MIME data (HTML, SVG, images, plain text). */
export type DataOutput = Extract<Output, { output_type: "display_data" | "execute_result" }>;

export interface CodeCell {
  cell_type: "code";
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
  outputs: Output[];
  execution_count: number | null;
}

export interface TextCell {
  cell_type: "markdown" | "raw";
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
  attachments?: Record<string, unknown>;
}

export type Cell = CodeCell | TextCell;

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

/** The file is not a notebook; the message names the file and the fault. */
export class NotebookFormatError extends Error {
  override name = "NotebookFormatError";
}

export function readNotebook(path: string): Notebook {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new NotebookFormatError(`${path}: cannot read the file (${(error as Error).message})`);
  }
  return parseNotebook(text, path);
}

/** Parses and checks the shape of a notebook file's contents; `path` names it in errors. */
export function parseNotebook(text: string, path: string): Notebook {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new NotebookFormatError(`${path}: not a notebook, the file is not valid JSON (${(error as Error).message})`);
  }
  const fail = (what: string) => new NotebookFormatError(`${path}: not a valid notebook, ${what}`);
  if (!isObject(json)) throw fail("expected a JSON object at the top level");
  if (json.nbformat !== 4) {
    throw fail(`expected nbformat 4, found ${json.nbformat === undefined ? "no nbformat field" : `nbformat ${JSON.stringify(json.nbformat)}`}`);
  }
  if (!isObject(json.metadata)) throw fail('expected a "metadata" object');
  if (!Array.isArray(json.cells)) throw fail('expected a "cells" array');
  json.cells.forEach((cell: unknown, index: number) => {
    const where = `cell ${index + 1}`;
    if (!isObject(cell)) throw fail(`${where} is not an object`);
    if (!["code", "markdown", "raw"].includes(cell.cell_type as string)) {
      throw fail(`${where} has cell_type ${JSON.stringify(cell.cell_type)}, expected "code", "markdown" or "raw"`);
    }
    const source = cell.source;
    if (!(typeof source === "string" || (Array.isArray(source) && source.every((line) => typeof line === "string")))) {
      throw fail(`${where} has no source (a string or a list of strings)`);
    }
  });
  return json as unknown as Notebook;
}

export function joinSource(source: MultilineString): string {
  return typeof source === "string" ? source : source.join("");
}

/** The page title: the first markdown heading of the notebook, without its markup. */
export function notebookTitle(nb: Notebook, fallback: string): string {
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    for (const line of joinSource(cell.source).split("\n")) {
      const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
      if (heading && heading[1] !== "") {
        return heading[1].replace(/\s*\{#[^}]*\}$/, "").replace(/[*`]/g, "");
      }
    }
  }
  return fallback;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
