import type { Dataset } from "../data/dataset.js";
import { reductionScale } from "../losses/loss.js";
import { Matrix } from "../matrix/matrix.js";
import { gatherSparseRows, type SparseRows } from "../matrix/sparse.js";
import { backward } from "../network/backward.js";
import { createGradients, gradientArrays, type Gradients } from "../network/gradients.js";
import { type Network, sizesOf } from "../network/network.js";
import { accumulatePerSample, createSampleVectors } from "../network/per-sample.js";
import type { Objective } from "../network/objective.js";
import { createPass, forward, type Pass } from "../network/pass.js";

/** The buffers of one batch (or one shard of a batch): its inputs and targets, and its pass. */
export interface Batch {
  input: Matrix;
  target: Matrix;
  pass: Pass;
}

export function createBatch(net: Network, rows: number, sparseInput: boolean): Batch {
  const pass = createPass(net, rows, { sparseInput });
  const sizes = sizesOf(net);
  return { input: pass.acts[0], target: new Matrix(rows, sizes[sizes.length - 1]), pass };
}

/** Copies rows order[from …] of `source` into `into`, as many as it has rows. */
export function gatherRows(source: Matrix, order: Int32Array, from: number, into: Matrix): void {
  const { cols } = source;
  for (let r = 0; r < into.rows; r++) {
    const i = order[from + r];
    into.data.set(source.data.subarray(i * cols, (i + 1) * cols), r * cols);
  }
}

/**
 * The vectorized gradient of rows order[from … from + batch.rows) of `data` into `grads`, scaled
 * for a batch of `batchRows` rows (a shard's share of the batch's mean; CLAIMS.md claim 10);
 * returns the rows' summed loss Σ_k ℓ_k. Given `inputNonzeros` (the inputs compressed once) and a
 * batch made sparse, the first layer reads the gathered nonzeros instead of the dense rows.
 */
export function batchGradient(
  net: Network,
  data: Dataset,
  inputNonzeros: SparseRows | undefined,
  order: Int32Array,
  from: number,
  batch: Batch,
  objective: Objective,
  grads: Gradients,
  batchRows: number,
): number {
  const byRow = batch.pass.sparseInput?.byRow;
  const nonzerosFilled = inputNonzeros !== undefined && byRow !== undefined;
  // The first layer then reads only the gathered nonzeros (forward, backward): the dense rows are not needed.
  if (nonzerosFilled) gatherSparseRows(inputNonzeros, order, from, byRow);
  else gatherRows(data.inputs, order, from, batch.input);
  gatherRows(data.targets, order, from, batch.target);
  const output = forward(net, batch.input, batch.pass, { nonzerosFilled });
  const total = objective.loss.total(output.data, batch.target.data, output.cols);
  backward(net, batch.pass, batch.target, objective, grads, { batchRows });
  return total;
}

/** What train() has checked and decided, from which each batch's gradient is computed. */
export interface TrainSetup {
  readonly net: Network;
  readonly data: Dataset;
  readonly objective: Objective;
  readonly batchSize: number;
  /** Rows of the partial last batch of an epoch, 0 when there is none. */
  readonly remainder: number;
  readonly gradients: "vectorized" | "per-sample";
  /** The training inputs' nonzeros, compressed once, when the first layer skips the inputs' zeros. */
  readonly inputNonzeros?: SparseRows;
}

/** What computes each batch's gradient: singleThread here, or the worker threads of lib/train/parallel.ts. */
export interface BatchGradients {
  /** Threads computing each gradient. */
  readonly workers: number;
  /** Where step() leaves the gradient, in the order of parameters(net). */
  readonly gradArrays: Float64Array[];
  /** The gradient of the batch of rows order[from … from + rows) into gradArrays; returns the batch's loss L. */
  step(order: Int32Array, from: number, rows: number): number;
  /** Releases what it holds; called however training ends. */
  close(): void;
}

/**
 * Each batch's gradient on this thread: vectorized, or the per-sample loop the seeds compare against.
 * A batch of other than B rows (the partial last one, or what is left of an epoch after a session
 * changed B) gets buffers of its size, kept until another size comes.
 */
export function singleThread({ net, data, objective, batchSize, remainder, gradients, inputNonzeros }: TrainSetup): BatchGradients {
  const sparse = inputNonzeros !== undefined;
  const full = createBatch(net, batchSize, sparse);
  let partial = remainder > 0 ? createBatch(net, remainder, sparse) : undefined;
  const grads = createGradients(net);
  const sampleVectors = gradients === "per-sample" ? createSampleVectors(net) : undefined;
  return {
    workers: 1,
    gradArrays: gradientArrays(grads),
    step(order, from, rows) {
      if (rows !== batchSize && partial?.input.rows !== rows) partial = createBatch(net, rows, sparse);
      const batch = rows === batchSize ? full : partial!;
      if (sampleVectors === undefined) return reductionScale(objective.reduction, rows) * batchGradient(net, data, inputNonzeros, order, from, batch, objective, grads, rows);
      gatherRows(data.inputs, order, from, batch.input);
      gatherRows(data.targets, order, from, batch.target);
      return accumulatePerSample(net, batch.input, batch.target, objective, grads, sampleVectors);
    },
    close() {},
  };
}
