import { describe, expect, it, vi } from "vitest";

// This machine may have 2 cores; the thread-per-helper wiring must hold for more. The library asks
// node:os how many cores there are, so the test says 4 (the threads then share the real cores).
vi.mock("node:os", async (original) => ({ ...(await original<typeof import("node:os")>()), availableParallelism: () => 4 }));

const { createNetwork, loadDigits, parameterVector, train } = await import("../../lib/index.ts");

describe("train with more than two workers", () => {
  it("starts, trains and stops 4 workers, equal to one thread within 1e-12", () => {
    const { train: digits } = loadDigits({ train: 512, test: 8, seed: 1 });
    const options = { batchSize: 64, optimizer: { name: "sgd" as const, lr: 3 }, budget: { steps: 8 } };
    const one = createNetwork({ sizes: [784, 30, 10], rng: 2 });
    const four = createNetwork({ sizes: [784, 30, 10], rng: 2 });
    train(one, digits, options);
    const result = train(four, digits, { ...options, workers: 4 });
    expect(result.workers).toBe(4);
    const a = parameterVector(one);
    const b = parameterVector(four);
    // Normwise, as test/train/parallel.test.ts measures it: only the summation order differs.
    const scale = a.reduce((most, x) => Math.max(most, Math.abs(x)), 0);
    const worst = a.reduce((most, x, i) => Math.max(most, Math.abs(x - b[i])), 0);
    expect(worst / scale).toBeLessThanOrEqual(1e-12);
  });
});
