import { Matrix, compressRows, createRng, gemm, kernelAvailability, sparseGemm, transposeRows, useKernel, type GemmKernel } from "batchprop";

export interface GemmBenchRow {
  /** What the product is in the network (README.md, "Layout and architecture": z = act·weights, dWeights = actᵀ·delta, dAct = delta·weightsᵀ). */
  case: string;
  /** op(A)·op(B) as stored, ᵀ marking a transposed operand. */
  shape: string;
  kernel: string;
  /** Through sparseGemm, A's nonzero lists built inside the timed call (compressRows, and transposeRows for Aᵀ). */
  sparse: boolean;
  calls: number;
  seconds: number;
  /** 2·m·n·k per second over all timed calls, in 1e9 (for a sparse call too: the dense product's count). */
  gflops: number;
  /** The same for the fastest single call: on a shared machine the mean also measures the neighbours. */
  bestGflops: number;
  /** gflops over the JavaScript kernel's on the same case, timed in the same rounds. */
  vsJs: number;
}

interface GemmCase {
  case: string;
  /** Stored shapes of A and B. */
  a: [number, number];
  b: [number, number];
  transA: boolean;
  transB: boolean;
  /** The fraction of A's entries that are exactly 0. Default none. */
  zeros?: number;
  /** Multiply through sparseGemm. */
  sparse?: boolean;
}

/** The products a 64-sample batch through a 784-100 layer makes, and a square one for scale. */
export const gemmCases: readonly GemmCase[] = [
  { case: "forward z = act·W", a: [64, 784], b: [784, 100], transA: false, transB: false },
  { case: "dW = actᵀ·delta", a: [64, 784], b: [64, 100], transA: true, transB: false },
  { case: "dAct = delta·Wᵀ", a: [64, 100], b: [784, 100], transA: false, transB: true },
  { case: "square 512", a: [512, 512], b: [512, 512], transA: false, transB: false },
  // The first layer's products on inputs as sparse as MNIST's digits, dense and sparse.
  { case: "forward, 81% zeros", a: [64, 784], b: [784, 100], transA: false, transB: false, zeros: 0.81 },
  { case: "forward, 81% zeros", a: [64, 784], b: [784, 100], transA: false, transB: false, zeros: 0.81, sparse: true },
  { case: "dW, 81% zeros", a: [64, 784], b: [64, 100], transA: true, transB: false, zeros: 0.81 },
  { case: "dW, 81% zeros", a: [64, 784], b: [64, 100], transA: true, transB: false, zeros: 0.81, sparse: true },
];

const warmUpSeconds = 0.2;
/** Each kernel runs this long per round; rounds alternate the kernels so a busy neighbour slows them alike. */
const roundSeconds = 0.1;
const rounds = 5;

/** Every kernel that loads here; the others are named on stderr with the reason. */
function benchKernels(): GemmKernel[] {
  const available = kernelAvailability();
  for (const { name, error } of available) if (error !== undefined) console.error(`gemm bench: ${name} not measured: ${error}`);
  return available.flatMap(({ kernel }) => (kernel === undefined ? [] : [kernel]));
}

/**
 * Times each case through the public gemm with every kernel, after warm-up, for rounds × 0.1 s
 * each, the kernels interleaved round by round.
 */
export function benchGemm(cases: readonly GemmCase[] = gemmCases): GemmBenchRow[] {
  const kernels = benchKernels();
  const rng = createRng(1);
  const random = ([rows, cols]: [number, number]) => {
    const m = new Matrix(rows, cols);
    for (let p = 0; p < m.data.length; p++) m.data[p] = 2 * rng.uniform() - 1;
    return m;
  };
  return cases.flatMap(({ case: name, a: aShape, b: bShape, transA, transB, zeros = 0, sparse = false }) => {
    const a = random(aShape);
    for (let p = 0; p < a.data.length; p++) if (rng.uniform() < zeros) a.data[p] = 0;
    const b = random(bShape);
    const m = transA ? aShape[1] : aShape[0];
    const k = transA ? aShape[0] : aShape[1];
    const n = transB ? bShape[0] : bShape[1];
    const out = new Matrix(m, n);
    const flops = 2 * m * n * k;
    const rowsOfA = compressRows(a);
    const rowsOfAT = transposeRows(rowsOfA);
    const call = !sparse
      ? () => gemm(a, b, out, { transA, transB })
      : transA
        ? () => sparseGemm(transposeRows(compressRows(a, rowsOfA), rowsOfAT), b, out)
        : () => sparseGemm(compressRows(a, rowsOfA), b, out);
    if (sparse && transB) throw new RangeError(`gemm bench: ${name}: sparseGemm takes B as stored`);
    const totals = kernels.map(() => ({ calls: 0, seconds: 0, fastest: Infinity }));
    const timeFor = (kernel: GemmKernel, seconds: number, total?: (typeof totals)[number]) => {
      const previous = useKernel(kernel);
      try {
        const start = performance.now();
        let now = start;
        while (now - start < seconds * 1000) {
          const before = now;
          call();
          now = performance.now();
          if (total === undefined) continue;
          total.fastest = Math.min(total.fastest, now - before);
          total.calls++;
        }
        if (total !== undefined) total.seconds += (now - start) / 1000;
      } finally {
        useKernel(previous);
      }
    };
    // Warm-up lets V8 optimise each kernel for this shape before the clock runs.
    for (const kernel of kernels) timeFor(kernel, warmUpSeconds);
    for (let round = 0; round < rounds; round++) kernels.forEach((kernel, i) => timeFor(kernel, roundSeconds, totals[i]));
    const gflops = totals.map(({ calls, seconds }) => (flops * calls) / seconds / 1e9);
    const js = kernels.findIndex((kernel) => kernel.name === "js");
    return kernels.map((kernel, i) => ({
      case: name,
      shape: `${aShape[0]}×${aShape[1]}${transA ? "ᵀ" : ""} · ${bShape[0]}×${bShape[1]}${transB ? "ᵀ" : ""}`,
      kernel: kernel.name,
      sparse,
      calls: totals[i].calls,
      seconds: totals[i].seconds,
      gflops: gflops[i],
      bestGflops: flops / (totals[i].fastest / 1000) / 1e9,
      vsJs: gflops[i] / gflops[js],
    }));
  });
}
