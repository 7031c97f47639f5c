/**
 * The gradient noise scale (McCandlish et al. 2018, "An Empirical Model of Large-Batch Training",
 * appendix A; notebook 11). With per-sample gradients g_k of mean G and covariance Σ, a batch of B
 * samples has the mean gradient G_B = (1/B) Σ_k g_k (CLAIMS.md claim 9), and
 *
 *   E|G_B|² = |G|² + tr(Σ)/B.
 *
 * Measured at two batch sizes, that is two linear equations in |G|² and tr(Σ): their solution is
 * unbiased for both, and B_simple = tr(Σ)/|G|² is the batch size at which the noise in G_B is as
 * large as the signal. Per-sample norms are the case B_small = 1.
 */
import { Matrix } from "../matrix/matrix.js";
import { density, sparseDensityLimit } from "../matrix/sparse.js";
import { addGradients, createGradients, gradientArrays, type Gradients } from "../network/gradients.js";
import { checkBatch, computeGradients } from "../network/backward.js";
import type { Network } from "../network/network.js";
import type { Objective } from "../network/objective.js";
import { createPass, type Pass } from "../network/pass.js";
import { perSampleGradientNorms } from "../network/per-sample-norms.js";
import { evaluationChunkRows } from "./evaluate.js";

export interface NoiseScale {
  /** Samples the estimate is from: the larger batch. */
  readonly batchSize: number;
  /** Unbiased estimate of |G|², the squared norm of the true gradient (negative when noise swamps it). */
  readonly gradientSquared: number;
  /** Unbiased estimate of tr(Σ), the trace of the per-sample gradients' covariance. */
  readonly trace: number;
  /** B_simple = tr(Σ) / |G|². */
  readonly simple: number;
}

/** |G_B|² of a batch size: the squared norm of a batch's mean gradient, averaged over its batches. */
export interface BatchGradientNorm {
  readonly batchSize: number;
  readonly squaredNorm: number;
}

/**
 * McCandlish's two-batch-size estimator: E|G_B|² = |G|² + tr(Σ)/B at B_small < B_big, solved:
 *   |G|² = (B_big |G_big|² − B_small |G_small|²) / (B_big − B_small)
 *   tr(Σ) = (|G_small|² − |G_big|²) / (1/B_small − 1/B_big)
 */
export function twoBatchNoiseScale(small: BatchGradientNorm, big: BatchGradientNorm): NoiseScale {
  for (const [what, { batchSize, squaredNorm }] of [["small", small], ["big", big]] as const) {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`twoBatchNoiseScale: the ${what} batch size must be a positive integer, got ${batchSize}`);
    if (!(Number.isFinite(squaredNorm) && squaredNorm >= 0)) throw new RangeError(`twoBatchNoiseScale: the ${what} batch's squared norm must be finite and non-negative, got ${squaredNorm}`);
  }
  if (small.batchSize >= big.batchSize) throw new RangeError(`twoBatchNoiseScale: the small batch (${small.batchSize}) must be smaller than the big one (${big.batchSize})`);
  const gradientSquared = (big.batchSize * big.squaredNorm - small.batchSize * small.squaredNorm) / (big.batchSize - small.batchSize);
  const trace = (small.squaredNorm - big.squaredNorm) / (1 / small.batchSize - 1 / big.batchSize);
  return { batchSize: big.batchSize, gradientSquared, trace, simple: trace / gradientSquared };
}

/**
 * The estimate from one batch's per-sample squared norms |g_k|² and the squared norm |G_B|² of its
 * mean gradient: the two-batch estimator with B_small = 1, whose |G_small|² is the mean of |g_k|².
 * Then tr(Σ) is the sample variance Σ_k |g_k − G_B|² / (B − 1).
 */
export function noiseScaleFromNorms(sampleSquaredNorms: ArrayLike<number>, meanGradientSquared: number): NoiseScale {
  const B = sampleSquaredNorms.length;
  if (B < 2) throw new RangeError(`noiseScaleFromNorms: need at least 2 samples, got ${B}`);
  let sum = 0;
  for (let k = 0; k < B; k++) sum += sampleSquaredNorms[k];
  return twoBatchNoiseScale({ batchSize: 1, squaredNorm: sum / B }, { batchSize: B, squaredNorm: meanGradientSquared });
}

/**
 * B_simple of `net` over all rows of `input` as one batch, from per-sample norms
 * (perSampleGradientNorms) and the rows' mean gradient, computed in chunks of evaluationChunkRows
 * rows so memory stays bounded: about three evaluations' work. Inputs as sparse as the digits skip
 * their zeros in the first layer, as train() does (`sparseInput`: a caller measuring the same inputs
 * again and again decides it once).
 */
export function gradientNoiseScale(net: Network, input: Matrix, target: Matrix, objective: Objective, sparseInput = density(input) <= sparseDensityLimit): NoiseScale {
  checkBatch(net, input, target);
  const rows = input.rows;
  const norms = new Float64Array(rows);
  const total = createGradients(net);
  const chunkGrads = createGradients(net);
  const passes = new Map<number, Pass>();
  for (let start = 0; start < rows; start += evaluationChunkRows) {
    const chunk = Math.min(evaluationChunkRows, rows - start);
    let pass = passes.get(chunk);
    if (pass === undefined) passes.set(chunk, (pass = createPass(net, chunk, { sparseInput })));
    norms.set(perSampleGradientNorms(net, rowsOf(input, start, chunk), rowsOf(target, start, chunk), objective, pass, chunkGrads), start);
    addGradients(total, chunkGrads);
  }
  return noiseScaleFromNorms(norms, squaredNorm(total) / (rows * rows));
}

/**
 * The two-batch estimator on `net`: the big batch is all rows of `input`, the small batches its
 * consecutive shards of `smallBatch` rows (rows a multiple of it, two shards or more); |G_small|²
 * is the mean over the shards of their mean gradient's squared norm.
 */
export function twoBatchGradientNoiseScale(net: Network, input: Matrix, target: Matrix, objective: Objective, smallBatch: number): NoiseScale {
  checkBatch(net, input, target);
  const rows = input.rows;
  if (!Number.isInteger(smallBatch) || smallBatch < 1 || rows % smallBatch !== 0 || rows / smallBatch < 2) {
    throw new RangeError(`twoBatchGradientNoiseScale: smallBatch must divide the ${rows} rows into two or more shards, got ${smallBatch}`);
  }
  const mean: Objective = { loss: objective.loss, reduction: "mean" };
  const pass = createPass(net, smallBatch);
  const shard = createGradients(net);
  const total = createGradients(net);
  let smallSquared = 0;
  for (let start = 0; start < rows; start += smallBatch) {
    computeGradients(net, rowsOf(input, start, smallBatch), rowsOf(target, start, smallBatch), mean, pass, shard);
    smallSquared += squaredNorm(shard);
    addGradients(total, shard, smallBatch / rows);
  }
  return twoBatchNoiseScale({ batchSize: smallBatch, squaredNorm: smallSquared / (rows / smallBatch) }, { batchSize: rows, squaredNorm: squaredNorm(total) });
}

/** B_simple measured during training (TrainOptions.noiseScaleEvery): after `step` steps, `epoch` epochs. */
export interface NoiseScaleRecord extends NoiseScale {
  readonly step: number;
  readonly epoch: number;
  /** What this measurement took. */
  readonly seconds: number;
}

/** Rows [from, from + count) of m, sharing its storage. */
function rowsOf(m: Matrix, from: number, count: number): Matrix {
  return new Matrix(count, m.cols, m.data.subarray(from * m.cols, (from + count) * m.cols));
}

function squaredNorm(grads: Gradients): number {
  let sum = 0;
  for (const values of gradientArrays(grads)) for (let p = 0; p < values.length; p++) sum += values[p] * values[p];
  return sum;
}
