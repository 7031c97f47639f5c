/** Running the bench's Python scripts (numpy_train.py, torch_train.py) as children that die with the bench. */
import { spawn } from "node:child_process";

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
