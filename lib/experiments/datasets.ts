/**
 * Loads a run's data (Node only: the digits and IDX files are read from disk), once per process:
 * every run a worker executes on the same data reuses the same split. Named sets come from the
 * registry (lib/data/registry.ts); `idx:DIR` reads MNIST's IDX files from DIR.
 */
import { resolve } from "node:path";
import type { Split } from "../data/dataset.js";
import "../data/digits.js"; // registers the digits' loader
import { loadMnistIdx } from "../data/idx.js";
import { checkDatasetName, datasetByName, loadDataset } from "../data/registry.js";
import { ConfigError } from "../validate/validate.js";
import { canonicalJson, type DataConfig, type DataShape, formatCount, maxLayerWidth } from "./config.js";

const cache = new Map<string, Split>();

function isIdx(name: string): boolean {
  return name.startsWith("idx:");
}

/**
 * The split each dataset gets from the command line: the registry's for a named set, or all of an
 * IDX directory's training and test files (read here, so a missing or malformed file is reported
 * before anything runs).
 */
export function defaultDataConfig(name: string): DataConfig {
  checkDatasetName(name);
  if (!isIdx(name)) {
    const { train, test } = datasetByName(name);
    return { name, train, test, seed: 0 };
  }
  const dir = resolve(name.slice(4));
  let split: Split;
  try {
    split = loadMnistIdx(dir);
  } catch (error) {
    throw new ConfigError("data.name", `cannot read MNIST's IDX files from ${dir}: ${(error as Error).message}`);
  }
  const data = { name: `idx:${dir}`, train: split.train.inputs.rows, test: split.test.inputs.rows, seed: 0 };
  // The first layer's width is the data's: too wide a picture is the data's fault (data.name), not the layers'.
  const inputs = split.train.inputs.cols;
  if (inputs > maxLayerWidth) {
    throw new ConfigError("data.name", `${data.name} has ${formatCount(inputs)} inputs per sample (pixels per image), more than the ${formatCount(maxLayerWidth)} units a layer may have`);
  }
  cache.set(canonicalJson(data), split);
  return data;
}

export function loadData(data: DataConfig): Split {
  const key = canonicalJson(data);
  let split = cache.get(key);
  if (split === undefined) {
    const { name, train, test, seed } = data;
    split = isIdx(name) ? loadMnistIdx(name.slice(4), { train, test }) : loadDataset(name, { train, test, seed });
    cache.set(key, split);
  }
  return split;
}

/**
 * Input width, classes and training-set size, to check a configuration before any worker starts.
 * Named sets answer from the registry without loading; an IDX directory is read (an unreadable one
 * is a ConfigError).
 */
export function dataShape(data: DataConfig): DataShape {
  if (!isIdx(data.name)) {
    const { inputs, classes } = datasetByName(data.name);
    return { inputs, outputs: classes, train: data.train };
  }
  let split: Split;
  try {
    split = loadData(data);
  } catch (error) {
    throw new ConfigError("data.name", `cannot read MNIST's IDX files from ${data.name.slice(4)}: ${(error as Error).message}`);
  }
  return { inputs: split.train.inputs.cols, outputs: split.train.targets.cols, train: split.train.inputs.rows };
}
