/**
 * Global setup of the notebooks project: notebooks 09 and 10 read results/default.jsonl, so the
 * default experiments must have run. The command resumes (only missing runs execute, about six
 * minutes from nothing on two cores, a second when all are there); its output is shown as it goes.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { root } from "./spawn.ts";

/** From an empty results file the default set takes about 6 minutes; a busy machine, more. */
const timeoutMs = 30 * 60_000;

export default async function setup(): Promise<void> {
  const main = join(root, "lib", "dist", "cli", "main.js");
  if (!existsSync(main)) throw new Error(`${main} is missing: build the library first (npm run build:lib)`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [main, "experiment", "--default"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
    const timer = setTimeout(() => {
      child.kill("SIGINT"); // finished runs are kept; a rerun resumes
      reject(new Error(`batchprop experiment --default did not finish within ${timeoutMs / 60_000} minutes`));
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`batchprop experiment --default failed (exit ${code ?? signal}): notebooks 09-10 need its results`));
    });
  });
}
