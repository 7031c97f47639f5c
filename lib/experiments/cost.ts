/**
 * What a run costs relative to another, for the time-left estimate of a sweep: runs differ by a
 * hundredfold (B = 1 for two epochs against B = 1024 for 300 steps), so counting runs misleads.
 * The weights are ratios measured on the 2-core machine with the WebAssembly kernel and sparse
 * inputs, 784-30-10 on the digits: about 7.5 µs a training sample, 150 µs a step on top (the
 * per-call work that does not shrink with B), and 2.5 µs a sample evaluated at each record.
 * Only ratios matter: the sweep's own pace so far turns the cost left into seconds.
 */
import type { RunConfig } from "./config.js";
import { budgetSteps, stepsPerEpoch } from "../train/budget.js";

const perSample = 3;
const perStep = 60;
const perEvaluatedSample = 1;

export function runCost(config: RunConfig): number {
  const { train, test } = config.data;
  const steps = budgetSteps(config.budget, train, config.batchSize, config.lastBatch);
  const epochs = Math.ceil(steps / stepsPerEpoch(train, config.batchSize, config.lastBatch));
  const records = (config.recordEvery > 0 ? Math.floor(steps / config.recordEvery) : 0) + epochs + 1;
  // A B_simple measurement forwards and backs the training set with per-sample norms: about three evaluations of it.
  const noiseScales = config.noiseScaleEvery !== undefined && config.noiseScaleEvery > 0 ? Math.floor(steps / config.noiseScaleEvery) + 1 : 0;
  return perSample * steps * config.batchSize + perStep * steps + perEvaluatedSample * (records * (train + test) + 3 * noiseScales * train);
}
