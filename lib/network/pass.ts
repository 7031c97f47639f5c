import { gemm } from "../matrix/gemm.js";
import { Matrix } from "../matrix/matrix.js";
import { addRowVector } from "../matrix/ops.js";
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
}

export function createPass(net: Network, rows: number): Pass {
  if (!Number.isInteger(rows) || rows <= 0) throw new RangeError(`createPass: rows must be a positive integer, got ${rows}`);
  const widths = sizesOf(net).slice(1);
  const make = () => widths.map((width) => new Matrix(rows, width));
  return { rows, acts: [new Matrix(rows, sizesOf(net)[0]), ...make()], zs: make(), dActs: make(), deltas: make() };
}

/**
 * Forward pass of a batch (SEEDS.md claims 1–2): z = act·weights + bias, a = f(z), layer by layer.
 * The input is copied into the pass, so acts[0] is the batch; returns the output acts[L].
 */
export function forward(net: Network, input: Matrix, pass: Pass = createPass(net, input.rows)): Matrix {
  const nIn = net.layers[0].weights.rows;
  if (input.cols !== nIn) throw new RangeError(`forward: input is ${input.shape}, the network takes ${nIn} inputs per row`);
  if (input.rows !== pass.rows) throw new RangeError(`forward: input has ${input.rows} rows, the pass was made for ${pass.rows}`);
  if (input !== pass.acts[0]) pass.acts[0].data.set(input.data);
  net.layers.forEach((layer, i) => {
    const z = pass.zs[i];
    gemm(pass.acts[i], layer.weights, z);
    addRowVector(z, layer.bias);
    layer.activation.forward(z.data, pass.acts[i + 1].data, z.cols);
  });
  return pass.acts[net.layers.length];
}
