/**
 * The bench's Python scripts (numpy_train.py, torch_train.py): the folder of arrays they are handed,
 * and running them as children that die with the bench.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** An array a script reads with numpy.fromfile, and the shape it reshapes it to. */
export interface HandedArray {
  values: Float64Array | Float32Array | Int32Array;
  shape: number[];
}

/** numpy's name of each array's element type (little-endian, as the bytes are written). */
const dtype = (values: HandedArray["values"]) => (values instanceof Int32Array ? "<i4" : values instanceof Float32Array ? "<f4" : "<f8");

/**
 * Writes each array's bytes into a new temporary folder named from `prefix`, with setup.json holding
 * `setup` and, under `arrays`, each one's file, shape and dtype; returns the folder.
 */
export function handOverArrays(prefix: string, arrays: Record<string, HandedArray>, setup: Record<string, unknown>): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  const entries = Object.entries(arrays).map(([name, { values, shape }]) => {
    const file = `${name}.bin`;
    writeFileSync(join(folder, file), new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    return [name, { file, shape, dtype: dtype(values) }];
  });
  writeFileSync(join(folder, "setup.json"), JSON.stringify({ ...setup, arrays: Object.fromEntries(entries) }));
  return folder;
}

/**
 * Runs `python script ...args`; resolves to its stdout, rejects with its stderr. Its stdin stays
 * open until it exits, and the scripts exit when it closes, so they die with this process.
 */
export function runPython(python: string, script: string, args: readonly string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(python, [script, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    child.stdin.on("error", () => {}); // a script that exits early closes the pipe: its exit status tells
    child.on("error", reject);
    child.on("close", (code, signal) => {
      child.stdin.destroy();
      if (code === 0) resolvePromise(stdout);
      else reject(new Error(`${python} ${script} ${args.join(" ")} exited with ${signal ?? code}: ${stderr.trim()}`));
    });
  });
}
