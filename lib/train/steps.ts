import type { Budget } from "./train.js";

/** Optimizer steps in an epoch of `trainSize` samples: a partial last batch is a step unless dropped. */
export function stepsPerEpoch(trainSize: number, batchSize: number, lastBatch: "partial" | "drop"): number {
  return lastBatch === "drop" ? Math.floor(trainSize / batchSize) : Math.ceil(trainSize / batchSize);
}

/** The optimizer steps a budget allows: { samples } means ⌈samples / B⌉ steps. */
export function budgetSteps(budget: Budget, trainSize: number, batchSize: number, lastBatch: "partial" | "drop"): number {
  if ("epochs" in budget) return budget.epochs * stepsPerEpoch(trainSize, batchSize, lastBatch);
  if ("steps" in budget) return budget.steps;
  return Math.ceil(budget.samples / batchSize);
}
