import { describe, expect, it } from "vitest";
import { budgetLabel, describeSweep, etaLabel } from "../../lib/index.ts";
import { fakeRun, runConfig } from "./runs.ts";

describe("describeSweep", () => {
  // B = 1, 8 × η = 3, 0.5 × seeds 0, 1, listed in no particular order.
  const grid = [3, 0.5].flatMap((lr) => [8, 1].flatMap((batchSize) => [0, 1].map((seed) => fakeRun({ batchSize, lr, seed, accuracy: 0.5 + seed / 10 }))));

  it("names what every run shares, and groups a B × η grid by η rising, then B rising", () => {
    const sweep = describeSweep(grid);
    expect(sweep.shared).toEqual(["xor (800 train, 200 test, data seed 0)", "2-6-2", "sigmoid", "sum-of-squares", "mean reduction", "sgd", "1 epoch"]);
    expect(sweep.sections).toHaveLength(1);
    const [section] = sweep.sections;
    expect(section.context).toBe("");
    expect(section.summaries.map((s) => [s.setting, s.batchSize, s.runs])).toEqual([
      ["η = 0.5", 1, 2],
      ["η = 0.5", 8, 2],
      ["η = 3", 1, 2],
      ["η = 3", 8, 2],
    ]);
    // Each group holds the runs of its summary: its η and B, both seeds.
    section.groups.forEach((group, i) => {
      expect(group.records.map((r) => [r.config.lr, r.config.batchSize])).toEqual([0, 1].map(() => [section.summaries[i].lr, section.summaries[i].batchSize]));
    });
    expect(sweep.batchSizes).toEqual([1, 8]);
    expect(sweep.lrs).toEqual([0.5, 3]);
    expect(sweep.seeds).toBe(2);
  });

  it("does not split by what follows B: the checkpoint interval differs between B = 1 and B = 8", () => {
    expect(grid[0].config.recordEvery).not.toBe(grid[2].config.recordEvery);
    expect(describeSweep(grid).sections).toHaveLength(1);
  });

  it("makes a section per combination of the other settings that vary, in the order first met", () => {
    const adam = [8, 1].map((batchSize) => fakeRun({ batchSize, lr: 0.01, seed: 0, accuracy: 0.9, grid: { optimizers: ["adam"], budgets: [{ steps: 300 }] } }));
    const sweep = describeSweep([...grid, ...adam]);
    expect(sweep.sections.map((s) => s.context)).toEqual(["sgd, 1 epoch", "adam, 300 steps"]);
    expect(sweep.sections.map((s) => s.records.length)).toEqual([8, 2]);
    expect(sweep.shared).not.toContain("sgd");
    expect(sweep.shared).toContain("2-6-2");
  });

  it("counts a run given twice once", () => {
    const sweep = describeSweep([...grid, fakeRun({ batchSize: 8, lr: 3, seed: 0, accuracy: 0.1 })]);
    expect(sweep.sections[0].summaries.map((s) => s.runs)).toEqual([2, 2, 2, 2]);
  });

  it("refuses no runs", () => {
    expect(() => describeSweep([])).toThrow(/no runs/);
  });
});

describe("labels", () => {
  it("say η as given, and how it was scaled to B", () => {
    expect(etaLabel(runConfig({ batchSize: 8, lr: 0.5, seed: 0 }))).toBe("η = 0.5");
    expect(etaLabel(runConfig({ batchSize: 40, lr: 3, seed: 0, grid: { lrScalings: ["linear"] } }))).toBe("η = 3·B/10");
    expect(etaLabel(runConfig({ batchSize: 40, lr: 3, seed: 0, grid: { lrScalings: ["sqrt"], baseBatch: 4 } }))).toBe("η = 3·√(B/4)");
  });

  it("say a budget in words", () => {
    expect([{ epochs: 1 }, { epochs: 2 }, { steps: 300 }, { samples: 1 }].map(budgetLabel)).toEqual(["1 epoch", "2 epochs", "300 steps", "1 sample"]);
  });
});
