/**
 * How long a run trains, and what that means in optimizer steps: the one place that knows a
 * budget's three kinds (train() runs them, experiments check and cost them).
 */
import { ConfigError, keyword } from "../validate/validate.js";

/**
 * How long to train: whole epochs, a number of optimizer steps, or a number of samples, which means
 * ⌈samples / B⌉ steps (a partial last batch of an epoch is a step, so a run may see a few fewer).
 */
export type Budget = { epochs: number } | { steps: number } | { samples: number };

/** Exactly one of { epochs }, { steps }, { samples }, with a positive integer; else a ConfigError on `budget` or `budget.<kind>`. */
export function checkBudget(budget: Budget): void {
  const entries = Object.entries(budget);
  if (entries.length !== 1) {
    throw new ConfigError("budget", `choose exactly one budget: epochs, steps or samples (got ${entries.map(([k]) => k).join(" and ") || "none"})`);
  }
  const [kind, value] = entries[0] as [string, unknown];
  keyword(kind, "budget", ["epochs", "steps", "samples"]);
  if (!Number.isInteger(value) || (value as number) <= 0) throw new ConfigError(`budget.${kind}`, `must be a positive integer, got ${JSON.stringify(value)}`);
}

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
