/**
 * One experiment run, fully described: the data, the model, the objective, the optimizer, the
 * batch size and learning rate, the budget, the seed and every train default used. The canonical
 * JSON of this object is the run's key, so a results file recognises a finished run on resume and a
 * changed setting makes a new run (CLAIMS.md claim 11, the experiments that test it).
 */
import { type ActivationName, activations } from "../activations/activation.js";
import { type LossName, losses, type Reduction, reductions } from "../losses/loss.js";
import { type Init, inits } from "../matrix/init.js";
import { type OptimizerName, optimizerNames } from "../optimizers/optimizer.js";
import { checkDatasetName } from "../data/registry.js";
import { checkBatchSize, checkLr, ConfigError, keyword, lookup } from "../validate/validate.js";
import { evaluationChunkRows } from "../train/evaluate.js";
import { type Budget, budgetSteps, checkBudget, stepsPerEpoch } from "../train/budget.js";
import { type Backend, backends } from "../train/options.js";

/** Which data a run trains and tests on. */
export interface DataConfig {
  /** A registered set's name (lib/data/registry.ts: "digits", "xor", …) or "idx:DIR" (an absolute directory). */
  readonly name: string;
  /** Training samples. */
  readonly train: number;
  /** Held-out samples. */
  readonly test: number;
  /** Seeds the generation (synthetic sets) or the shuffle before the split (digits); unused by idx. */
  readonly seed: number;
}

/** How η follows the batch size B from a base batch B₀: as is, η·B/B₀, or η·√(B/B₀). */
export type LrScaling = "none" | "linear" | "sqrt";
export const lrScalings: readonly LrScaling[] = ["none", "linear", "sqrt"];

export interface RunConfig {
  readonly data: DataConfig;
  /** Widths from input to output, e.g. [784, 30, 10]. */
  readonly layers: readonly number[];
  /** The activation of the hidden layers, and of the output layer unless `outputActivation` says otherwise. */
  readonly activation: ActivationName;
  /**
   * The output layer's activation, present only when it differs from `activation` (softmax under
   * cross-entropy): a run without it keeps the key it had before the field existed.
   */
  readonly outputActivation?: ActivationName;
  /**
   * How the weights and the biases are drawn, each present only when not "normal" (Nielsen's
   * N(0, 1)), so a run without them keeps the key it had before the fields existed.
   */
  readonly init?: Init;
  readonly biasInit?: Init;
  readonly loss: LossName;
  readonly reduction: Reduction;
  readonly optimizer: OptimizerName;
  readonly batchSize: number;
  /** The learning rate the optimizer uses: `baseLr` after scaling to this batch size. */
  readonly lr: number;
  /** The learning rate as given, before scaling. */
  readonly baseLr: number;
  readonly lrScaling: LrScaling;
  /** B₀ of the scaling; recorded even when the scaling is "none". */
  readonly baseBatch: number;
  readonly budget: Budget;
  /** Seeds the network's initial weights and, separately, the shuffle of every epoch. */
  readonly seed: number;
  /** The train defaults the run relies on, written out so the key changes if they do. */
  readonly lastBatch: "partial" | "drop";
  /** A checkpoint every this many steps (0: only at epoch ends and the end). */
  readonly recordEvery: number;
  /** B_simple measured every this many steps (train's noiseScaleEvery), present only when measured. */
  readonly noiseScaleEvery?: number;
  /**
   * Where the steps run: the float64 library ("cpu") or a WebGPU device in float32 ("webgpu").
   * Present only when not "cpu", so a run without it keeps the key it had before the field existed;
   * a GPU run is another run (float32 rounds differently), so it has a key of its own.
   */
  readonly backend?: Backend;
}

/** Where a run's steps run. */
export function backendOf(config: RunConfig): Backend {
  return config.backend ?? "cpu";
}

/** The activation of a run's output layer. */
export function outputActivationOf(config: RunConfig): ActivationName {
  return config.outputActivation ?? config.activation;
}

/** η_B = η·B/B₀ (linear) or η·√(B/B₀) (sqrt), or η itself (none). */
export function scaleLr(lr: number, batchSize: number, scaling: LrScaling, baseBatch: number): number {
  switch (keyword(scaling, "lrScaling", lrScalings, "lr scaling")) {
    case "none":
      return lr;
    case "linear":
      return (lr * batchSize) / baseBatch;
    case "sqrt":
      return lr * Math.sqrt(batchSize / baseBatch);
  }
}

/** JSON with every object's keys sorted, so equal configurations give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * The run's identity in a results file: the canonical JSON of its configuration as normalised by
 * runSettings, so a record that spells the same run differently (a line written by hand or by
 * another version) is the same run, never a second one.
 */
export function runKey(config: RunConfig): string {
  return canonicalJson(runSettings(config));
}

/**
 * The settings that make the run, and only those: keys that no run reads are left out, and the
 * output activation is present only when it differs from the hidden layers' (as RunConfig says).
 */
function runSettings(config: RunConfig): RunConfig {
  const { data, activation, outputActivation } = config;
  return {
    data: { name: data.name, train: data.train, test: data.test, seed: data.seed },
    layers: config.layers,
    activation,
    ...(outputActivation !== undefined && outputActivation !== activation ? { outputActivation } : {}),
    ...(config.init !== undefined && config.init !== "normal" ? { init: config.init } : {}),
    ...(config.biasInit !== undefined && config.biasInit !== "normal" ? { biasInit: config.biasInit } : {}),
    loss: config.loss,
    reduction: config.reduction,
    optimizer: config.optimizer,
    batchSize: config.batchSize,
    lr: config.lr,
    baseLr: config.baseLr,
    lrScaling: config.lrScaling,
    baseBatch: config.baseBatch,
    budget: config.budget,
    seed: config.seed,
    lastBatch: config.lastBatch,
    recordEvery: config.recordEvery,
    ...(config.noiseScaleEvery !== undefined && config.noiseScaleEvery > 0 ? { noiseScaleEvery: config.noiseScaleEvery } : {}),
    ...(backendOf(config) !== "cpu" ? { backend: config.backend } : {}),
  };
}

/**
 * The items with one per run key, the first of each kept, in their order: the one place that
 * de-duplicates runs (a grid listing a run twice, a results file holding a run twice, the records
 * a summary is given), so a run is never run or counted twice.
 */
export function firstPerRun<T>(items: readonly T[], configOf: (item: T) => RunConfig): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = runKey(configOf(item));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/*
 * The sizes a run may have, checked before anything is allocated. Each is far beyond what the
 * notebooks and the default experiments use (784-30-10: 23,860 parameters, B ≤ 8,000, 30 epochs),
 * and small enough that one run stays within a few GB, whatever was typed.
 */

/** Widths in `layers`, input and output included: deeper than any network trained here by a hundredfold. */
export const maxWidths = 1_000;
/** Units in one layer: 65,536 inputs are a 256×256 image, 84 times MNIST's 784 pixels. */
export const maxLayerWidth = 65_536;
/**
 * Weights and biases of a network: 400 MB of float64, four times that with the gradients and
 * Adam's two moments (1.6 GB), held once per worker.
 */
export const maxParameters = 50_000_000;
/**
 * Float64 values in a run's passes: the batch's and the evaluation's (network/pass.ts: the input,
 * then z, act, ∂act and delta of every layer), 2^27 values, 1 GiB. Full-batch training of
 * 784-100-10 on full MNIST's 60,000 images needs 77 million.
 */
export const maxPassValues = 2 ** 27;
/**
 * Epochs a run may span, whatever its budget: every epoch ends with a record (~170 bytes of JSON)
 * kept in the run's line of the results file, so a million make a 170 MB line.
 */
export const maxEpochs = 1_000_000;

/** 1234567 → "1,234,567": the sizes in messages. */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** Weights and biases of a fully connected network of these widths. */
export function parameterCount(layers: readonly number[]): number {
  let count = 0;
  for (let i = 1; i < layers.length; i++) count += (layers[i - 1] + 1) * layers[i];
  return count;
}

/** Float64 values in the passes of a batch of `batchSize` and of an evaluation chunk (see maxPassValues). */
export function passValues(layers: readonly number[], batchSize: number): number {
  const perRow = layers[0] + 4 * layers.slice(1).reduce((sum, width) => sum + width, 0);
  return (batchSize + evaluationChunkRows) * perRow;
}

/**
 * A checkpoint interval giving a run between `target` and 2·`target` checkpoints (one per step
 * when the run has fewer steps than `target`).
 */
export function checkpointInterval(totalSteps: number, target: number): number {
  return Math.max(1, Math.floor(totalSteps / target));
}

/** What a run needs to know about its data before loading it: widths and training-set size. */
export interface DataShape {
  readonly inputs: number;
  readonly outputs: number;
  readonly train: number;
}

/** Throws a ConfigError naming the first field of `config` that cannot run on data of `shape`. */
export function checkRunConfig(config: RunConfig, shape: DataShape): void {
  const { data, batchSize } = config;
  checkDatasetName(data.name);
  checkLayers(config.layers, shape, data.name);
  lookup(activations, config.activation, "activation");
  lookup(losses, config.loss, "loss");
  if (config.outputActivation !== undefined) {
    lookup(activations, config.outputActivation, "outputActivation", "activation");
    if (config.outputActivation === config.activation) {
      throw new ConfigError("outputActivation", `outputActivation repeats activation "${config.activation}": leave it out, so the run keeps one key`);
    }
  }
  checkOutputActivation(config.loss, outputActivationOf(config));
  for (const field of ["init", "biasInit"] as const) {
    const init = config[field];
    if (init !== undefined) keyword(init, field, inits, "init");
  }
  const { noiseScaleEvery } = config;
  if (noiseScaleEvery !== undefined && !(Number.isInteger(noiseScaleEvery) && noiseScaleEvery >= 0)) {
    throw new ConfigError("noiseScaleEvery", `must be a non-negative integer, got ${noiseScaleEvery}`);
  }
  keyword(config.reduction, "reduction", reductions);
  keyword(config.optimizer, "optimizer", optimizerNames);
  if (config.backend !== undefined) keyword(config.backend, "backend", backends);
  checkBatchSize(batchSize, shape.train, data.name);
  checkPassValues(config.layers, batchSize);
  checkLr(config.baseLr, "baseLr");
  keyword(config.lrScaling, "lrScaling", lrScalings, "lr scaling");
  if (!(Number.isFinite(config.lr) && config.lr > 0)) {
    throw new ConfigError("lrScaling", `scaling ${config.baseLr} to batch size ${batchSize} gives ${config.lr}, not a positive finite number`);
  }
  if (!Number.isInteger(config.baseBatch) || config.baseBatch <= 0) {
    throw new ConfigError("baseBatch", `the base batch must be a positive integer, got ${config.baseBatch}`);
  }
  checkBudget(config.budget);
  checkEpochs(config, shape.train);
  if (!Number.isSafeInteger(config.seed)) throw new ConfigError("seed", `a seed must be a safe integer, got ${config.seed}`);
}

/**
 * A loss over probabilities needs outputs that are probabilities: cross-entropy a softmax row,
 * binary cross-entropy a sigmoid per output (the activation the loss `pairsWith`). A sigmoid row
 * under cross-entropy can push every output to 1 and reach zero loss while predicting nothing.
 */
export function checkOutputActivation(loss: LossName, output: ActivationName): void {
  const needed = losses[loss].pairsWith;
  if (needed !== undefined && output !== needed) {
    throw new ConfigError("outputActivation", `${loss} needs a ${needed} output layer, got ${output}`);
  }
}

/**
 * Two or more positive integer widths, the first the data's inputs and the last its classes, within
 * the limits on depth, width and parameters.
 */
export function checkLayers(layers: readonly number[], shape: DataShape, dataName: string): void {
  if (layers.length < 2 || !layers.every((n) => Number.isInteger(n) && n > 0)) {
    throw new ConfigError("layers", `need two or more positive integer widths, got ${layers.join(",")}`);
  }
  if (layers.length > maxWidths) throw new ConfigError("layers", `${formatCount(layers.length)} widths, more than the ${formatCount(maxWidths)} a network may have`);
  const wide = layers.find((n) => n > maxLayerWidth);
  if (wide !== undefined) throw new ConfigError("layers", `width ${formatCount(wide)} is more than the ${formatCount(maxLayerWidth)} units a layer may have`);
  const parameters = parameterCount(layers);
  if (parameters > maxParameters) {
    throw new ConfigError("layers", `${layers.join(",")} has ${formatCount(parameters)} weights and biases, more than the ${formatCount(maxParameters)} a network may have`);
  }
  if (layers[0] !== shape.inputs) {
    throw new ConfigError("layers", `the first layer has ${layers[0]} inputs but ${dataName} has ${shape.inputs}`);
  }
  const last = layers[layers.length - 1];
  if (last !== shape.outputs) throw new ConfigError("layers", `the last layer has ${last} outputs but ${dataName} has ${shape.outputs} classes`);
}

/** Blames the batch size when a smaller one would fit, else the layers. */
function checkPassValues(layers: readonly number[], batchSize: number): void {
  const values = passValues(layers, batchSize);
  if (values <= maxPassValues) return;
  const smallest = passValues(layers, 1) > maxPassValues;
  throw new ConfigError(
    smallest ? "layers" : "batchSize",
    `a batch of ${formatCount(batchSize)} through layers ${layers.join(",")} needs ${formatCount(values)} float64 values for its passes, ` +
      `more than the ${formatCount(maxPassValues)} (1 GiB) a run may hold; use ${smallest ? "" : "a smaller batch or "}narrower layers`,
  );
}

/** A budget in steps or samples may span more epochs than its number says: each epoch makes a record. */
function checkEpochs(config: RunConfig, trainSize: number): void {
  const { budget, batchSize, lastBatch, data } = config;
  const epochs = Math.floor(budgetSteps(budget, trainSize, batchSize, lastBatch) / stepsPerEpoch(trainSize, batchSize, lastBatch));
  if (epochs <= maxEpochs) return;
  const [kind, value] = Object.entries(budget)[0] as [string, number];
  const given = kind === "steps" ? `${formatCount(value)} steps at batch size ${formatCount(batchSize)}` : `${formatCount(value)} ${kind}`;
  throw new ConfigError(
    `budget.${kind}`,
    `${given} span ${formatCount(epochs)} epochs of ${data.name}'s ${formatCount(trainSize)} training samples, more than the ${formatCount(maxEpochs)} a run may record`,
  );
}
