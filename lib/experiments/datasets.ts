/**
 * Loads a run's data (Node only: the digits and IDX files are read from disk), once per process:
 * every run a worker executes on the same data reuses the same split.
 */
import { resolve } from "node:path";
import type { Split } from "../data/dataset.js";
import { loadDigits } from "../data/digits.js";
import { loadMnistIdx } from "../data/idx.js";
import { canonicalJson, checkDatasetName, ConfigError, type DataConfig, type DataShape, formatCount, maxLayerWidth } from "./config.js";
import { isSyntheticName, namedDataConfig, syntheticShape, syntheticSplit } from "./synthetic-data.js";

const cache = new Map<string, Split>();

/**
 * The split each dataset gets from the command line: Nielsen's 8,000/2,000 digits, 800/200 samples
 * of a synthetic set, or all of an IDX directory's training and test files (read here, so a missing
 * or malformed file is reported before anything runs).
 */
export function defaultDataConfig(name: string): DataConfig {
  checkDatasetName(name);
  if (name === "digits" || isSyntheticName(name)) return namedDataConfig(name);
  const dir = resolve(name.slice(4));
  let split: Split;
  try {
    split = loadMnistIdx(dir);
  } catch (error) {
    throw new ConfigError("--dataset", `cannot read MNIST's IDX files from ${dir}: ${(error as Error).message}`);
  }
  const data = { name: `idx:${dir}`, train: split.train.inputs.rows, test: split.test.inputs.rows, seed: 0 };
  // The first layer's width is the data's: too wide a picture is the data's fault, not --layers'.
  const inputs = split.train.inputs.cols;
  if (inputs > maxLayerWidth) {
    throw new ConfigError("--dataset", `${data.name} has ${formatCount(inputs)} inputs per sample (pixels per image), more than the ${formatCount(maxLayerWidth)} units a layer may have`);
  }
  cache.set(canonicalJson(data), split);
  return data;
}

export function loadData(data: DataConfig): Split {
  const key = canonicalJson(data);
  let split = cache.get(key);
  if (split === undefined) {
    split = load(data);
    cache.set(key, split);
  }
  return split;
}

function load(data: DataConfig): Split {
  const { name, train, test, seed } = data;
  checkDatasetName(name);
  if (name === "digits") return loadDigits({ train, test, seed });
  if (isSyntheticName(name)) return syntheticSplit({ ...data, name });
  return loadMnistIdx(name.slice(4), { train, test });
}

/**
 * Input width, classes and training-set size, to check a configuration before any worker starts.
 * Known sets answer without loading; an IDX directory is read (an unreadable one is a ConfigError).
 */
export function dataShape(data: DataConfig): DataShape {
  if (data.name === "digits") return { inputs: 784, outputs: 10, train: data.train };
  checkDatasetName(data.name);
  if (isSyntheticName(data.name)) return syntheticShape({ ...data, name: data.name });
  let split: Split;
  try {
    split = loadData(data);
  } catch (error) {
    throw new ConfigError("--dataset", `cannot read MNIST's IDX files from ${data.name.slice(4)}: ${(error as Error).message}`);
  }
  return { inputs: split.train.inputs.cols, outputs: split.train.targets.cols, train: split.train.inputs.rows };
}
