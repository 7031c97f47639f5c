/**
 * Training on the GPU (`npm run bench -- --backend webgpu`): samples/s of the library's train()
 * with backend "webgpu" on one device opened once, on the digits and on a synthetic set of the
 * digits' shape, against PyTorch CUDA eager and with CUDA graphs (torch.ts) on the same data, from
 * the same weights, in the same batch orders, in the same run.
 */
import { blobs, parameterVector, train, type Dataset, type GpuHandle } from "batchprop";
import { benchTorch, epochOrders, normwiseDifference, torchRunners, type TorchMode, type TorchProbe, type TorchRun } from "./torch.ts";
import { benchDigits, benchNetwork, trainingSetup } from "./training.ts";

export const gpuSetup = {
  batchSizes: [64, 256, 1024, 8192],
  /** The synthetic set's samples, the 100k unless --synthetic-samples says fewer (100k × 784 float64 is 630 MB). */
  maxSyntheticSamples: 100_000,
  /** Seeds the synthetic set. */
  syntheticSeed: 1,
  /** Epochs each timed run trains, unless --gpu-epochs says more: PyTorch gets every epoch's batch order (4 bytes a sample an epoch). */
  maxEpochs: 100,
  /** A thrown-away run of this many steps before each timed one, so that compiling the pipelines is not timed. */
  warmUpSteps: 3,
} as const;

export const libraryRunner = "batchprop webgpu";

export interface GpuBenchPlan {
  batchSizes: readonly number[];
  /** Digits in the first set. */
  digits: number;
  syntheticSamples: number;
  epochs: number;
}

export interface GpuBenchRow {
  dataset: string;
  batchSize: number;
  runner: string;
  /** Samples trained in the timed part: epochs × ⌊n / B⌋ × B. */
  samples?: number;
  seconds?: number;
  samplesPerSecond?: number;
  /** The library's samples/s over PyTorch eager's at the same B and data. */
  vsEager?: number;
  vsGraphs?: number;
  /** PyTorch's final parameters against the library's, normwise: small when both ran the same computation. */
  weightsRelDiff?: number;
  /** Why a runner has no numbers. */
  note?: string;
}

interface BenchSet {
  name: string;
  /** What it is, for the section's title. */
  about: string;
  load: () => Dataset;
}

export function gpuSets({ digits, syntheticSamples }: GpuBenchPlan): BenchSet[] {
  return [
    { name: "digits", about: `the mnist package's ${digits.toLocaleString("en-US")} digits`, load: () => benchDigits(digits) },
    {
      name: "synthetic",
      about: `${syntheticSamples.toLocaleString("en-US")} samples of the library's blobs (10 gaussian clusters in 784 dimensions, seed ${gpuSetup.syntheticSeed})`,
      load: () => blobs({ samples: syntheticSamples, classes: 10, dims: 784, seed: gpuSetup.syntheticSeed }),
    },
  ];
}

/** What every GPU run trains: training.ts's network, loss and rate, every step a whole batch (the same work in every runner). */
const gpuOptions = (gpu: GpuHandle, batchSize: number) =>
  ({
    backend: "webgpu",
    gpu,
    batchSize,
    lastBatch: "drop",
    loss: "sum-of-squares",
    reduction: "mean",
    optimizer: { name: "sgd", lr: trainingSetup.lr },
    seed: trainingSetup.shuffleSeed,
  }) as const;

/** One timed run of the library on the GPU after a warm-up; its seconds exclude evaluation (TrainResult.seconds). */
async function timeLibrary(gpu: GpuHandle, data: Dataset, batchSize: number, epochs: number): Promise<{ row: GpuBenchRow; weights: Float64Array }> {
  await train(benchNetwork(), data, { ...gpuOptions(gpu, batchSize), budget: { steps: gpuSetup.warmUpSteps } });
  const net = benchNetwork();
  const result = await train(net, data, { ...gpuOptions(gpu, batchSize), budget: { epochs } });
  const row = { dataset: data.name, batchSize, runner: libraryRunner, samples: result.samples, seconds: result.seconds, samplesPerSecond: result.samples / result.seconds };
  return { row, weights: parameterVector(net) };
}

/**
 * Per set and B: the library's row (with its ratios to PyTorch), then PyTorch eager's and CUDA
 * graphs'; where PyTorch is not available or failed, one row saying why.
 */
export async function benchGpu(gpu: GpuHandle, plan: GpuBenchPlan, python: string, torch: TorchProbe): Promise<GpuBenchRow[]> {
  const rows: GpuBenchRow[] = [];
  for (const set of gpuSets(plan)) {
    const data = { ...set.load(), name: set.name };
    const library = [];
    for (const batchSize of plan.batchSizes) {
      // A line per run on stderr: on a CPU renderer a run can take minutes, and should not look hung.
      process.stderr.write(`${set.name}, B = ${batchSize}: ${plan.epochs} × ${data.inputs.rows.toLocaleString("en-US")} samples on ${gpu.adapter}\n`);
      library.push(await timeLibrary(gpu, data, batchSize, plan.epochs));
    }
    if (torch.available) process.stderr.write(`${set.name}: PyTorch on ${torch.device}, every B, eager and CUDA graphs\n`);
    const torchRuns = await runTorch(python, torch, data, plan);
    for (const [b, batchSize] of plan.batchSizes.entries()) {
      const { row, weights } = library[b];
      if (typeof torchRuns === "string") {
        rows.push(row, { dataset: set.name, batchSize, runner: "PyTorch CUDA", note: torchRuns });
        continue;
      }
      const runs = torchRuns.filter((run) => run.batchSize === batchSize);
      const torchRows = runs.map((run) => ({
        dataset: set.name,
        batchSize,
        runner: torchRunners[run.mode],
        samples: run.samples,
        seconds: run.seconds,
        samplesPerSecond: run.samples / run.seconds,
        weightsRelDiff: normwiseDifference(run.weights, weights),
      }));
      const ratio = (mode: TorchMode) => row.samplesPerSecond! / torchRows.find((torchRow) => torchRow.runner === torchRunners[mode])!.samplesPerSecond;
      rows.push({ ...row, vsEager: ratio("eager"), vsGraphs: ratio("graphs") }, ...torchRows);
    }
  }
  return rows;
}

/** PyTorch's runs on `data`, or what its rows say instead: not available (why), or failed (how). */
async function runTorch(python: string, torch: TorchProbe, data: Dataset, plan: GpuBenchPlan): Promise<TorchRun[] | string> {
  if (!torch.available) return `not available (${torch.why})`;
  try {
    const orders = epochOrders(data.inputs.rows, plan.epochs, trainingSetup.shuffleSeed);
    return await benchTorch(python, { net: benchNetwork(), data, orders, epochs: plan.epochs, lr: trainingSetup.lr }, plan.batchSizes);
  } catch (error) {
    const message = `failed: ${(error as Error).message}`;
    console.error(`PyTorch on ${data.name}: ${message}`);
    return message;
  }
}
