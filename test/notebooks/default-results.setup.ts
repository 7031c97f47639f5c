/**
 * Global setup of the notebooks project: notebooks 09 and 10 read results/default.jsonl and 11
 * results/noise-scale.jsonl, so both sets must have run, as `npm run experiment -- --set NAME` runs
 * them (on the same kernel: relaxed SIMD needs its flag on Node 20). The command resumes (only
 * missing runs execute; a second when all are there); its output is shown as it goes.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { root } from "./spawn.ts";

/** From an empty results file the default set takes about 75 s; a busy machine, several times that. */
const timeoutMs = 30 * 60_000;
/** How long the command gets to stop on SIGINT before it is SIGKILLed. */
const killGraceMs = 10_000;

export default async function setup(): Promise<void> {
  const main = join(root, "lib", "dist", "cli", "main.js");
  if (!existsSync(main)) throw new Error(`${main} is missing: build the library first (npm run build:lib)`);
  for (const set of ["default", "noise-scale"]) await runSet(main, set);
}

async function runSet(main: string, set: string): Promise<void> {
  const command = `batchprop experiment --set ${set} (node ${main} experiment --set ${set})`;
  await new Promise<void>((resolve, reject) => {
    // Not detached: Ctrl-C on vitest reaches it too. Its workers are threads, so the one process is all there is to stop.
    const child = spawn(process.execPath, ["--experimental-wasm-relaxed-simd", main, "experiment", "--set", set], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
    let timedOut = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGINT"); // finished runs are kept; a rerun resumes
      graceTimer = setTimeout(() => child.kill("SIGKILL"), killGraceMs);
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
    };
    child.on("error", (error) => {
      finish();
      reject(new Error(`${command}: ${error.message}`));
    });
    child.on("exit", (code, signal) => {
      finish();
      if (timedOut) reject(new Error(`${command} did not finish within ${timeoutMs / 60_000} minutes and was stopped (${signal ?? `exit ${code}`})`));
      else if (code === 0) resolve();
      else reject(new Error(`${command} failed (exit ${code ?? signal}): the notebooks need its results`));
    });
  });
}
