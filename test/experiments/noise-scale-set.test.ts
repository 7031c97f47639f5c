import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  appendRecord,
  checkRunConfig,
  ConfigError,
  dataShape,
  expandGrid,
  loadExperimentSet,
  MissingRunsError,
  noiseScaleExperiments,
  readResults,
  runKey,
  runOne,
  setRuns,
  withoutTimes,
  type RunConfig,
} from "../../lib/index.ts";

const tempFile = () => join(mkdtempSync(join(tmpdir(), "batchprop-noise-")), "noise-scale.jsonl");

/** Two seeds of a tiny xor run that measures B_simple every 10 steps, with Xavier weights and zero biases. */
const [measured, other] = expandGrid({
  data: { name: "xor", train: 80, test: 40, seed: 3 },
  layers: [2, 6, 2],
  activation: "tanh",
  outputActivation: "softmax",
  loss: "cross-entropy",
  init: "xavier",
  biasInit: "zeros",
  batchSizes: [8],
  lrs: [0.5],
  budgets: [{ steps: 30 }],
  seeds: 2,
  noiseScales: 3,
});

describe("runs that measure the noise scale", () => {
  it("carry init, biasInit and noiseScaleEvery in their key; runs without them keep theirs", () => {
    expect(measured).toMatchObject({ init: "xavier", biasInit: "zeros", noiseScaleEvery: 10 });
    expect(runKey(measured)).toContain('"noiseScaleEvery":10');
    const { init: _i, biasInit: _b, noiseScaleEvery: _n, ...plain } = measured;
    expect(runKey({ ...plain, init: "normal", biasInit: "normal", noiseScaleEvery: 0 })).toBe(runKey(plain as RunConfig));
  });

  it("record B_simple at steps 0, 10, 20, 30 in the results line, read back as written, times apart", () => {
    const record = runOne(measured);
    expect(record.noiseScales!.map((r) => r.step)).toEqual([0, 10, 20, 30]);
    expect(record.noiseScales!.every((r) => r.batchSize === 80 && Number.isFinite(r.simple))).toBe(true);
    expect(record.noiseScaleSeconds).toBeGreaterThan(0);
    const path = tempFile();
    appendRecord(path, record);
    const [read] = readResults(path).records;
    expect(read).toEqual(JSON.parse(JSON.stringify(record)));
    expect(withoutTimes(read).noiseScales!.every((r) => !("seconds" in r))).toBe(true);
    expect(withoutTimes(runOne(measured))).toEqual(withoutTimes(read));
  });

  it("a run without noiseScaleEvery has no noise fields", () => {
    const { noiseScaleEvery: _n, ...plain } = other;
    const record = runOne(plain as RunConfig);
    expect("noiseScales" in record).toBe(false);
    expect("noiseScaleSeconds" in record).toBe(false);
  });

  it("checkRunConfig refuses an unknown init and a noiseScaleEvery that is not a non-negative integer, by field", () => {
    const shape = dataShape(measured.data);
    expect(() => checkRunConfig({ ...measured, init: "glorot" as RunConfig["init"] }, shape)).toThrow(new ConfigError("init", 'unknown init "glorot" (expected normal, uniform, xavier, he or zeros)'));
    expect(() => checkRunConfig({ ...measured, noiseScaleEvery: 1.5 }, shape)).toThrow(new ConfigError("noiseScaleEvery", "must be a non-negative integer, got 1.5"));
  });
});

describe("the noise-scale set", () => {
  it("holds the experiments notebook 11 reads, each run checkable on the digits", () => {
    expect(noiseScaleExperiments().map((e) => e.id)).toEqual(["noise-over-training", "steps-to-target-sgd", "steps-to-target-adam"]);
    const runs = setRuns("noise-scale");
    expect(runs).toHaveLength(6 + 9 * 4 * 3 + 5 * 4 * 3);
    for (const run of runs) checkRunConfig(run, dataShape(run.data));
    expect(runs.filter((run) => run.noiseScaleEvery !== undefined)).toHaveLength(6);
  });

  it("loadExperimentSet without its file names the path and the command that makes it", () => {
    const path = tempFile();
    expect(() => loadExperimentSet("noise-scale", path)).toThrow(MissingRunsError);
    expect(() => loadExperimentSet("noise-scale", path)).toThrow(`no results file at ${resolve(path)}: run \`npm run experiment -- --set noise-scale\``);
  });
});
