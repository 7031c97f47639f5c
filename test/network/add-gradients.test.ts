import { describe, expect, it } from "vitest";
import { addGradients, computeGradients, createGradients, createNetwork, gradientVector, lossByName } from "../../lib/index.ts";
import { randomUniform } from "../helpers.ts";

describe("addGradients", () => {
  const net = createNetwork({ sizes: [2, 3, 2], rng: 4 });
  const objective = { loss: lossByName("sum-of-squares"), reduction: "mean" as const };
  const g1 = computeGradients(net, randomUniform(3, 2, 1), randomUniform(3, 2, 2, 0, 1), objective).grads;
  const g2 = computeGradients(net, randomUniform(4, 2, 3), randomUniform(4, 2, 5, 0, 1), objective).grads;

  it("adds into its first argument and returns it; the weight defaults to 1", () => {
    const into = createGradients(net);
    expect(addGradients(into, g1)).toBe(into);
    expect(Array.from(gradientVector(into))).toEqual(Array.from(gradientVector(g1)));
  });

  it("scales the added term by the weight, entry by entry: 0.25·g1 + 0.75·g2", () => {
    const into = addGradients(addGradients(createGradients(net), g1, 0.25), g2, 0.75);
    const v1 = gradientVector(g1);
    const v2 = gradientVector(g2);
    const byHand = Array.from(v1, (x, p) => 0 + 0.25 * x + 0.75 * v2[p]);
    expect(Array.from(gradientVector(into))).toEqual(byHand);
  });

  it("refuses a non-finite weight and gradients of another network", () => {
    expect(() => addGradients(createGradients(net), g1, Number.NaN)).toThrow(/weight is NaN/);
    const other = createGradients(createNetwork({ sizes: [2, 3, 3, 2], rng: 4 }));
    expect(() => addGradients(createGradients(net), other)).toThrow(/4 vs 6 parameter arrays/);
    const wider = createGradients(createNetwork({ sizes: [2, 4, 2], rng: 4 }));
    expect(() => addGradients(createGradients(net), wider)).toThrow(/parameter 0 sizes differ \(6 vs 8\)/);
  });
});
