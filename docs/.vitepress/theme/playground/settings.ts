/**
 * The playground's settings: what each control holds, the RunConfig they make, the library's own
 * check of it (checkRunConfig: an invalid combination is explained, never fixed), and the URL's
 * query string that holds them all, so a setting or a sweep can be shared.
 */
import {
  activations,
  type Backend,
  backends,
  budgetSteps,
  checkpointInterval,
  checkRunConfig,
  ConfigError,
  type DataConfig,
  datasetByName,
  datasetNames,
  type ActivationName,
  type DataShape,
  type HistoryAxis,
  type LossName,
  losses,
  optimizerNames,
  type OptimizerName,
  type Reduction,
  reductions,
  type RunConfig,
} from "batchprop/core";
import type { Gradients, GpuState } from "./protocol.ts";

/** Every registered dataset (lib/data/registry.ts): the digits come as the site's asset, the synthetic sets are generated in the worker. */
export const playgroundDatasets: readonly string[] = datasetNames;
export const activationNames = Object.keys(activations) as ActivationName[];
export const lossNames = Object.keys(losses) as LossName[];
export const axes: readonly HistoryAxis[] = ["step", "epoch", "samples", "seconds"];
/** A run records about this many checkpoints, whatever its length: the charts' points. */
export const checkpointsPerRun = 60;
/** Runs a sweep may hold: each is a run of its own. */
export const maxSweepRuns = 24;

export interface Settings {
  dataset: string;
  /** The hidden layers' widths, as typed: "30" or "30,20". */
  hidden: string;
  activation: ActivationName;
  outputActivation: ActivationName;
  loss: LossName;
  reduction: Reduction;
  optimizer: OptimizerName;
  lr: number;
  batchSize: number;
  budgetKind: "epochs" | "steps";
  budget: number;
  lastBatch: "partial" | "drop";
  seed: number;
  /** Where the steps run: the CPU in float64, or the GPU through WebGPU in float32. */
  backend: Backend;
  gradients: Gradients;
  axis: HistoryAxis;
  /** The sweep's batch sizes and learning rates, as typed: "1,16,256" and "" (this η alone). */
  sweepBatchSizes: string;
  sweepLrs: string;
  /** The runs kept on the charts, as "B:η" pairs ("16:3,256:3"), so a link shares the comparison. */
  compare: string;
}

/** Nielsen's 784-30-10 network on the digits, as `npm run train` trains it. */
export const defaults: Settings = {
  dataset: "digits",
  hidden: "30",
  activation: "sigmoid",
  outputActivation: "sigmoid",
  loss: "sum-of-squares",
  reduction: "mean",
  optimizer: "sgd",
  lr: 3,
  batchSize: 10,
  budgetKind: "epochs",
  budget: 3,
  lastBatch: "partial",
  seed: 0,
  backend: "cpu",
  gradients: "vectorized",
  axis: "step",
  sweepBatchSizes: "1,16,256",
  sweepLrs: "",
  compare: "",
};

export function shapeOf(dataset: string): DataShape {
  const { inputs, classes, train } = datasetByName(dataset);
  return { inputs, outputs: classes, train };
}

/** How the dataset control names a set: its name and its split, from the registry. */
export function datasetLabel(dataset: string): string {
  const { train, test } = datasetByName(dataset);
  const split = `${train.toLocaleString("en-US")} / ${test.toLocaleString("en-US")}`;
  return dataset === "digits" ? `digits (MNIST, ${split})` : `${dataset} (${split})`;
}

/** The registry's split of a named set, as the command line gets it. */
function dataConfigOf(dataset: string): DataConfig {
  const { train, test } = datasetByName(dataset);
  return { name: dataset, train, test, seed: 0 };
}

/** Which control a ConfigError's field belongs to, so its message is shown beside it, and the control's name in it. */
const controlOf: Record<string, { control: keyof Settings; label: string }> = {
  "data.name": { control: "dataset", label: "dataset" },
  layers: { control: "hidden", label: "hidden widths" },
  activation: { control: "activation", label: "activation" },
  outputActivation: { control: "outputActivation", label: "output activation" },
  loss: { control: "loss", label: "loss" },
  reduction: { control: "reduction", label: "reduction" },
  optimizer: { control: "optimizer", label: "optimizer" },
  batchSize: { control: "batchSize", label: "B" },
  lr: { control: "lr", label: "η" },
  baseLr: { control: "lr", label: "η" },
  budget: { control: "budget", label: "budget" },
  "budget.epochs": { control: "budget", label: "epochs" },
  "budget.steps": { control: "budget", label: "steps" },
  seed: { control: "seed", label: "seed" },
  gradients: { control: "gradients", label: "backward pass" },
};

/** A setting that cannot run: the control it belongs to and the library's message. */
export interface Problem {
  readonly control: keyof Settings;
  readonly message: string;
}

/** A finite number written in decimal ("16", "0.3", "1e-3", "-2"), or undefined: Number() also reads "0x10", "Infinity" and "". */
function plainNumber(text: string): number | undefined {
  const value = Number(text);
  return /^[0-9.e+-]+$/i.test(text) && Number.isFinite(value) ? value : undefined;
}

/** Comma-separated positive numbers; throws naming the control when one is not. */
export function parseList(text: string, what: string, integer: boolean): number[] {
  const items = text.split(",").map((item) => item.trim()).filter((item) => item !== "");
  return items.map((item) => {
    const value = plainNumber(item) ?? Number.NaN;
    if (!(value > 0) || (integer && !Number.isInteger(value))) {
      throw new ConfigError(what, `"${item}" is not a positive ${integer ? "integer" : "number"}`);
    }
    return value;
  });
}

/** The run these settings make, with B and η given (a sweep changes them); throws a ConfigError if it cannot run. */
export function runConfig(settings: Settings, batchSize = settings.batchSize, lr = settings.lr): RunConfig {
  try {
    checkGradientsOn(settings.backend === "webgpu", settings.gradients);
  } catch (error) {
    throw inControlNames(error as ConfigError);
  }
  const shape = shapeOf(settings.dataset);
  const hidden = parseList(settings.hidden, controlOf.layers.label, true);
  const budget = settings.budgetKind === "epochs" ? { epochs: settings.budget } : { steps: settings.budget };
  const { activation, outputActivation, lastBatch } = settings;
  const steps = Number.isInteger(batchSize) && batchSize > 0 ? budgetSteps(budget, shape.train, batchSize, lastBatch) : 1;
  const config: RunConfig = {
    data: dataConfigOf(settings.dataset),
    layers: [shape.inputs, ...hidden, shape.outputs],
    activation,
    ...(outputActivation !== activation && { outputActivation }),
    loss: settings.loss,
    reduction: settings.reduction,
    optimizer: settings.optimizer,
    batchSize,
    lr,
    baseLr: lr,
    lrScaling: "none",
    baseBatch: batchSize,
    budget,
    seed: settings.seed,
    lastBatch,
    recordEvery: Number.isFinite(steps) && steps > 0 ? checkpointInterval(steps, checkpointsPerRun) : 1,
    // As the command line writes it: a CPU run's config has no backend.
    ...(settings.backend !== "cpu" && { backend: settings.backend }),
  };
  try {
    checkRunConfig(config, shape);
  } catch (error) {
    throw error instanceof ConfigError ? inControlNames(error) : error;
  }
  return config;
}

/** The library's ConfigError, its fields named as this page's controls are (batchSize → B), as cli/flags.ts does for flags. */
function inControlNames(error: ConfigError): ConfigError {
  return new ConfigError(error.fields.map((field) => (Object.hasOwn(controlOf, field) ? controlOf[field].label : field)), error.reason);
}

/** The per-sample backward pass is the CPU's loop over a batch's rows: the GPU computes a batch's gradients as matrix products only. */
export function checkGradientsOn(onGpu: boolean, gradients: Gradients): void {
  if (onGpu && gradients === "per-sample") {
    throw new ConfigError("gradients", "per sample runs on the CPU only; on the GPU a batch's gradients are matrix products (vectorized)");
  }
}

/**
 * What is wrong with the settings, by control; empty when Train may start. `gpu` is what the
 * page's worker found when it opened its WebGPU device (undefined while it looks).
 */
export function problemsOf(settings: Settings, gpu?: GpuState): Problem[] {
  if (settings.backend === "webgpu" && gpu?.available === false) return [{ control: "backend", message: `device: the GPU is unavailable: ${gpu.reason}` }];
  try {
    runConfig(settings);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // runConfig names the fields as the controls are labelled.
    const control = Object.values(controlOf).find(({ label }) => error.fields.includes(label))?.control ?? "dataset";
    return [{ control, message: error.message }];
  }
}

/** The sweep's runs: every B with every η (or this η), each checked; throws the first problem. */
export function sweepConfigs(settings: Settings): RunConfig[] {
  const batchSizes = parseList(settings.sweepBatchSizes, "sweep B", true);
  const lrs = settings.sweepLrs.trim() === "" ? [settings.lr] : parseList(settings.sweepLrs, "sweep η", false);
  if (batchSizes.length === 0) throw new ConfigError("sweep B", "list one or more batch sizes, e.g. 1,16,256");
  if (batchSizes.length * lrs.length > maxSweepRuns) {
    throw new ConfigError("sweep B", `${batchSizes.length} batch sizes × ${lrs.length} learning rates make ${batchSizes.length * lrs.length} runs, more than the ${maxSweepRuns} a sweep may hold`);
  }
  return lrs.flatMap((lr) => batchSizes.map((b) => runConfig(settings, b, lr)));
}

/** The comparison a link shares: one run of these settings per "B:η" pair; throws naming a bad pair. */
export function comparisonConfigs(settings: Settings): RunConfig[] {
  const pairs = settings.compare.split(",").filter((pair) => pair.trim() !== "");
  if (pairs.length > maxSweepRuns) throw new ConfigError("runs", `${pairs.length} runs to compare, more than the ${maxSweepRuns} the page runs at once`);
  return pairs.map((pair) => {
    const [batchSize, lr, extra] = pair.split(":");
    if (lr === undefined || extra !== undefined) throw new ConfigError("runs", `"${pair}" is not B:η`);
    return runConfig(settings, parseList(batchSize, "runs", true)[0] ?? Number.NaN, parseList(lr, "runs", false)[0] ?? Number.NaN);
  });
}

/** The "B:η" pairs of runs, for `compare`. */
export function comparisonOf(configs: readonly RunConfig[]): string {
  return configs.map((config) => `${config.batchSize}:${config.lr}`).join(",");
}

/** A run's label on the charts, e.g. "B=16 η=3 sgd", or "B=16 η=3 sgd on GPU". */
export function runLabel(config: RunConfig): string {
  return `B=${config.batchSize} η=${+config.lr.toPrecision(3)} ${config.optimizer}${config.backend === "webgpu" ? " on GPU" : ""}`;
}

const keys: Record<keyof Settings, string> = {
  dataset: "data",
  hidden: "hidden",
  activation: "act",
  outputActivation: "out",
  loss: "loss",
  reduction: "reduction",
  optimizer: "opt",
  lr: "lr",
  batchSize: "B",
  budgetKind: "budget",
  budget: "n",
  lastBatch: "last",
  seed: "seed",
  backend: "backend",
  gradients: "grad",
  axis: "x",
  sweepBatchSizes: "sweepB",
  sweepLrs: "sweepLr",
  compare: "runs",
};

const choices: Partial<Record<keyof Settings, readonly string[]>> = {
  dataset: playgroundDatasets,
  activation: activationNames,
  outputActivation: activationNames,
  loss: lossNames,
  reduction: reductions,
  optimizer: optimizerNames,
  budgetKind: ["epochs", "steps"],
  lastBatch: ["partial", "drop"],
  backend: backends,
  gradients: ["vectorized", "per-sample"],
  axis: axes,
};

/** The settings that differ from the defaults, as a query string. */
export function toQuery(settings: Settings): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(keys) as (keyof Settings)[]) {
    if (settings[key] !== defaults[key]) params.set(keys[key], String(settings[key]));
  }
  return params.toString();
}

/**
 * Settings from a query string: unknown keys and values that are not a choice or a number are left
 * at their defaults (a link is not an error to report), numbers are taken as given and checked
 * with the rest, so an invalid shared setting is explained like a typed one.
 */
export function fromQuery(query: string): Settings {
  const params = new URLSearchParams(query);
  const settings: Settings = { ...defaults };
  const assign = settings as unknown as Record<string, string | number>;
  for (const key of Object.keys(keys) as (keyof Settings)[]) {
    const value = params.get(keys[key]);
    if (value === null) continue;
    const options = choices[key];
    if (options !== undefined) {
      if (options.includes(value)) assign[key] = value;
    } else if (typeof defaults[key] === "number") {
      const number = plainNumber(value);
      if (number !== undefined) assign[key] = number;
    } else {
      assign[key] = value;
    }
  }
  return settings;
}
