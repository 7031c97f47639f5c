import { describe, expect, it } from "vitest";
import { labelsOf, type Dataset } from "../../lib/data/dataset.ts";
import { loadDigits } from "../../lib/data/digits.ts";

// Digits per class in the mnist package's src/digits/0.json … 9.json.
const CLASS_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

function classCounts(data: Dataset): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of labelsOf(data.targets)) counts[label]++;
  return counts;
}

/** Bit-identical arrays (toEqual walks millions of elements one by one, too slowly). */
function identical(a: Float64Array, b: Float64Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Each row's pixels as a string, to compare rows across sets. */
function rowKeys(data: Dataset): string[] {
  return Array.from({ length: data.inputs.rows }, (_, i) => data.inputs.row(i).join(","));
}

describe("loadDigits", () => {
  const all = loadDigits({ train: 8000, test: 2000, seed: 0 });

  it("splits the 10,000 digits 8000/2000 by default: 784 pixels in, 10 classes out", () => {
    const { train, test } = loadDigits();
    expect(train.inputs.shape).toBe("8000×784");
    expect(train.targets.shape).toBe("8000×10");
    expect(test.inputs.shape).toBe("2000×784");
    expect(test.targets.shape).toBe("2000×10");
    expect(identical(train.inputs.data, all.train.inputs.data)).toBe(true);
  });

  it("has one-hot targets and pixels in [0, 1], not all blank", () => {
    for (const part of [all.train, all.test]) {
      for (let i = 0; i < part.targets.rows; i++) {
        const row = part.targets.row(i);
        expect(row.reduce((a, b) => a + b)).toBe(1);
        expect(row.every((v) => v === 0 || v === 1)).toBe(true);
      }
      let min = Infinity;
      let max = -Infinity;
      for (const v of part.inputs.data) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      expect(min).toBe(0);
      expect(max).toBeLessThanOrEqual(1);
      expect(max).toBeGreaterThan(0.9);
    }
  });

  it("holds every digit once: the class counts of the whole set match the package's files", () => {
    const train = classCounts(all.train);
    const test = classCounts(all.test);
    expect(train.map((n, c) => n + test[c])).toEqual(CLASS_COUNTS);
  });

  it("shuffles before splitting, so the test set holds every class", () => {
    const counts = classCounts(all.test);
    for (const n of counts) expect(n).toBeGreaterThan(100);
  });

  it("keeps train and test disjoint: no test image is a train image", () => {
    // The package holds no image twice, so equal pixels would mean a digit landed in both sets.
    const whole = [...rowKeys(all.train), ...rowKeys(all.test)];
    expect(new Set(whole).size).toBe(10_000);
    const train = new Set(rowKeys(all.train));
    expect(rowKeys(all.test).filter((key) => train.has(key))).toHaveLength(0);
  });

  it("gives the same split for the same seed and another for a different seed", () => {
    const again = loadDigits({ train: 100, test: 50, seed: 0 });
    expect(identical(again.train.inputs.data, loadDigits({ train: 100, test: 50, seed: 0 }).train.inputs.data)).toBe(true);
    expect(identical(again.test.targets.data, loadDigits({ train: 100, test: 50, seed: 0 }).test.targets.data)).toBe(true);
    // The split is a prefix of the shuffled order, so a smaller split starts like the larger one.
    expect(identical(again.train.inputs.data, all.train.inputs.data.subarray(0, 100 * 784))).toBe(true);
    const other = loadDigits({ train: 100, test: 50, seed: 1 });
    expect(identical(other.train.inputs.data, again.train.inputs.data)).toBe(false);
  });

  it("honours smaller sizes", () => {
    const { train, test } = loadDigits({ train: 500, test: 300, seed: 2 });
    expect(train.inputs.rows).toBe(500);
    expect(test.targets.rows).toBe(300);
  });

  it("refuses more than 10,000 digits, with the numbers", () => {
    expect(() => loadDigits({ train: 9000, test: 2000 })).toThrow(
      "loadDigits: train + test = 9000 + 2000 = 11000, but the mnist package has 10000 digits",
    );
  });
});
