/**
 * The default experiments' records, read from their results file: what notebooks 09 and 10 start
 * from. Node only (it reads a file).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { defaultExperiments, defaultRuns } from "./defaults.js";
import type { RunRecord } from "./record.js";
import { readResults } from "./results-file.js";
import { experimentRecords, MissingRunsError } from "./summary.js";

/** The command that makes (or completes) the default results file, run from the repository's root. */
const rerun = "npm run experiment -- --default";

/**
 * Each default experiment's records by experiment id, in the experiment's order. `path` is relative
 * to the working directory; the default suits a notebook, whose kernel runs in notebooks/. A missing
 * file, or one lacking some of the runs, is a MissingRunsError that names the command to run.
 */
export function loadDefaultResults(path = "../results/default.jsonl"): Map<string, RunRecord[]> {
  const experiments = defaultExperiments();
  if (!existsSync(path)) {
    throw new MissingRunsError(`no results file at ${resolve(path)}: run \`${rerun}\` from the repository's root, then rerun this`, defaultRuns().length);
  }
  return experimentRecords(experiments, readResults(path).byKey, rerun);
}
