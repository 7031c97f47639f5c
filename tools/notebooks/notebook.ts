/**
 * The parts of nbformat 4 the runner reads and writes: cells, their sources, and outputs built
 * from the kernel's iopub messages (nbformat's "outputs" schema, as nbclient builds them).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Message } from "./wire.ts";

/** nbformat stores multi-line strings either whole or as a list of lines. */
export type MultilineString = string | string[];

export type Output =
  | { output_type: "stream"; name: string; text: MultilineString }
  | { output_type: "display_data"; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: "execute_result"; execution_count: number | null; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

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

/** The file is not a notebook the runner can execute; the message names the file and the fault. */
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
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new NotebookFormatError(`${path}: not a notebook, the file is not valid JSON (${(error as Error).message})`);
  }
  return validateNotebook(json, path);
}

export function validateNotebook(json: unknown, path: string): Notebook {
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

export function writeNotebook(path: string, notebook: Notebook): void {
  mkdirSync(dirname(path), { recursive: true });
  // One-space indent and a final newline, as Jupyter itself writes notebooks.
  writeFileSync(path, JSON.stringify(notebook, null, 1) + "\n");
}

export function joinSource(source: MultilineString): string {
  return typeof source === "string" ? source : source.join("");
}

/** Splits text into lines that keep their "\n", the way Jupyter writes multi-line strings. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/**
 * Turns the iopub messages answering one execute_request into the cell's outputs: consecutive
 * stream messages of the same name merge into one output, update_display_data replaces the
 * data of the output with the same display_id, clear_output empties the list (at the next
 * output when `wait` is set).
 */
export function outputsFromMessages(messages: readonly Message[], executionCount: number | null): Output[] {
  const outputs: Output[] = [];
  const displays = new Map<string, Output & { output_type: "display_data" }>();
  let clearPending = false;
  const add = (output: Output) => {
    if (clearPending) {
      outputs.length = 0;
      clearPending = false;
    }
    outputs.push(output);
  };
  for (const { header, content } of messages) {
    const data = (content.data ?? {}) as Record<string, unknown>;
    const metadata = (content.metadata ?? {}) as Record<string, unknown>;
    switch (header.msg_type) {
      case "stream": {
        const name = String(content.name);
        const text = String(content.text);
        const last = outputs.at(-1);
        if (!clearPending && last?.output_type === "stream" && last.name === name) last.text = (last.text as string) + text;
        else add({ output_type: "stream", name, text });
        break;
      }
      case "display_data": {
        const output = { output_type: "display_data" as const, data, metadata };
        const displayId = (content.transient as { display_id?: string } | undefined)?.display_id;
        if (displayId !== undefined) displays.set(displayId, output);
        add(output);
        break;
      }
      case "update_display_data": {
        const displayId = (content.transient as { display_id?: string } | undefined)?.display_id;
        const target = displayId === undefined ? undefined : displays.get(displayId);
        if (target) {
          target.data = data;
          target.metadata = metadata;
        }
        break;
      }
      case "execute_result":
        add({ output_type: "execute_result", execution_count: executionCount, data, metadata });
        break;
      case "error":
        add({
          output_type: "error",
          ename: String(content.ename),
          evalue: String(content.evalue),
          traceback: Array.isArray(content.traceback) ? content.traceback.map(String) : [],
        });
        break;
      case "clear_output":
        if (content.wait) clearPending = true;
        else outputs.length = 0;
        break;
      default:
        break; // execute_input, comm messages and the like carry no output
    }
  }
  for (const output of outputs) if (output.output_type === "stream") output.text = splitLines(output.text as string);
  return outputs;
}

/** The text a person reads for an output: stream text, text/plain, or an error's traceback. */
export function outputText(output: Output): string {
  switch (output.output_type) {
    case "stream":
      return joinSource(output.text);
    case "error":
      return output.traceback.length > 0 ? stripAnsi(output.traceback.join("\n")) : `${output.ename}: ${output.evalue}`;
    default: {
      const plain = output.data["text/plain"];
      return typeof plain === "string" ? plain : Array.isArray(plain) ? plain.join("") : "";
    }
  }
}

/** Terminal colour and cursor codes (tslab colours its tracebacks) removed. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[ -\/]*[@-~]/g, "");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
