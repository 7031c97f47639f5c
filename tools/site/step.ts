/**
 * Starts one step of the site's build (tools/site/build.ts): this node running `args` in the
 * checkout, in a process group of its own (a signal to the build goes to the step's whole group).
 * A `watched` step preloads the parent watch (lib/cli/parent-watch.ts) naming the build in
 * BATCHPROP_PARENT: if the build dies (kill -9 of npm, then of the build), the step gets a SIGHUP and
 * its grace period, as a command does, so the experiments keep their finished runs and release
 * their lock. The steps before the library is built cannot be watched: the watch is part of it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../notebooks/kernelspec.ts";

const parentWatch = join(repoRoot, "lib", "dist", "cli", "parent-watch.js");

export function spawnStep(args: readonly string[], watched: boolean): ChildProcess {
  return spawn(process.execPath, watched ? ["--import", parentWatch, ...args] : args, {
    cwd: repoRoot,
    stdio: "inherit",
    detached: true,
    env: watched ? { ...process.env, BATCHPROP_PARENT: String(process.pid) } : process.env,
  });
}
