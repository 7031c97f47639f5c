import { describe, expect, it } from "vitest";
import {
  Matrix,
  computeGradients,
  createNetwork,
  createOptimizer,
  forward,
  fromPaperForm,
  fromQaForm,
  lossByName,
  matmul,
  networkFromPaperForm,
  parameters,
  gradientArrays,
  toPaperForm,
  toQaForm,
  withBiasColumn,
} from "../../lib/index.ts";
import { randomUniform } from "../helpers.ts";
import { dW1, dW2, expectPaperGradients, hand, T, W1, W2, X, η } from "./paper-example.ts";

describe("the paper's 2-2-2 network (CLAIMS.md claims 1–7), worked by hand", () => {
  const net = networkFromPaperForm([Matrix.fromRows(W1), Matrix.fromRows(W2)]);
  const objective = { loss: lossByName("sum-of-squares"), reduction: "sum" as const };

  it("forward: the batch output equals each sample's output, row by row", () => {
    const out = forward(net, Matrix.fromRows(X));
    hand.forEach((h, k) => h.ψ.forEach((v, j) => expect(out.get(k, j)).toBeCloseTo(v, 15)));
  });

  it("error and gradients: E = Σ ½(t − ψ)², and φ·δ in the paper's form", () => {
    expectPaperGradients();
  });

  it("update: W ← W − η ∂E/∂W, and the error goes down", () => {
    const trained = networkFromPaperForm([Matrix.fromRows(W1), Matrix.fromRows(W2)]);
    const { grads } = computeGradients(trained, Matrix.fromRows(X), Matrix.fromRows(T), objective);
    createOptimizer({ name: "sgd", lr: η }).step(parameters(trained), gradientArrays(grads));
    const after2 = toPaperForm(trained.layers[1].weights, trained.layers[1].bias).toRows();
    W2.forEach((row, i) => row.forEach((w, j) => expect(after2[i][j]).toBeCloseTo(w - η * dW2[i][j], 15)));
    const after1 = toPaperForm(trained.layers[0].weights, trained.layers[0].bias).toRows();
    W1.forEach((row, i) => row.forEach((w, j) => expect(after1[i][j]).toBeCloseTo(w - η * dW1[i][j], 15)));
    const next = computeGradients(trained, Matrix.fromRows(X), Matrix.fromRows(T), objective).loss;
    expect(next).toBeLessThan(hand[0].E + hand[1].E);
  });
});

describe("the three layouts hold the same numbers", () => {
  it("[1 act]·W (paper) equals act·weights + bias (library)", () => {
    const net = createNetwork({ sizes: [5, 3], activation: "identity", rng: 2 });
    const act = randomUniform(4, 5, 3);
    const paper = matmul(withBiasColumn(act), toPaperForm(net.layers[0].weights, net.layers[0].bias));
    const library = forward(net, act);
    paper.data.forEach((v, p) => expect(v).toBeCloseTo(library.data[p], 14));
  });

  it("round trips: paper and Q&A forms back to weights and bias, exactly", () => {
    const { weights, bias } = createNetwork({ sizes: [4, 3], rng: 5 }).layers[0];
    const back = fromPaperForm(toPaperForm(weights, bias));
    expect(back.weights.data).toEqual(weights.data);
    expect(back.bias).toEqual(bias);
    expect(fromQaForm(toQaForm(weights)).data).toEqual(weights.data);
    expect(toQaForm(weights).shape).toBe("3×4");
  });

  it("the Q&A's ΔW = δᵀa (to × from) is the library's dWeights transposed, and the paper's φ·δ stacks dBias on dWeights", () => {
    const net = createNetwork({ sizes: [6, 4, 3], rng: 8 });
    const input = randomUniform(7, 6, 9);
    const target = randomUniform(7, 3, 10, 0, 1);
    const pass = { loss: lossByName("sum-of-squares"), reduction: "sum" as const };
    const { grads } = computeGradients(net, input, target, pass);
    // Recompute δ of the output layer by hand from one forward pass.
    const hidden = forward({ layers: [net.layers[0]] }, input);
    const out = forward(net, input);
    const delta = new Matrix(7, 3);
    delta.data.forEach((_, p) => (delta.data[p] = (out.data[p] - target.data[p]) * out.data[p] * (1 - out.data[p])));
    const qa = matmul(delta, hidden, { transA: true }); // m×K · K×n
    expect(qa.shape).toBe("3×4");
    qa.data.forEach((v, p) => expect(v).toBeCloseTo(toQaForm(grads.dWeights[1]).data[p], 14));
    const paper = matmul(withBiasColumn(hidden), delta, { transA: true }); // φ·δ, (n+1)×K · K×m
    paper.data.forEach((v, p) => expect(v).toBeCloseTo(toPaperForm(grads.dWeights[1], grads.dBias[1]).data[p], 14));
  });

  it("names the shapes when forms do not fit", () => {
    expect(() => toPaperForm(new Matrix(3, 2), new Float64Array(3))).toThrow("toPaperForm: bias of 3 does not fit weights 3×2");
    expect(() => networkFromPaperForm([new Matrix(3, 2), new Matrix(4, 2)])).toThrow("networkFromPaperForm: layer 1 is 4×2, expected 3 rows");
    expect(() => networkFromPaperForm([])).toThrow("networkFromPaperForm: no layers given");
  });
});
