import { describe, expect, it } from "vitest";
import { type Init, inits, randomMatrix } from "../../lib/matrix/init.ts";
import type { Matrix } from "../../lib/matrix/matrix.ts";
import { createRng } from "../../lib/random/rng.ts";
import { ConfigError } from "../../lib/validate/validate.ts";

function stats(m: Matrix): { mean: number; std: number; min: number; max: number } {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of m.data) {
    sum += x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = sum / m.data.length;
  let squares = 0;
  for (const x of m.data) squares += (x - mean) ** 2;
  return { mean, std: Math.sqrt(squares / (m.data.length - 1)), min, max };
}

// 250×400 = 1e5 draws: the sample mean's standard error is std/√1e5 ≈ 0.0032·std, the sample
// std's ≈ 0.0022·std, so 0.015·std on the mean and 1.5% on the std are both beyond 4.5 sigma.
const rows = 250;
const cols = 400;

describe("randomMatrix", () => {
  it("normal is N(0, 1)", () => {
    const s = stats(randomMatrix(rows, cols, "normal", createRng(1)));
    expect(Math.abs(s.mean)).toBeLessThan(0.015);
    expect(s.std).toBeGreaterThan(0.985);
    expect(s.std).toBeLessThan(1.015);
  });

  it("he is N(0, 2/fanIn), fanIn = rows", () => {
    const std = Math.sqrt(2 / rows);
    const s = stats(randomMatrix(rows, cols, "he", createRng(2)));
    expect(Math.abs(s.mean)).toBeLessThan(0.015 * std);
    expect(s.std / std).toBeGreaterThan(0.985);
    expect(s.std / std).toBeLessThan(1.015);
  });

  it("uniform lies in [−1, 1) with mean 0 and std 1/√3", () => {
    const s = stats(randomMatrix(rows, cols, "uniform", createRng(3)));
    expect(s.min).toBeGreaterThanOrEqual(-1);
    expect(s.max).toBeLessThan(1);
    expect(s.min).toBeLessThan(-0.999);
    expect(s.max).toBeGreaterThan(0.999);
    expect(Math.abs(s.mean)).toBeLessThan(0.015);
    expect(s.std * Math.sqrt(3)).toBeCloseTo(1, 1);
  });

  it("xavier lies within ±√(6/(fanIn + fanOut)) and fills that range", () => {
    const limit = Math.sqrt(6 / (rows + cols));
    const s = stats(randomMatrix(rows, cols, "xavier", createRng(4)));
    expect(s.min).toBeGreaterThanOrEqual(-limit);
    expect(s.max).toBeLessThanOrEqual(limit);
    expect(s.min).toBeLessThan(-0.999 * limit);
    expect(s.max).toBeGreaterThan(0.999 * limit);
    expect(Math.abs(s.mean)).toBeLessThan(0.015 * limit);
    expect((s.std * Math.sqrt(3)) / limit).toBeCloseTo(1, 1);
  });

  it("zeros is all zeros and draws nothing", () => {
    const rng = createRng(5);
    expect(randomMatrix(3, 4, "zeros", rng).data.every((x) => x === 0)).toBe(true);
    expect(rng.uniform()).toBe(createRng(5).uniform());
  });

  it("the same seed gives the same matrix, for every init", () => {
    for (const init of inits) {
      const a = randomMatrix(7, 5, init, createRng(42));
      const b = randomMatrix(7, 5, init, createRng(42));
      expect(a.data).toEqual(b.data);
      expect(a.shape).toBe("7×5");
    }
  });

  it("rejects an unknown init, listing the known ones", () => {
    expect(() => randomMatrix(2, 2, "glorot" as Init, createRng(0))).toThrow(
      new ConfigError("init", 'unknown init "glorot" (expected normal, uniform, xavier, he or zeros)'),
    );
  });
});
