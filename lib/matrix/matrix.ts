/**
 * A dense float64 matrix, row-major: element (i, j) sits at data[i * cols + j].
 * A batch is a K×n matrix with one sample per row (README.md, "Layout and architecture").
 */
export class Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;

  constructor(rows: number, cols: number, data?: Float64Array) {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new RangeError(`Matrix: rows and cols must be non-negative integers, got ${rows}×${cols}`);
    }
    if (data !== undefined && data.length !== rows * cols) {
      throw new RangeError(`Matrix: ${rows}×${cols} needs ${rows * cols} values, got ${data.length}`);
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data ?? new Float64Array(rows * cols);
  }

  static zeros(rows: number, cols: number): Matrix {
    return new Matrix(rows, cols);
  }

  /** From nested arrays, one inner array per row; every row must have the same length. */
  static fromRows(values: readonly (readonly number[])[]): Matrix {
    const rows = values.length;
    const cols = rows === 0 ? 0 : values[0].length;
    const out = new Matrix(rows, cols);
    values.forEach((row, i) => {
      if (row.length !== cols) {
        throw new RangeError(`Matrix.fromRows: row ${i} has ${row.length} values, row 0 has ${cols}`);
      }
      out.data.set(row, i * cols);
    });
    return out;
  }

  /** A 1×n matrix holding one sample. */
  static rowVector(values: ArrayLike<number>): Matrix {
    return new Matrix(1, values.length, Float64Array.from(values));
  }

  get shape(): string {
    return `${this.rows}×${this.cols}`;
  }

  get(i: number, j: number): number {
    return this.data[i * this.cols + j];
  }

  set(i: number, j: number, value: number): void {
    this.data[i * this.cols + j] = value;
  }

  /** Row i as a view into the same storage. */
  row(i: number): Float64Array {
    return this.data.subarray(i * this.cols, (i + 1) * this.cols);
  }

  /** The first `rows` rows as a matrix sharing this one's storage (a partial last batch reuses the buffer). */
  topRows(rows: number): Matrix {
    if (rows === this.rows) return this;
    if (!Number.isInteger(rows) || rows < 0 || rows > this.rows) {
      throw new RangeError(`Matrix.topRows: cannot take ${rows} rows of a ${this.shape} matrix`);
    }
    return new Matrix(rows, this.cols, this.data.subarray(0, rows * this.cols));
  }

  clone(): Matrix {
    return new Matrix(this.rows, this.cols, this.data.slice());
  }

  /** f applied to every element, as a new matrix of the same shape (σ(z) elementwise, notebook 1). */
  map(f: (value: number) => number): Matrix {
    const out = new Matrix(this.rows, this.cols);
    for (let p = 0; p < this.data.length; p++) out.data[p] = f(this.data[p]);
    return out;
  }

  transpose(): Matrix {
    const out = new Matrix(this.cols, this.rows);
    for (let i = 0; i < this.rows; i++) {
      for (let j = 0; j < this.cols; j++) out.data[j * this.rows + i] = this.data[i * this.cols + j];
    }
    return out;
  }

  toRows(): number[][] {
    return Array.from({ length: this.rows }, (_, i) => Array.from(this.row(i)));
  }
}

/** Throws unless `m` is rows×cols; `what` names the operation and operand for the message. */
export function assertShape(m: Matrix, rows: number, cols: number, what: string): void {
  if (m.rows !== rows || m.cols !== cols) {
    throw new RangeError(`${what}: expected ${rows}×${cols}, got ${m.shape}`);
  }
}

/** Throws with the position of the first NaN or ±Infinity in `m`. */
export function assertFinite(m: Matrix, what: string): void {
  const { data, cols } = m;
  for (let p = 0; p < data.length; p++) {
    if (!Number.isFinite(data[p])) {
      throw new RangeError(`${what} at row ${Math.floor(p / cols)}, column ${p % cols} is ${data[p]}`);
    }
  }
}
