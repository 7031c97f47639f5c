import { createNetwork, loadDigits, train } from "batchprop";

export interface TrainingBenchRow {
  batchSize: number;
  gradients: "vectorized" | "per-sample";
  samplesPerSecond: number;
  seconds: number;
}

/**
 * Samples per second for one epoch over the mnist package's 10,000 digits, 784-100-10 sigmoid,
 * sum of squares, SGD: the vectorized backward pass against the loop over batch items
 * (SEEDS.md claim 12). Evaluation is outside the timed part (TrainResult.seconds).
 */
export function benchTraining(batchSizes: readonly number[] = [1, 16, 64, 256]): TrainingBenchRow[] {
  const { train: digits } = loadDigits({ train: 10_000, test: 0 });
  const rows: TrainingBenchRow[] = [];
  for (const gradients of ["vectorized", "per-sample"] as const) {
    for (const batchSize of batchSizes) {
      const options = { batchSize, gradients, optimizer: { name: "sgd" as const, lr: 0.1 } };
      train(createNetwork({ sizes: [784, 100, 10], rng: 1 }), digits, { ...options, budget: { samples: 1000 } }); // warm-up
      const result = train(createNetwork({ sizes: [784, 100, 10], rng: 1 }), digits, { ...options, budget: { epochs: 1 } });
      rows.push({ batchSize, gradients, samplesPerSecond: result.samples / result.seconds, seconds: result.seconds });
    }
  }
  return rows;
}
