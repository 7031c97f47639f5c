import type { Matrix } from "../matrix/matrix.js";
import { relativeDifference } from "../matrix/ops.js";

type Numbers = number | ArrayLike<number> | Matrix;

export interface CheckOptions {
  /** Largest |a − b| / max(|a|, |b|) accepted, elementwise. Default 1e-12. */
  relative?: number;
  /** Differences up to this are accepted whatever the scale (for values that should be 0). Default 0. */
  absolute?: number;
}

/**
 * The notebooks' assertion: compares `actual` with an independent `expected` elementwise and throws,
 * naming `what`, the worst element and both values, when a difference exceeds the tolerance.
 * Returns a one-line report of the largest difference, for the notebook to print.
 */
export function checkClose(what: string, actual: Numbers, expected: Numbers, options: CheckOptions = {}): string {
  const { relative = 1e-12, absolute = 0 } = options;
  const a = values(actual);
  const b = values(expected);
  if (a.length !== b.length || describe(actual) !== describe(expected) && isMatrix(actual) && isMatrix(expected)) throw new Error(`${what}: sizes differ (${describe(actual)} vs ${describe(expected)})`);
  let worst = 0;
  let at = -1;
  for (let p = 0; p < a.length; p++) {
    const rel = Math.abs(a[p] - b[p]) <= absolute ? 0 : relativeDifference(a[p], b[p]);
    if (Number.isNaN(rel)) {
      worst = rel;
      at = p;
      break; // a NaN fails the check wherever it stands
    }
    if (rel > worst) {
      worst = rel;
      at = p;
    }
  }
  if (!(worst <= relative)) {
    throw new Error(`${what}: element ${at} is ${a[at]}, expected ${b[at]} (relative difference ${worst.toExponential(2)} > ${relative})`);
  }
  return `✓ ${what}: largest relative difference ${worst.toExponential(2)} (tolerance ${relative})`;
}

/** Throws `what` when `condition` is false; returns a line to print when it holds. */
export function check(what: string, condition: boolean): string {
  if (!condition) throw new Error(`check failed: ${what}`);
  return `✓ ${what}`;
}

function values(x: Numbers): ArrayLike<number> {
  if (typeof x === "number") return [x];
  return "data" in x ? x.data : x;
}

function isMatrix(x: Numbers): x is Matrix {
  return typeof x === "object" && "data" in x;
}

function describe(x: Numbers): string {
  if (typeof x === "number") return "a number";
  return "data" in x ? x.shape : `${x.length} values`;
}
