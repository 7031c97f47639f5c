import { describe, expect, it } from "vitest";
import { centralDifferences } from "../../lib/check/finite-differences.ts";
import { Matrix } from "../../lib/matrix/matrix.ts";
import { randomUniform } from "../helpers.ts";

/** Largest |a − b| / max(|a|, |b|), elementwise. */
function maxRelative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let p = 0; p < a.length; p++) {
    const scale = Math.max(Math.abs(a[p]), Math.abs(b[p]));
    if (scale > 0) worst = Math.max(worst, Math.abs(a[p] - b[p]) / scale);
  }
  return worst;
}

const sum = (x: ArrayLike<number>): number => Array.from(x).reduce((s, v) => s + v, 0);

describe("centralDifferences against analytic derivatives", () => {
  it("f = Σ_i Σ_j sin(x_i)·x_j = (Σ sin x)(Σ x): ∂f/∂x_k = cos(x_k)·Σx + Σ sin x", () => {
    const x = randomUniform(3, 4, 17, -2, 2);
    const f = () => sum(x.data.map(Math.sin)) * sum(x.data);
    const analytic = x.data.map((v) => Math.cos(v) * sum(x.data) + sum(x.data.map(Math.sin)));
    const numeric = centralDifferences(x, f);
    // Roundoff ε·|f|/h ≈ 2e-10·|f| dominates the truncation h²f‴/6 ≈ 1e-13 at h = 1e-6.
    expect(maxRelative(numeric.data, analytic)).toBeLessThan(1e-8);
  });

  it("a quadratic f = Σ c_k x_k²: ∂f/∂x_k = 2 c_k x_k (central differences have no truncation error here)", () => {
    const x = Float64Array.from([0.1, -1 / 3, Math.PI, 2.5, -0.75]);
    const c = [1, 2, -3, 0.5, 4];
    const f = () => x.reduce((s, v, k) => s + c[k] * v * v, 0);
    const numeric = centralDifferences(x, f, 1e-4);
    expect(maxRelative(numeric, x.map((v, k) => 2 * c[k] * v))).toBeLessThan(1e-9);
  });

  it("a wrong derivative is far from it (sin's derivative taken as −cos)", () => {
    const x = Float64Array.from([0.3, 1.2, -0.8]);
    const numeric = centralDifferences(x, () => sum(x.map(Math.sin)));
    expect(maxRelative(numeric, x.map((v) => Math.cos(v)))).toBeLessThan(1e-9);
    expect(maxRelative(numeric, x.map((v) => -Math.cos(v)))).toBeGreaterThan(1);
  });
});

describe("centralDifferences perturbs in place and restores", () => {
  it("f sees exactly v + h and v − h, one entry at a time, in order", () => {
    const x = Float64Array.from([1, 2]);
    const seen: number[][] = [];
    centralDifferences(x, () => {
      seen.push(Array.from(x));
      return 0;
    }, 0.5);
    expect(seen).toEqual([[1.5, 2], [0.5, 2], [1, 2.5], [1, 1.5]]);
  });

  it("restores every value bit-exactly, also those that stepping back by arithmetic would change", () => {
    const h = 1e-6;
    const m = Matrix.fromRows([[0.3, 1 / 3, Math.PI], [0.25, 1e-7, -0.45]]);
    const before = m.data.slice();
    // v + h, then − 2h, then + h (undoing the steps) lands off v for every one of these.
    expect(before.every((v) => v + h - 2 * h + h !== v)).toBe(true);
    centralDifferences(m, () => sum(m.data.map((v) => v * v)), h);
    expect(m.data.every((v, p) => Object.is(v, before[p]))).toBe(true);
  });

  it("restores the entry it was perturbing when f throws", () => {
    const x = Float64Array.from([0.1, 0.2]);
    let calls = 0;
    const f = () => {
      if (++calls === 4) throw new Error("f failed");
      return x[0] + x[1];
    };
    expect(() => centralDifferences(x, f)).toThrow("f failed");
    expect(Array.from(x)).toEqual([0.1, 0.2]);
  });
});

describe("centralDifferences keeps the shape", () => {
  it("a Matrix gives a new Matrix of the same shape; a Float64Array a new Float64Array of the same length", () => {
    const m = new Matrix(2, 3, Float64Array.from([1, 2, 3, 4, 5, 6]));
    const dm = centralDifferences(m, () => sum(m.data));
    expect(dm).toBeInstanceOf(Matrix);
    expect(dm.shape).toBe("2×3");
    expect(dm.data).not.toBe(m.data);
    const v = Float64Array.from([1, 2, 3]);
    const dv = centralDifferences(v, () => 2 * sum(v));
    expect(dv).toBeInstanceOf(Float64Array);
    expect(dv).not.toBe(v);
    expect(maxRelative(dv, [2, 2, 2])).toBeLessThan(1e-9);
  });

  it("a view perturbs the storage it views (a layer's bias inside a larger buffer)", () => {
    const storage = Float64Array.from([5, 1, 2, 7]);
    const view = storage.subarray(1, 3);
    const d = centralDifferences(view, () => storage[1] * storage[2]);
    expect(maxRelative(d, [2, 1])).toBeLessThan(1e-9);
    expect(Array.from(storage)).toEqual([5, 1, 2, 7]);
  });

  it("rejects a step that is not a positive finite number", () => {
    for (const h of [0, -1e-6, Number.NaN, Infinity]) {
      expect(() => centralDifferences(new Float64Array(1), () => 0, h)).toThrow(
        new RangeError(`centralDifferences: h must be a positive finite step, got ${h}`),
      );
    }
  });
});
