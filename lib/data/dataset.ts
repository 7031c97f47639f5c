import { assertFinite, Matrix } from "../matrix/matrix.js";
import { argmaxRows } from "../matrix/ops.js";
import type { Rng } from "../random/rng.js";

/** Samples as rows: `inputs` is N×n, `targets` N×m, row i of one belongs to row i of the other. */
export interface Dataset {
  readonly name: string;
  readonly inputs: Matrix;
  readonly targets: Matrix;
}

export interface Split {
  readonly train: Dataset;
  readonly test: Dataset;
}

/** An N×classes matrix with a 1 in column labels[i] of row i. */
export function oneHot(labels: ArrayLike<number>, classes: number): Matrix {
  if (!Number.isInteger(classes) || classes < 1) {
    throw new RangeError(`oneHot: classes must be a positive integer, got ${classes}`);
  }
  const out = new Matrix(labels.length, classes);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new RangeError(`oneHot: label ${i} is ${label}, expected an integer in [0, ${classes - 1}]`);
    }
    out.data[i * classes + label] = 1;
  }
  return out;
}

/**
 * The class of each row: the argmax of a one-hot (or softmax) row, or for a single-column
 * target (a sigmoid output) 1 when the value is ≥ 0.5.
 */
export function labelsOf(targets: Matrix): Int32Array {
  if (targets.cols === 0) throw new RangeError(`labelsOf: targets have no columns (${targets.shape})`);
  if (targets.cols > 1) return argmaxRows(targets);
  return Int32Array.from(targets.data, (value) => (value >= 0.5 ? 1 : 0));
}

/** Throws unless inputs and targets have the same number of rows (at least one) and every value is finite. */
export function validateDataset(data: Dataset): Dataset {
  const { name, inputs, targets } = data;
  if (inputs.rows !== targets.rows) {
    throw new RangeError(
      `dataset ${name}: inputs have ${inputs.rows} rows (${inputs.shape}), targets ${targets.rows} (${targets.shape})`,
    );
  }
  if (inputs.rows === 0) throw new RangeError(`dataset ${name}: no rows`);
  assertFinite(inputs, `dataset ${name}: inputs`);
  assertFinite(targets, `dataset ${name}: targets`);
  return data;
}

/** A new dataset holding copies of the given rows, in the given order. */
export function subset(data: Dataset, indices: ArrayLike<number>, name: string = data.name): Dataset {
  if (data.inputs.rows !== data.targets.rows) validateDataset(data);
  const rows = data.inputs.rows;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= rows) {
      throw new RangeError(`subset: index ${k} is ${i}, dataset ${data.name} has rows 0 to ${rows - 1}`);
    }
  }
  return { name, inputs: takeRows(data.inputs, indices), targets: takeRows(data.targets, indices) };
}

function takeRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const out = new Matrix(indices.length, m.cols);
  for (let k = 0; k < indices.length; k++) out.data.set(m.row(indices[k]), k * m.cols);
  return out;
}

export interface SplitOptions {
  /** Rows in the training set. */
  readonly train: number;
  /** Rows in the test set, taken right after the training rows (0: none); the rest are left out. */
  readonly test: number;
  /** Shuffles the rows first, so sets stored in class order split fairly. */
  readonly rng: Rng;
}

/** Shuffles the row order with `rng`, then takes the first `train` rows to train and the next `test` to test. */
export function splitDataset(data: Dataset, { train, test, rng }: SplitOptions): Split {
  validateDataset(data);
  const rows = data.inputs.rows;
  if (!Number.isInteger(train) || train < 1) throw new RangeError(`splitDataset: train must be a positive integer, got ${train}`);
  if (!Number.isInteger(test) || test < 0) throw new RangeError(`splitDataset: test must be a non-negative integer, got ${test}`);
  if (train + test > rows) {
    throw new RangeError(`splitDataset: train + test = ${train} + ${test} = ${train + test} exceeds the ${rows} rows of ${data.name}`);
  }
  const order = rng.shuffle(Int32Array.from({ length: rows }, (_, i) => i));
  return {
    train: subset(data, order.subarray(0, train), `${data.name} (train)`),
    test: subset(data, order.subarray(train, train + test), `${data.name} (test)`),
  };
}
