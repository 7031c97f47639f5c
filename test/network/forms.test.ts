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

const σ = (x: number) => 1 / (1 + Math.exp(-x));

describe("the paper's 2-2-2 network (SEEDS.md claims 1–7), worked by hand", () => {
  // Paper form: first row the biases (w0 w1 / w6 w7), then one row per input.
  const W1 = [[0.35, 0.35], [0.15, 0.25], [0.2, 0.3]]; // w0 w1 / w2 w3 / w4 w5
  const W2 = [[0.6, 0.6], [0.4, 0.5], [0.45, 0.55]]; // w6 w7 / w8 w9 / w10 w11
  const X = [[0.05, 0.1], [0.9, 0.4]]; // two batch items [x1 x2], [y1 y2]
  const T = [[0.01, 0.99], [1, 0]];
  const η = 0.5;

  // By hand, sample by sample, with scalars: [1 x1 x2]·W1 = [a1 a2], σ, [1 a1 a2]·W2 = [o1 o2], σ.
  const hand = X.map((x, k) => {
    const net1 = [0, 1].map((j) => W1[0][j] + x[0] * W1[1][j] + x[1] * W1[2][j]);
    const a = net1.map(σ);
    const net2 = [0, 1].map((j) => W2[0][j] + a[0] * W2[1][j] + a[1] * W2[2][j]);
    const ψ = net2.map(σ);
    // ∂E/∂ψ = ψ − t (not the paper's ψ − Ê), sum reduction; δ = (ψ − t) ψ (1 − ψ).
    const δ2 = [0, 1].map((j) => (ψ[j] - T[k][j]) * ψ[j] * (1 - ψ[j]));
    // Hidden: δ2 · W2ᵀ without W2's bias row, times σ′ = a(1 − a).
    const δ1 = [0, 1].map((i) => (δ2[0] * W2[i + 1][0] + δ2[1] * W2[i + 1][1]) * a[i] * (1 - a[i]));
    const E = 0.5 * ((T[k][0] - ψ[0]) ** 2 + (T[k][1] - ψ[1]) ** 2);
    return { x, a, ψ, δ1, δ2, E };
  });
  // ∂E/∂W = φ·δ summed over the batch: row 0 (bias) Σδ, row i+1 Σ input_i δ.
  const dW2 = [0, 1, 2].map((i) => [0, 1].map((j) => hand.reduce((s, h) => s + (i === 0 ? 1 : h.a[i - 1]) * h.δ2[j], 0)));
  const dW1 = [0, 1, 2].map((i) => [0, 1].map((j) => hand.reduce((s, h) => s + (i === 0 ? 1 : h.x[i - 1]) * h.δ1[j], 0)));

  const net = networkFromPaperForm([Matrix.fromRows(W1), Matrix.fromRows(W2)]);
  const objective = { loss: lossByName("sum-of-squares"), reduction: "sum" as const };

  it("forward: the batch output equals each sample's output, row by row", () => {
    const out = forward(net, Matrix.fromRows(X));
    hand.forEach((h, k) => h.ψ.forEach((v, j) => expect(out.get(k, j)).toBeCloseTo(v, 15)));
  });

  it("error and gradients: E = Σ ½(t − ψ)², and φ·δ in the paper's form", () => {
    const { loss, grads } = computeGradients(net, Matrix.fromRows(X), Matrix.fromRows(T), objective);
    expect(loss).toBeCloseTo(hand[0].E + hand[1].E, 15);
    const paper2 = toPaperForm(grads.dWeights[1], grads.dBias[1]).toRows();
    const paper1 = toPaperForm(grads.dWeights[0], grads.dBias[0]).toRows();
    dW2.forEach((row, i) => row.forEach((v, j) => expect(paper2[i][j]).toBeCloseTo(v, 15)));
    dW1.forEach((row, i) => row.forEach((v, j) => expect(paper1[i][j]).toBeCloseTo(v, 15)));
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
