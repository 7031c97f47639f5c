import { describe, expect, it } from "vitest";
import { runCost } from "../../lib/experiments/cost.ts";
import { defaultRuns } from "../../lib/experiments/defaults.ts";

describe("runCost", () => {
  const runs = defaultRuns();
  const cost = (batchSize: number, budget: object) => runCost(runs.find((run) => run.batchSize === batchSize && JSON.stringify(run.budget) === JSON.stringify(budget) && run.lr === 3 && run.optimizer === "sgd")!);

  it("charges per step, so two epochs at B = 1 cost more than at B = 1024", () => {
    expect(cost(1, { epochs: 2 })).toBeGreaterThan(3 * cost(1024, { epochs: 2 }));
  });

  it("charges per sample, so 300 steps at B = 1024 cost more than at B = 1", () => {
    expect(cost(1024, { steps: 300 })).toBeGreaterThan(3 * cost(1, { steps: 300 }));
  });

  it("is positive and finite for every default run", () => {
    for (const run of runs) expect(Number.isFinite(runCost(run)) && runCost(run) > 0).toBe(true);
  });
});
