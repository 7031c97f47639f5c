/** Spawning the built command line (lib/dist/cli/main.js) with a timeout, for the CLI tests. */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const root = resolve(import.meta.dirname, "../..");
export const main = join(root, "lib", "dist", "cli", "main.js");

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "batchprop-cli-"));
}

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Started {
  child: ChildProcess;
  exited: Promise<Exited>;
}

export interface StartOptions {
  timeoutMs?: number;
  cwd?: string;
  /** The command to run instead of `node main.js`, e.g. the linked bin. */
  command?: string;
  /** Variables added to this process's environment, e.g. VK_ICD_FILENAMES for the GPU. */
  env?: Readonly<Record<string, string>>;
}

/** Starts `node main.js ...args` (or `command ...args`); killed with SIGKILL if still running after `timeoutMs`. */
export function start(args: readonly string[], { timeoutMs = 60_000, cwd = root, command, env }: StartOptions = {}): Started {
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build:lib first`);
  const [file, argv] = command === undefined ? [process.execPath, [main, ...args]] : [command, args];
  const child = spawn(file, argv, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const exited = new Promise<Exited>((done) =>
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    }),
  );
  return { child, exited };
}

export function cli(args: readonly string[], options?: StartOptions): Promise<Exited> {
  return start(args, options).exited;
}
