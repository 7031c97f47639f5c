/**
 * A network and its data on the device: the buffers, the compiled kernels, and the dispatches of
 * one step, encoded into a compute pass for a run of steps. The weights live here in float32 for
 * the whole run; writeWeights puts what a chunk reads back into the float64 Network.
 */
import type { Dataset } from "../data/dataset.js";
import type { Network } from "../network/network.js";
import { sizesOf } from "../network/network.js";
import type { Objective } from "../network/objective.js";
import { ConfigError } from "../validate/validate.js";
import type { GpuHandle } from "./device.js";
import {
  backwardSpec,
  forwardSpec,
  gemmKernel,
  type GemmSpec,
  headKernel,
  mostSplits,
  partialSumsUpTo,
  type Kernel,
  lossKernel,
  reduceKernel,
  softmaxRowKernel,
  splitFor,
  type StepShapes,
  stepStride,
  tileFor,
  updateSpec,
} from "./kernels.js";
import { wgslRules, type WgslRule } from "./wgsl.js";

/** The optimizer a run's update kernels apply, with its settings. */
export interface GpuRule {
  readonly name: WgslRule;
  readonly momentum: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** What one step of a chunk needs: where its rows are in `order`, how many, its scale and η, and Adam's t. */
export interface StepParams {
  readonly position: number;
  readonly rows: number;
  readonly scale: number;
  readonly lr: number;
  /** The optimizer step this is, from 1. */
  readonly t: number;
}

/** Steps one compute pass takes at most: their uniforms and losses have a slot each. */
export const maxChunk = 64;

interface Dispatch {
  readonly pipeline: GPUComputePipeline;
  readonly group: GPUBindGroup;
  readonly workgroups: readonly [number, number, number];
}

export interface GpuTrainer {
  /** Sets the order of the epoch's samples (indices into the training set). */
  setOrder(order: Int32Array): void;
  /** Makes room for batches of up to `rows` rows. */
  reserve(rows: number): void;
  /** Compiles the kernels of steps of each of these row counts; a kernel the device refuses throws here, with the device's message. */
  prepare(rowCounts: Iterable<number>): Promise<void>;
  /**
   * Encodes `steps` (at most maxChunk) as one compute pass, then copies their losses and the status
   * out, and the weights (or, under the "gradient" rule, the last step's gradient) when `copy` says.
   * Returns what to read once submitted; two chunks may be in flight, read in the order encoded.
   */
  encode(encoder: GPUCommandEncoder, steps: readonly StepParams[], copy: "weights" | "gradient" | "none"): ChunkReadback;
  /** Releases every buffer. */
  destroy(): void;
}

/** A chunk's results, readable once its command buffer is submitted. */
export interface ChunkReadback {
  /** Per-step loss per sample, the index + 1 of the first non-finite one (0 if none) and, if asked, the weights or gradient, [W; b] per layer. */
  read(): Promise<{ losses: Float32Array; firstBad: number; weights?: Float32Array[] }>;
}

/** The buffers' usages, read when first needed: in Node GPUBufferUsage exists only once Dawn has loaded. */
const storage = {
  get data() {
    return GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  },
  get readback() {
    return GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST;
  },
  get uniform() {
    return GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST;
  },
};

/**
 * Each device's compiled kernels by source: runs of the same shapes (a sweep, the playground's runs)
 * compile once. Layouts made from equal descriptors are interchangeable, so a pipeline serves every run.
 */
const compiledOn = new WeakMap<GPUDevice, Map<string, Promise<{ pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }>>>();

/** Puts `net` and `data` on the device, with kernels for `objective` and `rule`; one it cannot hold leaves nothing there. */
export function createTrainer(gpu: GpuHandle, net: Network, data: Dataset, objective: Objective, rule: GpuRule): GpuTrainer {
  const buffers: GPUBuffer[] = [];
  try {
    return trainerOn(gpu, net, data, objective, rule, buffers);
  } catch (error) {
    for (const made of buffers) made.destroy();
    throw error;
  }
}

/** createTrainer's work, each buffer it makes kept in `buffers`. */
function trainerOn(gpu: GpuHandle, net: Network, data: Dataset, objective: Objective, rule: GpuRule, buffers: GPUBuffer[]): GpuTrainer {
  const { device } = gpu;
  const sizes = sizesOf(net);
  const layers = sizes.length - 1;
  const shapes: StepShapes = { sizes, activations: net.layers.map((layer) => layer.activation.name), loss: objective.loss.name };
  const n = data.inputs.rows;
  const slots = wgslRules[rule.name].slots;
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);

  /** The bytes of `values` float32s, or a ConfigError naming `field` where the adapter cannot bind them. */
  const sizeOf = (field: string | readonly string[], values: number, what: string): number => {
    const bytes = Math.max(16, Math.ceil((values * 4) / 16) * 16);
    if (bytes > limit) throw new ConfigError(field, `${what} needs ${bytes.toLocaleString("en-US")} bytes on the GPU; this adapter binds at most ${limit.toLocaleString("en-US")}`);
    return bytes;
  };
  const buffer = (field: string | readonly string[], values: number, usage: number, what: string): GPUBuffer => {
    const made = device.createBuffer({ size: sizeOf(field, values, what), usage });
    buffers.push(made);
    return made;
  };
  const upload = (field: string, values: ArrayLike<number>, what: string): GPUBuffer => {
    const made = buffer(field, values.length, storage.data, what);
    device.queue.writeBuffer(made, 0, Float32Array.from(values));
    return made;
  };
  /** Each layer's parameters, [W; b]: (n_in + 1) × n_out. */
  const paramCounts = sizes.slice(1).map((width, l) => (sizes[l] + 1) * width);

  const inputs = upload("data", data.inputs.data, `the training inputs (${n} × ${sizes[0]} float32)`);
  const targets = upload("data", data.targets.data, `the training targets (${n} × ${sizes[layers]} float32)`);
  const order = buffer("data", n, storage.data, "the sample order");
  const theta = net.layers.map((layer, l) => {
    const values = new Float32Array(paramCounts[l]);
    values.set(layer.weights.data);
    values.set(layer.bias, sizes[l] * sizes[l + 1]);
    return upload("sizes", values, `layer ${l + 1}'s weights`);
  });
  const state = paramCounts.map((count, l) => Array.from({ length: slots }, () => buffer("sizes", count, storage.data, `layer ${l + 1}'s optimizer state`)));
  const stepLoss = buffer("data", maxChunk, storage.data, "the step losses");
  const status = buffer("data", 4, storage.data, "the status word");
  const uniforms = device.createBuffer({ size: maxChunk * stepStride, usage: storage.uniform });
  buffers.push(uniforms);
  // Two of each: a chunk's results are copied out while the one before is still being read.
  const weightCount = paramCounts.reduce((total, count) => total + count, 0);
  const staging = [0, 1].map(() => ({
    losses: device.createBuffer({ size: maxChunk * 4 + 16, usage: storage.readback }),
    weights: device.createBuffer({ size: weightCount * 4, usage: storage.readback }),
  }));
  buffers.push(...staging.flatMap(({ losses, weights }) => [losses, weights]));
  let chunks = 0;

  const uniformLayout = device.createBindGroupLayout({
    entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: "uniform", hasDynamicOffset: true, minBindingSize: 32 } }],
  });
  const uniformGroup = device.createBindGroup({ layout: uniformLayout, entries: [{ binding: 0, resource: { buffer: uniforms, size: 32 } }] });

  let pipelines = compiledOn.get(device);
  if (pipelines === undefined) compiledOn.set(device, (pipelines = new Map()));
  const pipelineOf = (kernel: Kernel) => {
    let made = pipelines!.get(kernel.code);
    if (made === undefined) {
      const layout = device.createBindGroupLayout({
        entries: kernel.bindings.map((b, i) => ({ binding: i, visibility: GPUShaderStage.COMPUTE, buffer: { type: b.write ? ("storage" as const) : ("read-only-storage" as const) } })),
      });
      const compiled = device.createComputePipelineAsync({
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout, uniformLayout] }),
        compute: { module: device.createShaderModule({ code: kernel.code }), entryPoint: "main" },
      });
      pipelines!.set(kernel.code, (made = compiled.then((pipeline) => ({ pipeline, layout }))));
    }
    return made;
  };

  // The batch's buffers, sized for `capacity` rows, and the dispatches of a step of each row count.
  let capacity = 0;
  let batchBuffers: GPUBuffer[] = [];
  let z: GPUBuffer[] = [];
  let act: GPUBuffer[] = [];
  let delta: GPUBuffer[] = [];
  let rowLoss: GPUBuffer;
  let partial: GPUBuffer;
  const plans = new Map<number, Dispatch[]>();
  const planned = new Map<number, Promise<Dispatch[]>>();

  const reserve = (rows: number) => {
    if (rows <= capacity) return;
    const perLayer = (kind: string) => sizes.slice(1).map((width, l) => [rows * width, `layer ${l + 1}'s ${kind} for ${rows} rows`] as const);
    const wanted = [...perLayer("z"), ...perLayer("activations"), ...perLayer("δ"), [rows, "the rows' losses"] as const, [partialValues(rows), "the split products' partial sums"] as const];
    // Every size checked before the buffers in use go: a B the adapter cannot hold leaves the run as it was.
    const bytes = wanted.map(([values, what]) => sizeOf(["batchSize", "sizes"], values, what));
    // The row kernels and the forward and backward gemms lay the batch's rows along one dimension of their grid.
    const rowGroups = Math.max(Math.ceil(rows / 64), ...sizes.slice(1).map((width) => Math.ceil(rows / tileFor(rows, width).tm)));
    const most = device.limits.maxComputeWorkgroupsPerDimension;
    if (rowGroups > most) {
      throw new ConfigError("batchSize", `a batch of ${rows.toLocaleString("en-US")} rows needs ${rowGroups.toLocaleString("en-US")} workgroups along one dimension; this adapter dispatches at most ${most.toLocaleString("en-US")}`);
    }
    for (const made of batchBuffers) made.destroy();
    batchBuffers = bytes.map((size) => device.createBuffer({ size, usage: storage.data }));
    z = batchBuffers.slice(0, layers);
    act = batchBuffers.slice(layers, 2 * layers);
    delta = batchBuffers.slice(2 * layers, 3 * layers);
    [rowLoss, partial] = batchBuffers.slice(3 * layers);
    capacity = rows;
    plans.clear();
    planned.clear();
  };

  /** The largest split buffer a step of up to `rows` rows needs: forward and backward over any M up to `rows`, the updates over any K. */
  const partialValues = (rows: number): number => {
    const needs = [1];
    for (let l = 1; l <= layers; l++) {
      needs.push(partialSumsUpTo(rows, sizes[l], sizes[l - 1]), mostSplits(sizes[l - 1] + 1, sizes[l], rows) * paramCounts[l - 1]);
      if (l >= 2) needs.push(partialSumsUpTo(rows, sizes[l - 1], sizes[l]));
    }
    return Math.max(...needs);
  };

  const dispatch = async (kernel: Kernel, bind: Record<string, GPUBuffer>, workgroups: readonly [number, number, number]): Promise<Dispatch> => {
    const { pipeline, layout } = await pipelineOf(kernel);
    const group = device.createBindGroup({
      layout,
      entries: kernel.bindings.map((b, i) => {
        const resource = bind[b.name];
        if (resource === undefined) throw new Error(`webgpu: kernel binding ${b.name} has no buffer`);
        return { binding: i, resource: { buffer: resource } };
      }),
    });
    return { pipeline, group, workgroups };
  };

  /** A gemm's dispatches: one, or the split products and their sum. */
  const gemm = (spec: GemmSpec, m: number, nCols: number, k: number, bind: Record<string, GPUBuffer>): Promise<Dispatch>[] => {
    const tile = tileFor(m, nCols);
    const { splits, perSplit } = splitFor(m, nCols, k, tile);
    const grid = [Math.ceil(nCols / tile.tn), Math.ceil(m / tile.tm), splits] as const;
    if (splits === 1) return [dispatch(gemmKernel(spec, tile, perSplit, false), bind, grid)];
    const withPartial = { ...bind, partial };
    return [dispatch(gemmKernel(spec, tile, perSplit, true), withPartial, grid), dispatch(reduceKernel(spec, splits), withPartial, [Math.ceil((m * nCols) / 256), 1, 1])];
  };

  const rows64 = (rows: number) => [Math.ceil(rows / 64), 1, 1] as const;

  /** The dispatches of one step over `rows` rows: forward, head, loss, backward, updates. */
  const planFor = (rows: number): Promise<Dispatch[]> => {
    const steps: Promise<Dispatch>[] = [];
    for (let l = 1; l <= layers; l++) {
      steps.push(...gemm(forwardSpec(shapes, l), rows, sizes[l], sizes[l - 1], { inputs, order, actIn: act[l - 2], theta: theta[l - 1], zOut: z[l - 1], actOut: act[l - 1] }));
      // A hidden softmax layer's act needs its whole row: a row kernel after the gemm.
      if (l < layers && shapes.activations[l - 1] === "softmax") steps.push(dispatch(softmaxRowKernel(sizes[l], "forward"), { zLast: z[l - 1], act: act[l - 1] }, rows64(rows)));
    }
    steps.push(dispatch(headKernel(shapes), { zLast: z[layers - 1], targets, order, delta: delta[layers - 1], act: act[layers - 1], rowLoss }, rows64(rows)));
    steps.push(dispatch(lossKernel(), { rowLoss, stepLoss, status }, [1, 1, 1]));
    for (let l = layers; l >= 2; l--) {
      steps.push(...gemm(backwardSpec(shapes, l), rows, sizes[l - 1], sizes[l], { deltaIn: delta[l - 1], theta: theta[l - 1], zBelow: z[l - 2], actBelow: act[l - 2], deltaOut: delta[l - 2] }));
      if (shapes.activations[l - 2] === "softmax") steps.push(dispatch(softmaxRowKernel(sizes[l - 1], "backward"), { act: act[l - 2], delta: delta[l - 2] }, rows64(rows)));
    }
    const update = wgslRules[rule.name].update(rule);
    for (let l = 1; l <= layers; l++) {
      const bind: Record<string, GPUBuffer> = { inputs, order, actIn: act[l - 2], delta: delta[l - 1], theta: theta[l - 1], status };
      state[l - 1].forEach((slot, s) => (bind[`s${s}`] = slot));
      steps.push(...gemm(updateSpec(shapes, l, rule.name, update), sizes[l - 1] + 1, sizes[l], rows, bind));
    }
    return Promise.all(steps);
  };

  const prepare = async (rowCounts: Iterable<number>) => {
    for (const rows of rowCounts) {
      // A reserve() while the kernels compile remakes the buffers their bind groups name: plan again.
      while (!plans.has(rows)) {
        let plan = planned.get(rows);
        if (plan !== undefined) {
          await plan;
          continue;
        }
        const bound = batchBuffers;
        device.pushErrorScope("validation");
        plan = planFor(rows);
        const refused = device.popErrorScope();
        planned.set(rows, plan);
        const [dispatches, error] = await Promise.all([plan, refused]).catch((reason: Error) => [undefined, reason] as const);
        if (planned.get(rows) === plan) planned.delete(rows);
        if (error !== null && error !== undefined) throw new Error(`webgpu: the device refused a kernel for ${rows} rows: ${error.message}`);
        if (bound === batchBuffers) plans.set(rows, dispatches!);
      }
    }
  };

  const uniformWords = new ArrayBuffer(maxChunk * stepStride);
  const u32 = new Uint32Array(uniformWords);
  const f32 = new Float32Array(uniformWords);
  device.queue.writeBuffer(status, 0, new Uint32Array(4));

  return {
    setOrder(values) {
      device.queue.writeBuffer(order, 0, Uint32Array.from(values));
    },
    reserve,
    prepare,
    encode(encoder, steps, copy) {
      if (steps.length > maxChunk) throw new RangeError(`webgpu: a pass takes at most ${maxChunk} steps, got ${steps.length}`);
      steps.forEach(({ position, rows, scale, lr, t }, slot) => {
        const word = (slot * stepStride) / 4;
        u32.set([position, rows, slot, 0], word);
        f32.set([scale, lr, 1 - rule.beta1 ** t, 1 - rule.beta2 ** t], word + 4);
      });
      device.queue.writeBuffer(uniforms, 0, uniformWords, 0, steps.length * stepStride);
      const pass = encoder.beginComputePass();
      steps.forEach(({ rows }, slot) => {
        const plan = plans.get(rows);
        if (plan === undefined) throw new Error(`webgpu: no kernels prepared for ${rows} rows`);
        pass.setBindGroup(1, uniformGroup, [slot * stepStride]);
        for (const { pipeline, group, workgroups } of plan) {
          pass.setPipeline(pipeline);
          pass.setBindGroup(0, group);
          pass.dispatchWorkgroups(...workgroups);
        }
      });
      pass.end();
      const { losses: lossStaging, weights: weightStaging } = staging[chunks++ % 2];
      encoder.copyBufferToBuffer(stepLoss, 0, lossStaging, 0, maxChunk * 4);
      encoder.copyBufferToBuffer(status, 0, lossStaging, maxChunk * 4, 16);
      let offset = 0;
      const weights = copy !== "none";
      if (weights) {
        (copy === "weights" ? theta : state.map((slots) => slots[0])).forEach((made, l) => {
          const bytes = paramCounts[l] * 4;
          encoder.copyBufferToBuffer(made, 0, weightStaging, offset, bytes);
          offset += bytes;
        });
      }
      const count = steps.length;
      return {
        async read() {
          await lossStaging.mapAsync(GPUMapMode.READ);
          const words = lossStaging.getMappedRange();
          const losses = new Float32Array(words, 0, count).slice();
          const firstBad = new Uint32Array(words, maxChunk * 4, 1)[0];
          lossStaging.unmap();
          if (!weights) return { losses, firstBad };
          await weightStaging.mapAsync(GPUMapMode.READ);
          const all = new Float32Array(weightStaging.getMappedRange()).slice();
          weightStaging.unmap();
          let at = 0;
          const parts = paramCounts.map((count) => all.subarray(at, (at += count)));
          return { losses, firstBad, weights: parts };
        },
      };
    },
    destroy() {
      for (const made of [...buffers, ...batchBuffers]) made.destroy();
      batchBuffers = [];
    },
  };
}

/** Copies float32 weights ([W; b] per layer, as the trainer keeps them) into the float64 network. */
export function writeWeights(net: Network, weights: readonly Float32Array[]): void {
  net.layers.forEach((layer, l) => {
    const count = layer.weights.data.length;
    layer.weights.data.set(weights[l].subarray(0, count));
    layer.bias.set(weights[l].subarray(count));
  });
}
