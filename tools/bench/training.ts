import { blobs, createNetwork, kernelAvailability, loadDigits, train, useKernel, type Dataset, type Network } from "batchprop";

export interface TrainingBenchRow {
  batchSize: number;
  gradients: "vectorized" | "per-sample";
  /** The gemm kernel the run multiplied through (the per-sample loop multiplies by its own loops). */
  kernel: string;
  /** Whether the first layer skipped the inputs' zeros (train's sparseInputs). */
  sparse: boolean;
  /** Threads splitting each batch (train's workers). */
  workers: number;
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
 * Samples per second for one epoch over `digits` (benchDigits), 784-100-10
 * sigmoid, sum of squares, SGD: the vectorized backward pass on every gemm kernel that loads, dense
 * and skipping the inputs' zeros, against the loop over batch items (CLAIMS.md claim 12).
 * Evaluation is outside the timed part (TrainResult.seconds). `onTrained` sees each timed run's
 * network after its epoch.
 */
export function benchTraining(
  batchSizes: readonly number[] = [1, 16, 64, 256],
  { digits, onTrained }: { digits: Dataset; onTrained?: (row: TrainingBenchRow, net: Network) => void },
): TrainingBenchRow[] {
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
      workers: result.workers,
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

export interface WorkersBenchRow {
  batchSize: number;
  workers: number;
  /** The median of the repeats, each one epoch of the 10,000 digits (default kernel, sparse inputs). */
  samplesPerSecond: number;
  /** Over 1 worker at the same B. */
  speedUp: number;
}

/**
 * 2 workers against 1 on one epoch of the digits, 784-100-10, the default kernel and sparse
 * inputs: the runs interleaved (1, 2, 1, 2, …) and repeated, so a change in the machine's load
 * falls on both; each row the median of its repeats.
 */
export function benchWorkers(batchSizes: readonly number[] = [16, 64, 256, 1024], repeats = 5): WorkersBenchRow[] {
  const { train: digits } = loadDigits({ train: 10_000, test: 0 });
  const threads = [1, 2];
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return batchSizes.flatMap((batchSize) => {
    const speeds = threads.map((): number[] => []);
    for (let r = 0; r < repeats; r++) {
      threads.forEach((workers, t) => {
        const result = train(createNetwork({ sizes: [784, 100, 10], rng: 1 }), digits, { batchSize, workers, optimizer: { name: "sgd", lr: 0.1 } });
        speeds[t].push(result.samples / result.seconds);
      });
    }
    const base = median(speeds[0]);
    return threads.map((workers, t) => ({ batchSize, workers, samplesPerSecond: median(speeds[t]), speedUp: median(speeds[t]) / base }));
  });
}

/**
 * What a step's fork and join cost: µs per step of a 2-2-2 network at B = 2, whose gradient
 * costs next to nothing, with 2 workers less with 1 (median of interleaved repeats).
 */
export function benchSync(steps = 20_000, repeats = 5): { workers: number; microsecondsPerStep: number; forkJoinMicroseconds: number }[] {
  const data = blobs({ samples: 1000, classes: 2, seed: 1 });
  const perStep = (workers: number) => {
    const result = train(createNetwork({ sizes: [2, 2, 2], rng: 1 }), data, { batchSize: 2, workers, budget: { steps }, optimizer: { name: "sgd", lr: 0.1 } });
    return (1e6 * result.seconds) / result.steps;
  };
  const times = [[], []] as number[][];
  for (let r = 0; r < repeats; r++) [1, 2].forEach((workers, t) => times[t].push(perStep(workers)));
  const [one, two] = times.map((values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]);
  return [{ workers: 2, microsecondsPerStep: two, forkJoinMicroseconds: two - one }];
}
