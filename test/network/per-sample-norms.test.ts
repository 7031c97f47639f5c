import { describe, expect, it } from "vitest";
import { createNetwork, gradientVector, lossByName, Matrix, perSampleGradientNorms, perSampleGradients, type ActivationName, type LossName, type Reduction } from "../../lib/index.ts";
import { randomDistributions, randomUniform } from "../helpers.ts";

const setups: { activation: ActivationName; output: ActivationName; loss: LossName }[] = [
  { activation: "sigmoid", output: "sigmoid", loss: "sum-of-squares" },
  { activation: "tanh", output: "softmax", loss: "cross-entropy" },
  { activation: "relu", output: "sigmoid", loss: "binary-cross-entropy" },
];

/** |∇ℓ_k|² from the per-sample pass on row k alone: the gradient formed in full, then its norm. */
function formedNorm(net: ReturnType<typeof createNetwork>, input: Matrix, target: Matrix, k: number, objective: Parameters<typeof perSampleGradients>[3]): number {
  const g = gradientVector(perSampleGradients(net, Matrix.rowVector(input.row(k)), Matrix.rowVector(target.row(k)), objective).grads);
  return g.reduce((sum, v) => sum + v * v, 0);
}

describe("perSampleGradientNorms: |δ_k|²(|a_k|² + 1) per layer, never forming a per-sample gradient", () => {
  for (const { activation, output, loss } of setups) {
    for (const reduction of ["sum", "mean"] as Reduction[]) {
      it(`${activation}/${output}, ${loss}, ${reduction}: each sample's norm equals the per-sample pass's within 1e-12 relative`, () => {
        const B = 13;
        const net = createNetwork({ sizes: [5, 8, 6, 4], activation, outputActivation: output, init: "xavier", rng: 4 });
        const input = randomUniform(B, 5, 41);
        const target = loss === "sum-of-squares" ? randomUniform(B, 4, 42, 0, 1) : randomDistributions(B, 4, 43);
        const objective = { loss: lossByName(loss), reduction };
        const norms = perSampleGradientNorms(net, input, target, objective);
        expect(norms.length).toBe(B);
        for (let k = 0; k < B; k++) {
          const expected = formedNorm(net, input, target, k, objective);
          expect(expected).toBeGreaterThan(0);
          expect(Math.abs(norms[k] - expected) / expected).toBeLessThanOrEqual(1e-12);
        }
      });
    }
  }

  it("refuses a target of the wrong shape, naming it", () => {
    const net = createNetwork({ sizes: [3, 2], rng: 1 });
    expect(() => perSampleGradientNorms(net, randomUniform(4, 3, 1), randomUniform(4, 3, 2), { loss: lossByName("sum-of-squares"), reduction: "mean" })).toThrow(/target is 4×3, expected 4×2/);
  });
});
