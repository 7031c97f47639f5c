import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { csvColumns, runsCsv } from "../../lib/index.ts";
import { fakeRun } from "./runs.ts";

const rowsOf = (csv: string) => parse(csv, { columns: true }) as Record<string, string>[];

describe("runsCsv", () => {
  const runs = [
    fakeRun({ batchSize: 8, lr: 0.1 + 0.2, seed: 0, accuracy: 0.7 }),
    fakeRun({ batchSize: 100, lr: 3, seed: 1, accuracy: 0.9, divergedAt: 4 }),
  ];

  it("writes a header and one CRLF-ended row per run, each run once, its numbers in full", () => {
    const csv = runsCsv([...runs, runs[0]]);
    expect(csv.split("\r\n")).toHaveLength(runs.length + 2); // header, rows, and the empty string after the last CRLF
    const rows = rowsOf(csv);
    expect(Object.keys(rows[0])).toEqual(csvColumns);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ dataset: "xor", trainSamples: "800", layers: "2-6-2", outputActivation: "sigmoid", optimizer: "sgd", batchSize: "8", seed: "0", budgetEpochs: "1", budgetSteps: "", steps: "100", divergedStep: "", sparse: "false" });
    // 0.1 + 0.2 = 0.30000000000000004: read back to the same double.
    expect(Number(rows[0].lr)).toBe(runs[0].config.lr);
    expect(Number(rows[0].finalTestAccuracy)).toBe(0.7);
    expect(Number(rows[0].finalTestLoss)).toBe(runs[0].checkpoints.at(-1)!.testLoss);
  });

  it("leaves a diverged run's final metrics empty and says where it diverged", () => {
    const diverged = rowsOf(runsCsv(runs))[1];
    expect(diverged).toMatchObject({ finalTrainLoss: "", finalTestAccuracy: "", steps: "4", divergedStep: "5", divergedEpoch: "1", lastFiniteLoss: "0.5" });
  });

  it("round-trips a value holding a comma, quotes and a line break", () => {
    const name = 'idx:/data/mnist, "full"\nset';
    const run = fakeRun({ batchSize: 8, lr: 3, seed: 0, accuracy: 0.5 });
    const csv = runsCsv([{ ...run, config: { ...run.config, data: { ...run.config.data, name } } }]);
    expect(csv).toContain('"idx:/data/mnist, ""full""\nset"');
    expect(rowsOf(csv)[0].dataset).toBe(name);
  });
});
