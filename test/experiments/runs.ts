/** Made-up finished runs on xor for the tests of sweeps, summary tables, CSV and reports: configurations as the grid makes them. */
import { expandGrid, type GridSpec, type RunConfig, type RunRecord, type TrainRecord } from "../../lib/index.ts";

export interface RunSpec {
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  /** Final test accuracy; the test loss is 1 minus it, the training metrics a little better. */
  readonly accuracy: number;
  /** Grid settings other than B, η and the seed. */
  readonly grid?: Partial<GridSpec>;
  /** Diverged at this step (the run stops there, its last checkpoint before it). */
  readonly divergedAt?: number;
  readonly seconds?: number;
}

export function runConfig({ batchSize, lr, seed, grid = {} }: Pick<RunSpec, "batchSize" | "lr" | "seed" | "grid">): RunConfig {
  return expandGrid({ data: { name: "xor", train: 800, test: 200, seed: 0 }, layers: [2, 6, 2], budgets: [{ epochs: 1 }], ...grid, batchSizes: [batchSize], lrs: [lr], seeds: [seed] })[0];
}

/** Two checkpoints, halfway and at the end (or just before diverging): accuracy rising to `accuracy`. */
export function fakeRun(spec: RunSpec): RunRecord {
  const config = runConfig(spec);
  const steps = spec.divergedAt ?? Math.ceil(config.data.train / config.batchSize);
  const seconds = spec.seconds ?? steps / 1000;
  const point = (step: number, accuracy: number): TrainRecord => ({
    epoch: step / Math.ceil(config.data.train / config.batchSize),
    step,
    samples: Math.min(step * config.batchSize, config.data.train),
    trainLoss: 0.9 - accuracy,
    trainAccuracy: accuracy + 0.01,
    testLoss: 1 - accuracy,
    testAccuracy: accuracy,
    seconds: (seconds * step) / steps,
  });
  const checkpoints = spec.divergedAt === undefined ? [point(Math.floor(steps / 2), spec.accuracy / 2), point(steps, spec.accuracy)] : [point(Math.floor(steps / 2), spec.accuracy / 2)];
  return {
    config,
    epochs: spec.divergedAt === undefined ? [checkpoints[1]] : [],
    checkpoints,
    steps,
    samples: Math.min(steps * config.batchSize, config.data.train),
    diverged: spec.divergedAt === undefined ? null : { epoch: 1, step: steps + 1, lastFiniteLoss: 0.5 },
    seconds,
    wallSeconds: 2 * seconds,
    kernel: "js",
    sparse: false,
    workers: 1,
    backend: "cpu",
  };
}
