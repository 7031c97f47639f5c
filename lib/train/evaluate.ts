import { type Dataset, labelsOf } from "../data/dataset.js";
import type { Loss } from "../losses/loss.js";
import type { Network } from "../network/network.js";
import { gatherSparseRows, type SparseRows } from "../matrix/sparse.js";
import { createPass, forward, type Pass } from "../network/pass.js";

export interface Evaluation {
  /** Mean per-sample loss (1/N) Σ_k ℓ_k, whatever reduction trains the network. */
  loss: number;
  /** Fraction of rows whose predicted class equals the target's. */
  accuracy: number;
}

/** Chunks of rows forwarded at a time, so evaluation memory stays bounded. */
export const evaluationChunkRows = 1000;

/**
 * Loss and accuracy of `net` over all of `data`, forwarded in chunks. Given `inputNonzeros`, the
 * nonzeros of data.inputs compressed once (compressRows), the first layer skips the inputs' zeros:
 * each chunk's rows are gathered from them, and the dense inputs are never copied (evaluation
 * ran at about twice the speed of compressing every chunk afresh, on the digits).
 */
export function evaluate(net: Network, data: Dataset, loss: Loss, passes: Map<number, Pass> = new Map(), inputNonzeros?: SparseRows): Evaluation {
  const { inputs, targets } = data;
  const truth = labelsOf(targets);
  const sparseInput = inputNonzeros !== undefined;
  let total = 0;
  let correct = 0;
  for (let start = 0; start < inputs.rows; start += evaluationChunkRows) {
    const rows = Math.min(evaluationChunkRows, inputs.rows - start);
    let pass = passes.get(rows);
    if (pass === undefined || (pass.sparseInput !== undefined) !== sparseInput) passes.set(rows, (pass = createPass(net, rows, { sparseInput })));
    if (pass.sparseInput !== undefined) gatherSparseRows(inputNonzeros!, null, start, pass.sparseInput.byRow);
    else pass.acts[0].data.set(inputs.data.subarray(start * inputs.cols, (start + rows) * inputs.cols));
    const output = forward(net, pass.acts[0], pass, { nonzerosFilled: sparseInput });
    const target = targets.data.subarray(start * targets.cols, (start + rows) * targets.cols);
    total += loss.total(output.data, target, output.cols);
    const predicted = labelsOf(output);
    for (let k = 0; k < rows; k++) if (predicted[k] === truth[start + k]) correct++;
  }
  return { loss: total / inputs.rows, accuracy: correct / inputs.rows };
}
