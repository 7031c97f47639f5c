/**
 * The model and data options `train` and `experiment` share, and turning their strings into
 * checked values. Every problem is a ConfigError naming the option (or the library's field, which
 * the command restates as its flag: lib/cli/flags.ts) and the value, which the command line
 * reports with exit status 2 before anything runs or is written.
 */
import { type Command, Option } from "commander";
import type { ActivationName } from "../activations/activation.js";
import { activations } from "../activations/activation.js";
import { checkDatasetName, datasetByName, datasetNames } from "../data/registry.js";
import { type DataConfig, type DataShape, checkLayers, checkOutputActivation, formatCount, maxEpochs } from "../experiments/config.js";
import { dataShape, defaultDataConfig } from "../experiments/datasets.js";
import { maxGridRuns } from "../experiments/grid.js";
import { type LossName, losses, type Reduction, reductions } from "../losses/loss.js";
import { type OptimizerName, optimizerNames } from "../optimizers/optimizer.js";
import { swiftShaderIcd } from "../gpu/node-device.js";
import { type Backend, backends } from "../train/options.js";
import { ConfigError, keyword } from "../validate/validate.js";
import { UsageError } from "./usage.js";

/** The raw strings of the shared options, as commander hands them over. */
export interface ModelOptionValues {
  dataset: string;
  layers?: string;
  activation: string;
  outputActivation?: string;
  loss: string;
  reduction: string;
  optimizer: string;
  backend: string;
}

export interface ModelChoice {
  readonly data: DataConfig;
  readonly shape: DataShape;
  readonly layers: number[];
  readonly activation: ActivationName;
  /** The output layer's: as given, or the one the loss pairs with, or the hidden one. */
  readonly outputActivation: ActivationName;
  readonly loss: LossName;
  readonly reduction: Reduction;
  readonly optimizer: OptimizerName;
  readonly backend: Backend;
}

/** Adds --dataset, --layers, --activation, --output-activation, --loss, --reduction, --optimizer and --backend with their defaults. */
export function addModelOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--dataset <name>", `the data: ${datasetNames.map(describeDataset).join(", ")}; or idx:PATH for MNIST's IDX files in PATH`).default("digits"),
    )
    .addOption(new Option("--layers <widths>", "widths from input to output, comma-separated (default: the data's inputs, 30, its classes: 784,30,10 on digits)"))
    .addOption(new Option("--activation <name>", `activation of the hidden layers (and of the output unless --output-activation): ${Object.keys(activations).join(", ")}`).default("sigmoid"))
    .addOption(
      new Option("--output-activation <name>", "activation of the output layer (default: softmax with --loss cross-entropy, sigmoid with binary-cross-entropy, else --activation's)"),
    )
    .addOption(new Option("--loss <name>", `per-sample loss: ${Object.keys(losses).join(", ")}`).default("sum-of-squares"))
    .addOption(new Option("--reduction <how>", "how a batch's losses combine: sum or mean").default("mean"))
    .addOption(new Option("--optimizer <name>", `update rule: ${optimizerNames.join(", ")}`).default("sgd"))
    .addOption(
      new Option("--backend <where>", `where the steps run: cpu (the float64 library) or webgpu (every step on a GPU, in float32; Dawn in Node, VK_ICD_FILENAMES=${swiftShaderIcd} without a GPU)`).default("cpu"),
    );
}

/** "xor (2 inputs, 2 classes, 800 train / 200 test)": a registered set in --help. */
function describeDataset(name: string): string {
  const { inputs, classes, train, test } = datasetByName(name);
  return `${name} (${inputs} inputs, ${classes} classes, ${formatCount(train)} train / ${formatCount(test)} test)`;
}

/** Checks the shared options, in the order a reader would fix them. */
export function parseModelOptions(values: ModelOptionValues): ModelChoice {
  checkDatasetName(values.dataset);
  const data = defaultDataConfig(values.dataset);
  const shape = dataShape(data);
  const layers = values.layers === undefined ? [shape.inputs, 30, shape.outputs] : parseIntegerList("--layers", values.layers, "width");
  checkLayers(layers, shape, values.dataset);
  const activationNames = Object.keys(activations) as ActivationName[];
  const activation = keyword(values.activation, "activation", activationNames);
  const loss = keyword(values.loss, "loss", Object.keys(losses) as LossName[]);
  const outputActivation =
    values.outputActivation === undefined ? (losses[loss].pairsWith ?? activation) : keyword(values.outputActivation, "outputActivation", activationNames, "activation");
  checkOutputActivation(loss, outputActivation);
  return {
    data,
    shape,
    layers,
    activation,
    outputActivation,
    loss,
    reduction: keyword(values.reduction, "reduction", reductions),
    optimizer: keyword(values.optimizer, "optimizer", optimizerNames),
    backend: keyword(values.backend, "backend", backends),
  };
}

/**
 * Refuses, with --backend webgpu, the flags of the CPU backend that the user gave (`options`, by
 * their commander names), naming both, before any work: the GPU would silently ignore them.
 */
export function refuseCpuFlags(backend: Backend, options: readonly string[], given: (option: string) => boolean): void {
  if (backend === "cpu") return;
  const flags = options.filter(given).map(flagOf);
  if (flags.length === 0) return;
  throw new UsageError(`${flags.join(", ")} ${flags.length === 1 ? "is an option" : "are options"} of --backend cpu, not of --backend ${backend}, which runs every step on one GPU: leave ${flags.length === 1 ? "it" : "them"} out`);
}

/** "batchSizes" → "--batch-sizes": an option's flag from commander's name for it. */
export function flagOf(option: string): string {
  return `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** A number as typed, or a ConfigError quoting it. */
export function parseNumber(option: string, raw: string, what: string): number {
  const text = raw.trim();
  const value = Number(text);
  if (text === "" || Number.isNaN(value)) throw new ConfigError(option, `${what} "${raw}" is not a number`);
  return value;
}

/**
 * Plain decimal digits, no sign: every integer option counts something or is a seed, and seeds are
 * 0 to 2^53−1 (createRng splits one into two unsigned 32-bit halves). Number() also reads "0x10",
 * "1e2", " 10" and "10.0", which no integer option accepts.
 */
const decimalInteger = /^[0-9]+$/;

/** The one parser of every integer option (widths, batch sizes, counts, seeds): plain decimal digits or a ConfigError quoting the text. */
export function parseInteger(option: string, raw: string, what: string): number {
  if (!decimalInteger.test(raw)) throw new ConfigError(option, `${what} "${raw}" is not a plain decimal integer (digits only, no sign)`);
  return Number(raw);
}

export function parseNumberList(option: string, raw: string, what: string): number[] {
  return raw.split(",").map((piece) => parseNumber(option, piece, what));
}

export function parseIntegerList(option: string, raw: string, what: string): number[] {
  return raw.split(",").map((piece) => parseInteger(option, piece, what));
}

/**
 * The largest value of each count option: far beyond any run this machine finishes in a day, yet
 * small enough that the grid's arrays and step counts stay exact (--seeds 1e10 would otherwise
 * ask for an array of ten billion runs). --workers is bounded by the machine's cores instead.
 */
export const countLimits = {
  "--seeds": maxGridRuns,
  "--epochs": maxEpochs,
  "--steps": 1_000_000_000,
  "--samples": 1_000_000_000_000,
  // B₀ only scales η; any batch it could stand for is at most the training set.
  "--base-batch": 1_000_000_000,
} as const;

/** The positive integer of a count option such as --epochs or --seeds, at most `max`. */
export function parseCount(option: string, raw: string, what: string, max: number): number {
  const value = parseInteger(option, raw, what);
  if (value < 1) throw new ConfigError(option, `${what} must be at least 1, got ${raw}`);
  if (value > max) throw new ConfigError(option, `${what} must be at most ${formatCount(max)}, got ${raw}`);
  return value;
}
