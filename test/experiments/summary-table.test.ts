import { describe, expect, it } from "vitest";
import { describeSweep, formatTable, summaryTable } from "../../lib/index.ts";
import { fakeRun } from "./runs.ts";

describe("summaryTable", () => {
  // B = 8, η = 3: seeds end at 60%, 70%, 80% (losses 0.4, 0.3, 0.2), 0.2 s each;
  // B = 100, η = 3: one seed at 90%, one diverged after 4 steps.
  const runs = [
    ...[0.6, 0.7, 0.8].map((accuracy, seed) => fakeRun({ batchSize: 8, lr: 3, seed, accuracy, seconds: 0.2 })),
    fakeRun({ batchSize: 100, lr: 3, seed: 0, accuracy: 0.9, seconds: 0.5 }),
    fakeRun({ batchSize: 100, lr: 3, seed: 1, accuracy: 0.9, divergedAt: 4, seconds: 0.1 }),
  ];

  it("gives each η and B its runs, divergences, mean and range of the final test metrics, steps and speed", () => {
    const table = summaryTable(describeSweep(runs));
    expect(table.header).toEqual(["B", "η", "runs", "diverged", "test accuracy", "test loss", "steps", "samples/s"]);
    expect(table.rows.map((row) => row.cells)).toEqual([
      // (0.6 + 0.7 + 0.8) / 3 = 0.7; losses 1 − accuracy; 800 / 8 = 100 steps; 3 × 800 samples in 3 × 0.2 s.
      ["8", "3", "3", "0", "70.0% (60.0–80.0)", "0.300 (0.200–0.400)", "100", "4,000"],
      // The diverged run is left out of the metrics: the other alone, so no range. 8 + 4 steps; (800 + 400) samples in 0.6 s.
      ["100", "3", "2", "1", "90.0%", "0.100", "4–8", "2,000"],
    ]);
    expect(table.rows.map((row) => row.diverged)).toEqual([0, 1]);
  });

  it("leads with the setting when the runs hold several", () => {
    const adam = fakeRun({ batchSize: 8, lr: 0.01, seed: 0, accuracy: 0.5, grid: { optimizers: ["adam"] } });
    const table = summaryTable(describeSweep([...runs, adam]));
    expect(table.header[0]).toBe("setting");
    expect(table.rows.map((row) => row.cells.slice(0, 3))).toEqual([
      ["sgd", "8", "3"],
      ["sgd", "100", "3"],
      ["adam", "8", "0.01"],
    ]);
  });

  it("says – where every run of a row diverged", () => {
    const table = summaryTable(describeSweep([fakeRun({ batchSize: 8, lr: 3, seed: 0, accuracy: 0.5, divergedAt: 3 })]));
    expect(table.rows[0].cells.slice(4, 6)).toEqual(["–", "–"]);
  });
});

describe("formatTable", () => {
  it("sets text left and numbers right in columns two spaces apart, a rule under the header", () => {
    const text = formatTable({
      header: ["setting", "B", "η"],
      numeric: [false, true, true],
      rows: [
        { cells: ["sgd", "8", "3"], diverged: 0 },
        { cells: ["adam, 2 epochs", "1024", "0.01"], diverged: 0 },
      ],
    });
    expect(text).toBe(["setting            B     η", "--------------  ----  ----", "sgd                8     3", "adam, 2 epochs  1024  0.01", ""].join("\n"));
  });
});
