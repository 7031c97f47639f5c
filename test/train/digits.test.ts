import { describe, expect, it } from "vitest";
import { createNetwork, loadDigits, train } from "../../lib/index.ts";

/*
 * Nielsen's set-up: 784-30-10 sigmoid, sum of squares, mean reduction, η = 3, B = 10, weights and
 * biases from N(0, 1), here on 8,000/2,000 of the mnist package's digits. N(0, 1) on 784 inputs
 * saturates many hidden units, and some runs stick near 80%: measured with seeds 0–5, this library
 * reached 81, 83, 89, 91, 90, 92% at epoch 8 and a numpy version 90, 91, 91, 91, 80, 91% (the two
 * agree to 5e-14 in every weight when given the same initial weights and batch order). Seeds 2–4 are
 * runs that learn; the test guards that they still do.
 */
describe("MNIST digits, Nielsen's 784-30-10", () => {
  it.each([2, 3, 4])("seed %i reaches 88% test accuracy within 8 epochs", (seed) => {
    const { train: data, test } = loadDigits({ train: 8000, test: 2000, seed });
    const net = createNetwork({ sizes: [784, 30, 10], activation: "sigmoid", init: "normal", biasInit: "normal", rng: seed });
    const result = train(net, data, {
      test,
      loss: "sum-of-squares",
      reduction: "mean",
      optimizer: { name: "sgd", lr: 3 },
      batchSize: 10,
      budget: { epochs: 8 },
      seed,
    });
    const accuracies = result.epochs.map((r) => r.testAccuracy!);
    expect(accuracies).toHaveLength(8);
    expect(Math.max(...accuracies), `test accuracy per epoch: ${accuracies.join(", ")}`).toBeGreaterThanOrEqual(0.88);
  });
});
