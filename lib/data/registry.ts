/**
 * The named datasets: name → shape, default split and loader, the one list the command line,
 * experiment configs and the site read. Browser-safe: the synthetic sets load here; the digits are
 * read from disk, so their loader is registered from the Node side (lib/data/digits.ts), and
 * `idx:PATH` (MNIST's IDX files, lib/experiments/datasets.ts) is a path, not a name.
 */
import { createRng } from "../random/rng.js";
import { ConfigError, keyword } from "../validate/validate.js";
import { type Dataset, type Split, splitDataset } from "./dataset.js";
import { blobs, circles, spirals, type SyntheticOptions, xor } from "./synthetic.js";

/** How much of a set to load: the training and test samples, and the seed of its generation or shuffle. */
export interface SplitSpec {
  readonly train: number;
  readonly test: number;
  readonly seed: number;
}

export interface DatasetEntry {
  /** Inputs per sample. */
  readonly inputs: number;
  /** Classes, one target column each. */
  readonly classes: number;
  /** The split a command gets when it names the set: training and test samples. */
  readonly train: number;
  readonly test: number;
  /** Makes the split; undefined until the Node side registers a set read from files. */
  readonly load?: (split: SplitSpec) => Split;
}

/**
 * A synthetic set split as every run splits one: `train + test` samples generated from the seed,
 * shuffled by it (the generators emit classes in turn: sample i has class i mod k), then cut.
 */
function synthetic(make: (options: SyntheticOptions) => Dataset): (split: SplitSpec) => Split {
  return ({ train, test, seed }) => splitDataset(make({ samples: train + test, seed }), { train, test, rng: createRng(seed) });
}

const datasets = new Map<string, DatasetEntry>([
  // Nielsen's 8,000 / 2,000 of the mnist package's 10,000 digits.
  ["digits", { inputs: 784, classes: 10, train: 8000, test: 2000 }],
  ["xor", { inputs: 2, classes: 2, train: 800, test: 200, load: synthetic(xor) }],
  ["circles", { inputs: 2, classes: 2, train: 800, test: 200, load: synthetic(circles) }],
  ["spirals", { inputs: 2, classes: 2, train: 800, test: 200, load: synthetic(spirals) }],
  // blobs' defaults: 3 gaussian clusters in 2 dimensions.
  ["blobs", { inputs: 2, classes: 3, train: 800, test: 200, load: synthetic(blobs) }],
]);

/** The names of the registered sets, in their order above. */
export const datasetNames: readonly string[] = [...datasets.keys()];

/** Gives a registered set read from files its loader (lib/data/digits.ts does so for the digits); the names stay as above. */
export function registerLoader(name: string, load: (split: SplitSpec) => Split): void {
  datasets.set(name, { ...datasetByName(name), load });
}

/** A registered set or IDX files (idx:PATH); else a ConfigError on `data.name` listing both. */
export function checkDatasetName(name: string): void {
  if (name.startsWith("idx:") && name.length > 4) return;
  keyword(name, "data.name", [...datasetNames, "idx:PATH"], "dataset");
}

/** The registered set of this name: the one lookup of a dataset by its name. */
export function datasetByName(name: string): DatasetEntry {
  checkDatasetName(name);
  const entry = datasets.get(name);
  if (entry === undefined) throw new ConfigError("data.name", `${name} is a path to IDX files, not a registered dataset`);
  return entry;
}

/** The split of a registered set, made by its loader. */
export function loadDataset(name: string, split: SplitSpec): Split {
  const { load } = datasetByName(name);
  if (load === undefined) throw new ConfigError("data.name", `${name} is read from files: load it through "batchprop" (Node), not "batchprop/core"`);
  return load(split);
}
