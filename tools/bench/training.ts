import { createNetwork, kernelAvailability, loadDigits, train, useKernel } from "batchprop";

export interface TrainingBenchRow {
  batchSize: number;
  gradients: "vectorized" | "per-sample";
  /** The gemm kernel the run multiplied through (the per-sample loop multiplies by its own loops). */
  kernel: string;
  /** Whether the first layer skipped the inputs' zeros (train's sparseInputs). */
  sparse: boolean;
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
    rows.push({ batchSize, gradients, kernel: gradients === "per-sample" ? "-" : result.kernel, sparse: result.sparse, samplesPerSecond: result.samples / result.seconds, seconds: result.seconds });
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
