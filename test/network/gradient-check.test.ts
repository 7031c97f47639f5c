import { describe, expect, it } from "vitest";
import {
  type ActivationName,
  type LossName,
  type Reduction,
  activations,
  createNetwork,
  createPass,
  forward,
  gradientCheck,
  losses,
  lossByName,
  perSampleGradients,
} from "../../lib/index.ts";
import { randomDistributions, randomUniform } from "../helpers.ts";

/** The output activation each loss is defined on; sum of squares takes any. */
function outputFor(loss: LossName, activation: ActivationName): ActivationName {
  if (loss === "cross-entropy") return "softmax";
  if (loss === "binary-cross-entropy") return "sigmoid";
  return activation;
}

/*
 * Central differences in float64 carry an absolute error of about ε·L/h ≈ 2e-11·L (measured: it grows as h
 * shrinks, so it is roundoff, not truncation), which is 1e-7 of a gradient of 2e-4·L. The instance below, a
 * 3-4-4-3 network with N(0, 1) weights on two samples, is one whose gradients sit above that floor for every
 * activation × loss; larger, flatter instances put some first-layer gradients under it.
 */
describe("gradient check against central differences, h = 1e-5, every parameter (≤ 1e-7 relative)", () => {
  for (const activation of Object.keys(activations) as ActivationName[]) {
    for (const loss of Object.keys(losses) as LossName[]) {
      for (const reduction of ["sum", "mean"] as Reduction[]) {
        it(`${activation} hidden, ${loss}, ${reduction}`, () => {
          const output = outputFor(loss, activation);
          const net = createNetwork({ sizes: [3, 4, 4, 3], activation, outputActivation: output, init: "normal", biasInit: "uniform", rng: 10 });
          const input = randomUniform(2, 3, 110);
          const target = loss === "cross-entropy" ? randomDistributions(2, 3, 210) : randomUniform(2, 3, 310, 0, 1);
          if (activation === "relu") {
            // Central differences straddling the kink are meaningless: every z must be clear of 0.
            const pass = createPass(net, 2);
            forward(net, input, pass);
            for (const z of pass.zs.slice(0, 2)) expect(Math.min(...z.data.map(Math.abs))).toBeGreaterThan(1e-3);
          }
          const result = gradientCheck(net, input, target, { loss: lossByName(loss), reduction });
          expect(result.checked).toBe(3 * 4 + 4 + 4 * 4 + 4 + 4 * 3 + 3);
          expect(result.maxRelativeError, JSON.stringify(result.worst)).toBeLessThanOrEqual(1e-7);
        });
      }
    }
  }

  it("also holds for the per-sample gradients, and for a loss off its paired activation (cross-entropy on sigmoid)", () => {
    const net = createNetwork({ sizes: [3, 7, 4, 2], activation: "tanh", outputActivation: "sigmoid", init: "xavier", rng: 3 });
    const input = randomUniform(6, 3, 4);
    const target = randomDistributions(6, 2, 5);
    const objective = { loss: lossByName("cross-entropy"), reduction: "mean" as const };
    const { grads } = perSampleGradients(net, input, target, objective);
    expect(gradientCheck(net, input, target, objective, { gradients: grads }).maxRelativeError).toBeLessThanOrEqual(1e-7);
  });

  it("holds for softmax + cross-entropy with targets that do not sum to 1 (δ = y Σt − t, not y − t)", () => {
    const net = createNetwork({ sizes: [3, 4, 4, 3], activation: "tanh", outputActivation: "softmax", init: "normal", rng: 10 });
    const input = randomUniform(2, 3, 110);
    const target = randomUniform(2, 3, 410, 0, 0.6); // rows sum to anything in [0, 1.8]
    const result = gradientCheck(net, input, target, { loss: lossByName("cross-entropy"), reduction: "sum" });
    expect(result.maxRelativeError, JSON.stringify(result.worst)).toBeLessThanOrEqual(1e-7);
  });

  it("catches a wrong gradient", () => {
    const net = createNetwork({ sizes: [3, 4, 2], rng: 1 });
    const input = randomUniform(4, 3, 2);
    const target = randomUniform(4, 2, 3, 0, 1);
    const objective = { loss: lossByName("sum-of-squares"), reduction: "sum" as const };
    const { grads } = perSampleGradients(net, input, target, objective);
    grads.dBias[0][1] *= 1.001;
    const result = gradientCheck(net, input, target, objective, { gradients: grads });
    expect(result.maxRelativeError).toBeGreaterThan(1e-4);
    expect(result.worst).toMatchObject({ layer: 0, parameter: "bias", index: 1 });
  });
});
