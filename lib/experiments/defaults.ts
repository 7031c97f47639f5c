/**
 * The embedded default experiments: CLAIMS.md claim 11 ("larger batches lower accuracy, like a
 * too-large learning rate; Adagrad or Adam mitigate it") mixes several effects of B. Each experiment
 * below changes one of them, on Nielsen's set-up: 784-30-10 sigmoid, sum of squares, 8,000 training
 * and 2,000 test digits, three seeds per point. Runs shared between experiments (the η = 3, mean,
 * plain SGD runs at two epochs are the baseline of four of them) are run once: a run is its key.
 */
import type { OptimizerName } from "../optimizers/optimizer.js";
import type { DataConfig, RunConfig } from "./config.js";
import { expandGrid, type GridSpec, uniqueRuns } from "./grid.js";

export interface Experiment {
  /** A short stable name, e.g. "epochs-vs-steps". */
  readonly id: string;
  readonly title: string;
  /** What the experiment isolates, and how to read it. */
  readonly question: string;
  /** Its runs (keys shared with other experiments where the configuration is the same). */
  readonly runs: readonly RunConfig[];
}

/**
 * Cost model, measured on this 2-core machine (CPU seconds, one thread), with the WebAssembly
 * relaxed-SIMD kernel and sparse inputs (the digits are ≈ 19% nonzero):
 *   one evaluation (loss and accuracy on the 8,000 training + 2,000 test digits): ≈ 0.025 s;
 *   training, all 147 runs together: ≈ 52 s.
 * A run records 14–30 points (checkpointInterval(steps, 20), plus epoch ends that fall between):
 *   points: 11 (epochs) + 11 (steps) + 3 (sum) + 6 (linear, √B) + 6 (Adam, Adagrad) + 12 (η grid,
 *   η = 3 shared) = 49, × 3 seeds = 147 runs, ≈ 2,800 evaluations ≈ 70 s, so evaluation is still
 *   the larger part; total ≈ 125–145 CPU seconds.
 * Measured (batchprop experiment --default into a fresh file, machine otherwise idle): 1 min 13 s
 * wall, 143 CPU seconds (the JavaScript kernel took 5 min 46 s and 687 CPU seconds). A first
 * `npm start` runs it, then notebook 11's noise-scale set (lib/experiments/noise-scale-set.ts, about
 * 400 CPU seconds), kept out of this set so that this one stays small. Results are cached
 * by key: an unchanged default reruns nothing, a changed experiment reruns only its changed runs.
 */
const defaultSeeds = 3;

/** Nielsen's digits split, the data of every default run. */
const defaultData: DataConfig = { name: "digits", train: 8000, test: 2000, seed: 0 };

/** Every power of two from 1 to 1024: the batch sizes of the epochs-vs-steps experiment. */
export const allBatchSizes: readonly number[] = Array.from({ length: 11 }, (_, i) => 2 ** i);

/** The batch sizes of the smaller experiments: small, medium, large. */
const fewBatchSizes: readonly number[] = [4, 64, 1024];

function grid(spec: Omit<GridSpec, "data" | "layers" | "seeds" | "lastBatch" | "baseBatch">): RunConfig[] {
  return expandGrid({
    data: defaultData,
    layers: [784, 30, 10],
    activation: "sigmoid",
    loss: "sum-of-squares",
    seeds: defaultSeeds,
    // Every step sees exactly B samples, so B is the only thing a batch-size comparison changes.
    lastBatch: "drop",
    baseBatch: 10,
    ...spec,
  });
}

/** The default experiments, in the order a reader meets them. */
export function defaultExperiments(): Experiment[] {
  const epochs = { epochs: 2 } as const;
  const optimizerLrs: Record<Exclude<OptimizerName, "sgd" | "momentum">, number> = { adam: 0.01, adagrad: 0.1 };
  return [
    {
      id: "epochs-vs-steps",
      title: "Fixed epochs or fixed steps",
      question:
        "Plain SGD, η = 3, mean loss, B from 1 to 1024. At a fixed number of epochs (2) a larger B takes fewer steps; " +
        "at a fixed number of steps (300) it sees more samples. If large batches were simply worse, both would fall with B.",
      runs: [...grid({ batchSizes: allBatchSizes, lrs: [3], budgets: [epochs] }), ...grid({ batchSizes: allBatchSizes, lrs: [3], budgets: [{ steps: 300 }] })],
    },
    {
      id: "sum-vs-mean",
      title: "Sum or mean over the batch",
      question:
        "The same SGD at 2 epochs with the batch loss summed (η = 0.3, so B = 10 matches the mean runs' η = 3) or averaged. " +
        "A summed loss's gradient grows with B, so its steps do: summing is linear lr scaling with B₀ = 1 (claim 9).",
      runs: [
        ...grid({ batchSizes: fewBatchSizes, lrs: [0.3], reductions: ["sum"], budgets: [epochs] }),
        ...grid({ batchSizes: fewBatchSizes, lrs: [3], budgets: [epochs] }),
      ],
    },
    {
      id: "lr-scaling",
      title: "Learning rate fixed, scaled with B, or with √B",
      question:
        "Mean loss, SGD, 2 epochs, η = 3 at B₀ = 10: kept as is, scaled to η·B/B₀ (linear), or to η·√(B/B₀). " +
        "Does scaling η with B recover what large batches lose at a fixed number of epochs?",
      runs: grid({ batchSizes: fewBatchSizes, lrs: [3], lrScalings: ["none", "linear", "sqrt"], budgets: [epochs] }),
    },
    {
      id: "optimizers",
      title: "Plain SGD, Adam and Adagrad",
      question:
        `Mean loss, 2 epochs: SGD with η = 3, Adam with η = ${optimizerLrs.adam}, Adagrad with η = ${optimizerLrs.adagrad}. ` +
        "Claim 11 says the adaptive methods mitigate the large-batch loss but do not remove it.",
      runs: [
        ...grid({ batchSizes: fewBatchSizes, lrs: [3], budgets: [epochs] }),
        ...grid({ batchSizes: fewBatchSizes, lrs: [optimizerLrs.adam], optimizers: ["adam"], budgets: [epochs] }),
        ...grid({ batchSizes: fewBatchSizes, lrs: [optimizerLrs.adagrad], optimizers: ["adagrad"], budgets: [epochs] }),
      ],
    },
    {
      id: "lr-grid",
      title: "The best learning rate for each batch size",
      question:
        "Mean loss, SGD, 2 epochs, η from 1 to 100 in half-decades at B = 4, 64, 1024: which η is best for each B, " +
        "and over which range does training converge? A best η that grows with B is the 'too-large learning rate' of claim 11 seen from the other side.",
      runs: grid({ batchSizes: fewBatchSizes, lrs: [1, 3, 10, 30, 100], budgets: [epochs] }),
    },
  ];
}

/** Every run of the default experiments, each once. */
export function defaultRuns(): RunConfig[] {
  return uniqueRuns(defaultExperiments().flatMap((experiment) => experiment.runs));
}
