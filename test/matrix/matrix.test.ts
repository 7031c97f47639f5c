import { describe, expect, it } from "vitest";
import { Matrix, assertFinite, assertShape } from "../../lib/matrix/matrix.ts";

describe("Matrix construction", () => {
  it("rejects negative or fractional sizes, naming both", () => {
    expect(() => new Matrix(-1, 3)).toThrow(new RangeError("Matrix: rows and cols must be non-negative integers, got -1×3"));
    expect(() => new Matrix(2, 1.5)).toThrow(new RangeError("Matrix: rows and cols must be non-negative integers, got 2×1.5"));
    expect(() => new Matrix(Number.NaN, 1)).toThrow(RangeError);
  });

  it("rejects data of the wrong length", () => {
    expect(() => new Matrix(2, 3, new Float64Array(5))).toThrow(new RangeError("Matrix: 2×3 needs 6 values, got 5"));
  });

  it("zeros, empty shapes, and data kept by reference", () => {
    expect(Array.from(Matrix.zeros(2, 2).data)).toEqual([0, 0, 0, 0]);
    expect(new Matrix(0, 5).data.length).toBe(0);
    const data = new Float64Array(6);
    expect(new Matrix(2, 3, data).data).toBe(data);
  });
});

describe("Matrix.fromRows", () => {
  it("lays rows out row-major", () => {
    const m = Matrix.fromRows([[1, 2, 3], [4, 5, 6]]);
    expect(m.shape).toBe("2×3");
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(m.get(1, 0)).toBe(4);
    expect(m.toRows()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it("rejects ragged rows, naming the row", () => {
    expect(() => Matrix.fromRows([[1, 2], [3, 4], [5]])).toThrow(
      new RangeError("Matrix.fromRows: row 2 has 1 values, row 0 has 2"),
    );
  });

  it("of no rows is 0×0", () => {
    expect(Matrix.fromRows([]).shape).toBe("0×0");
  });
});

describe("Matrix views and copies", () => {
  it("row and topRows share storage with the matrix", () => {
    const m = Matrix.fromRows([[1, 2], [3, 4], [5, 6]]);
    const top = m.topRows(2);
    expect(top.shape).toBe("2×2");
    top.set(1, 1, 40);
    expect(m.get(1, 1)).toBe(40);
    m.row(0)[1] = 20;
    expect(top.get(0, 1)).toBe(20);
    expect(top.data.buffer).toBe(m.data.buffer);
    expect(m.topRows(3)).toBe(m);
    expect(m.topRows(0).shape).toBe("0×2");
  });

  it("topRows rejects more rows than there are, or fractional ones", () => {
    expect(() => Matrix.fromRows([[1], [2]]).topRows(3)).toThrow(
      new RangeError("Matrix.topRows: cannot take 3 rows of a 2×1 matrix"),
    );
    expect(() => Matrix.fromRows([[1], [2]]).topRows(0.5)).toThrow(RangeError);
  });

  it("clone copies the storage", () => {
    const m = Matrix.fromRows([[1, 2]]);
    const copy = m.clone();
    copy.set(0, 0, 9);
    expect(m.get(0, 0)).toBe(1);
  });

  it("transpose swaps rows and columns into new storage", () => {
    const m = Matrix.fromRows([[1, 2, 3], [4, 5, 6]]);
    const t = m.transpose();
    expect(t.toRows()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(t.transpose().toRows()).toEqual(m.toRows());
    expect(t.data.buffer).not.toBe(m.data.buffer);
  });

  it("rowVector is 1×n", () => {
    const v = Matrix.rowVector([1, 2, 3]);
    expect(v.shape).toBe("1×3");
    expect(Array.from(v.data)).toEqual([1, 2, 3]);
  });
});

describe("Matrix.map", () => {
  it("applies f to every element into a new matrix of the same shape, leaving the original alone", () => {
    const z = Matrix.fromRows([[0, 1, -2], [3, -4, 0.5]]);
    const σ = (x: number): number => 1 / (1 + Math.exp(-x));
    const a = z.map(σ);
    expect(a).not.toBe(z);
    expect(a.data).not.toBe(z.data);
    expect(a.shape).toBe("2×3");
    expect(a.toRows()).toEqual([[σ(0), σ(1), σ(-2)], [σ(3), σ(-4), σ(0.5)]]);
    expect(z.toRows()).toEqual([[0, 1, -2], [3, -4, 0.5]]);
  });

  it("calls f with the value alone, not the index and array Float64Array.map passes", () => {
    const seen: number[][] = [];
    Matrix.fromRows([[7, 8]]).map((...args: number[]) => {
      seen.push(args);
      return 0;
    });
    expect(seen).toEqual([[7], [8]]);
  });

  it("of an empty matrix is empty, with the shape kept", () => {
    expect(new Matrix(0, 4).map(Math.exp).shape).toBe("0×4");
  });
});

describe("assertShape and assertFinite", () => {
  it("assertShape names the operation and both shapes", () => {
    expect(() => assertShape(new Matrix(2, 3), 2, 3, "layer 1 weights")).not.toThrow();
    expect(() => assertShape(new Matrix(2, 3), 3, 2, "layer 1 weights")).toThrow(
      new RangeError("layer 1 weights: expected 3×2, got 2×3"),
    );
  });

  it("assertFinite names the position of the first NaN or infinity", () => {
    expect(() => assertFinite(Matrix.fromRows([[1, 2], [3, 4]]), "z")).not.toThrow();
    expect(() => assertFinite(Matrix.fromRows([[1, 2], [Infinity, Number.NaN]]), "z")).toThrow(
      new RangeError("z at row 1, column 0 is Infinity"),
    );
  });
});
