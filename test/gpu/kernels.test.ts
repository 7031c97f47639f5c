// The tiled gemm every product of a step goes through, against a plain triple loop in float64:
// each tile size, split-K and not, every way of laying A and B out in memory.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type GpuHandle, nodeGpu } from "../../lib/index.ts";
import { type GemmSpec, gemmKernel, type Kernel, mostSplits, partialSumsUpTo, reduceKernel, splitFor, stepStride, tileFor } from "../../lib/gpu/kernels.ts";
import { randomUniform } from "../helpers.ts";

let gpu: GpuHandle;
beforeAll(async () => {
  gpu = await nodeGpu();
});
afterAll(() => gpu?.close());

/** C = A·B through gemmKernel (and reduceKernel when split), A stored m×k or k×m, B k×n or n×k. */
async function gpuGemm(a: Float64Array, b: Float64Array, m: number, n: number, k: number, aContiguous: "m" | "k", bContiguous: "k" | "n"): Promise<Float32Array> {
  const { device } = gpu;
  const spec: GemmSpec = {
    bindings: [
      { name: "a", write: false, type: "f32" },
      { name: "b", write: false, type: "f32" },
      { name: "out", write: true, type: "f32" },
    ],
    m: `${m}u`,
    n: `${n}u`,
    k: `${k}u`,
    loadA: aContiguous === "k" ? `v = a[m * ${k}u + k];` : `v = a[k * ${m}u + m];`,
    loadB: bContiguous === "n" ? `v = b[k * ${n}u + n];` : `v = b[n * ${k}u + k];`,
    aContiguous,
    bContiguous,
    epilogue: "out[m * N + n] = c;",
  };
  const tile = tileFor(m, n);
  const { splits, perSplit } = splitFor(m, n, k, tile);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const buffer = (values: number) => device.createBuffer({ size: Math.max(16, values * 4), usage });
  const buffers: Record<string, GPUBuffer> = { a: buffer(a.length), b: buffer(b.length), out: buffer(m * n), partial: buffer(splits * m * n) };
  device.queue.writeBuffer(buffers.a, 0, Float32Array.from(a));
  device.queue.writeBuffer(buffers.b, 0, Float32Array.from(b));
  const uniforms = device.createBuffer({ size: stepStride, usage: GPUBufferUsage.UNIFORM });
  const uniformLayout = device.createBindGroupLayout({ entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: "uniform", hasDynamicOffset: true } }] });
  const uniformGroup = device.createBindGroup({ layout: uniformLayout, entries: [{ binding: 0, resource: { buffer: uniforms, size: 32 } }] });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  const run = async (kernel: Kernel, workgroups: [number, number, number]) => {
    const layout = device.createBindGroupLayout({ entries: kernel.bindings.map((b, i) => ({ binding: i, visibility: GPUShaderStage.COMPUTE, buffer: { type: b.write ? "storage" : "read-only-storage" } })) });
    const pipeline = await device.createComputePipelineAsync({
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout, uniformLayout] }),
      compute: { module: device.createShaderModule({ code: kernel.code }), entryPoint: "main" },
    });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, device.createBindGroup({ layout, entries: kernel.bindings.map((b, i) => ({ binding: i, resource: { buffer: buffers[b.name] } })) }));
    pass.setBindGroup(1, uniformGroup, [0]);
    pass.dispatchWorkgroups(...workgroups);
  };
  await run(gemmKernel(spec, tile, perSplit, splits > 1), [Math.ceil(n / tile.tn), Math.ceil(m / tile.tm), splits]);
  if (splits > 1) await run(reduceKernel(spec, splits), [Math.ceil((m * n) / 256), 1, 1]);
  pass.end();
  const staging = device.createBuffer({ size: m * n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  encoder.copyBufferToBuffer(buffers.out, 0, staging, 0, m * n * 4);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const c = new Float32Array(staging.getMappedRange()).slice();
  for (const made of [...Object.values(buffers), uniforms, staging]) made.destroy();
  return c;
}

it.each([
  // [m, n, k]: a 64×64 tile split 4 ways, a 32×32 tile whole, 16×16 tiles split 13 ways, edges that fill no tile
  [100, 70, 300, "k", "n"],
  [100, 70, 300, "m", "k"],
  [40, 33, 50, "k", "k"],
  [5, 3, 1000, "m", "n"],
  [17, 65, 16, "k", "n"],
] as const)("%i×%i times K = %i (A along %s, B along %s): within 1e-6 of the triple loop", async (m, n, k, aContiguous, bContiguous) => {
  const a = randomUniform(m, k, 1).data;
  const b = randomUniform(k, n, 2).data;
  const aAt = (i: number, p: number) => (aContiguous === "k" ? a[i * k + p] : a[p * m + i]);
  const bAt = (p: number, j: number) => (bContiguous === "n" ? b[p * n + j] : b[j * k + p]);
  const c = await gpuGemm(a, b, m, n, k, aContiguous, bContiguous);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += aAt(i, p) * bAt(p, j);
      diff += (c[i * n + j] - sum) ** 2;
      norm += sum * sum;
    }
  }
  expect(Math.sqrt(diff / norm)).toBeLessThan(1e-6);
});

it("splits K only where tiles are few and K long, each split a multiple of 16 and none empty", () => {
  expect(splitFor(100, 70, 300)).toEqual({ splits: 4, perSplit: 80 });
  expect(splitFor(40, 33, 50).splits).toBe(1);
  expect(splitFor(5, 3, 1000)).toEqual({ splits: 13, perSplit: 80 });
  for (const [m, n, k] of [[64, 100, 784], [785, 100, 64], [785, 100, 8192], [8192, 100, 784], [1, 1, 5], [1, 1, 100_000], [16, 16, 60_000]]) {
    const { splits, perSplit } = splitFor(m, n, k);
    expect(perSplit % 16).toBe(0);
    expect((splits - 1) * perSplit).toBeLessThan(k);
    expect(splits * perSplit).toBeGreaterThanOrEqual(k);
    // What the partial sums are sized for, at this K and any shorter.
    for (const shorter of [k, Math.ceil(k / 2), Math.ceil(k / 3), 100, 64]) expect(splitFor(m, n, Math.min(shorter, k)).splits).toBeLessThanOrEqual(mostSplits(m, n, k));
  }
});

it("the partial sums of a batch's products are sized by the splits its rows get: B = 100,000 at 784-100-10 needs under 8 MB, not 480", () => {
  // Forward through the 784-wide layer: any batch of up to 100,000 rows, a partial last batch of 1 included.
  const most = partialSumsUpTo(100_000, 100, 784);
  expect(most * 4).toBeLessThan(8e6);
  for (const rows of [1, 2, 17, 64, 333, 4096, 8191, 16_384, 20_000, 100_000]) {
    const { splits } = splitFor(rows, 100, 784);
    if (splits > 1) expect(splits * rows * 100).toBeLessThanOrEqual(most);
  }
  expect(splitFor(100_000, 100, 784).splits).toBe(1);
});
