/**
 * What the main thread and the worker threads of a parallel train() share (Node only): the shared
 * memory's layout, how a batch is cut into shards, and the set-up each worker rebuilds its view
 * of the network and the data from. Nothing here is copied per step: every array is a view of a
 * SharedArrayBuffer, handed to the workers once.
 */
import { type ActivationName, activationByName } from "../activations/activation.js";
import type { Dataset } from "../data/dataset.js";
import { type LossName, lossByName, type Reduction } from "../losses/loss.js";
import { Matrix } from "../matrix/matrix.js";
import type { SparseRows } from "../matrix/sparse.js";
import type { Gradients } from "../network/gradients.js";
import type { Network } from "../network/network.js";
import type { Objective } from "../network/objective.js";

/** Slots of the control array (Int32), each changed with Atomics. */
export const slot = {
  /** Bumped by the main thread to start a step (or to stop): workers wait on it. */
  generation: 0,
  /** Rows of the step's batch. */
  rows: 1,
  /** Workers finished with the step: the main thread waits on it. */
  done: 2,
  /** Workers ready after loading: the main thread waits on it once. */
  ready: 3,
  /** Set by a worker whose set-up or step threw; its message waits on the failure port. */
  failed: 4,
  /** Set with the last generation: workers leave their loop. */
  stop: 5,
} as const;
export const controlSlots = 6;

/** Structured clone keeps a Matrix's fields, not its class. */
interface SharedMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Everything a worker needs, handed over once as its workerData. */
export interface WorkerSetup {
  /** This worker's shard of every batch: 1 … shards − 1 (the main thread computes shard 0). */
  readonly shard: number;
  readonly shards: number;
  /** The gemm kernel the main thread multiplies through. */
  readonly kernel: string;
  readonly layers: readonly { readonly weights: SharedMatrix; readonly bias: Float64Array; readonly activation: ActivationName }[];
  readonly loss: LossName;
  readonly reduction: Reduction;
  readonly inputs: SharedMatrix;
  readonly targets: SharedMatrix;
  readonly inputNonzeros?: SparseRows;
  /** The step's batch: row indices into the data, written by the main thread before each step. */
  readonly order: Int32Array;
  readonly control: Int32Array;
  /** Each worker's summed loss Σℓ over its shard, at totals[shard − 1]. */
  readonly totals: Float64Array;
  /** This worker's gradient, which the main thread adds to its own. */
  readonly dWeights: readonly SharedMatrix[];
  readonly dBias: readonly Float64Array[];
}

/** Rows start … start + count − 1 of a batch of `rows`: the first rows mod shards shards take one more. */
export function shardOf(rows: number, shards: number, shard: number): { start: number; count: number } {
  const base = Math.floor(rows / shards);
  const extra = rows % shards;
  return { start: shard * base + Math.min(shard, extra), count: base + (shard < extra ? 1 : 0) };
}

export function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

export function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT));
}

/** `values` itself when already in shared memory, else a copy there. */
export function inShared<T extends Float64Array | Int32Array>(values: T): T {
  if (values.buffer instanceof SharedArrayBuffer) return values;
  const copy = (values instanceof Float64Array ? sharedFloat64(values.length) : sharedInt32(values.length)) as T;
  copy.set(values);
  return copy;
}

function sharedMatrix(m: Matrix): Matrix {
  return new Matrix(m.rows, m.cols, inShared(m.data));
}

/** A copy of `net` whose weights and biases live in shared memory: the weights every thread reads. */
export function shareNetwork(net: Network): Network {
  return { layers: net.layers.map((layer) => ({ weights: sharedMatrix(layer.weights), bias: inShared(layer.bias), activation: layer.activation })) };
}

/** The data in shared memory, once per run: every worker gathers its shard's rows from it. */
export function shareDataset(data: Dataset): Dataset {
  return { ...data, inputs: sharedMatrix(data.inputs), targets: sharedMatrix(data.targets) };
}

export function shareNonzeros(s: SparseRows): SparseRows {
  return { rows: s.rows, cols: s.cols, start: inShared(s.start), index: inShared(s.index), value: inShared(s.value) };
}

/** Gradient buffers in shared memory: a worker writes them, the main thread adds them up. */
export function sharedGradients(net: Network): Gradients {
  return {
    dWeights: net.layers.map(({ weights }) => new Matrix(weights.rows, weights.cols, sharedFloat64(weights.rows * weights.cols))),
    dBias: net.layers.map(({ bias }) => sharedFloat64(bias.length)),
  };
}

/** The worker's side of WorkerSetup: its network, data and gradients as the library's types, on the shared memory. */
export function rebuild(setup: WorkerSetup): { net: Network; data: Dataset; objective: Objective; grads: Gradients } {
  const matrix = (m: SharedMatrix) => new Matrix(m.rows, m.cols, m.data);
  return {
    net: { layers: setup.layers.map((layer) => ({ weights: matrix(layer.weights), bias: layer.bias, activation: activationByName(layer.activation) })) },
    data: { name: "shard", inputs: matrix(setup.inputs), targets: matrix(setup.targets) },
    objective: { loss: lossByName(setup.loss), reduction: setup.reduction },
    grads: { dWeights: setup.dWeights.map(matrix), dBias: [...setup.dBias] },
  };
}
