import { blobs, createNetwork, kernelAvailability, loadDigits, train, useKernel } from "batchprop";

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
 * Samples per second for one epoch over the mnist package's 10,000 digits, 784-100-10 sigmoid,
 * sum of squares, SGD: the vectorized backward pass on every gemm kernel that loads, dense and
 * skipping the inputs' zeros, against the
 * loop over batch items (SEEDS.md claim 12). Evaluation is outside the timed part (TrainResult.seconds).
 */
export function benchTraining(batchSizes: readonly number[] = [1, 16, 64, 256]): TrainingBenchRow[] {
  const { train: digits } = loadDigits({ train: 10_000, test: 0 });
  const kernels = kernelAvailability().flatMap(({ kernel }) => (kernel === undefined ? [] : [kernel]));
  const rows: TrainingBenchRow[] = [];
  const time = (batchSize: number, gradients: "vectorized" | "per-sample", sparseInputs = false) => {
    const options = { batchSize, gradients, sparseInputs, optimizer: { name: "sgd" as const, lr: 0.1 } };
    train(createNetwork({ sizes: [784, 100, 10], rng: 1 }), digits, { ...options, budget: { samples: 1000 } }); // warm-up
    const result = train(createNetwork({ sizes: [784, 100, 10], rng: 1 }), digits, { ...options, budget: { epochs: 1 } });
    rows.push({ batchSize, gradients, kernel: gradients === "per-sample" ? "-" : result.kernel, sparse: result.sparse, workers: result.workers, samplesPerSecond: result.samples / result.seconds, seconds: result.seconds });
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
