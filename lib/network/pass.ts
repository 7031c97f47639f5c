import { gemm, sparseGemm } from "../matrix/gemm.js";
import { Matrix } from "../matrix/matrix.js";
import { addRowVector } from "../matrix/ops.js";
import { compressRows, createSparseRows, type SparseRows } from "../matrix/sparse.js";
import { type Network, sizesOf } from "./network.js";

/**
 * The buffers of one forward and backward pass over a batch of `rows` samples, allocated once
 * and reused by every batch of that size. Layer i maps acts[i] to acts[i + 1]; zs[i], dActs[i]
 * (∂L/∂acts[i + 1]) and deltas[i] (∂L/∂zs[i]) are all rows × (width of layer i).
 */
export interface Pass {
  readonly rows: number;
  readonly acts: Matrix[];
  readonly zs: Matrix[];
  readonly dActs: Matrix[];
  readonly deltas: Matrix[];
  /**
   * Set in a pass made with { sparseInput: true }: the first layer's two products with the input,
   * z = act·weights and dWeights = actᵀ·delta, skip the input's exact zeros (sparseGemm).
   */
  readonly sparseInput?: SparseInput;
}

/** The nonzeros of acts[0] (filled by forward) and of its transpose (filled by backward). */
export interface SparseInput {
  readonly byRow: SparseRows;
  readonly byColumn: SparseRows;
}

export interface PassOptions {
  /** Skip the input's zeros in the first layer (lib/matrix/sparse.ts says when that pays). Default false. */
  sparseInput?: boolean;
}

export function createPass(net: Network, rows: number, { sparseInput = false }: PassOptions = {}): Pass {
  if (!Number.isInteger(rows) || rows <= 0) throw new RangeError(`createPass: rows must be a positive integer, got ${rows}`);
  const sizes = sizesOf(net);
  const widths = sizes.slice(1);
  const make = () => widths.map((width) => new Matrix(rows, width));
  const pass = { rows, acts: [new Matrix(rows, sizes[0]), ...make()], zs: make(), dActs: make(), deltas: make() };
  if (!sparseInput) return pass;
  return { ...pass, sparseInput: { byRow: createSparseRows(rows, sizes[0]), byColumn: createSparseRows(sizes[0], rows) } };
}

export interface ForwardOptions {
  /**
   * The caller has already filled pass.sparseInput.byRow with the input's nonzeros (train gathers
   * them from its dataset's, compressed once), so forward does not compress the input again; the
   * first layer then reads only those nonzeros, never acts[0].
   */
  nonzerosFilled?: boolean;
}

/**
 * Forward pass of a batch (CLAIMS.md claims 1–2): z = act·weights + bias, a = f(z), layer by layer.
 * The input is copied into the pass, so acts[0] is the batch; returns the output acts[L].
 */
export function forward(net: Network, input: Matrix, pass: Pass = createPass(net, input.rows), { nonzerosFilled = false }: ForwardOptions = {}): Matrix {
  const nIn = net.layers[0].weights.rows;
  if (input.cols !== nIn) throw new RangeError(`forward: input is ${input.shape}, the network takes ${nIn} inputs per row`);
  if (input.rows !== pass.rows) throw new RangeError(`forward: input has ${input.rows} rows, the pass was made for ${pass.rows}`);
  if (input !== pass.acts[0]) pass.acts[0].data.set(input.data);
  const sparse = pass.sparseInput;
  if (sparse !== undefined && !nonzerosFilled) compressRows(pass.acts[0], sparse.byRow);
  net.layers.forEach((layer, i) => {
    const z = pass.zs[i];
    if (i === 0 && sparse !== undefined) sparseGemm(sparse.byRow, layer.weights, z);
    else gemm(pass.acts[i], layer.weights, z);
    addRowVector(z, layer.bias);
    layer.activation.forward(z.data, pass.acts[i + 1].data, z.cols);
  });
  return pass.acts[net.layers.length];
}
