/**
 * The embedded experiment sets, by name: what `npm run experiment -- --set NAME` runs into
 * results/NAME.jsonl, and what the notebooks read back (loadExperimentSet).
 */
import { defaultExperiments, type Experiment } from "./defaults.js";
import { uniqueRuns } from "./grid.js";
import { noiseScaleExperiments } from "./noise-scale-set.js";
import type { RunConfig } from "./config.js";

export const experimentSets = {
  /** Notebooks 09–10; the first `npm start` runs it (about 75 s on 2 cores). */
  default: defaultExperiments,
  /** Notebook 11: the gradient noise scale and the critical batch size. */
  "noise-scale": noiseScaleExperiments,
} as const satisfies Record<string, () => Experiment[]>;

export type ExperimentSetName = keyof typeof experimentSets;
export const experimentSetNames = Object.keys(experimentSets) as ExperimentSetName[];

/** Every run of a set, each once. */
export function setRuns(name: ExperimentSetName): RunConfig[] {
  return uniqueRuns(experimentSets[name]().flatMap((experiment) => experiment.runs));
}

/** The command that makes (or completes) a set's results file, run from the repository's root. */
export function setCommand(name: ExperimentSetName): string {
  return name === "default" ? "npm run experiment -- --default" : `npm run experiment -- --set ${name}`;
}
