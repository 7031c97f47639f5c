import { describe, expect, it } from "vitest";
import { activations, activationByName, softmax } from "../../lib/index.ts";

const h = 1e-6;
const z = Float64Array.from([-3.1, -0.7, -0.2, 0.3, 0.9, 2.4]);
const width = 3; // two rows of three, so softmax normalises per row

describe("activations", () => {
  for (const f of Object.values(activations)) {
    it(`${f.name}: backward equals the finite-difference Jacobian-vector product (float64, rel 1e-8)`, () => {
      const act = new Float64Array(z.length);
      f.forward(z, act, width);
      const g = Float64Array.from([0.5, -1.2, 0.8, 1.1, -0.3, 0.7]); // an upstream ∂L/∂a
      const delta = new Float64Array(z.length);
      f.backward(z, act, g, delta, width);
      // δ_i = Σ_j g_j ∂a_j/∂z_i, each ∂a/∂z_i by central differences on the whole forward.
      for (let i = 0; i < z.length; i++) {
        const plus = z.slice();
        const minus = z.slice();
        plus[i] += h;
        minus[i] -= h;
        const aPlus = new Float64Array(z.length);
        const aMinus = new Float64Array(z.length);
        f.forward(plus, aPlus, width);
        f.forward(minus, aMinus, width);
        let numeric = 0;
        for (let j = 0; j < z.length; j++) numeric += (g[j] * (aPlus[j] - aMinus[j])) / (2 * h);
        expect(Math.abs(delta[i] - numeric)).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(numeric)));
      }
    });
  }

  it("sigmoid, tanh, relu and identity match their formulas", () => {
    const out = new Float64Array(z.length);
    activations.sigmoid.forward(z, out, width);
    z.forEach((v, i) => expect(out[i]).toBeCloseTo(1 / (1 + Math.exp(-v)), 15));
    activations.tanh.forward(z, out, width);
    z.forEach((v, i) => expect(out[i]).toBeCloseTo(Math.tanh(v), 15));
    activations.relu.forward(z, out, width);
    expect(Array.from(out)).toEqual([0, 0, 0, 0.3, 0.9, 2.4]);
    activations.identity.forward(z, out, width);
    expect(Array.from(out)).toEqual(Array.from(z));
  });

  it("softmax rows sum to 1 and stay finite for logits of ±1000", () => {
    const big = Float64Array.from([1000, 999, -1000, -1000, 0, 1000]);
    const out = new Float64Array(6);
    softmax.forward(big, out, 3);
    expect(out.every(Number.isFinite)).toBe(true);
    expect(out[0] + out[1] + out[2]).toBeCloseTo(1, 15);
    expect(out[3] + out[4] + out[5]).toBeCloseTo(1, 15);
    expect(out[0] / out[1]).toBeCloseTo(Math.E, 12);
  });

  it("an unknown name is rejected with the list of known ones", () => {
    expect(() => activationByName("swish")).toThrow('activation: unknown activation "swish" (expected sigmoid, tanh, relu, identity or softmax)');
  });
});
