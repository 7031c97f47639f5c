// The part of nbformat 4 the site reads: executed notebooks as the runner writes them
// (build/notebooks/<name>.ipynb). Jupyter stores multi-line strings either as one string or as a
// list of lines; `text` joins both forms.

export type MultilineString = string | string[];

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}

export interface DataOutput {
  output_type: "display_data" | "execute_result";
  data: Record<string, MultilineString | object>;
  metadata?: Record<string, unknown>;
}

export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}

export type Output = StreamOutput | DataOutput | ErrorOutput;

export interface MarkdownCell {
  cell_type: "markdown";
  source: MultilineString;
}

export interface CodeCell {
  cell_type: "code";
  source: MultilineString;
  outputs: Output[];
}

export interface RawCell {
  cell_type: "raw";
  source: MultilineString;
}

export type Cell = MarkdownCell | CodeCell | RawCell;

export interface Notebook {
  nbformat: number;
  cells: Cell[];
  /** Where a notebook may name its sidebar section: `"site": {"section": "Experiments"}`. */
  metadata?: Record<string, unknown>;
}

export function text(value: MultilineString): string {
  return Array.isArray(value) ? value.join("") : value;
}

/** Parses and checks the shape of a notebook file's contents; `where` names it in errors. */
export function parseNotebook(json: string, where: string): Notebook {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`${where}: not JSON (${(error as Error).message})`);
  }
  const nb = value as Partial<Notebook> | null;
  if (nb === null || typeof nb !== "object" || !Array.isArray(nb.cells)) {
    throw new Error(`${where}: not a notebook (expected an object with a "cells" array)`);
  }
  if (nb.nbformat !== 4) {
    throw new Error(`${where}: nbformat ${String(nb.nbformat)}, expected 4`);
  }
  return nb as Notebook;
}

/** The page title: the first markdown heading of the notebook, without its markup. */
export function notebookTitle(nb: Notebook, fallback: string): string {
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    for (const line of text(cell.source).split("\n")) {
      const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
      if (heading && heading[1] !== "") {
        return heading[1].replace(/\s*\{#[^}]*\}$/, "").replace(/[*`]/g, "");
      }
    }
  }
  return fallback;
}
