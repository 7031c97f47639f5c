import { describe, expect, it } from "vitest";
import { createRng } from "../../lib/random/rng.ts";
import { labelsOf, validateDataset, type Dataset } from "../../lib/data/dataset.ts";
import { blobs, circles, spirals, xor } from "../../lib/data/synthetic.ts";

function classCounts(data: Dataset): number[] {
  const counts = new Array<number>(data.targets.cols).fill(0);
  for (const label of labelsOf(data.targets)) counts[label]++;
  return counts;
}

const generators = { xor, circles, spirals, blobs } as const;

describe.each(Object.entries(generators))("%s", (name, make) => {
  it("is valid, one-hot, and shaped by its options", () => {
    const data = validateDataset(make({ samples: 101 }));
    expect(data.name).toBe(name);
    expect(data.inputs.rows).toBe(101);
    expect(data.targets.rows).toBe(101);
    for (let i = 0; i < 101; i++) {
      const row = Array.from(data.targets.row(i));
      expect(row.filter((v) => v === 1)).toHaveLength(1);
      expect(row.reduce((a, b) => a + b)).toBe(1);
    }
  });

  it("is bit-identical for the same seed and differs for another", () => {
    const a = make({ samples: 50, noise: 0.1, seed: 3 });
    const b = make({ samples: 50, noise: 0.1, seed: 3 });
    const c = make({ samples: 50, noise: 0.1, seed: 4 });
    expect(a.inputs.data).toEqual(b.inputs.data);
    expect(a.targets.data).toEqual(b.targets.data);
    expect(a.inputs.data).not.toEqual(c.inputs.data);
  });

  it("draws from a given generator the same way as from its seed", () => {
    expect(make({ samples: 30, rng: createRng(9) }).inputs.data).toEqual(make({ samples: 30, seed: 9 }).inputs.data);
  });

  it("balances the classes to within one sample", () => {
    const counts = classCounts(make({ samples: 301 }));
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(counts.reduce((a, b) => a + b)).toBe(301);
  });

  it("rejects bad sample counts and noise", () => {
    expect(() => make({ samples: 0 })).toThrow(`${name}: samples must be a positive integer, got 0`);
    expect(() => make({ noise: -1 })).toThrow(`${name}: noise must be a finite number ≥ 0, got -1`);
  });
});

describe("xor", () => {
  it("labels by the sign rule: class 1 exactly when x·y < 0, inputs in [−1, 1]", () => {
    const data = xor({ samples: 400, seed: 1 });
    expect(data.inputs.cols).toBe(2);
    expect(data.targets.cols).toBe(2);
    const labels = labelsOf(data.targets);
    for (let i = 0; i < 400; i++) {
      const [x, y] = data.inputs.row(i);
      expect(Math.abs(x)).toBeLessThanOrEqual(1);
      expect(Math.abs(y)).toBeLessThanOrEqual(1);
      expect(labels[i]).toBe(x * y < 0 ? 1 : 0);
    }
  });

  it("fills all four quadrants", () => {
    const data = xor({ samples: 400, seed: 2 });
    const quadrants = new Set(data.inputs.toRows().map(([x, y]) => `${Math.sign(x)},${Math.sign(y)}`));
    expect(quadrants).toEqual(new Set(["1,1", "-1,-1", "1,-1", "-1,1"]));
  });
});

describe("circles", () => {
  it("puts class 0 on the inner ring and class 1 on the outer, all around", () => {
    const data = circles({ samples: 200, inner: 0.3, outer: 0.9, seed: 5 });
    const labels = labelsOf(data.targets);
    const quadrants = [new Set<string>(), new Set<string>()];
    data.inputs.toRows().forEach(([x, y], i) => {
      expect(Math.hypot(x, y)).toBeCloseTo(labels[i] === 0 ? 0.3 : 0.9, 12);
      quadrants[labels[i]].add(`${Math.sign(x)},${Math.sign(y)}`);
    });
    expect(quadrants.map((q) => q.size)).toEqual([4, 4]);
  });

  it("keeps the radii apart under small noise", () => {
    const data = circles({ samples: 400, noise: 0.05, seed: 6 });
    const labels = labelsOf(data.targets);
    const radii = [[] as number[], [] as number[]];
    data.inputs.toRows().forEach(([x, y], i) => radii[labels[i]].push(Math.hypot(x, y)));
    expect(Math.max(...radii[0])).toBeLessThan(Math.min(...radii[1]));
  });

  it("rejects rings out of order", () => {
    expect(() => circles({ inner: 1, outer: 0.5 })).toThrow("circles: need 0 ≤ inner < outer, got inner 1, outer 0.5");
  });
});

describe("spirals", () => {
  it("puts each class on its arm: angle 2π·turns·r (+π for class 1)", () => {
    const turns = 1.5;
    const data = spirals({ samples: 200, turns, seed: 8 });
    const labels = labelsOf(data.targets);
    data.inputs.toRows().forEach(([x, y], i) => {
      const r = Math.hypot(x, y);
      expect(r).toBeLessThanOrEqual(1);
      const expected = 2 * Math.PI * turns * r + Math.PI * labels[i];
      expect(Math.cos(expected) * r).toBeCloseTo(x, 12);
      expect(Math.sin(expected) * r).toBeCloseTo(y, 12);
    });
  });

  it("makes the two arms point reflections of each other", () => {
    // Class 1 at (x, y) lies on class 0's arm at (−x, −y): the same formula without the π.
    const data = spirals({ samples: 100, seed: 2 });
    const labels = labelsOf(data.targets);
    data.inputs.toRows().forEach(([x, y], i) => {
      if (labels[i] !== 1) return;
      const r = Math.hypot(x, y);
      expect(Math.cos(3 * Math.PI * r) * r).toBeCloseTo(-x, 12);
    });
  });
});

describe("blobs", () => {
  it("draws k clusters in d dimensions around their centres", () => {
    const data = blobs({ samples: 600, classes: 4, dims: 5, noise: 0.05, seed: 3 });
    expect(data.inputs.shape).toBe("600×5");
    expect(data.targets.shape).toBe("600×4");
    // Class means land near distinct centres, and every point is nearest its own class mean.
    const labels = labelsOf(data.targets);
    const means = Array.from({ length: 4 }, () => new Array<number>(5).fill(0));
    data.inputs.toRows().forEach((row, i) => row.forEach((v, j) => (means[labels[i]][j] += v / 150)));
    const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, j) => v - b[j]));
    data.inputs.toRows().forEach((row, i) => {
      const nearest = means.map((m) => dist(row, m)).reduce((best, d, c, all) => (d < all[best] ? c : best), 0);
      expect(nearest).toBe(labels[i]);
    });
  });

  it("uses given centres, with spread equal to the noise", () => {
    const centers = [[10, 0], [0, -10]];
    const data = blobs({ samples: 4000, centers, noise: 0.5, seed: 4 });
    const labels = labelsOf(data.targets);
    const sum = [0, 0];
    const sq = [0, 0];
    data.inputs.toRows().forEach(([x], i) => {
      const dx = x - centers[labels[i]][0];
      sum[labels[i]] += dx;
      sq[labels[i]] += dx * dx;
    });
    for (const c of [0, 1]) {
      expect(Math.abs(sum[c] / 2000)).toBeLessThan(0.05);
      expect(Math.sqrt(sq[c] / 2000)).toBeCloseTo(0.5, 1);
    }
  });

  it("rejects non-finite centres and bad sizes", () => {
    expect(() => blobs({ centers: [[0, Number.NaN]] })).toThrow("blobs: centers at row 0, column 1 is NaN");
    expect(() => blobs({ classes: 0 })).toThrow("blobs: classes must be a positive integer, got 0");
  });
});
