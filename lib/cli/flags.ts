/**
 * The one place where a library field becomes the flag a user typed: the library's errors name
 * fields (`batchSize: …`), and each command maps them to its own flags (`--batch-size: …` in
 * train, `--batch-sizes: …` in experiment) where it checks its options.
 */
import { ConfigError } from "../validate/validate.js";

/** Field → flag for the fields a command's flags set; a field not listed is reported as it is. */
export type Flags = Readonly<Record<string, string>>;

/** The fields behind the model options both commands share (lib/cli/options.ts). */
const modelFlags: Flags = {
  "data.name": "--dataset",
  layers: "--layers",
  activation: "--activation",
  outputActivation: "--output-activation",
  loss: "--loss",
  reduction: "--reduction",
  optimizer: "--optimizer",
  backend: "--backend",
};

/** `batchprop train`'s: one batch size, one learning rate, one seed. */
export const trainFlags: Flags = {
  ...modelFlags,
  batchSize: "--batch-size",
  lr: "--lr",
  baseLr: "--lr",
  seed: "--seed",
  "budget.epochs": "--epochs",
};

/** `batchprop experiment`'s: lists of batch sizes, learning rates and seeds, and one budget of three kinds. */
export const experimentFlags: Flags = {
  ...modelFlags,
  batchSize: "--batch-sizes",
  batchSizes: "--batch-sizes",
  baseLr: "--lrs",
  lrs: "--lrs",
  lrScaling: "--lr-scaling",
  baseBatch: "--base-batch",
  seed: "--seeds",
  seeds: "--seeds",
  "budget.epochs": "--epochs",
  "budget.steps": "--steps",
  "budget.samples": "--samples",
};

/** `plan()`, with any ConfigError it throws restated in the command's flags. */
export function withFlags<T>(flags: Flags, plan: () => T): T {
  try {
    return plan();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(error.fields.map((field) => (Object.hasOwn(flags, field) ? flags[field] : field)), error.reason);
  }
}
