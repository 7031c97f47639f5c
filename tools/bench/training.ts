import { createNetwork, kernelAvailability, loadDigits, train, useKernel, type Dataset, type Network } from "batchprop";

export interface TrainingBenchRow {
  batchSize: number;
  gradients: "vectorized" | "per-sample";
  /** The gemm kernel the run multiplied through (the per-sample loop multiplies by its own loops). */
  kernel: string;
  /** Threads training in parallel: one for now. */
  workers: number;
  /** Whether the first layer skipped the inputs' zeros (train's sparseInputs). */
  sparse: boolean;
  samplesPerSecond: number;
  seconds: number;
}

/**
 * What every training row trains, in one place: numpy's rows (numpy.ts) hand the same network,
 * data, learning rate and shuffle to numpy_train.py. Sum of squares, mean reduction, plain SGD.
 */
export const trainingSetup = {
  sizes: [784, 100, 10],
  /** Seeds the initial weights (createNetwork's rng). */
  networkSeed: 1,
  lr: 0.1,
  /** Seeds train's shuffle of the epoch. */
  shuffleSeed: 0,
  /** A thrown-away run of this many samples before each timed one. */
  warmUpSamples: 1000,
  /** The mnist package's digits, all of them unless --samples says fewer. */
  maxSamples: 10_000,
} as const;

export const benchNetwork = (): Network => createNetwork({ sizes: trainingSetup.sizes, rng: trainingSetup.networkSeed });

export const benchDigits = (samples: number): Dataset => loadDigits({ train: samples, test: 0 }).train;

/**
 * Samples per second for one epoch over `samples` of the mnist package's digits, 784-100-10
 * sigmoid, sum of squares, SGD: the vectorized backward pass on every gemm kernel that loads, dense
 * and skipping the inputs' zeros, against the loop over batch items (SEEDS.md claim 12).
 * Evaluation is outside the timed part (TrainResult.seconds). `onTrained` sees each timed run's
 * network after its epoch.
 */
export function benchTraining(
  batchSizes: readonly number[] = [1, 16, 64, 256],
  { samples = trainingSetup.maxSamples, onTrained }: { samples?: number; onTrained?: (row: TrainingBenchRow, net: Network) => void } = {},
): TrainingBenchRow[] {
  const digits = benchDigits(samples);
  const kernels = kernelAvailability().flatMap(({ kernel }) => (kernel === undefined ? [] : [kernel]));
  const rows: TrainingBenchRow[] = [];
  const time = (batchSize: number, gradients: "vectorized" | "per-sample", sparseInputs = false) => {
    const options = {
      batchSize,
      gradients,
      sparseInputs,
      loss: "sum-of-squares",
      reduction: "mean",
      optimizer: { name: "sgd", lr: trainingSetup.lr },
      seed: trainingSetup.shuffleSeed,
    } as const;
    train(benchNetwork(), digits, { ...options, budget: { samples: trainingSetup.warmUpSamples } }); // warm-up
    const net = benchNetwork();
    const result = train(net, digits, { ...options, budget: { epochs: 1 } });
    const row = {
      batchSize,
      gradients,
      kernel: gradients === "per-sample" ? "-" : result.kernel,
      workers: 1,
      sparse: result.sparse,
      samplesPerSecond: result.samples / result.seconds,
      seconds: result.seconds,
    };
    rows.push(row);
    onTrained?.(row, net);
  };
  for (const batchSize of batchSizes) {
    for (const kernel of kernels) {
      const previous = useKernel(kernel);
      try {
        time(batchSize, "vectorized");
        time(batchSize, "vectorized", true);
      } finally {
        useKernel(previous);
      }
    }
    time(batchSize, "per-sample");
  }
  return rows;
}
