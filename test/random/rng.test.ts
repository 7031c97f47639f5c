import { describe, expect, it } from "vitest";
import { createRng } from "../../lib/random/rng.ts";

const draws = 100_000;

function take(n: number, draw: () => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = draw();
  return out;
}

function meanStd(xs: Float64Array): { mean: number; std: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

describe("createRng", () => {
  it("the same seed gives bit-identical streams, across all draw kinds", () => {
    const run = (seed: number) => {
      const rng = createRng(seed);
      return [...take(100, rng.uniform), ...take(101, rng.normal), ...take(100, () => rng.int(1000)), ...rng.shuffle([1, 2, 3, 4, 5, 6, 7, 8])];
    };
    expect(run(12345)).toEqual(run(12345));
    expect(run(2 ** 40 + 7)).toEqual(run(2 ** 40 + 7));
  });

  it("different seeds give different streams, including seeds that differ only above 32 bits", () => {
    const first = (seed: number) => Array.from(take(10, createRng(seed).uniform));
    expect(first(1)).not.toEqual(first(2));
    expect(first(0)).not.toEqual(first(1));
    expect(first(5)).not.toEqual(first(5 + 2 ** 32));
    expect(first(-1)).not.toEqual(first(1));
  });

  it("uniform lies in [0, 1) with mean ½ and variance 1/12", () => {
    const xs = take(draws, createRng(7).uniform);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const { mean, std } = meanStd(xs);
    // Standard error of the mean: √(1/12)/√1e5 ≈ 0.0009.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(std).toBeCloseTo(Math.sqrt(1 / 12), 2);
  });

  it("normal has mean 0 and std 1 over 1e5 draws, and both Box–Muller outputs are used", () => {
    const xs = take(draws, createRng(8).normal);
    const { mean, std } = meanStd(xs);
    // Standard errors ≈ 0.0032 (mean) and 0.0022 (std).
    expect(Math.abs(mean)).toBeLessThan(0.015);
    expect(Math.abs(std - 1)).toBeLessThan(0.015);
    // About 4.55% of N(0, 1) lies beyond ±2.
    const tails = xs.filter((x) => Math.abs(x) > 2).length / draws;
    expect(tails).toBeGreaterThan(0.04);
    expect(tails).toBeLessThan(0.051);
    expect(new Set(xs).size).toBe(draws);
  });

  it("int(n) covers 0…n−1 evenly", () => {
    const rng = createRng(9);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < draws; i++) counts[rng.int(10)]++;
    // Each count is Binomial(1e5, 0.1): std ≈ 95.
    for (const count of counts) expect(Math.abs(count - draws / 10)).toBeLessThan(500);
  });

  it("shuffle is an in-place permutation, and not the identity", () => {
    const rng = createRng(10);
    const values = Int32Array.from({ length: 100 }, (_, i) => i);
    expect(rng.shuffle(values)).toBe(values);
    expect(Array.from(values).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(values)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(rng.shuffle([])).toEqual([]);
    expect(rng.shuffle([7])).toEqual([7]);
  });

  it("shuffle puts each element in each position about equally often", () => {
    const rng = createRng(11);
    const firstPosition = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) firstPosition[rng.shuffle([0, 1, 2, 3])[0]]++;
    for (const count of firstPosition) expect(Math.abs(count - 10_000)).toBeLessThan(400);
  });

  it("rejects seeds that are not safe integers", () => {
    expect(() => createRng(1.5)).toThrow(new TypeError("createRng: seed must be a safe integer, got 1.5"));
    expect(() => createRng(Number.NaN)).toThrow(new TypeError("createRng: seed must be a safe integer, got NaN"));
    expect(() => createRng(2 ** 53)).toThrow(TypeError);
  });

  it("int rejects a bound that is not a positive integer", () => {
    const rng = createRng(0);
    expect(() => rng.int(0)).toThrow(new RangeError("Rng.int: n must be a positive integer, got 0"));
    expect(() => rng.int(2.5)).toThrow(new RangeError("Rng.int: n must be a positive integer, got 2.5"));
    expect(() => rng.int(-3)).toThrow(RangeError);
  });
});
