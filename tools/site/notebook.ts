// What the site adds to the runner's model of nbformat 4 (tools/notebooks/notebook.ts): parsing an
// executed notebook with the site's own error messages, and a page title.

import { joinSource, type Notebook, type Output } from "../notebooks/notebook.ts";

export type { Cell, Notebook, Output } from "../notebooks/notebook.ts";

/** An output carrying MIME data (HTML, SVG, images, plain text). */
export type DataOutput = Extract<Output, { output_type: "display_data" | "execute_result" }>;

/** Parses and checks the shape of a notebook file's contents; `where` names it in errors. */
export function parseNotebook(json: string, where: string): Notebook {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`${where}: not JSON (${(error as Error).message})`);
  }
  const nb = value as { cells?: unknown; nbformat?: unknown } | null;
  if (nb === null || typeof nb !== "object" || !Array.isArray(nb.cells)) {
    throw new Error(`${where}: not a notebook (expected an object with a "cells" array)`);
  }
  if (nb.nbformat !== 4) {
    throw new Error(`${where}: nbformat ${String(nb.nbformat)}, expected 4`);
  }
  return nb as unknown as Notebook;
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
