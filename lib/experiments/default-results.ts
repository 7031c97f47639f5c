/**
 * An embedded set's records, read from its results file: what notebooks 09 and 10 (the default
 * set) and 11 (the noise-scale set) start from. Node only (it reads a file).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { RunRecord } from "./record.js";
import { readResults } from "./results-file.js";
import { type ExperimentSetName, experimentSets, setCommand, setRuns } from "./sets.js";
import { experimentRecords, MissingRunsError } from "./summary.js";

/**
 * Each default experiment's records by experiment id, in the experiment's order. `path` is relative
 * to the working directory; the default suits a notebook, whose kernel runs in notebooks/. A missing
 * file, or one lacking some of the runs, is a MissingRunsError that names the command to run.
 */
export function loadDefaultResults(path = "../results/default.jsonl"): Map<string, RunRecord[]> {
  return loadExperimentSet("default", path);
}

/** The same for any embedded set, from results/NAME.jsonl by default (relative to notebooks/). */
export function loadExperimentSet(name: ExperimentSetName, path = `../results/${name}.jsonl`): Map<string, RunRecord[]> {
  const rerun = setCommand(name);
  if (!existsSync(path)) {
    throw new MissingRunsError(`no results file at ${resolve(path)}: run \`${rerun}\` from the repository's root, then rerun this`, setRuns(name).length);
  }
  return experimentRecords(experimentSets[name](), readResults(path).byKey, rerun);
}
