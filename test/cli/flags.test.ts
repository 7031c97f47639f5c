import { describe, expect, it } from "vitest";
import { experimentFlags, trainFlags, withFlags } from "../../lib/cli/flags.ts";
import { checkRunConfig, ConfigError, expandGrid } from "../../lib/index.ts";

const data = { name: "xor", train: 800, test: 200, seed: 0 };
const shape = { inputs: 2, outputs: 2, train: 800 };
const [run] = expandGrid({ data, layers: [2, 4, 2], batchSizes: [8], lrs: [1], budgets: [{ epochs: 1 }], seeds: 1 });

describe("fields and flags", () => {
  it("the library names the field; each command restates it as its own flag", () => {
    const bad = { ...run, batchSize: 0 };
    expect(() => checkRunConfig(bad, shape)).toThrow(/^batchSize: batch size 0 must be at least 1$/);
    expect(() => withFlags(trainFlags, () => checkRunConfig(bad, shape))).toThrow(/^--batch-size: batch size 0 must be at least 1$/);
    expect(() => withFlags(experimentFlags, () => checkRunConfig(bad, shape))).toThrow(/^--batch-sizes: batch size 0 must be at least 1$/);
    const seed = { ...run, seed: 2 ** 60 };
    expect(() => withFlags(trainFlags, () => checkRunConfig(seed, shape))).toThrow(/^--seed: a seed must be a safe integer/);
    expect(() => withFlags(experimentFlags, () => checkRunConfig(seed, shape))).toThrow(/^--seeds: a seed must be a safe integer/);
    expect(() => withFlags(experimentFlags, () => checkRunConfig({ ...run, data: { ...data, name: "mnist9" } }, shape))).toThrow(
      '--dataset: unknown dataset "mnist9" (expected digits, xor, circles, spirals, blobs or idx:PATH)',
    );
  });

  it("a field the command has no flag for stays as it is, and other errors pass through untouched", () => {
    expect(() => withFlags(trainFlags, () => { throw new ConfigError(["batchSize", "optimizers"], "too many"); })).toThrow(/^--batch-size × optimizers: too many$/);
    const other = new TypeError("not a config error");
    expect(() => withFlags(trainFlags, () => { throw other; })).toThrow(other);
  });
});
