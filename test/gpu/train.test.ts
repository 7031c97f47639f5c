// train() and sessions on the GPU keep the CPU's semantics: the same steps, samples and records for
// every budget and last batch, B and η changed mid-run, divergence, abort and B_simple, with the
// float32 numbers within stated tolerances of float64's. Real digits for the long run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  blobs,
  cloneNetwork,
  createGpuSession,
  createNetwork,
  createOptimizer,
  createRng,
  createSession,
  type GpuHandle,
  loadDigits,
  Matrix,
  nodeGpu,
  parameterVector,
  type SessionStep,
  splitDataset,
  train,
  type TrainOptions,
  type TrainRecord,
} from "../../lib/index.ts";
import { trainOnGpu } from "../../lib/gpu/train.ts";

const { train: data, test } = splitDataset(blobs({ samples: 133, classes: 3, dims: 4, seed: 1 }), { train: 103, test: 30, rng: createRng(1) });
const net = () => createNetwork({ sizes: [4, 5, 3], init: "xavier", rng: 2 });
const normwise = (a: Float64Array, b: Float64Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / b.reduce((s, v) => s + v * v, 0));
const counts = (records: readonly TrainRecord[]) => records.map(({ epoch, step, samples }) => ({ epoch, step, samples }));

let gpu: GpuHandle;
beforeAll(async () => {
  gpu = await nodeGpu();
});
afterAll(() => gpu?.close());

/** Records and metrics agree: the same counts, losses and accuracies within float32's reach. */
function expectSameRecords(onGpu: readonly TrainRecord[], onCpu: readonly TrainRecord[]) {
  expect(counts(onGpu)).toEqual(counts(onCpu));
  onGpu.forEach((record, i) => {
    expect(Math.abs(record.trainLoss - onCpu[i].trainLoss) / onCpu[i].trainLoss).toBeLessThan(1e-4);
    expect(Math.abs(record.trainAccuracy - onCpu[i].trainAccuracy)).toBeLessThanOrEqual(1 / 103 + 1e-12);
    expect(record.testLoss).toBeCloseTo(onCpu[i].testLoss!, 4);
  });
}

describe("train on the GPU against the float64 train", () => {
  const settings: TrainOptions[] = [
    { batchSize: 10, budget: { epochs: 3 }, recordEvery: 4, optimizer: { name: "momentum", lr: 0.3 } },
    { batchSize: 10, budget: { epochs: 2 }, lastBatch: "drop", reduction: "sum", optimizer: { name: "sgd", lr: 0.05 } },
    { batchSize: 16, budget: { steps: 17 }, recordEvery: 5, optimizer: { name: "adam", lr: 0.01 }, loss: "cross-entropy" },
    { batchSize: 7, budget: { samples: 250 }, optimizer: { name: "adagrad", lr: 0.1 } },
    { batchSize: 103, budget: { epochs: 4 }, recordEvery: 1 },
  ];
  it.each(settings)("%o: the same steps, samples and records, weights within 1e-5", async (options) => {
    const onCpu = net();
    const onGpu = net();
    const cpuRecords: [TrainRecord, string][] = [];
    const gpuRecords: [TrainRecord, string][] = [];
    const cpuSteps: number[] = [];
    const gpuSteps: number[] = [];
    const cpu = train(onCpu, data, { ...options, test, onRecord: (r, kind) => cpuRecords.push([r, kind]), onProgress: (p) => cpuSteps.push(p.step) });
    const result = await train(onGpu, data, { ...options, test, backend: "webgpu", gpu, onRecord: (r, kind) => gpuRecords.push([r, kind]), onProgress: (p) => gpuSteps.push(p.step) });
    expect([result.steps, result.samples, result.backend, result.adapter]).toEqual([cpu.steps, cpu.samples, "webgpu", gpu.adapter]);
    expect(gpuSteps).toEqual(cpuSteps);
    expect(gpuRecords.map(([, kind]) => kind)).toEqual(cpuRecords.map(([, kind]) => kind));
    expectSameRecords(result.epochs, cpu.epochs);
    expectSameRecords(result.checkpoints, cpu.checkpoints);
    expect(normwise(parameterVector(onGpu), parameterVector(onCpu))).toBeLessThan(1e-5);
  });

  // SwiftShader runs a 784-wide layer slowly (about 15 ms a sample-step): B = 10 keeps this near 15 s.
  it("100 steps on real digits, 784-30-10 sigmoid, B = 10: weights within 1e-4, the same accuracy within a digit or two", async () => {
    const digits = loadDigits({ train: 1000, test: 200, seed: 4 });
    const start = createNetwork({ sizes: [784, 30, 10], rng: 3 });
    const onCpu = cloneNetwork(start);
    const onGpu = cloneNetwork(start);
    const options = { batchSize: 10, budget: { steps: 100 }, optimizer: { name: "sgd", lr: 3 }, test: digits.test } as const;
    const cpu = train(onCpu, digits.train, options);
    const result = await train(onGpu, digits.train, { ...options, backend: "webgpu", gpu });
    expect(result.steps).toBe(100);
    expect(normwise(parameterVector(onGpu), parameterVector(onCpu))).toBeLessThan(1e-4);
    const [a, b] = [result.checkpoints.at(-1)!, cpu.checkpoints.at(-1)!];
    // Above chance (0.1): it learned.
    expect(a.testAccuracy).toBeGreaterThan(0.2);
    expect(Math.abs(a.testAccuracy! - b.testAccuracy!)).toBeLessThanOrEqual(2 / 200);
  });
});

describe("the smallest shapes", () => {
  // 21 samples of one input, one target: a partial last batch of 1 row at B = 4 and 5, every step of one row at B = 1.
  const line = { name: "line", inputs: new Matrix(21, 1, Float64Array.from({ length: 21 }, (_, i) => i / 10 - 1)), targets: new Matrix(21, 1, Float64Array.from({ length: 21 }, (_, i) => Number(i % 3 === 0))) };
  it.each([
    { sizes: [1, 1], batchSize: 4 },
    { sizes: [1, 1, 1], batchSize: 5 },
    { sizes: [1, 1, 1], batchSize: 1 },
  ])("widths %o: the CPU's steps and weights within 1e-5", async ({ sizes, batchSize }) => {
    const options: TrainOptions = { batchSize, budget: { epochs: 3 }, loss: "binary-cross-entropy", optimizer: { name: "adam", lr: 0.05 } };
    const make = () => createNetwork({ sizes, activation: "tanh", outputActivation: "sigmoid", rng: 8 });
    const onCpu = make();
    const onGpu = make();
    const cpu = train(onCpu, line, options);
    const result = await train(onGpu, line, { ...options, backend: "webgpu", gpu });
    expect([result.steps, result.samples]).toEqual([cpu.steps, cpu.samples]);
    expect(normwise(parameterVector(onGpu), parameterVector(onCpu))).toBeLessThan(1e-5);
  });
});

describe("a GPU session", () => {
  it("changes B and η between advances as the CPU session does between steps", async () => {
    const options: TrainOptions = { batchSize: 10, budget: { epochs: 3 }, recordEvery: 4, optimizer: { name: "momentum", lr: 0.3 } };
    const onCpu = net();
    const cpu = createSession(onCpu, data, { ...options, test });
    for (let i = 0; i < 7; i++) cpu.step();
    cpu.set({ batchSize: 25, lr: 0.1 });
    while (cpu.step());

    const onGpu = net();
    const steps: SessionStep[] = [];
    const session = await createGpuSession(onGpu, data, { ...options, test, onStep: (step) => steps.push(step) }, gpu);
    expect(await session.advance(7)).toBe(true);
    expect(session.result.steps).toBe(7);
    session.set({ batchSize: 25, lr: 0.1 });
    expect([session.batchSize, session.lr]).toEqual([25, 0.1]);
    while (await session.advance(1000));
    expect(session.done).toBe(true);
    expect(steps.slice(6, 8).map(({ batchSize, lr }) => [batchSize, lr])).toEqual([[10, 0.3], [25, 0.1]]);
    expectSameRecords(session.result.checkpoints, cpu.result.checkpoints);
    expectSameRecords(session.result.epochs, cpu.result.epochs);
    expect(normwise(parameterVector(onGpu), parameterVector(onCpu))).toBeLessThan(1e-5);
  });

  it("stops where it is: the weights come back, a last checkpoint, aborted", async () => {
    const onGpu = net();
    const session = await createGpuSession(onGpu, data, { batchSize: 10, budget: { epochs: 50 } }, gpu);
    await session.advance(13);
    await session.stop();
    expect(session.result.aborted).toBe(true);
    expect(session.done).toBe(true);
    expect(session.result.checkpoints.map(({ step }) => step)).toEqual([13]);
    const onCpu = net();
    train(onCpu, data, { batchSize: 10, budget: { steps: 13 } });
    expect(normwise(parameterVector(onGpu), parameterVector(onCpu))).toBeLessThan(1e-5);
  });
});

describe("a GPU session driven from events (the playground's worker)", () => {
  it("stop() while an advance runs lets it land what it sent, then ends there", async () => {
    const onGpu = net();
    const session = await createGpuSession(onGpu, data, { batchSize: 5, budget: { epochs: 100 } }, gpu);
    const advancing = session.advance(1000);
    await expect(session.advance(1)).rejects.toThrow("advance: the previous advance has not finished (await it first)");
    await session.stop();
    expect(await advancing).toBe(false);
    const { steps, checkpoints, aborted } = session.result;
    expect(aborted).toBe(true);
    expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThan(1000);
    expect(checkpoints.map(({ step }) => step)).toEqual([steps]);
    const onCpu = net();
    train(onCpu, data, { batchSize: 5, budget: { steps } });
    expect(normwise(parameterVector(onGpu), parameterVector(onCpu))).toBeLessThan(1e-5);
  });

  it("set() of a larger B while an advance waits for its first kernels: the steps it planned at the old B are taken, then the new B", async () => {
    const options: TrainOptions = { batchSize: 4, budget: { steps: 12 }, optimizer: { name: "sgd", lr: 0.3 } };
    const onGpu = net();
    const steps: SessionStep[] = [];
    const session = await createGpuSession(onGpu, data, { ...options, onStep: (step) => steps.push(step) }, gpu);
    // advance() plans its chunk at B = 4 and then awaits the kernels: set() lands in that wait.
    const advancing = session.advance(5);
    session.set({ batchSize: 9 });
    await advancing;
    while (await session.advance(100));
    const changedAt = steps.findIndex(({ batchSize }) => batchSize === 9);
    expect(steps.slice(0, changedAt).map(({ rows }) => rows)).toEqual([4, 4, 4, 4, 4]);
    const onCpu = net();
    const cpu = createSession(onCpu, data, options);
    for (let i = 0; i < changedAt; i++) cpu.step();
    cpu.set({ batchSize: 9 });
    while (cpu.step());
    expect(session.result.steps).toBe(cpu.result.steps);
    expect(normwise(parameterVector(onGpu), parameterVector(onCpu))).toBeLessThan(1e-5);
  });

  it("close() while an advance runs ends it without an error", async () => {
    const session = await createGpuSession(net(), data, { batchSize: 5, budget: { epochs: 100 } }, gpu);
    const advancing = session.advance(1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    session.close();
    expect(await advancing).toBe(false);
    expect(session.done).toBe(true);
  });
});

describe("the GPU's ends of a run", () => {
  it("an abort stops after the steps already sent, with the weights of the last one", async () => {
    const controller = new AbortController();
    const onGpu = net();
    const result = await train(onGpu, data, {
      batchSize: 5,
      budget: { epochs: 100 },
      backend: "webgpu",
      gpu,
      signal: controller.signal,
      onProgress: ({ step }) => step === 30 && controller.abort(),
    });
    expect(result.aborted).toBe(true);
    expect(result.steps).toBeGreaterThanOrEqual(30);
    expect(result.steps).toBeLessThanOrEqual(30 + 128);
    expect(result.checkpoints.at(-1)!.step).toBe(result.steps);
    const onCpu = net();
    train(onCpu, data, { batchSize: 5, budget: { steps: result.steps } });
    expect(normwise(parameterVector(onGpu), parameterVector(onCpu))).toBeLessThan(1e-5);
  });

  it("divergence: the first non-finite step is reported, and the weights are the last finite step's", async () => {
    const wild = { batchSize: 10, budget: { epochs: 20 }, optimizer: { name: "sgd", lr: 1e9 }, loss: "sum-of-squares" } as const;
    const make = () => createNetwork({ sizes: [4, 8, 3], activation: "identity", rng: 7 });
    const losses: number[] = [];
    const onGpu = make();
    const result = await train(onGpu, data, { ...wild, backend: "webgpu", gpu, onProgress: ({ batchLoss }) => losses.push(batchLoss) });
    expect(result.diverged).toBeDefined();
    const { step, lastFiniteLoss } = result.diverged!;
    expect(result.steps).toBe(step - 1);
    expect(losses).toHaveLength(step - 1);
    expect(lastFiniteLoss).toBe(losses.at(-1));
    expect(parameterVector(onGpu).every(Number.isFinite)).toBe(true);
    // Deterministic: a run that stops one step short ends on the same weights.
    const short = make();
    await train(short, data, { ...wild, budget: { steps: step - 1 }, backend: "webgpu", gpu });
    expect(parameterVector(onGpu)).toEqual(parameterVector(short));
  });

  it.each([
    ["relu", "cross-entropy", "softmax"],
    ["relu", "binary-cross-entropy", "sigmoid"],
  ] as const)("divergence through the log losses' clamps (%s, %s, %s output): caught at the step, the weights finite", async (activation, loss, outputActivation) => {
    // float32 overflows at η = 1e12 in a dozen steps; a NaN output once read as a loss of −log(tiny) = 87.34, so
    // the run went on with NaN weights until an epoch's record caught it.
    const wild = { batchSize: 10, budget: { epochs: 30 }, optimizer: { name: "sgd", lr: 1e12 }, loss } as const;
    const make = () => createNetwork({ sizes: [4, 8, 3], activation, outputActivation, rng: 7 });
    const losses: number[] = [];
    const onGpu = make();
    const result = await train(onGpu, data, { ...wild, backend: "webgpu", gpu, onProgress: ({ batchLoss }) => losses.push(batchLoss) });
    expect(result.diverged).toBeDefined();
    expect(result.steps).toBe(result.diverged!.step - 1);
    expect(parameterVector(onGpu).every(Number.isFinite)).toBe(true);
    const short = make();
    await train(short, data, { ...wild, budget: { steps: result.steps }, backend: "webgpu", gpu });
    expect(parameterVector(onGpu)).toEqual(parameterVector(short));
  });

  it("tanh of a large z is ±1 as on the CPU, not a NaN that ends the run", async () => {
    // Weights × 40 put the hidden z past ±44, where SwiftShader's tanh overflowed to NaN.
    const make = () => {
      const made = createNetwork({ sizes: [4, 8, 3], activation: "tanh", outputActivation: "softmax", rng: 7 });
      for (const layer of made.layers) layer.weights.data.forEach((w, i, all) => (all[i] = 40 * w));
      return made;
    };
    const options = { batchSize: 10, budget: { steps: 5 }, loss: "cross-entropy", optimizer: { name: "sgd", lr: 0.01 } } as const;
    const onCpu = make();
    const onGpu = make();
    train(onCpu, data, options);
    const result = await train(onGpu, data, { ...options, backend: "webgpu", gpu });
    expect(result.diverged).toBeUndefined();
    expect(normwise(parameterVector(onGpu), parameterVector(onCpu))).toBeLessThan(1e-5);
  });

  it("B_simple at the same steps as on the CPU, within 1e-3", async () => {
    const options = { batchSize: 10, budget: { epochs: 2 }, noiseScaleEvery: 4, optimizer: { name: "sgd", lr: 0.5 } } as const;
    const cpu = train(net(), data, options);
    const result = await train(net(), data, { ...options, backend: "webgpu", gpu });
    expect(result.noiseScales!.map(({ step }) => step)).toEqual(cpu.noiseScales!.map(({ step }) => step));
    result.noiseScales!.forEach((n, i) => expect(Math.abs(n.simple - cpu.noiseScales![i].simple) / cpu.noiseScales![i].simple).toBeLessThan(1e-3));
  });
});

it("B_simple's time is kept apart from training's, as on the CPU: seconds + noiseScaleSeconds within the run's wall time", async () => {
  // A set whose B_simple (per-sample gradients of every sample, on the CPU) outweighs its GPU steps.
  const big = blobs({ samples: 40000, classes: 3, dims: 60, seed: 3 });
  const started = performance.now();
  const result = await train(createNetwork({ sizes: [60, 40, 3], rng: 4 }), big, { batchSize: 4, budget: { steps: 6 }, noiseScaleEvery: 1, backend: "webgpu", gpu });
  const wall = (performance.now() - started) / 1000;
  expect(result.noiseScales).toHaveLength(7);
  expect(result.seconds + result.noiseScaleSeconds!).toBeLessThanOrEqual(wall);
});

it("a slow onProgress is not training time, as on the CPU", async () => {
  const wait = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  // Every step a chunk of its own (a record each): 5 of the 6 callbacks' 100 ms fell inside the next chunk's time.
  await train(net(), data, { batchSize: 10, budget: { steps: 1 }, backend: "webgpu", gpu }); // its kernels compiled
  const result = await train(net(), data, { batchSize: 10, budget: { steps: 6 }, recordEvery: 1, backend: "webgpu", gpu, onProgress: () => wait(100) });
  expect(result.steps).toBe(6);
  expect(result.seconds).toBeLessThan(0.4);
});

describe("what the GPU refuses, before any work", () => {
  it.each([
    [{ workers: 2 }, /workers: is an option of the CPU backend/],
    [{ gradients: "per-sample" }, /gradients: is an option of the CPU backend/],
    [{ sparseInputs: true }, /sparseInputs: is an option of the CPU backend/],
  ])("%o", async (extra, message) => {
    await expect(train(net(), data, { backend: "webgpu", gpu, ...(extra as object) })).rejects.toThrow(message);
  });

  it("a bad option is named before a device is opened for the run", async () => {
    const opened: string[] = [];
    const open = async () => {
      opened.push("a device");
      return gpu;
    };
    await expect(trainOnGpu(net(), data, { backend: "webgpu", batchSize: 0 }, open)).rejects.toThrow(/^batchSize: /);
    await expect(trainOnGpu(net(), data, { backend: "webgpu", optimizer: { name: "sgd", lr: 1, step() {} } }, open)).rejects.toThrow(/^optimizer: backend "webgpu" runs the library's own update rules/);
    expect(opened).toEqual([]);
  });

  it("gradients \"vectorized\", what the GPU computes, is taken as the session takes it", async () => {
    await expect(train(net(), data, { backend: "webgpu", gpu, budget: { steps: 1 }, ...({ gradients: "vectorized" } as object) })).resolves.toMatchObject({ steps: 1 });
  });

  it("an optimizer it cannot run, by name", async () => {
    const custom = { name: "sgd" as const, lr: 1, step() {} };
    await expect(train(net(), data, { backend: "webgpu", gpu, optimizer: custom })).rejects.toThrow(/optimizer: backend "webgpu" runs the library's own update rules/);
    // createOptimizer's optimizers carry their settings.
    await expect(train(net(), data, { backend: "webgpu", gpu, optimizer: createOptimizer({ name: "adam", lr: 0.01 }), budget: { steps: 2 } })).resolves.toMatchObject({ steps: 2 });
  });

  it("a CPU run refuses a GPU device", () => {
    expect(() => train(net(), data, { gpu } as TrainOptions)).toThrow(/gpu: a GPU device is used only with backend "webgpu"/);
    expect(() => train(net(), data, { backend: "gpu" } as unknown as TrainOptions)).toThrow(/backend: unknown backend "gpu" \(expected cpu or webgpu\)/);
  });

  it("data larger than the adapter binds, naming it, before anything is allocated", async () => {
    const allocated: number[] = [];
    const tiny = {
      ...gpu,
      device: { limits: { maxStorageBufferBindingSize: 1024, maxBufferSize: 1024 }, createBuffer: (d: { size: number }) => allocated.push(d.size), queue: {} } as unknown as GPUDevice,
    };
    await expect(train(net(), data, { backend: "webgpu", gpu: tiny })).rejects.toThrow(/data: the training inputs \(103 × 4 float32\) needs 1,648 bytes on the GPU; this adapter binds at most 1,024/);
    expect(allocated).toEqual([]);
  });
});

/** The test's device, claiming `limits`, with the buffers made on it that are not yet destroyed. */
function deviceClaiming(limits: Partial<Record<keyof GPUSupportedLimits, number>>): { gpu: GpuHandle; alive: Set<GPUBuffer> } {
  const alive = new Set<GPUBuffer>();
  const real = gpu.device.limits;
  const claimed = Object.fromEntries(Object.keys(Object.getPrototypeOf(real)).map((key) => [key, limits[key as keyof GPUSupportedLimits] ?? real[key as keyof GPUSupportedLimits]]));
  const device = new Proxy(gpu.device, {
    get(target, key) {
      if (key === "limits") return claimed;
      if (key === "createBuffer") {
        return (descriptor: GPUBufferDescriptor) => {
          const made = target.createBuffer(descriptor);
          const destroy = made.destroy.bind(made);
          alive.add(made);
          made.destroy = () => (alive.delete(made), destroy());
          return made;
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { gpu: { ...gpu, device }, alive };
}

describe("a batch the adapter cannot hold", () => {
  // 2,000 bytes hold the 103 × 4 inputs (1,648) and a batch of 10, not z of a batch of 103 (103 × 5 × 4 = 2,060).
  it("refuses the run by its batchSize, leaving nothing on a device that outlives it", async () => {
    const { gpu: small, alive } = deviceClaiming({ maxStorageBufferBindingSize: 2000, maxBufferSize: 2000 });
    await expect(train(net(), data, { batchSize: 103, backend: "webgpu", gpu: small })).rejects.toThrow(/^batchSize × sizes: layer 1's z for 103 rows needs 2,064 bytes on the GPU; this adapter binds at most 2,000$/);
    expect(alive.size).toBe(0);
  });

  it("set() refuses it, and the session goes on at its B", async () => {
    const { gpu: small } = deviceClaiming({ maxStorageBufferBindingSize: 2000, maxBufferSize: 2000 });
    const options: TrainOptions = { batchSize: 10, budget: { steps: 12 }, optimizer: { name: "sgd", lr: 0.3 } };
    const onGpu = net();
    const session = await createGpuSession(onGpu, data, options, small);
    await session.advance(3);
    expect(() => session.set({ batchSize: 103 })).toThrow(/^batchSize × sizes: layer 1's z for 103 rows needs 2,064 bytes/);
    expect(session.batchSize).toBe(10);
    while (await session.advance(100));
    const onCpu = net();
    train(onCpu, data, options);
    expect(session.result.steps).toBe(12);
    expect(normwise(parameterVector(onGpu), parameterVector(onCpu))).toBeLessThan(1e-5);
  });
});

it("the split products' partial sums are sized by the splits a batch's rows get: B = 3,000 at 784-100-10 fits where its 3,000 × 784 inputs do", async () => {
  // 10 MB binds the 9.4 MB of inputs; the partial sums took 14.4 MB (12 splits of K = 784 at every B), and need 4.3 MB.
  const { gpu: small, alive } = deviceClaiming({ maxStorageBufferBindingSize: 10_000_000, maxBufferSize: 10_000_000 });
  const rows = 3000;
  const digits = { name: "noise", inputs: new Matrix(rows, 784, Float64Array.from({ length: rows * 784 }, (_, i) => (i % 13) / 13)), targets: new Matrix(rows, 10, Float64Array.from({ length: rows * 10 }, (_, i) => Number(i % 10 === 0))) };
  const session = await createGpuSession(createNetwork({ sizes: [784, 100, 10], rng: 1 }), digits, { batchSize: rows }, small);
  session.close();
  expect(alive.size).toBe(0);
});

describe("a batch with more rows than the adapter dispatches workgroups for", () => {
  // 1,050,000 rows into a layer of width 2: the gemm's 16-row tiles need 65,625 workgroups.
  const rows = 1_050_000;
  const wide = { name: "wide", inputs: new Matrix(rows, 2, Float64Array.from({ length: rows * 2 }, (_, i) => (i % 7) / 7)), targets: new Matrix(rows, 2, Float64Array.from({ length: rows * 2 }, (_, i) => i % 2)) };
  const options = { batchSize: rows, budget: { steps: 1 }, optimizer: { name: "sgd", lr: 1 } } as const;

  it("is refused by its batchSize before any work (it trained nothing and read back zero weights)", async () => {
    const { gpu: counted, alive } = deviceClaiming({});
    const most = gpu.device.limits.maxComputeWorkgroupsPerDimension;
    await expect(train(createNetwork({ sizes: [2, 2], rng: 1 }), wide, { ...options, backend: "webgpu", gpu: counted })).rejects.toThrow(
      `batchSize: a batch of 1,050,000 rows needs 65,625 workgroups along one dimension; this adapter dispatches at most ${most.toLocaleString("en-US")}`,
    );
    expect(alive.size).toBe(0);
  });

  it("a chunk the device refuses all the same fails the run with the device's message", async () => {
    const { gpu: boastful } = deviceClaiming({ maxComputeWorkgroupsPerDimension: 1 << 20 });
    const trained = createNetwork({ sizes: [2, 2], rng: 1 });
    const before = parameterVector(trained);
    await expect(train(trained, wide, { ...options, backend: "webgpu", gpu: boastful })).rejects.toThrow(/^webgpu: the device refused a chunk of 1 step: .+/s);
    expect(parameterVector(trained)).toEqual(before);
  });
});

it("a device closed under a run: an error saying so, not Dawn's empty AbortError", async () => {
  const own = await nodeGpu();
  own.close();
  await expect(train(net(), data, { batchSize: 10, budget: { epochs: 1 }, backend: "webgpu", gpu: own })).rejects.toThrow(/^webgpu: the device was lost during training \(.+\)$/);
});
