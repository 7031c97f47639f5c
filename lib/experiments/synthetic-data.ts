/**
 * The synthetic sets a run can name, generated and split the same way wherever the run happens: on
 * the command line (lib/experiments/datasets.ts) and in the site's playground (browser-safe).
 */
import { type Dataset, type Split, splitDataset } from "../data/dataset.js";
import { blobs, circles, spirals, xor, type SyntheticOptions } from "../data/synthetic.js";
import { createRng } from "../random/rng.js";
import type { DataConfig, DataShape } from "./config.js";

interface SyntheticSet {
  readonly make: (options: SyntheticOptions) => Dataset;
  /** Inputs per sample and classes, with the generator's defaults. */
  readonly inputs: number;
  readonly outputs: number;
}

export const syntheticSets: Readonly<Record<"xor" | "circles" | "spirals" | "blobs", SyntheticSet>> = {
  xor: { make: xor, inputs: 2, outputs: 2 },
  circles: { make: circles, inputs: 2, outputs: 2 },
  spirals: { make: spirals, inputs: 2, outputs: 2 },
  blobs: { make: blobs, inputs: 2, outputs: 3 },
};

export type SyntheticName = keyof typeof syntheticSets;

export function isSyntheticName(name: string): name is SyntheticName {
  return Object.hasOwn(syntheticSets, name);
}

/** Input width, classes and training-set size of a synthetic set, without generating it. */
export function syntheticShape(data: DataConfig & { name: SyntheticName }): DataShape {
  const { inputs, outputs } = syntheticSets[data.name];
  return { inputs, outputs, train: data.train };
}

/**
 * The split a named set gets unless told otherwise, on the command line and in the playground:
 * Nielsen's 8,000 training and 2,000 test digits, or 800 and 200 samples of a synthetic set.
 */
export function namedDataConfig(name: "digits" | SyntheticName): DataConfig {
  return name === "digits" ? { name, train: 8000, test: 2000, seed: 0 } : { name, train: 800, test: 200, seed: 0 };
}

/** train + test samples from the seed, shuffled with the same seed before the split. */
export function syntheticSplit({ name, train, test, seed }: DataConfig & { name: SyntheticName }): Split {
  // The generators emit classes in turn (sample i has class i mod k): shuffle before splitting.
  return splitDataset(syntheticSets[name].make({ samples: train + test, seed }), { train, test, rng: createRng(seed) });
}
