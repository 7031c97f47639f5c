/**
 * The critical batch size from steps-to-target runs (notebook 11; CLAIMS.md claim 11). McCandlish
 * et al. (2018) model the steps S and samples E = B·S a batch size B needs to reach a target as
 *
 *   (S/S_min − 1)(E/E_min − 1) = 1,   that is   S(B) = S_min + E_min / B,
 *
 * whose bend lies at B_crit = E_min / S_min: below it doubling B nearly halves S (perfect scaling),
 * above it S hardly falls and the samples are wasted. Pure functions of RunRecords (browser-safe).
 */
import { firstPerRun } from "./config.js";
import type { RunRecord } from "./record.js";
import { stepsToTarget } from "./summary.js";

/** The fewest steps to the target any η took at one batch size (seed-mean accuracy), and that η. */
export interface FewestSteps {
  readonly batchSize: number;
  readonly lr: number;
  readonly steps: number;
  /** η of the grid at that B, for saying whether the best lies at its edge. */
  readonly lrs: readonly number[];
}

/**
 * For each batch size (rising), the η whose runs' seed-mean test accuracy reaches `target` in the
 * fewest steps (stepsToTarget). A batch size at which no η reaches it is left out. The runs of one
 * (B, η) must differ in their seed only.
 */
export function fewestStepsPerBatchSize(records: readonly RunRecord[], target: number): FewestSteps[] {
  const byBatch = new Map<number, Map<number, RunRecord[]>>();
  for (const record of firstPerRun(records, (r) => r.config)) {
    const { batchSize, lr } = record.config;
    const byLr = byBatch.get(batchSize) ?? byBatch.set(batchSize, new Map()).get(batchSize)!;
    byLr.set(lr, [...(byLr.get(lr) ?? []), record]);
  }
  const points: FewestSteps[] = [];
  for (const [batchSize, byLr] of [...byBatch].sort(([a], [b]) => a - b)) {
    const lrs = [...byLr.keys()].sort((a, b) => a - b);
    let best: { lr: number; steps: number } | undefined;
    for (const lr of lrs) {
      const steps = stepsToTarget(byLr.get(lr)!, target);
      if (steps !== null && (best === undefined || steps < best.steps)) best = { lr, steps };
    }
    if (best !== undefined) points.push({ batchSize, ...best, lrs });
  }
  return points;
}

/** S_min, E_min and B_crit = E_min / S_min of a fit of S(B) = S_min + E_min / B. */
export interface CriticalBatch {
  readonly minSteps: number;
  readonly minSamples: number;
  readonly criticalBatch: number;
}

/**
 * Least squares of S(B) = S_min + E_min / B on relative errors, Σ ((S_i − S_min − E_min/B_i) / S_i)²:
 * linear in (S_min, E_min), so its normal equations give them directly. Steps spanning a
 * hundredfold weigh each point alike this way. Needs two batch sizes or more.
 */
export function fitCriticalBatch(points: readonly { readonly batchSize: number; readonly steps: number }[]): CriticalBatch {
  if (new Set(points.map((p) => p.batchSize)).size < 2) throw new RangeError(`fitCriticalBatch: need two batch sizes or more, got ${points.length} point${points.length === 1 ? "" : "s"}`);
  for (const { batchSize, steps } of points) {
    if (!(batchSize > 0 && steps > 0 && Number.isFinite(batchSize) && Number.isFinite(steps))) {
      throw new RangeError(`fitCriticalBatch: batch size ${batchSize} and steps ${steps} must be positive finite numbers`);
    }
  }
  // Rows (1/S_i, 1/(B_i S_i)) against the right-hand side 1: the normal equations of a 2×2 system.
  let s11 = 0;
  let s12 = 0;
  let s22 = 0;
  let r1 = 0;
  let r2 = 0;
  for (const { batchSize, steps } of points) {
    const u = 1 / steps;
    const v = 1 / (batchSize * steps);
    s11 += u * u;
    s12 += u * v;
    s22 += v * v;
    r1 += u;
    r2 += v;
  }
  const det = s11 * s22 - s12 * s12;
  const minSteps = (r1 * s22 - r2 * s12) / det;
  const minSamples = (s11 * r2 - s12 * r1) / det;
  return { minSteps, minSamples, criticalBatch: minSamples / minSteps };
}
