import { describe, expect, it } from "vitest";
import {
  blobs,
  density,
  sparseDensityLimit,
  createNetwork,
  createRng,
  gradientNoiseScale,
  gradientVector,
  lossByName,
  Matrix,
  noiseScaleFromNorms,
  parameterVector,
  perSampleGradients,
  train,
  twoBatchGradientNoiseScale,
  twoBatchNoiseScale,
  type Network,
  type Objective,
} from "../../lib/index.ts";
import { randomDistributions, randomUniform } from "../helpers.ts";

/** Every sample's gradient g_k, formed in full by the per-sample pass on its row alone. */
function perSampleVectors(net: Network, input: Matrix, target: Matrix, objective: Objective): Float64Array[] {
  return Array.from({ length: input.rows }, (_, k) => gradientVector(perSampleGradients(net, Matrix.rowVector(input.row(k)), Matrix.rowVector(target.row(k)), objective).grads));
}

function meanOf(vectors: Float64Array[]): Float64Array {
  const mean = new Float64Array(vectors[0].length);
  for (const v of vectors) v.forEach((x, p) => (mean[p] += x / vectors.length));
  return mean;
}

const dot = (a: Float64Array, b: Float64Array) => a.reduce((sum, x, p) => sum + x * b[p], 0);
const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));

/**
 * A network and a batch of 2,300 rows: three chunks of gradientNoiseScale, the last partial. Sparse:
 * four inputs in five zero, as sparse as the digits, so the first layer skips them.
 */
function digitsLike({ sparse = false } = {}) {
  const net = createNetwork({ sizes: [6, 7, 4], activation: "tanh", outputActivation: "softmax", init: "xavier", rng: 5 });
  const input = randomUniform(2300, 6, 51);
  if (sparse) input.data.forEach((_, p) => p % 5 !== 0 && (input.data[p] = 0));
  return { net, input, target: randomDistributions(2300, 4, 52), objective: { loss: lossByName("cross-entropy"), reduction: "mean" } as Objective };
}

describe("gradientNoiseScale against every per-sample gradient formed in full", () => {
  it.each([false, true])("|G|², tr(Σ) and B_simple equal the brute-force unbiased estimates within 1e-10 relative (sparse inputs: %s)", (sparse) => {
    const { net, input, target, objective } = digitsLike({ sparse });
    expect(density(input) <= sparseDensityLimit).toBe(sparse);
    const g = perSampleVectors(net, input, target, objective);
    const B = g.length;
    const mean = meanOf(g);
    // tr(Σ) unbiased: the sample covariance's trace, Σ_k |g_k − ḡ|² / (B − 1); |G|² = |ḡ|² − tr(Σ)/B.
    const trace = g.reduce((sum, v) => sum + v.reduce((s, x, p) => s + (x - mean[p]) ** 2, 0), 0) / (B - 1);
    const gradientSquared = dot(mean, mean) - trace / B;
    const estimate = gradientNoiseScale(net, input, target, objective);
    expect(estimate.batchSize).toBe(B);
    expect(relative(estimate.trace, trace)).toBeLessThanOrEqual(1e-10);
    expect(relative(estimate.gradientSquared, gradientSquared)).toBeLessThanOrEqual(1e-10);
    expect(relative(estimate.simple, trace / gradientSquared)).toBeLessThanOrEqual(1e-10);
  });

  it("twoBatchGradientNoiseScale equals the estimator on shard means formed from the per-sample gradients", () => {
    const { net, input, target, objective } = digitsLike();
    const g = perSampleVectors(net, input, target, objective);
    const small = 23;
    const shards = Array.from({ length: g.length / small }, (_, s) => meanOf(g.slice(s * small, (s + 1) * small)));
    const smallSquared = shards.reduce((sum, v) => sum + dot(v, v), 0) / shards.length;
    const all = meanOf(g);
    const big = dot(all, all);
    const B = g.length;
    const estimate = twoBatchGradientNoiseScale(net, input, target, objective, small);
    expect(relative(estimate.gradientSquared, (B * big - small * smallSquared) / (B - small))).toBeLessThanOrEqual(1e-10);
    expect(relative(estimate.trace, (smallSquared - big) / (1 / small - 1 / B))).toBeLessThanOrEqual(1e-10);
  });

  it("refuses a small batch that does not cut the rows into two or more shards", () => {
    const { net, input, target, objective } = digitsLike();
    expect(() => twoBatchGradientNoiseScale(net, input, target, objective, 7)).toThrow(/smallBatch must divide the 2300 rows into two or more shards, got 7/);
    expect(() => twoBatchGradientNoiseScale(net, input, target, objective, 2300)).toThrow(/two or more shards, got 2300/);
  });
});

describe("the estimators' algebra", () => {
  it("recover |G|² and tr(Σ) from exact expectations E|G_B|² = |G|² + tr(Σ)/B", () => {
    const G2 = 2.5;
    const trace = 37;
    const at = (batchSize: number) => ({ batchSize, squaredNorm: G2 + trace / batchSize });
    const estimate = twoBatchNoiseScale(at(4), at(64));
    expect(relative(estimate.gradientSquared, G2)).toBeLessThanOrEqual(1e-12);
    expect(relative(estimate.trace, trace)).toBeLessThanOrEqual(1e-12);
    expect(relative(estimate.simple, trace / G2)).toBeLessThanOrEqual(1e-12);
  });

  it("refuse sizes in the wrong order, non-integer sizes, negative norms and too few samples", () => {
    expect(() => twoBatchNoiseScale({ batchSize: 8, squaredNorm: 1 }, { batchSize: 8, squaredNorm: 1 })).toThrow(/small batch \(8\) must be smaller than the big one \(8\)/);
    expect(() => twoBatchNoiseScale({ batchSize: 1.5, squaredNorm: 1 }, { batchSize: 8, squaredNorm: 1 })).toThrow(/small batch size must be a positive integer, got 1.5/);
    expect(() => twoBatchNoiseScale({ batchSize: 1, squaredNorm: 1 }, { batchSize: 8, squaredNorm: -1 })).toThrow(/big batch's squared norm must be finite and non-negative, got -1/);
    expect(() => noiseScaleFromNorms([3], 1)).toThrow(/at least 2 samples, got 1/);
  });
});

describe("a known answer: a linear model on Gaussian data", () => {
  // x ~ N(0, I_d), t = x W* + b* + σε. At weights W = W* + D, bias b = b* + c, the residual is
  // r = xD + c − σε, the per-sample gradient (xᵀr, r), and (Isserlis) E|x|²|r|² = d E|r|² + 2|D|², so
  //   |G|² = |D|² + |c|²,   tr(Σ) = (d + 1)(|D|² + mσ² + |c|²) + |D|² − |c|².
  it("B_simple from 200,000 samples is within 2% of tr(Σ)/|G|² in closed form", () => {
    const d = 3;
    const m = 2;
    const sigma = 0.5;
    const N = 200_000;
    const rng = createRng(11);
    const net = createNetwork({ sizes: [d, m], activation: "identity", rng: 12 });
    const star = createNetwork({ sizes: [d, m], activation: "identity", rng: 13 });
    const input = new Matrix(N, d);
    const target = new Matrix(N, m);
    for (let k = 0; k < N; k++) {
      for (let i = 0; i < d; i++) input.set(k, i, rng.normal());
      for (let j = 0; j < m; j++) {
        let t = star.layers[0].bias[j] + sigma * rng.normal();
        for (let i = 0; i < d; i++) t += input.get(k, i) * star.layers[0].weights.get(i, j);
        target.set(k, j, t);
      }
    }
    const squaredDistance = (a: Float64Array, b: Float64Array) => a.reduce((sum, x, p) => sum + (x - b[p]) ** 2, 0);
    const D2 = squaredDistance(net.layers[0].weights.data, star.layers[0].weights.data);
    const c2 = squaredDistance(net.layers[0].bias, star.layers[0].bias);
    const G2 = D2 + c2;
    const trace = (d + 1) * (D2 + m * sigma ** 2 + c2) + D2 - c2;
    const estimate = gradientNoiseScale(net, input, target, { loss: lossByName("sum-of-squares"), reduction: "mean" });
    expect(relative(estimate.gradientSquared, G2)).toBeLessThanOrEqual(0.02);
    expect(relative(estimate.trace, trace)).toBeLessThanOrEqual(0.02);
    expect(relative(estimate.simple, trace / G2)).toBeLessThanOrEqual(0.02);
  });
});

describe("train's noiseScaleEvery", () => {
  const data = blobs({ samples: 120, classes: 3, dims: 4, seed: 1 });
  const net = () => createNetwork({ sizes: [4, 5, 3], activation: "tanh", outputActivation: "softmax", init: "xavier", rng: 2 });
  const options = { loss: "cross-entropy", batchSize: 8, budget: { steps: 25 }, optimizer: { name: "sgd", lr: 0.5 } } as const;
  const objective: Objective = { loss: lossByName("cross-entropy"), reduction: "mean" };

  it("measures B_simple over the training set at step 0 and every N steps, equal to gradientNoiseScale at those weights", () => {
    const result = train(net(), data, { ...options, noiseScaleEvery: 10 });
    expect(result.noiseScales!.map((r) => r.step)).toEqual([0, 10, 20]);
    for (const record of result.noiseScales!) {
      const at = net();
      if (record.step > 0) train(at, data, { ...options, budget: { steps: record.step } });
      const expected = gradientNoiseScale(at, data.inputs, data.targets, objective);
      expect(record).toMatchObject({ ...expected, epoch: record.step / 15 });
    }
    expect(new Set(result.noiseScales!.map((r) => r.simple)).size).toBe(3);
  });

  it("leaves training bit-identical, reports its own time outside training's, and is off by default", () => {
    const plain = net();
    const measured = net();
    const off = train(plain, data, options);
    const on = train(measured, data, { ...options, noiseScaleEvery: 5 });
    expect(parameterVector(measured)).toEqual(parameterVector(plain));
    expect(off.noiseScales).toBeUndefined();
    expect(off.noiseScaleSeconds).toBeUndefined();
    expect(on.noiseScales!.length).toBe(6);
    expect(on.noiseScaleSeconds).toBeCloseTo(on.noiseScales!.reduce((sum, r) => sum + r.seconds, 0), 12);
    expect(on.noiseScales!.every((r) => r.seconds > 0)).toBe(true);
  });

  it("measures on the shared weights when the batch is split across worker threads", () => {
    const split = train(net(), data, { ...options, noiseScaleEvery: 10, workers: 1 });
    const alone = train(net(), data, { ...options, noiseScaleEvery: 10 });
    expect(split.noiseScales!.map((r) => r.simple)).toEqual(alone.noiseScales!.map((r) => r.simple));
  });

  it("refuses a count that is not a non-negative integer", () => {
    expect(() => train(net(), data, { ...options, noiseScaleEvery: 2.5 })).toThrow("train: noiseScaleEvery must be a non-negative integer, got 2.5");
    expect(() => train(net(), data, { ...options, noiseScaleEvery: -1 })).toThrow(/noiseScaleEvery must be a non-negative integer, got -1/);
  });
});
