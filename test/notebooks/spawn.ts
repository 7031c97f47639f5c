/** Helpers shared by the notebook tests: where the fixtures are, and spawning with a timeout. */
import { spawn } from "node:child_process";
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

/** How long a timed-out program gets to stop on its signal before its process group is SIGKILLed. */
export const killGraceMs = 10_000;

/** Process groups of programs still running, killed if the test process exits before they do. */
const running = new Set<number>();
process.once("exit", () => {
  for (const pid of running) signalGroup(pid, "SIGKILL");
});

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/**
 * Runs a program in its own process group to its end. After `timeoutMs` it sends `killSignal` to
 * the group (SIGTERM for our CLI and SIGINT for Python, both of which shut their kernel down before
 * exiting), then SIGKILL after `killGraceMs` if anything in the group is still there, and rejects
 * naming the command and the timeout. A program that finishes in time resolves, whatever its status.
 */
export function run(
  file: string,
  args: readonly string[],
  options: { timeoutMs: number; cwd?: string; env?: NodeJS.ProcessEnv; killSignal?: NodeJS.Signals },
): Promise<Finished> {
  const command = [file, ...args].join(" ");
  const killSignal = options.killSignal ?? "SIGTERM";
  return new Promise((done, fail) => {
    const child = spawn(file, args, { cwd: options.cwd ?? root, env: options.env ?? process.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    let stoppedWith: NodeJS.Signals[] = [];
    const timeoutError = () =>
      new Error(
        `${command} did not finish within ${options.timeoutMs / 1000} s; sent ${stoppedWith.join(", then ")} to its process group\n` +
          `stdout:\n${stdout}\nstderr:\n${stderr}`,
      );
    let graceTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      const pid = child.pid!;
      stoppedWith = [killSignal];
      signalGroup(pid, killSignal);
      graceTimer = setTimeout(() => {
        stoppedWith.push("SIGKILL");
        signalGroup(pid, "SIGKILL");
        // Whatever still holds the pipes open is outside the group: stop waiting for it.
        setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          fail(timeoutError());
        }, 5_000).unref();
      }, killGraceMs);
    }, options.timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      if (child.pid !== undefined) running.delete(child.pid);
    };
    if (child.pid !== undefined) running.add(child.pid);
    child.on("error", (error) => {
      finish();
      fail(new Error(`${command}: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      if (stoppedWith.length > 0 && !stoppedWith.includes("SIGKILL")) {
        // The leader stopped on the signal; kill whatever it left behind in its group.
        signalGroup(child.pid!, "SIGKILL");
      }
      finish();
      if (stoppedWith.length > 0) fail(timeoutError());
      else done({ code, signal, stdout, stderr });
    });
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
