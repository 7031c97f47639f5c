/**
 * One conformance suite for every gemm kernel. Each test loads its kernel itself, so a kernel that
 * does not load here is a failed test, never a skipped one: vitest runs with
 * --experimental-wasm-relaxed-simd (vitest.config.ts), so all three must load.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  Matrix,
  computeGradients,
  createNetwork,
  currentKernel,
  forward,
  gemm,
  gradientArrays,
  lossByName,
  networkFromPaperForm,
  perSampleGradients,
  useKernel,
  type GemmKernel,
} from "../../lib/index.ts";
import { sparseGemm } from "../../lib/matrix/gemm.ts";
import { gemmModules } from "../../lib/matrix/gemm-wasm.generated.ts";
import { createWasmKernel } from "../../lib/matrix/kernel-wasm.ts";
import { kernelAvailability, kernelNames, loadKernel } from "../../lib/matrix/kernels.ts";
import { compressRows, transposeRows } from "../../lib/matrix/sparse.ts";
import { createPass } from "../../lib/network/pass.ts";
import { loadDigits, train } from "../../lib/index.ts";
import { randomUniform } from "../helpers.ts";
import { expectPaperGradients, hand, W1, W2, X } from "../network/paper-example.ts";
import { type Expected, expectClose, operands, random, reference, transposes } from "./reference.ts";

const expected = ["gemm-4x4-wasmrelaxedsimd", "gemm-4x4-wasmsimd", "js"];

function withKernel<T>(kernel: GemmKernel, f: () => T): T {
  const previous = useKernel(kernel);
  try {
    return f();
  } finally {
    useKernel(previous);
  }
}

/** m×k · k×n: 1×1, a row, a column, primes, k past one 256-deep slice, and the three training products. */
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [1, 13, 29],
  [29, 13, 1],
  [7, 13, 5],
  [5, 300, 3],
  [97, 89, 101],
  [64, 784, 100],
  [784, 64, 100],
  [64, 100, 784],
];
/** [alpha, beta]: plain, both scaled, alpha = 0 (only beta·C), beta = 1 (accumulate), negative. */
const scales: [number, number][] = [
  [1, 0],
  [1.5, -0.5],
  [0, 2],
  [1, 1],
  [-2, 0.25],
];

/** The triple loop is slow at 64×784×100: each reference is computed once and shared by the kernels. */
const references = new Map<string, Expected>();
function cachedReference(key: string, compute: () => Expected): Expected {
  let found = references.get(key);
  if (found === undefined) references.set(key, (found = compute()));
  return found;
}

/** A matrix of uniform values with `zeros` (a fraction) of its entries exactly 0, as MNIST's pixels are. */
function mostlyZero(rows: number, cols: number, seed: number, zeros: number): Matrix {
  const m = random(rows, cols, seed);
  const mask = randomUniform(rows, cols, seed + 7, 0, 1);
  for (let p = 0; p < m.data.length; p++) if (mask.data[p] < zeros) m.data[p] = 0;
  return m;
}

describe("the kernels", () => {
  it("are the three this suite checks, most preferred first", () => {
    expect(kernelNames).toEqual(expected);
  });

  it("all load here, and gemm's default is the first", () => {
    expect(kernelAvailability().map(({ name, error }) => `${name}: ${error ?? "loads"}`)).toEqual(expected.map((name) => `${name}: loads`));
    expect(currentKernel().name).toBe(expected[0]);
  });

  it("an unknown name is refused, naming the known ones", () => {
    expect(() => loadKernel("gemm-9x9-avx")).toThrow(new ConfigError("kernel", `unknown gemm kernel "gemm-9x9-avx" (expected ${expected.slice(0, -1).join(", ")} or ${expected.at(-1)})`));
  });

  /** What the built library picks in a fresh node started with `flags`. */
  const pickedBy = (flags: string[]) => {
    const script = `import { currentKernel, kernelAvailability } from "./lib/dist/index.js";
      console.log(JSON.stringify({ current: currentKernel().name, errors: kernelAvailability().map((k) => k.error ?? null) }));`;
    const out = execFileSync(process.execPath, [...flags, "--input-type=module", "-e", script], { cwd: resolve(import.meta.dirname, "../.."), encoding: "utf8" });
    return JSON.parse(out) as { current: string; errors: (string | null)[] };
  };

  it("fall back in order: without the relaxed-SIMD flag plain SIMD, without WebAssembly the JavaScript kernel", () => {
    expect(pickedBy(["--experimental-wasm-relaxed-simd"])).toEqual({ current: expected[0], errors: [null, null, null] });
    expect(pickedBy([])).toEqual({
      current: expected[1],
      errors: [
        "gemm-4x4-wasmrelaxedsimd: this engine does not support WebAssembly relaxed SIMD (Node 20: start node with --experimental-wasm-relaxed-simd)",
        null,
        null,
      ],
    });
    const none = pickedBy(["--no-expose-wasm"]);
    expect(none.current).toBe("js");
    expect(none.errors.slice(0, 2)).toEqual(expected.slice(0, 2).map((name) => `${name}: this JavaScript engine has no WebAssembly`));
  });
});

describe.each(expected)("%s", (name) => {
  const kernel = () => loadKernel(name);

  describe.each(transposes)("transA %s, transB %s", (transA, transB) => {
    it("equals the triple loop on every shape, alpha and beta", () => {
      for (const [m, k, n] of shapes) {
        for (const [alpha, beta] of scales) {
          const seed = m * 7 + k * 11 + n * 13;
          const { a, b, c } = operands(m, k, n, transA, transB, seed);
          const want = cachedReference(`${m} ${k} ${n} ${transA} ${transB} ${alpha} ${beta}`, () => reference(a, b, c, transA, transB, alpha, beta));
          withKernel(kernel(), () => gemm(a, b, c, { transA, transB, alpha, beta }));
          expectClose(c, want, k);
        }
      }
    });

    it("equals the triple loop on mostly-zero operands (90% exact zeros in A, then in B)", () => {
      const [m, k, n] = [64, 784, 100];
      for (const side of ["a", "b"] as const) {
        const { a, b, c } = operands(m, k, n, transA, transB, 5);
        const sparse = side === "a" ? mostlyZero(a.rows, a.cols, 9, 0.9) : mostlyZero(b.rows, b.cols, 9, 0.9);
        const [x, y] = side === "a" ? [sparse, b] : [a, sparse];
        const want = cachedReference(`zeros ${side} ${transA} ${transB}`, () => reference(x, y, c, transA, transB, 1.25, 0.5));
        withKernel(kernel(), () => gemm(x, y, c, { transA, transB, alpha: 1.25, beta: 0.5 }));
        expectClose(c, want, k);
      }
    });
  });

  it("an all-zero operand leaves exactly beta·C", () => {
    const { a, b, c } = operands(31, 40, 29, false, false, 3);
    for (const [x, y] of [[new Matrix(31, 40), b], [a, new Matrix(40, 29)]]) {
      const out = c.clone();
      withKernel(kernel(), () => gemm(x, y, out, { alpha: 2, beta: 0.5 }));
      expect(out.data).toEqual(c.data.map((v) => 0.5 * v));
    }
  });

  it("beta = 0 overwrites NaN and Infinity in C; alpha = 0 reads neither operand", () => {
    const a = random(5, 4, 1);
    const b = random(4, 6, 2);
    const c = new Matrix(5, 6);
    c.data.fill(Number.NaN);
    c.data[7] = Infinity;
    withKernel(kernel(), () => gemm(a, b, c));
    expectClose(c, reference(a, b, new Matrix(5, 6), false, false, 1, 0), 4);
    const poisoned = new Matrix(2, 2, Float64Array.from([Number.NaN, 1, 1, Infinity]));
    const d = Matrix.fromRows([[1, 2], [3, 4]]);
    withKernel(kernel(), () => gemm(poisoned, poisoned.clone(), d, { alpha: 0, beta: 2 }));
    expect(d.toRows()).toEqual([[2, 4], [6, 8]]);
  });

  it("reads and writes only the m×n corner of operands with wider leading dimensions", () => {
    for (const [transA, transB] of transposes) {
      const m = 10, n = 7, k = 9;
      const [aRows, aCols] = transA ? [k, m] : [m, k];
      const [bRows, bCols] = transB ? [n, k] : [k, n];
      const lda = aCols + 3, ldb = bCols + 2, ldc = n + 5;
      const pad = (rows: number, ld: number, seed: number) => random(1, rows * ld, seed).data;
      const a = pad(aRows, lda, 1), b = pad(bRows, ldb, 2), c = pad(m, ldc, 3);
      const before = c.slice();
      kernel().gemm(transA, transB, m, n, k, 0.75, a, lda, b, ldb, 0.25, c, ldc);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < ldc; j++) {
          const got = c[i * ldc + j];
          if (j >= n) {
            expect(got).toBe(before[i * ldc + j]);
            continue;
          }
          let sum = 0;
          for (let p = 0; p < k; p++) sum += (transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
          expect(got).toBeCloseTo(0.75 * sum + 0.25 * before[i * ldc + j], 13);
        }
      }
    }
  });

  describe("sparseGemm, A by its nonzeros", () => {
    it("equals the triple loop on every shape, alpha and beta, with 0%, 50%, 90% and 100% zeros", () => {
      for (const [m, k, n] of shapes) {
        for (const zeros of [0, 0.5, 0.9, 1]) {
          for (const [alpha, beta] of scales) {
            const seed = m * 3 + k * 5 + n * 7;
            const a = mostlyZero(m, k, seed, zeros);
            const { b, c } = operands(m, k, n, false, false, seed);
            const want = cachedReference(`sparse ${m} ${k} ${n} ${zeros} ${alpha} ${beta}`, () => reference(a, b, c, false, false, alpha, beta));
            withKernel(kernel(), () => sparseGemm(compressRows(a), b, c, { alpha, beta }));
            expectClose(c, want, k);
          }
        }
      }
    });

    it("gives Aᵀ·B from the transposed nonzeros, as gemm's transA does", () => {
      const a = mostlyZero(64, 784, 31, 0.8);
      const { b, c } = operands(784, 64, 100, false, false, 32);
      const want = cachedReference("sparse transposed", () => reference(a, b, c, true, false, 1, 0));
      withKernel(kernel(), () => sparseGemm(transposeRows(compressRows(a)), b, c));
      expectClose(c, want, 64);
    });

    it("beta = 0 overwrites NaN and Infinity in C, also in rows of A without a nonzero", () => {
      const a = mostlyZero(6, 9, 61, 0.7);
      a.data.fill(0, 9, 18);
      const b = random(9, 13, 62);
      const c = new Matrix(6, 13);
      c.data.fill(Number.NaN);
      c.data[20] = -Infinity;
      withKernel(kernel(), () => sparseGemm(compressRows(a), b, c, { alpha: -2 }));
      expectClose(c, reference(a, b, new Matrix(6, 13), false, false, -2, 0), 9);
      expect(Array.from(c.row(1))).toEqual(new Array(13).fill(0));
    });

    it("an all-zero A leaves exactly beta·C", () => {
      const { b, c } = operands(31, 40, 29, false, false, 3);
      const out = c.clone();
      withKernel(kernel(), () => sparseGemm(compressRows(new Matrix(31, 40)), b, out, { alpha: 2, beta: 0.5 }));
      expect(out.data).toEqual(c.data.map((v) => 0.5 * v));
    });

    it("reads and writes only the m×n corner of B and C with wider leading dimensions", () => {
      const m = 10, n = 7, k = 9, ldb = n + 2, ldc = n + 5;
      const a = mostlyZero(m, k, 41, 0.6);
      const b = random(1, k * ldb, 42).data;
      const c = random(1, m * ldc, 43).data;
      const before = c.slice();
      kernel().sparseGemm(m, n, k, 0.75, compressRows(a), b, ldb, 0.25, c, ldc);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < ldc; j++) {
          if (j >= n) {
            expect(c[i * ldc + j]).toBe(before[i * ldc + j]);
            continue;
          }
          let sum = 0;
          for (let p = 0; p < k; p++) sum += a.get(i, p) * b[p * ldb + j];
          expect(c[i * ldc + j]).toBeCloseTo(0.75 * sum + 0.25 * before[i * ldc + j], 13);
        }
      }
    });

    it("skips A's zeros: an Infinity in B met only by zeros stays out of C (gemm would give NaN)", () => {
      const a = Matrix.fromRows([[1, 0], [2, 0]]);
      const b = Matrix.fromRows([[3], [Infinity]]);
      const out = new Matrix(2, 1);
      withKernel(kernel(), () => sparseGemm(compressRows(a), b, out));
      expect(out.toRows()).toEqual([[3], [6]]);
    });
  });

  it("gives the same gradients through a sparse-input pass as through a dense one (1e-12 of each array's largest)", () => {
    const net = createNetwork({ sizes: [784, 30, 10], init: "xavier", rng: 6 });
    const input = mostlyZero(64, 784, 51, 0.8);
    const target = randomUniform(64, 10, 52, 0, 1);
    const objective = { loss: lossByName("cross-entropy"), reduction: "sum" as const };
    withKernel(kernel(), () => {
      const dense = computeGradients(net, input, target, objective, createPass(net, 64));
      const sparse = computeGradients(net, input, target, objective, createPass(net, 64, { sparseInput: true }));
      const want = gradientArrays(dense.grads);
      gradientArrays(sparse.grads).forEach((x, i) => {
        const largest = want[i].reduce((most, v) => Math.max(most, Math.abs(v)), 0);
        const worst = x.reduce((most, v, p) => Math.max(most, Math.abs(v - want[i][p])), 0);
        expect(worst, `parameter array ${i}`).toBeLessThanOrEqual(1e-12 * largest);
      });
      expect(Math.abs(sparse.loss - dense.loss)).toBeLessThanOrEqual(1e-12 * Math.abs(dense.loss));
    });
  });

  it("trains on the digits with sparse inputs as without them (every record within 1e-12 relative), and bit-identically on repeat", () => {
    const { train: digits, test } = loadDigits({ train: 600, test: 200, seed: 2 });
    const run = (sparseInputs: boolean) =>
      withKernel(kernel(), () =>
        train(createNetwork({ sizes: [784, 30, 10], rng: 3 }), digits, { batchSize: 20, budget: { epochs: 2 }, sparseInputs, test, recordEvery: 10 }),
      );
    const dense = run(false);
    const sparse = run(true);
    expect([dense.sparse, sparse.sparse, sparse.kernel]).toEqual([false, true, name]);
    const values = (result: typeof dense) => result.checkpoints.flatMap((r) => [r.trainLoss, r.testLoss!, r.trainAccuracy, r.testAccuracy!]);
    const [a, b] = [values(dense), values(sparse)];
    expect(a.length).toBe(b.length);
    a.forEach((x, p) => expect(Math.abs(x - b[p])).toBeLessThanOrEqual(1e-12 * Math.abs(x)));
    expect(values(run(true))).toEqual(b);
  });

  it("is deterministic: the same product twice, another in between, bit for bit", () => {
    const { a, b, c } = operands(64, 784, 100, false, false, 11);
    const first = c.clone();
    const second = c.clone();
    withKernel(kernel(), () => {
      gemm(a, b, first, { beta: 0.5 });
      const other = operands(97, 89, 101, true, true, 12);
      gemm(other.a, other.b, other.c, { transA: true, transB: true });
      gemm(a, b, second, { beta: 0.5 });
    });
    expect(second.data).toEqual(first.data);
  });

  it("gives a 784-30-10 network's gradients equal to the per-sample loop's and the JavaScript kernel's (1e-12 of each array's largest)", () => {
    const net = createNetwork({ sizes: [784, 30, 10], init: "xavier", rng: 4 });
    const input = mostlyZero(64, 784, 21, 0.8);
    for (let p = 0; p < input.data.length; p++) input.data[p] = Math.abs(input.data[p]);
    const target = randomUniform(64, 10, 22, 0, 1);
    const objective = { loss: lossByName("sum-of-squares"), reduction: "mean" as const };
    const got = withKernel(kernel(), () => computeGradients(net, input, target, objective));
    const perSample = perSampleGradients(net, input, target, objective);
    const js = withKernel(loadKernel("js"), () => computeGradients(net, input, target, objective));
    for (const other of [perSample, js]) {
      const want = gradientArrays(other.grads);
      // Normwise, as gemm's own bound is: an entry that cancels to ~0 has no relative accuracy of its own.
      gradientArrays(got.grads).forEach((x, i) => {
        const largest = want[i].reduce((most, v) => Math.max(most, Math.abs(v)), 0);
        expect(largest).toBeGreaterThan(0);
        const worst = x.reduce((most, v, p) => Math.max(most, Math.abs(v - want[i][p])), 0);
        expect(worst, `parameter array ${i}`).toBeLessThanOrEqual(1e-12 * largest);
      });
      expect(Math.abs(got.loss - other.loss)).toBeLessThanOrEqual(1e-12 * Math.abs(other.loss));
    }
  });

  it("works the paper's 2-2-2 step as the hand computation does (15 digits)", () => {
    const net = networkFromPaperForm([Matrix.fromRows(W1), Matrix.fromRows(W2)]);
    withKernel(kernel(), () => {
      const out = forward(net, Matrix.fromRows(X));
      hand.forEach((h, k) => h.ψ.forEach((v, j) => expect(out.get(k, j)).toBeCloseTo(v, 15)));
      expectPaperGradients();
    });
  });
});

describe.each(gemmModules.map((module) => module.name))("%s in chunks", (name) => {
  it("a product larger than its staging memory, done in chunks, equals the whole product bit for bit", () => {
    const module = gemmModules.find((candidate) => candidate.name === name)!;
    const chunked = createWasmKernel(module, 1000);
    for (const [transA, transB] of transposes) {
      for (const [m, k, n] of [[97, 89, 101], [64, 784, 100], [9, 3000, 5]]) {
        const { a, b, c } = operands(m, k, n, transA, transB, m + k + n);
        const whole = c.clone();
        const parts = c.clone();
        withKernel(loadKernel(name), () => gemm(a, b, whole, { transA, transB, alpha: 0.5, beta: -1 }));
        withKernel(chunked, () => gemm(a, b, parts, { transA, transB, alpha: 0.5, beta: -1 }));
        expect(parts.data).toEqual(whole.data);
      }
    }
  });

  it("a sparse product larger than its staging memory, done in chunks, equals the whole product bit for bit", () => {
    const module = gemmModules.find((candidate) => candidate.name === name)!;
    const chunked = createWasmKernel(module, 1000);
    for (const [m, k, n] of [[97, 89, 101], [64, 784, 100], [784, 64, 100], [9, 3000, 5]]) {
      const a = compressRows(mostlyZero(m, k, m + k, 0.7));
      const { b, c } = operands(m, k, n, false, false, m + k + n);
      const whole = c.clone();
      const parts = c.clone();
      withKernel(loadKernel(name), () => sparseGemm(a, b, whole, { alpha: 0.5, beta: -1 }));
      withKernel(chunked, () => sparseGemm(a, b, parts, { alpha: 0.5, beta: -1 }));
      expect(parts.data).toEqual(whole.data);
    }
  });
});
