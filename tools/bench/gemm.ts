import { Matrix, createRng, currentKernel, gemm } from "batchprop";

export interface GemmBenchRow {
  /** What the product is in the network (DESIGN.md: z = act·weights, dWeights = actᵀ·delta, dAct = delta·weightsᵀ). */
  case: string;
  /** op(A)·op(B) as stored, ᵀ marking a transposed operand. */
  shape: string;
  kernel: string;
  calls: number;
  seconds: number;
  /** 2·m·n·k per second over all timed calls, in 1e9. */
  gflops: number;
  /** The same for the fastest single call: on a shared machine the mean also measures the neighbours. */
  bestGflops: number;
}

interface GemmCase {
  case: string;
  /** Stored shapes of A and B. */
  a: [number, number];
  b: [number, number];
  transA: boolean;
  transB: boolean;
}

/** The products a 64-sample batch through a 784-100 layer makes, and a square one for scale. */
export const gemmCases: readonly GemmCase[] = [
  { case: "forward z = act·W", a: [64, 784], b: [784, 100], transA: false, transB: false },
  { case: "dW = actᵀ·delta", a: [64, 784], b: [64, 100], transA: true, transB: false },
  { case: "dAct = delta·Wᵀ", a: [64, 100], b: [784, 100], transA: false, transB: true },
  { case: "square 512", a: [512, 512], b: [512, 512], transA: false, transB: false },
];

const warmUpSeconds = 0.2;
const minSeconds = 0.5;

/** Times each case through the public gemm with the current kernel, after warm-up, for ≥ 0.5 s. */
export function benchGemm(cases: readonly GemmCase[] = gemmCases): GemmBenchRow[] {
  const rng = createRng(1);
  const random = ([rows, cols]: [number, number]) => {
    const m = new Matrix(rows, cols);
    for (let p = 0; p < m.data.length; p++) m.data[p] = 2 * rng.uniform() - 1;
    return m;
  };
  return cases.map(({ case: name, a: aShape, b: bShape, transA, transB }) => {
    const a = random(aShape);
    const b = random(bShape);
    const m = transA ? aShape[1] : aShape[0];
    const k = transA ? aShape[0] : aShape[1];
    const n = transB ? bShape[0] : bShape[1];
    const out = new Matrix(m, n);
    const flops = 2 * m * n * k;
    const call = () => gemm(a, b, out, { transA, transB });

    // Warm-up lets V8 optimise the kernel for this shape before the clock runs.
    for (const start = performance.now(); performance.now() - start < warmUpSeconds * 1000; ) call();

    let calls = 0;
    let fastest = Infinity;
    const start = performance.now();
    let now = start;
    while (now - start < minSeconds * 1000) {
      const before = now;
      call();
      now = performance.now();
      fastest = Math.min(fastest, now - before);
      calls++;
    }
    const seconds = (now - start) / 1000;
    return {
      case: name,
      shape: `${aShape[0]}×${aShape[1]}${transA ? "ᵀ" : ""} · ${bShape[0]}×${bShape[1]}${transB ? "ᵀ" : ""}`,
      kernel: currentKernel().name,
      calls,
      seconds,
      gflops: (flops * calls) / seconds / 1e9,
      bestGflops: flops / (fastest / 1000) / 1e9,
    };
  });
}
