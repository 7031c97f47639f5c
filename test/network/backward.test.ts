import { describe, expect, it } from "vitest";
import {
  Matrix,
  addGradients,
  computeGradients,
  createGradients,
  createNetwork,
  gradientArrays,
  lossByName,
  perSampleGradients,
  type ActivationName,
  type LossName,
  type Reduction,
} from "../../lib/index.ts";
import { randomDistributions, randomUniform } from "../helpers.ts";

/** Largest |a − b| / max(|a|, |b|) over every parameter's gradient. */
function maxRelative(a: Float64Array[], b: Float64Array[]): number {
  let worst = 0;
  a.forEach((x, i) =>
    x.forEach((v, p) => {
      const scale = Math.max(Math.abs(v), Math.abs(b[i][p]));
      if (scale > 0) worst = Math.max(worst, Math.abs(v - b[i][p]) / scale);
    }),
  );
  return worst;
}

const setups: { activation: ActivationName; output: ActivationName; loss: LossName }[] = [
  { activation: "sigmoid", output: "sigmoid", loss: "sum-of-squares" },
  { activation: "tanh", output: "softmax", loss: "cross-entropy" },
  { activation: "relu", output: "sigmoid", loss: "binary-cross-entropy" },
];

describe("vectorized backward = Σ per-sample (CLAIMS.md claims 8, 9)", () => {
  for (const { activation, output, loss } of setups) {
    for (const reduction of ["sum", "mean"] as Reduction[]) {
      for (const B of [1, 2, 7, 64]) {
        it(`${activation}/${output}, ${loss}, ${reduction}, B = ${B}: equal within 1e-12 relative`, () => {
          const net = createNetwork({ sizes: [5, 8, 6, 4], activation, outputActivation: output, init: "xavier", rng: B });
          const input = randomUniform(B, 5, 100 + B);
          const target = loss === "sum-of-squares" ? randomUniform(B, 4, 200 + B, 0, 1) : randomDistributions(B, 4, 300 + B);
          const objective = { loss: lossByName(loss), reduction };
          const vectorized = computeGradients(net, input, target, objective);
          const perSample = perSampleGradients(net, input, target, objective);
          expect(maxRelative(gradientArrays(vectorized.grads), gradientArrays(perSample.grads))).toBeLessThanOrEqual(1e-12);
          expect(Math.abs(vectorized.loss - perSample.loss)).toBeLessThanOrEqual(1e-12 * Math.abs(perSample.loss));
        });
      }
    }
  }
});

describe("shards (CLAIMS.md claim 10)", () => {
  it("gradients of shards computed alone and summed equal the whole batch's (sum reduction)", () => {
    const net = createNetwork({ sizes: [6, 5, 3], rng: 7 });
    const input = randomUniform(23, 6, 8);
    const target = randomUniform(23, 3, 9, 0, 1);
    const objective = { loss: lossByName("sum-of-squares"), reduction: "sum" as const };
    const whole = computeGradients(net, input, target, objective).grads;
    const combined = createGradients(net);
    const cuts = [0, 5, 6, 17, 23]; // unequal shards, one of a single sample
    for (let s = 0; s + 1 < cuts.length; s++) {
      const rows = cuts[s + 1] - cuts[s];
      const shardIn = new Matrix(rows, 6, input.data.slice(cuts[s] * 6, cuts[s + 1] * 6));
      const shardT = new Matrix(rows, 3, target.data.slice(cuts[s] * 3, cuts[s + 1] * 3));
      addGradients(combined, computeGradients(net, shardIn, shardT, objective).grads);
    }
    expect(maxRelative(gradientArrays(combined), gradientArrays(whole))).toBeLessThanOrEqual(1e-12);
  });
});

describe("bad input", () => {
  const net = createNetwork({ sizes: [3, 4, 2] });
  const objective = { loss: lossByName("sum-of-squares"), reduction: "mean" as const };

  it("names both shapes when the input width is wrong", () => {
    expect(() => computeGradients(net, new Matrix(5, 4), new Matrix(5, 2), objective)).toThrow(
      "input is 5×4, the network takes 3 inputs per row",
    );
  });

  it("names the expected shape when targets are the wrong width", () => {
    expect(() => computeGradients(net, new Matrix(5, 3), new Matrix(5, 10), objective)).toThrow(
      "target is 5×10, expected 5×2 (one row per input, 2 outputs)",
    );
  });

  it("names the position of a NaN or infinite input", () => {
    const input = new Matrix(2, 3);
    input.set(1, 2, Number.NaN);
    expect(() => computeGradients(net, input, new Matrix(2, 2), objective)).toThrow("input at row 1, column 2 is NaN");
    const target = new Matrix(2, 2);
    target.set(0, 1, Number.POSITIVE_INFINITY);
    expect(() => perSampleGradients(net, new Matrix(2, 3), target, objective)).toThrow("target at row 0, column 1 is Infinity");
  });

  it("rejects a network with fewer than two sizes or non-integer widths", () => {
    expect(() => createNetwork({ sizes: [3] })).toThrow("createNetwork: sizes must be two or more positive integers, got [3]");
    expect(() => createNetwork({ sizes: [3, 2.5] })).toThrow("got [3, 2.5]");
  });
});
