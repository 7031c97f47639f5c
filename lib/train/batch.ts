import type { Dataset } from "../data/dataset.js";
import { Matrix } from "../matrix/matrix.js";
import { gatherSparseRows, type SparseRows } from "../matrix/sparse.js";
import { backward } from "../network/backward.js";
import type { Gradients } from "../network/gradients.js";
import { type Network, sizesOf } from "../network/network.js";
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
