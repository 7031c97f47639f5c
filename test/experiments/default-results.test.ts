import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { appendRecord, defaultExperiments, defaultRuns, loadDefaultResults, MissingRunsError, type RunConfig, type RunRecord } from "../../lib/index.ts";

const tempFile = () => join(mkdtempSync(join(tmpdir(), "batchprop-default-")), "default.jsonl");

/** A stand-in for a finished run: one checkpoint, no training (only the key matters here). */
function fake(config: RunConfig): RunRecord {
  const point = { epoch: 0, step: 1, samples: config.batchSize, trainLoss: 0.5, trainAccuracy: 0.1, testLoss: 0.5, testAccuracy: 0.1, seconds: 0.01 };
  return { config, epochs: [], checkpoints: [point], steps: 1, samples: config.batchSize, diverged: null, seconds: 0.01, wallSeconds: 0.02, kernel: "js", sparse: false, workers: 1, backend: "cpu" };
}

describe("loadDefaultResults", () => {
  it("gives every default experiment its records, by id, runs shared between experiments included", () => {
    const path = tempFile();
    for (const run of defaultRuns()) appendRecord(path, fake(run));
    const byId = loadDefaultResults(path);
    const experiments = defaultExperiments();
    expect([...byId.keys()]).toEqual(experiments.map((e) => e.id));
    for (const experiment of experiments) {
      expect(byId.get(experiment.id)!.map((r) => r.config)).toEqual(experiment.runs);
    }
  });

  it("without the file, names the path it looked at and the command that makes it", () => {
    const path = tempFile();
    expect(() => loadDefaultResults(path)).toThrow(MissingRunsError);
    expect(() => loadDefaultResults(path)).toThrow(`no results file at ${resolve(path)}: run \`npm run experiment -- --default\``);
  });

  it("with runs missing, names the experiments that lack them and the same command", () => {
    const path = tempFile();
    for (const run of defaultRuns().slice(1)) appendRecord(path, fake(run)); // all but the first
    expect(() => loadDefaultResults(path)).toThrow(/the results file lacks runs of .*: run `npm run experiment -- --default`/);
  });
});
