import type { Matrix } from "./matrix.js";

/**
 * The nonzeros of a rows×cols matrix, row by row (compressed sparse rows): row i's nonzeros are
 * entries start[i] … start[i + 1] − 1 of `index` (their columns, ascending) and `value`. For an
 * operand with many exact zeros, such as a batch of MNIST digits (about 81% of pixels are 0),
 * sparseGemm skips every product with a zero. A structure made for a batch has room for every
 * entry, so it is made once and refilled for each batch; one made by compressRows alone has room
 * for exactly the nonzeros it holds.
 */
export interface SparseRows {
  readonly rows: number;
  readonly cols: number;
  readonly start: Int32Array;
  readonly index: Int32Array;
  readonly value: Float64Array;
}

/** Room for `capacity` nonzeros (default every entry) of a rows×cols matrix. */
export function createSparseRows(rows: number, cols: number, capacity = rows * cols): SparseRows {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0 || rows * cols >= 2 ** 31) {
    throw new RangeError(`createSparseRows: rows and cols must be non-negative integers with fewer than 2³¹ entries, got ${rows}×${cols}`);
  }
  if (!Number.isInteger(capacity) || capacity < 0 || capacity > rows * cols) {
    throw new RangeError(`createSparseRows: capacity must be an integer from 0 to ${rows * cols} (${rows}×${cols}), got ${capacity}`);
  }
  return { rows, cols, start: new Int32Array(rows + 1), index: new Int32Array(capacity), value: new Float64Array(capacity) };
}

/**
 * The nonzeros of `m` into `into` (same shape), returning it. Here and in transposeRows every
 * field is read into a local first: V8 then keeps them in registers, which ran both about 1.5–4×
 * faster than reading through the objects in the loops (64×784 digits: 63 µs, its transpose 22 µs).
 */
export function compressRows(m: Matrix, into?: SparseRows): SparseRows {
  const rows = m.rows, cols = m.cols, data = m.data;
  // Made here, it has room for exactly the nonzeros; one with room for every entry needs no count.
  if (into === undefined) into = createSparseRows(rows, cols, nonzeroCount(m));
  else if (into.rows !== rows || into.cols !== cols) throw new RangeError(`compressRows: a ${into.rows}×${into.cols} structure cannot hold a ${m.shape} matrix`);
  else if (into.index.length < rows * cols) {
    const count = nonzeroCount(m);
    if (into.index.length < count) throw new RangeError(`compressRows: the ${m.shape} matrix has ${count} nonzeros, the structure room for ${into.index.length}`);
  }
  const start = into.start, index = into.index, value = into.value;
  let q = 0;
  for (let i = 0; i < rows; i++) {
    start[i] = q;
    const row = i * cols;
    const end = row + cols;
    for (let p = row; p < end; p++) {
      if (data[p] !== 0) {
        index[q] = p - row;
        value[q] = data[p];
        q++;
      }
    }
  }
  start[rows] = q;
  return into;
}

/**
 * Rows order[from], order[from + 1], … of `source` into `into`, as many as it has rows: a batch's
 * nonzeros gathered from its dataset's, compressed once, as train() gathers the batch itself.
 * With `order` null, rows from, from + 1, … in their own order (evaluation's chunks).
 */
export function gatherSparseRows(source: SparseRows, order: Int32Array | null, from: number, into: SparseRows): SparseRows {
  const rows = into.rows, start = into.start, index = into.index, value = into.value;
  const sourceStart = source.start, sourceIndex = source.index, sourceValue = source.value;
  const available = order === null ? source.rows : order.length;
  if (into.cols !== source.cols || from < 0 || from + rows > available) {
    throw new RangeError(`gatherSparseRows: rows ${from}…${from + rows - 1} of ${available}${order === null ? "" : " in order"}, ${source.cols} columns into ${into.cols}`);
  }
  let q = 0;
  for (let r = 0; r < rows; r++) {
    start[r] = q;
    const i = order === null ? from + r : order[from + r];
    const end = sourceStart[i + 1];
    if (q + end - sourceStart[i] > index.length) throw new RangeError(`gatherSparseRows: more nonzeros than the structure has room for (${index.length})`);
    for (let p = sourceStart[i]; p < end; p++, q++) {
      index[q] = sourceIndex[p];
      value[q] = sourceValue[p];
    }
  }
  start[rows] = q;
  return into;
}

/** The nonzeros of Sᵀ, from those of S (a counting sort by column): columns stay ascending in each row. */
export function transposeRows(s: SparseRows, into: SparseRows = createSparseRows(s.cols, s.rows)): SparseRows {
  const rows = s.rows, cols = s.cols, from = s.start, columns = s.index, values = s.value;
  if (into.rows !== cols || into.cols !== rows) {
    throw new RangeError(`transposeRows: the transpose of ${rows}×${cols} does not fit a ${into.rows}×${into.cols} structure`);
  }
  const start = into.start, index = into.index, value = into.value;
  const nonzeros = from[rows];
  start.fill(0);
  for (let q = 0; q < nonzeros; q++) start[columns[q] + 1]++;
  for (let j = 0; j < cols; j++) start[j + 1] += start[j];
  // start[j] marks where column j's next entry goes; it advances as they are placed, then shifts back.
  for (let i = 0; i < rows; i++) {
    const end = from[i + 1];
    for (let q = from[i]; q < end; q++) {
      const column = columns[q];
      const to = start[column];
      start[column] = to + 1;
      index[to] = i;
      value[to] = values[q];
    }
  }
  for (let j = cols; j > 0; j--) start[j] = start[j - 1];
  start[0] = 0;
  return into;
}

/**
 * Inputs with at most this fraction of nonzeros train faster through sparseGemm. Measured on one
 * epoch of 784-100-10 at B = 64 (building the nonzero lists included), with the nonzeros scattered
 * uniformly: 1.15–1.24× dense at 20% nonzero, 0.83–0.84× at 30%, on both WebAssembly kernels.
 * MNIST's digits are about 19% nonzero, clustered in the strokes: 1.3–1.5× there.
 */
export const sparseDensityLimit = 0.25;

/** The entries that are not exactly zero (NaN counts as nonzero). */
export function nonzeroCount(m: Matrix): number {
  const { data } = m;
  let nonzero = 0;
  for (let p = 0; p < data.length; p++) if (data[p] !== 0) nonzero++;
  return nonzero;
}

/** The fraction of entries that are not exactly zero. */
export function density(m: Matrix): number {
  return m.data.length === 0 ? 0 : nonzeroCount(m) / m.data.length;
}
