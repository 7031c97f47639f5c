/**
 * numpy float64 on one thread, in the same run as batchprop: numpy_train.py trains the bench's
 * network (training.ts's trainingSetup) on the same digits, from the same initial weights, in the
 * same batch order, which this file hands over in a temporary folder. Its final weights must match
 * every batchprop run's at the same B within 1e-9 relative, so the rows compare one computation.
 */
import { readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Matrix, checkClose, createRng, maxRelativeDifference, parameterVector, type Dataset } from "batchprop";
import { type HandedArray, handOverArrays, runPython } from "./python.ts";
import { benchDigits, benchNetwork, benchTraining, trainingSetup, type TrainingBenchRow } from "./training.ts";

export const defaultPython = "/usr/bin/python3";
export const numpyInstallHint = "sudo apt-get install python3-numpy libopenblas0-pthread";
/** numpy's final weights against each batchprop run's: different summation orders, one computation. */
const weightsTolerance = 1e-9;
/** Variables that tune OpenBLAS on some machines: passed on as they are, and named in the output. */
const openblasTuning = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"];

export const script = resolve(dirname(fileURLToPath(import.meta.url)), "numpy_train.py");

/** What numpy_train.py --probe says, and the OpenBLAS tuning variables set in this environment. */
export interface NumpyInfo {
  numpy: string;
  python: string;
  blas: string;
  library: string | null;
  /** The thread-count variables numpy_train.py set before numpy loaded its BLAS. */
  threadsAsked: Record<string, string>;
  /** As the BLAS reports it (threadpoolctl), or null when nothing could ask it. */
  threads: number | null;
  /** Who said so, or why nobody could. */
  threadsFrom: string;
  openblasTuning: Record<string, string>;
}

export interface NumpyRow extends TrainingBenchRow {
  /** The largest relative difference between numpy's final weights and any batchprop run's at this B. */
  weightsRelDiff: number;
}

/** numpy_train.py with `args`: its stdout (python.ts). */
const runScript = (python: string, args: string[]) => runPython(python, script, args);

/** numpy's version, BLAS and threads, or why it cannot run (with how to install it). */
export async function probeNumpy(python: string): Promise<NumpyInfo | { missing: string }> {
  let said: string;
  try {
    said = await runScript(python, ["--probe"]);
  } catch (error) {
    return { missing: `numpy rows skipped: ${python} cannot import numpy (install it with \`${numpyInstallHint}\`): ${(error as Error).message}` };
  }
  const tuning = Object.fromEntries(openblasTuning.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]!]])));
  return { ...(JSON.parse(said) as Omit<NumpyInfo, "openblasTuning">), openblasTuning: tuning };
}

/** One line for the bench's header: numpy's version, BLAS, threads and the OpenBLAS tuning set. */
export function describeNumpy(info: NumpyInfo): string {
  const tuning = Object.entries(info.openblasTuning);
  return [
    `numpy ${info.numpy} (Python ${info.python}), BLAS ${info.blas}${info.library ? ` (${info.library})` : ""}`,
    info.threads === null
      ? `threads: asked for by ${Object.entries(info.threadsAsked).map(([name, value]) => `${name}=${value}`).join(", ")}, ${info.threadsFrom}`
      : `threads: ${info.threads} (${info.threadsFrom})`,
    tuning.length === 0 ? `${openblasTuning.join(" and ")} not set` : `set: ${tuning.map(([name, value]) => `${name}=${value}`).join(", ")} (left as they are)`,
  ].join("; ");
}

/**
 * Writes the digits (benchDigits), the initial parameters and the epoch's batch order into a new
 * temporary folder, with setup.json describing them for numpy_train.py; returns the folder.
 */
export function handOver(digits: Dataset): string {
  const samples = digits.inputs.rows;
  // train's epoch shuffle: order 0…n−1, shuffled once by the generator of the run's seed.
  const order = createRng(trainingSetup.shuffleSeed).shuffle(Int32Array.from({ length: samples }, (_, i) => i));
  const arrays: Record<string, HandedArray> = {
    inputs: { values: digits.inputs.data, shape: [digits.inputs.rows, digits.inputs.cols] },
    targets: { values: digits.targets.data, shape: [digits.targets.rows, digits.targets.cols] },
    order: { values: order, shape: [samples] },
  };
  const net = benchNetwork();
  net.layers.forEach((layer, l) => {
    arrays[`weights${l}`] = { values: layer.weights.data, shape: [layer.weights.rows, layer.weights.cols] };
    arrays[`bias${l}`] = { values: layer.bias, shape: [layer.bias.length] };
  });
  return handOverArrays("batchprop-bench-numpy-", arrays, { layers: net.layers.length, lr: trainingSetup.lr, warmUpSamples: trainingSetup.warmUpSamples });
}

/**
 * The training rows at each B, batchprop's then numpy's, each batchprop row with its ratio to
 * numpy (vsNumpy). Throws when numpy's final weights differ from a batchprop run's by more than
 * weightsTolerance. Without `python`, batchprop's rows alone.
 */
export async function benchTrainingWithNumpy(batchSizes: readonly number[], samples: number, python: string | undefined): Promise<(TrainingBenchRow | NumpyRow)[]> {
  // Decoded once: every batch size and numpy train on the same digits.
  const digits = benchDigits(samples);
  if (python === undefined) return benchTraining(batchSizes, { digits });
  const folder = handOver(digits);
  try {
    const rows: (TrainingBenchRow | NumpyRow)[] = [];
    for (const batchSize of batchSizes) {
      const trained: { row: TrainingBenchRow; weights: Float64Array }[] = [];
      benchTraining([batchSize], { digits, onTrained: (row, net) => trained.push({ row, weights: parameterVector(net) }) });
      const said = JSON.parse(await runScript(python, [folder, String(batchSize)])) as { samples: number; seconds: number };
      const bytes = readFileSync(join(folder, `final-${batchSize}.f64`));
      const numpyWeights = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      const weightsRelDiff = Math.max(
        ...trained.map(({ row, weights }) => {
          const what = `B = ${batchSize}: numpy's final weights vs batchprop's (${row.gradients}, ${row.kernel}, sparse ${row.sparse})`;
          checkClose(what, numpyWeights, weights, { relative: weightsTolerance });
          return maxRelativeDifference(Matrix.rowVector(numpyWeights), Matrix.rowVector(weights));
        }),
      );
      const samplesPerSecond = said.samples / said.seconds;
      rows.push(...trained.map(({ row }) => ({ ...row, vsNumpy: row.samplesPerSecond / samplesPerSecond })));
      rows.push({ batchSize, gradients: "vectorized", kernel: "numpy", workers: 1, sparse: false, samplesPerSecond, seconds: said.seconds, weightsRelDiff });
    }
    return rows;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
