import { describe, expect, it } from "vitest";
import { computeGradients, createNetwork, gradientVector, lossByName, parameterVector } from "../../lib/index.ts";
import { randomUniform } from "../helpers.ts";

describe("gradientVector", () => {
  it("lines up with parameterVector: dW₁ row by row, db₁, dW₂, db₂, read entry by entry; a copy", () => {
    const net = createNetwork({ sizes: [2, 3, 2], rng: 4 });
    const input = randomUniform(3, 2, 1);
    const target = randomUniform(3, 2, 2, 0, 1);
    const { grads } = computeGradients(net, input, target, { loss: lossByName("sum-of-squares"), reduction: "sum" });
    const byHand: number[] = [];
    grads.dWeights.forEach((dW, l) => {
      for (let i = 0; i < dW.rows; i++) for (let j = 0; j < dW.cols; j++) byHand.push(dW.get(i, j));
      byHand.push(...grads.dBias[l]);
    });
    const vector = gradientVector(grads);
    expect(vector).toBeInstanceOf(Float64Array);
    expect(vector.length).toBe(parameterVector(net).length);
    expect(Array.from(vector)).toEqual(byHand);
    vector[0] += 1;
    expect(grads.dWeights[0].get(0, 0)).toBe(byHand[0]);
  });
});
