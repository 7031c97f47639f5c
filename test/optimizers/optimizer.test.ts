import { describe, expect, it } from "vitest";
import { createOptimizer } from "../../lib/index.ts";

/** Two steps of each rule on θ = [1, −2] with gradients g1 then g2, worked by hand. */
const g1 = [0.5, -1];
const g2 = [0.25, 2];

function twoSteps(name: "sgd" | "momentum" | "adagrad" | "adam", lr: number): number[] {
  const theta = Float64Array.from([1, -2]);
  const optimizer = createOptimizer({ name, lr });
  optimizer.step([theta], [Float64Array.from(g1)]);
  optimizer.step([theta], [Float64Array.from(g2)]);
  return Array.from(theta);
}

describe("optimizers, two steps worked by hand", () => {
  it("sgd: θ ← θ − η g", () => {
    expect(twoSteps("sgd", 0.1)).toEqual([1 - 0.1 * 0.5 - 0.1 * 0.25, -2 + 0.1 * 1 - 0.1 * 2].map((v) => expect.closeTo(v, 15)));
  });

  it("momentum: v ← μ v + g, θ ← θ − η v (μ = 0.9)", () => {
    const v1 = g1;
    const v2 = [0.9 * v1[0] + g2[0], 0.9 * v1[1] + g2[1]];
    const expected = [1 - 0.1 * v1[0] - 0.1 * v2[0], -2 - 0.1 * v1[1] - 0.1 * v2[1]];
    expect(twoSteps("momentum", 0.1)).toEqual(expected.map((v) => expect.closeTo(v, 15)));
  });

  it("adagrad: G ← G + g², θ ← θ − η g / (√G + ε)", () => {
    const e = 1e-8;
    const G1 = g1.map((g) => g * g);
    const G2 = G1.map((G, i) => G + g2[i] * g2[i]);
    const expected = [0, 1].map((i) => [1, -2][i] - (0.1 * g1[i]) / (Math.sqrt(G1[i]) + e) - (0.1 * g2[i]) / (Math.sqrt(G2[i]) + e));
    expect(twoSteps("adagrad", 0.1)).toEqual(expected.map((v) => expect.closeTo(v, 15)));
  });

  it("adam: bias-corrected moments (β₁ 0.9, β₂ 0.999, ε 1e-8)", () => {
    const [b1, b2, e, lr] = [0.9, 0.999, 1e-8, 0.1];
    const expected = [0, 1].map((i) => {
      let theta = [1, -2][i];
      let m = 0;
      let v = 0;
      [g1[i], g2[i]].forEach((g, s) => {
        m = b1 * m + (1 - b1) * g;
        v = b2 * v + (1 - b2) * g * g;
        theta -= (lr * (m / (1 - b1 ** (s + 1)))) / (Math.sqrt(v / (1 - b2 ** (s + 1))) + e);
      });
      return theta;
    });
    // Adam's first step moves every coordinate by about η, whatever the gradient's size.
    expect(twoSteps("adam", lr)).toEqual(expected.map((v) => expect.closeTo(v, 15)));
  });

  it("rejects a learning rate that is not a positive finite number, and unknown names", () => {
    for (const lr of [0, -1, Number.POSITIVE_INFINITY]) {
      expect(() => createOptimizer({ name: "sgd", lr })).toThrow(`lr: learning rate ${lr} must be a positive finite number`);
    }
    expect(() => createOptimizer({ name: "sgd", lr: Number.NaN })).toThrow("lr: learning rate NaN is not a number");
    expect(() => createOptimizer({ name: "rmsprop" as never, lr: 1 })).toThrow('optimizer: unknown optimizer "rmsprop" (expected sgd, momentum, adagrad or adam)');
  });

  it("rejects hyperparameters outside their range", () => {
    expect(() => createOptimizer({ name: "adam", lr: 0.1, beta1: 1 })).toThrow("beta1: must be in [0, 1), got 1");
    expect(() => createOptimizer({ name: "adam", lr: 0.1, beta2: -0.5 })).toThrow("beta2: must be in [0, 1), got -0.5");
    expect(() => createOptimizer({ name: "momentum", lr: 0.1, momentum: Number.NaN })).toThrow("momentum: must be in [0, 1), got NaN");
    expect(() => createOptimizer({ name: "adagrad", lr: 0.1, epsilon: 0 })).toThrow("epsilon: must be a positive finite number, got 0");
  });

  it("belongs to the parameters it first stepped: another network's are refused, not updated with stale state", () => {
    const adam = createOptimizer({ name: "adam", lr: 0.1 });
    adam.step([new Float64Array(2)], [Float64Array.from([1, 1])]);
    expect(() => adam.step([new Float64Array(2)], [Float64Array.from([1, 1])])).toThrow(
      "adam: this optimizer already steps another network's parameters; make one optimizer per network",
    );
  });

  it("rejects gradients that do not match the parameters", () => {
    const sgd = createOptimizer({ name: "sgd", lr: 1 });
    expect(() => sgd.step([new Float64Array(3)], [new Float64Array(2)])).toThrow("sgd: parameter 0 has 3 values, its gradient 2");
  });
});

describe("changing η between steps", () => {
  it("the next step uses the new η and the rule keeps its state (momentum's velocity, Adam's moments)", () => {
    for (const name of ["momentum", "adam"] as const) {
      // Reference: the same two steps with η = 0.1 then 0.02, each rule's state carried by hand.
      const theta = Float64Array.from([1, -2]);
      const optimizer = createOptimizer({ name, lr: 0.1 });
      optimizer.step([theta], [Float64Array.from(g1)]);
      optimizer.lr = 0.02;
      expect(optimizer.lr).toBe(0.02);
      optimizer.step([theta], [Float64Array.from(g2)]);
      const expected = [0, 1].map((i) => {
        if (name === "momentum") return [1, -2][i] - 0.1 * g1[i] - 0.02 * (0.9 * g1[i] + g2[i]);
        let t = [1, -2][i];
        let m = 0;
        let v = 0;
        [g1[i], g2[i]].forEach((g, s) => {
          m = 0.9 * m + 0.1 * g;
          v = 0.999 * v + 0.001 * g * g;
          t -= ([0.1, 0.02][s] * (m / (1 - 0.9 ** (s + 1)))) / (Math.sqrt(v / (1 - 0.999 ** (s + 1))) + 1e-8);
        });
        return t;
      });
      expect(Array.from(theta), name).toEqual(expected.map((value) => expect.closeTo(value, 15)));
    }
  });

  it("refuses an η that is not a positive finite number, keeping the old one", () => {
    const optimizer = createOptimizer({ name: "sgd", lr: 0.5 });
    expect(() => (optimizer.lr = 0)).toThrow("lr: learning rate 0 must be a positive finite number");
    expect(optimizer.lr).toBe(0.5);
  });
});
