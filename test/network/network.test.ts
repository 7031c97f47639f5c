import { describe, expect, it } from "vitest";
import { createNetwork, parameterVector } from "../../lib/index.ts";

describe("parameterVector", () => {
  it("is W₁ row by row, b₁, W₂, b₂, read entry by entry from the layers", () => {
    const net = createNetwork({ sizes: [2, 3, 2], rng: 4 });
    const byHand: number[] = [];
    for (const layer of net.layers) {
      for (let i = 0; i < layer.weights.rows; i++) for (let j = 0; j < layer.weights.cols; j++) byHand.push(layer.weights.get(i, j));
      for (let j = 0; j < layer.bias.length; j++) byHand.push(layer.bias[j]);
    }
    const vector = parameterVector(net);
    expect(vector).toBeInstanceOf(Float64Array);
    expect(vector.length).toBe(2 * 3 + 3 + 3 * 2 + 2);
    expect(Array.from(vector)).toEqual(byHand);
  });

  it("is a copy: changing it leaves the network alone, and it keeps the values of when it was taken", () => {
    const net = createNetwork({ sizes: [2, 3, 2], rng: 4 });
    const vector = parameterVector(net);
    const w = net.layers[0].weights.get(0, 0);
    const b = net.layers[1].bias[1];
    vector[0] += 1;
    net.layers[1].bias[1] += 1;
    expect(net.layers[0].weights.get(0, 0)).toBe(w);
    expect(vector[vector.length - 1]).toBe(b);
  });
});
