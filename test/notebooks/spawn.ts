/** Helpers shared by the notebook tests: where the fixtures are, and spawning with a timeout. */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const root = resolve(import.meta.dirname, "../..");
export const fixtures = join(root, "test", "fixtures", "notebooks");
export const fixture = (name: string) => join(fixtures, name);
export const tsx = join(root, "node_modules", ".bin", "tsx");
export const cli = join(root, "tools", "notebooks", "cli.ts");
export const nbclientRun = join(root, "tools", "notebooks", "nbclient_run.py");
/** Debian's Python with Jupyter; `python3` on PATH may be a pyenv shim without it. */
export const debianPython = "/usr/bin/python3";

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `batchprop-${prefix}-`));
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to its end or until `timeoutMs`, then sends `killSignal`: SIGTERM for our CLI
 * and SIGINT for Python, both of which shut their kernel down before exiting.
 */
export function run(
  file: string,
  args: readonly string[],
  options: { timeoutMs: number; cwd?: string; env?: NodeJS.ProcessEnv; killSignal?: NodeJS.Signals },
): Promise<Finished> {
  return new Promise((done) => {
    execFile(
      file,
      args,
      {
        cwd: options.cwd ?? root,
        env: options.env ?? process.env,
        timeout: options.timeoutMs,
        killSignal: options.killSignal ?? "SIGTERM",
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const failure = error as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
        done({
          code: failure ? (typeof failure.code === "number" ? failure.code : null) : 0,
          signal: failure?.signal ?? null,
          stdout,
          stderr,
        });
      },
    );
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
