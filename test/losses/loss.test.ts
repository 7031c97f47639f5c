import { describe, expect, it } from "vitest";
import { activations, losses, lossByName, reductionScale } from "../../lib/index.ts";

const y = Float64Array.from([0.2, 0.7, 0.1, 0.6, 0.3, 0.1]);
const t = Float64Array.from([0, 1, 0, 1, 0, 0]);

describe("losses", () => {
  it("sum of squares is ½ Σ (t − y)², worked by hand", () => {
    // ½ (0.04 + 0.09 + 0.01 + 0.16 + 0.09 + 0.01) = 0.2
    expect(losses["sum-of-squares"].total(y, t, 3)).toBeCloseTo(0.2, 15);
  });

  it("cross-entropy is −Σ t log y, worked by hand", () => {
    expect(losses["cross-entropy"].total(y, t, 3)).toBeCloseTo(-Math.log(0.7) - Math.log(0.6), 15);
  });

  it("binary cross-entropy is −Σ [t log y + (1 − t) log(1 − y)], worked by hand", () => {
    const expected = -(Math.log(0.8) + Math.log(0.7) + Math.log(0.9) + Math.log(0.6) + Math.log(0.7) + Math.log(0.9));
    expect(losses["binary-cross-entropy"].total(y, t, 3)).toBeCloseTo(expected, 14);
  });

  for (const loss of Object.values(losses)) {
    it(`${loss.name}: gradient equals central differences of total (rel 1e-8), scaled`, () => {
      const scale = 0.25;
      const grad = new Float64Array(y.length);
      loss.gradient(y, t, scale, grad, 3);
      const h = 1e-6;
      for (let i = 0; i < y.length; i++) {
        const plus = y.slice();
        const minus = y.slice();
        plus[i] += h;
        minus[i] -= h;
        const numeric = (scale * (loss.total(plus, t, 3) - loss.total(minus, t, 3))) / (2 * h);
        expect(Math.abs(grad[i] - numeric)).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(numeric)));
      }
    });

    if (loss.pairsWith !== undefined) {
      // One-hot rows, and rows that do not sum to 1 (where y − t alone would be wrong for cross-entropy).
      for (const target of [t, Float64Array.from([0.2, 1, 0, 0.9, 0.4, 0]), Float64Array.from([0, 0.5, 0, 0.2, 0.2, 0])]) {
        it(`${loss.name} with ${loss.pairsWith}: the paired δ equals the chain rule through the activation, targets [${target.join(", ")}]`, () => {
          const f = activations[loss.pairsWith!];
          const z = Float64Array.from([0.3, -1.2, 2.0, 0.5, 0.1, -0.4]);
          const a = new Float64Array(6);
          f.forward(z, a, 3);
          const g = new Float64Array(6);
          const chained = new Float64Array(6);
          loss.gradient(a, target, 0.5, g, 3);
          f.backward(z, a, g, chained, 3);
          const paired = new Float64Array(6);
          loss.pairedDelta!(a, target, 0.5, paired, 3);
          paired.forEach((d, i) => expect(d).toBeCloseTo(chained[i], 13));
        });
      }
    }
  }

  it("mean scales by 1/B, sum by 1; anything else is rejected", () => {
    expect(reductionScale("sum", 8)).toBe(1);
    expect(reductionScale("mean", 8)).toBe(0.125);
    expect(() => reductionScale("median" as never, 8)).toThrow('unknown reduction "median" (expected sum or mean)');
  });

  it("an unknown loss is rejected with the list of known ones", () => {
    expect(() => lossByName("hinge")).toThrow('loss: unknown loss "hinge" (expected sum-of-squares, cross-entropy or binary-cross-entropy)');
  });
});
