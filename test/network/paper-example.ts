/** The paper's 2-2-2 network and its two-sample step (CLAIMS.md claims 1–7), worked by hand with scalars. */
import { expect } from "vitest";
import { computeGradients, lossByName, Matrix, networkFromPaperForm, toPaperForm } from "../../lib/index.ts";

const σ = (x: number) => 1 / (1 + Math.exp(-x));

// Paper form: first row the biases (w0 w1 / w6 w7), then one row per input.
export const W1 = [[0.35, 0.35], [0.15, 0.25], [0.2, 0.3]]; // w0 w1 / w2 w3 / w4 w5
export const W2 = [[0.6, 0.6], [0.4, 0.5], [0.45, 0.55]]; // w6 w7 / w8 w9 / w10 w11
export const X = [[0.05, 0.1], [0.9, 0.4]]; // two batch items [x1 x2], [y1 y2]
export const T = [[0.01, 0.99], [1, 0]];
export const η = 0.5;

// By hand, sample by sample, with scalars: [1 x1 x2]·W1 = [a1 a2], σ, [1 a1 a2]·W2 = [o1 o2], σ.
export const hand = X.map((x, k) => {
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
export const dW2 = [0, 1, 2].map((i) => [0, 1].map((j) => hand.reduce((s, h) => s + (i === 0 ? 1 : h.a[i - 1]) * h.δ2[j], 0)));
export const dW1 = [0, 1, 2].map((i) => [0, 1].map((j) => hand.reduce((s, h) => s + (i === 0 ? 1 : h.x[i - 1]) * h.δ1[j], 0)));


/** The network's error and gradients, in the paper's form, equal the hand computation's to 15 digits. */
export function expectPaperGradients(): void {
  const net = networkFromPaperForm([Matrix.fromRows(W1), Matrix.fromRows(W2)]);
  const objective = { loss: lossByName("sum-of-squares"), reduction: "sum" as const };
  const { loss, grads } = computeGradients(net, Matrix.fromRows(X), Matrix.fromRows(T), objective);
  expect(loss).toBeCloseTo(hand[0].E + hand[1].E, 15);
  const paper2 = toPaperForm(grads.dWeights[1], grads.dBias[1]).toRows();
  const paper1 = toPaperForm(grads.dWeights[0], grads.dBias[0]).toRows();
  dW2.forEach((row, i) => row.forEach((v, j) => expect(paper2[i][j]).toBeCloseTo(v, 15)));
  dW1.forEach((row, i) => row.forEach((v, j) => expect(paper1[i][j]).toBeCloseTo(v, 15)));
}
