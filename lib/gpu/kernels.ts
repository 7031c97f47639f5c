/**
 * The WGSL kernels of one training step, generated for a network's shapes. Every matrix product of
 * the step is one tiled gemm C = A·B (M×K times K×N) whose loads and epilogue are spliced in:
 *
 *   forward, layer l:   z_l = act_{l−1}·W_l + b_l, act_l = f(z_l)     (act_0 gathered through `order`)
 *   backward, layer l:  δ_{l−1} = (δ_l·W_lᵀ) ⊙ f′(z_{l−1})
 *   update, layer l:    ΔW_l = act_{l−1}ᵀ·δ_l, Δb_l = Σ_k δ_l, then the optimizer's update, fused
 *
 * A layer's weights and bias are one buffer, the bias its last row ((n_in + 1) × n_out, the paper's
 * form), so the update gemm treats the bias as the weights of an input that is always 1. Where a
 * gemm has few tiles and a long K it is split along K (split-K): each split writes its partial sums
 * and a second kernel adds them up and runs the epilogue. Per-step values (the batch's place in
 * `order`, its rows, the reduction's scale, η) come from a uniform at a dynamic offset.
 */
import { elementwise, wgslLosses, wgslRules, type WgslRule } from "./wgsl.js";
import type { ActivationName } from "../activations/activation.js";
import type { LossName } from "../losses/loss.js";

/** The per-step uniform: 8 words, at a 256-byte stride. */
export const stepStruct = `struct Step { position: u32, rows: u32, slot: u32, unused: u32, scale: f32, lr: f32, c1: f32, c2: f32 }
@group(1) @binding(0) var<uniform> now: Step;`;
export const stepStride = 256;

/** A storage binding of a kernel: its name, whether the kernel writes it, and its element type. */
export interface Binding {
  readonly name: string;
  readonly write: boolean;
  readonly type: "f32" | "u32";
}

export interface Kernel {
  readonly code: string;
  /** Group 0, binding i: bindings[i]. */
  readonly bindings: readonly Binding[];
}

const read = (name: string, type: "f32" | "u32" = "f32"): Binding => ({ name, write: false, type });
const write = (name: string, type: "f32" | "u32" = "f32"): Binding => ({ name, write: true, type });

function declare(bindings: readonly Binding[]): string {
  return bindings.map((b, i) => `@group(0) @binding(${i}) var<storage, ${b.write ? "read_write" : "read"}> ${b.name}: array<${b.type}>;`).join("\n");
}

/** A gemm's tile: TM×TN outputs per workgroup of 16×16 threads, RM×RN per thread, K in steps of 16. */
export interface Tile {
  readonly tm: number;
  readonly tn: number;
}

const tiles: readonly Tile[] = [
  { tm: 64, tn: 64 },
  { tm: 32, tn: 32 },
  { tm: 16, tn: 16 },
];
const kt = 16;

/** The largest tile that the output fills: 64×64 (4×4 per thread) down to 16×16 (1 per thread). */
export function tileFor(m: number, n: number): Tile {
  return tiles.find((t) => m >= t.tm && n >= t.tn) ?? tiles[tiles.length - 1];
}

/** Workgroups a large GPU runs at once, about: fewer tiles than this and a long K is split. */
const busyWorkgroups = 256;
/** The least K a split takes on: shorter splits cost more in partial sums than they save. */
const minSplitK = 64;

/** The most splits a gemm of M×N gets over any K up to `k` (splitFor's count before rounding, which never grows with K's share). */
export function mostSplits(m: number, n: number, k: number, tile: Tile = tileFor(m, n)): number {
  const tileCount = Math.ceil(m / tile.tm) * Math.ceil(n / tile.tn);
  return Math.max(1, Math.min(Math.ceil(busyWorkgroups / tileCount), Math.floor(k / minSplitK)));
}

/**
 * The most partial sums (splits × M × N) a gemm of N columns over K writes for any M up to `rows`,
 * the batch's rows: 0 where none is split. Past 256 tiles of 64 rows no M is split.
 */
export function partialSumsUpTo(rows: number, n: number, k: number): number {
  let most = 0;
  for (let m = 1; m <= Math.min(rows, busyWorkgroups * tiles[0].tm); m++) {
    const splits = mostSplits(m, n, k);
    if (splits > 1) most = Math.max(most, splits * m * n);
  }
  return most;
}

/** How many splits of K a gemm of M×N over K gets, and how much K each takes (a multiple of 16). */
export function splitFor(m: number, n: number, k: number, tile: Tile = tileFor(m, n)): { splits: number; perSplit: number } {
  const splits0 = mostSplits(m, n, k, tile);
  const perSplit = Math.ceil(k / splits0 / kt) * kt;
  // Rounding up each split's share can leave the last ones empty: count only those that get K.
  return { splits: Math.ceil(k / perSplit), perSplit };
}

/** What a gemm reads and what it does with each output C[m][n], as WGSL. */
export interface GemmSpec {
  readonly bindings: readonly Binding[];
  /** Expressions for M, N, K (constants or from `step`). */
  readonly m: string;
  readonly n: string;
  readonly k: string;
  /** Statements setting `v` to A[m][k] and to B[k][n], for m < M, k < K, n < N. */
  readonly loadA: string;
  readonly loadB: string;
  /**
   * Which index of A and of B is contiguous in memory: neighbouring threads load neighbouring
   * addresses (coalesced) when they step along it. A is m×k, so "k" for a row-major A, "m" for a
   * transposed one (actᵀ); B is k×n, "n" for W, "k" for Wᵀ.
   */
  readonly aContiguous: "m" | "k";
  readonly bContiguous: "k" | "n";
  /** Statements using the finished value `c` at (m, n). */
  readonly epilogue: string;
}

/**
 * The gemm of `spec` with `tile`, over `perSplit` of K per z-workgroup. With one split the epilogue
 * runs in place; with several, each writes its sums to partial[split][m][n] for reduceKernel to add
 * up, packed by this step's M (a batch's rows), so that a small batch's splits need little room.
 */
export function gemmKernel(spec: GemmSpec, tile: Tile, perSplit: number, split: boolean): Kernel {
  const rm = tile.tm / 16;
  const rn = tile.tn / 16;
  const bindings = split ? [...spec.bindings, write("partial")] : spec.bindings;
  const store = split ? "partial[(wg.z * M + m) * N + n] = c;" : spec.epilogue;
  const code = `${stepStruct}
${declare(bindings)}
const TM = ${tile.tm}u; const TN = ${tile.tn}u; const RM = ${rm}u; const RN = ${rn}u; const KT = ${kt}u;
var<workgroup> As: array<f32, ${tile.tm * kt}>;
var<workgroup> Bs: array<f32, ${kt * tile.tn}>;
fn loadA(m: u32, k: u32) -> f32 { var v = 0.0; ${spec.loadA} return v; }
fn loadB(k: u32, n: u32) -> f32 { var v = 0.0; ${spec.loadB} return v; }
fn finish(m: u32, n: u32, c: f32, wg: vec3u) { let M = ${spec.m}; let N = ${spec.n}; ${store} }
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let M = ${spec.m}; let N = ${spec.n}; let K = ${spec.k};
  let m0 = wg.y * TM; let n0 = wg.x * TN;
  let kBegin = wg.z * ${perSplit}u; let kEnd = min(K, kBegin + ${perSplit}u);
  var acc: array<f32, ${rm * rn}>;
  for (var k0 = kBegin; k0 < kEnd; k0 += KT) {
    for (var i = li; i < TM * KT; i += 256u) {
      ${spec.aContiguous === "k" ? "let mm = i / KT; let kk = i % KT;" : "let mm = i % TM; let kk = i / TM;"} let m = m0 + mm; let k = k0 + kk;
      var v = 0.0;
      if (m < M && k < kEnd) { v = loadA(m, k); }
      As[kk * TM + mm] = v;
    }
    for (var i = li; i < KT * TN; i += 256u) {
      ${spec.bContiguous === "n" ? "let kk = i / TN; let nn = i % TN;" : "let kk = i % KT; let nn = i / KT;"} let k = k0 + kk; let n = n0 + nn;
      var v = 0.0;
      if (n < N && k < kEnd) { v = loadB(k, n); }
      Bs[kk * TN + nn] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < KT; kk++) {
      var a: array<f32, ${rm}>;
      for (var i = 0u; i < RM; i++) { a[i] = As[kk * TM + lid.y + i * 16u]; }
      for (var j = 0u; j < RN; j++) {
        let b = Bs[kk * TN + lid.x + j * 16u];
        for (var i = 0u; i < RM; i++) { acc[i * RN + j] += a[i] * b; }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < RM; i++) {
    for (var j = 0u; j < RN; j++) {
      let m = m0 + lid.y + i * 16u; let n = n0 + lid.x + j * 16u;
      if (m < M && n < N) { finish(m, n, acc[i * RN + j], wg); }
    }
  }
}`;
  return { code, bindings };
}

/** Adds up a split gemm's partial sums and runs its epilogue, one thread per output. */
export function reduceKernel(spec: GemmSpec, splits: number): Kernel {
  const bindings = [...spec.bindings, read("partial")];
  const code = `${stepStruct}
${declare(bindings)}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let M = ${spec.m}; let N = ${spec.n};
  let i = gid.x;
  if (i >= M * N) { return; }
  let m = i / N; let n = i % N;
  var c = 0.0;
  for (var s = 0u; s < ${splits}u; s++) { c += partial[s * M * N + i]; }
  ${spec.epilogue}
}`;
  return { code, bindings };
}

/** The shapes a step's kernels are generated for. */
export interface StepShapes {
  /** Widths from input to output. */
  readonly sizes: readonly number[];
  /** Activations of layers 1 … L. */
  readonly activations: readonly ActivationName[];
  readonly loss: LossName;
}

/** Row-major index expression of the sample at batch row `row`: order[position + row]. */
const sampleOf = (row: string) => `order[now.position + ${row}]`;

/** Layer l's forward gemm (l from 1): z = act·W + b, and act = f(z) for elementwise hidden layers. */
export function forwardSpec({ sizes, activations }: StepShapes, l: number): GemmSpec {
  const nIn = sizes[l - 1];
  const nOut = sizes[l];
  const first = l === 1;
  const act = activations[l - 1];
  const last = l === sizes.length - 1;
  // The output layer's activation is the head's, and a softmax needs its whole row: z is stored, a comes later.
  const applies = !last && act !== "softmax";
  const bindings = [...(first ? [read("inputs"), read("order", "u32")] : [read("actIn")]), read("theta"), write("zOut"), ...(applies ? [write("actOut")] : [])];
  return {
    bindings,
    m: "now.rows",
    n: `${nOut}u`,
    k: `${nIn}u`,
    loadA: first ? `v = inputs[${sampleOf("m")} * ${nIn}u + k];` : `v = actIn[m * ${nIn}u + k];`,
    loadB: `v = theta[k * ${nOut}u + n];`,
    aContiguous: "k",
    bContiguous: "n",
    epilogue: `let z = c + theta[${nIn * nOut}u + n]; zOut[m * N + n] = z;${applies ? ` actOut[m * N + n] = ${elementwise[act as Exclude<ActivationName, "softmax">].forward};` : ""}`,
  };
}

/** Layer l's backward gemm (l from 2): δ_{l−1} = (δ_l·W_lᵀ) ⊙ f′(z_{l−1}), or ∂L/∂act_{l−1} for a softmax layer's row kernel. */
export function backwardSpec({ sizes, activations }: StepShapes, l: number): GemmSpec {
  const nIn = sizes[l - 1];
  const nOut = sizes[l];
  const below = activations[l - 2];
  const rowWise = below === "softmax";
  return {
    bindings: [read("deltaIn"), read("theta"), ...(rowWise ? [] : [read("zBelow"), read("actBelow")]), write("deltaOut")],
    m: "now.rows",
    n: `${nIn}u`,
    k: `${nOut}u`,
    loadA: `v = deltaIn[m * ${nOut}u + k];`,
    loadB: `v = theta[n * ${nOut}u + k];`,
    aContiguous: "k",
    bContiguous: "k",
    epilogue: rowWise
      ? "deltaOut[m * N + n] = c;"
      : `let z = zBelow[m * N + n]; let a = actBelow[m * N + n]; deltaOut[m * N + n] = c * (${elementwise[below as Exclude<ActivationName, "softmax">].derivative});`,
  };
}

/** Layer l's update gemm (l from 1): g = [act; 1]ᵀ·δ over the batch's rows, then the rule's update of θ (bias row included). */
export function updateSpec({ sizes }: StepShapes, l: number, rule: WgslRule, update: string): GemmSpec {
  const nIn = sizes[l - 1];
  const nOut = sizes[l];
  const first = l === 1;
  const slots = wgslRules[rule].slots;
  return {
    bindings: [
      ...(first ? [read("inputs"), read("order", "u32")] : [read("actIn")]),
      read("delta"),
      write("theta"),
      ...Array.from({ length: slots }, (_, s) => write(`s${s}`)),
      read("status", "u32"),
    ],
    m: `${nIn + 1}u`,
    n: `${nOut}u`,
    k: "now.rows",
    loadA: `if (m == ${nIn}u) { v = 1.0; } else { ${first ? `v = inputs[${sampleOf("k")} * ${nIn}u + m];` : `v = actIn[k * ${nIn}u + m];`} }`,
    loadB: `v = delta[k * ${nOut}u + n];`,
    aContiguous: "m",
    bContiguous: "n",
    // A diverged run keeps the weights of its last finite step, as the CPU's does.
    epilogue: `if (status[0] != 0u) { return; } let p = m * N + n; let g = c; ${update}`,
  };
}

/**
 * Whether x is finite, told by its bits: WGSL may assume floats finite, and SwiftShader's max and
 * log turn a NaN into finite numbers (a NaN output read as a loss of −log(tiny) = 87.34).
 */
const finiteFn = "fn finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }";

/** A kernel of one thread per batch row of `width` values, `base` its first index. */
function rowKernel(bindings: readonly Binding[], width: number, body: string): Kernel {
  const code = `${stepStruct}
${declare(bindings)}
const W = ${width}u;
${finiteFn}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= now.rows) { return; }
  let base = r * W;
  ${body}
}`;
  return { code, bindings };
}

/** act = softmax(z) over the row, shifted by its maximum so that exp never overflows. */
const softmaxRow = `var top = zLast[base]; for (var j = 1u; j < W; j++) { top = max(top, zLast[base + j]); }
  var total = 0.0; for (var j = 0u; j < W; j++) { let e = exp(zLast[base + j] - top); act[base + j] = e; total += e; }
  for (var j = 0u; j < W; j++) { act[base + j] = act[base + j] / total; }`;

/**
 * The head, one thread per batch row: the output layer's act = f(z) (softmax over the row), the
 * loss ℓ_k against the row's targets, and δ = scale·∂ℓ/∂z, through the loss's closed form where it
 * pairs with the activation (lib/network/objective.ts's outputDelta).
 */
export function headKernel({ sizes, activations, loss }: StepShapes): Kernel {
  const act = activations[activations.length - 1];
  const spec = wgslLosses[loss];
  const paired = spec.pairsWith === act && spec.paired !== undefined;
  const activate = act === "softmax" ? softmaxRow : `for (var j = 0u; j < W; j++) { let z = zLast[base + j]; act[base + j] = ${elementwise[act].forward}; }`;
  // Through the activation: g = ∂ℓ/∂y, then δ = f′ ⊙ g, or softmax's a ⊙ (g − Σ g·a).
  const chain =
    act === "softmax"
      ? `var dot = 0.0;
  for (var j = 0u; j < W; j++) { let y = act[base + j]; let t = targets[truth + j]; var g = 0.0; ${spec.gradient} delta[base + j] = g; dot += g * y; }
  for (var j = 0u; j < W; j++) { delta[base + j] = now.scale * act[base + j] * (delta[base + j] - dot); }`
      : `for (var j = 0u; j < W; j++) { let z = zLast[base + j]; let a = act[base + j]; let y = a; let t = targets[truth + j]; var g = 0.0; ${spec.gradient} delta[base + j] = now.scale * g * (${elementwise[act].derivative}); }`;
  const deltas = paired
    ? `var rowTargets = 0.0; for (var j = 0u; j < W; j++) { rowTargets += targets[truth + j]; }
  for (var j = 0u; j < W; j++) { let y = act[base + j]; let t = targets[truth + j]; var d = 0.0; ${spec.paired} delta[base + j] = now.scale * d; }`
    : chain;
  const bindings = [read("zLast"), read("targets"), read("order", "u32"), write("delta"), write("act"), write("rowLoss")];
  return rowKernel(
    bindings,
    sizes[sizes.length - 1],
    `let truth = ${sampleOf("r")} * W;
  ${activate}
  var sum = 0.0;
  // A non-finite z or output is the row's loss, whatever the loss's clamps and logs make of it.
  var lost = false;
  var offending = 0.0;
  for (var j = 0u; j < W; j++) {
    let y = act[base + j]; let t = targets[truth + j]; ${spec.total}
    let zj = zLast[base + j];
    if (!finite(zj)) { lost = true; offending = zj; }
    if (!finite(y)) { lost = true; offending = y; }
  }
  rowLoss[r] = select(sum, offending, lost);
  ${deltas}`,
  );
}

/** A hidden softmax layer's forward (act from z) or backward (δ = a ⊙ (g − Σ g·a) from g = ∂L/∂act), one thread per row. */
export function softmaxRowKernel(width: number, direction: "forward" | "backward"): Kernel {
  if (direction === "forward") return rowKernel([read("zLast"), write("act")], width, softmaxRow);
  return rowKernel(
    [read("act"), write("delta")],
    width,
    `var dot = 0.0; for (var j = 0u; j < W; j++) { dot += delta[base + j] * act[base + j]; }
  for (var j = 0u; j < W; j++) { delta[base + j] = act[base + j] * (delta[base + j] - dot); }`,
  );
}

/**
 * The step's loss, one workgroup: stepLoss[slot] = Σ_k ℓ_k / rows, the loss per sample the CPU
 * checks. A non-finite one, or a non-finite row (the head's z or output), sets status[0] to
 * slot + 1 (the first only), and from then on every update kernel leaves the weights alone.
 */
export function lossKernel(): Kernel {
  const bindings = [read("rowLoss"), write("stepLoss"), write("status", "u32")];
  const code = `${stepStruct}
${declare(bindings)}
var<workgroup> sums: array<f32, 256>;
var<workgroup> bad: array<u32, 256>;
${finiteFn}
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) li: u32) {
  var sum = 0.0;
  var rowsBad = 0u;
  for (var r = li; r < now.rows; r += 256u) { let v = rowLoss[r]; sum += v; if (!finite(v)) { rowsBad = 1u; } }
  sums[li] = sum;
  bad[li] = rowsBad;
  workgroupBarrier();
  for (var width = 128u; width > 0u; width /= 2u) {
    if (li < width) { sums[li] += sums[li + width]; bad[li] |= bad[li + width]; }
    workgroupBarrier();
  }
  if (li == 0u) {
    let perSample = sums[0] / f32(now.rows);
    stepLoss[now.slot] = perSample;
    if ((bad[0] != 0u || !finite(perSample)) && status[0] == 0u) { status[0] = now.slot + 1u; }
  }
}`;
  return { code, bindings };
}

