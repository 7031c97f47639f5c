import { describe, expect, it } from "vitest";
import { Matrix, check, checkClose } from "../lib/index.ts";

describe("checkClose and check, the notebooks' assertions", () => {
  it("passes within tolerance and reports the largest difference", () => {
    expect(checkClose("sum", [1, 2, 3], [1, 2 + 1e-13, 3])).toMatch(/^✓ sum: largest relative difference 5\.00e-14/);
    expect(checkClose("zero", 1e-20, 0, { absolute: 1e-15 })).toMatch(/✓ zero/);
  });

  it("throws naming what, the element and both values", () => {
    expect(() => checkClose("ΔW = δᵀa", Matrix.fromRows([[1, 2]]), Matrix.fromRows([[1, 2.5]]))).toThrow(
      "ΔW = δᵀa: element 1 is 2, expected 2.5 (relative difference 2.00e-1 > 1e-12)",
    );
    expect(() => checkClose("shapes", new Matrix(2, 3), new Matrix(3, 2))).toThrow("shapes: sizes differ (2×3 vs 3×2)");
    expect(() => checkClose("shapes", new Matrix(2, 3), [1])).toThrow("shapes: sizes differ (2×3 vs 1 values)");
  });

  it("never passes a NaN, wherever it stands", () => {
    expect(() => checkClose("nan first", [Number.NaN, 1, 2], [0, 1, 2])).toThrow("nan first: element 0 is NaN, expected 0");
    expect(() => checkClose("nan in the middle", [0, Number.NaN, 2], [0, 1, 2])).toThrow("element 1 is NaN");
    expect(() => checkClose("infinity", [1, Number.POSITIVE_INFINITY], [1, 2])).toThrow("element 1 is Infinity, expected 2");
    expect(() => checkClose("nan", [Number.NaN], [1])).toThrow("nan: element 0 is NaN, expected 1");
    expect(() => checkClose("nan", [Number.NaN], [Number.NaN])).toThrow("nan: element 0 is NaN");
  });

  it("check throws with its description when false", () => {
    expect(check("loss fell", true)).toBe("✓ loss fell");
    expect(() => check("loss fell", false)).toThrow("check failed: loss fell");
  });
});
