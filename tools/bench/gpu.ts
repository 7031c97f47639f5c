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
  /** The synthetic set's samples, the issue's 100k unless --synthetic-samples says fewer (100k × 784 float64 is 630 MB). */
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
async function timeLibrary(gpu: GpuHandle, data: Dataset, batchSize: number, epochs: number): Promise<{ row: GpuBenchRow; weights?: Float64Array }> {
  try {
    await train(benchNetwork(), data, { ...gpuOptions(gpu, batchSize), budget: { steps: gpuSetup.warmUpSteps } });
    const net = benchNetwork();
    const result = await train(net, data, { ...gpuOptions(gpu, batchSize), budget: { epochs } });
    const row = { dataset: data.name, batchSize, runner: libraryRunner, samples: result.samples, seconds: result.seconds, samplesPerSecond: result.samples / result.seconds };
    return { row, weights: parameterVector(net) };
  } catch (error) {
    return { row: failedRow(data.name, batchSize, libraryRunner, error) };
  }
}

/** A run that threw: its row says so, and the bench goes on to the next (runs on a GPU machine are few). */
function failedRow(dataset: string, batchSize: number, runner: string, error: unknown): GpuBenchRow {
  // Dawn's errors may come without a message (a lost device's OperationError): then their name says what.
  const note = `${failed} ${error instanceof Error ? error.message || `${error.name} without a message` : String(error)}`;
  process.stderr.write(`${dataset}, B = ${batchSize}, ${runner}: ${note}\n`);
  return { dataset, batchSize, runner, note };
}

/** How a failed run's note starts: the bench exits 1 after writing its results when a row says so. */
export const failed = "failed:";

/**
 * Per set and B: the library's row (with its ratios to PyTorch), then PyTorch eager's and CUDA
 * graphs' (with their final weights against the library's); where PyTorch is not available, one
 * row saying why; a run that failed, a row saying how.
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
    const torchRuns = await runTorch(python, torch, data, plan);
    for (const [b, batchSize] of plan.batchSizes.entries()) {
      const { row, weights } = library[b];
      if (typeof torchRuns === "string") {
        rows.push(row, { dataset: set.name, batchSize, runner: "PyTorch CUDA", note: torchRuns });
        continue;
      }
      const torchRows = torchRuns
        .filter((run) => run.batchSize === batchSize)
        .map((run): GpuBenchRow => {
          const runner = torchRunners[run.mode];
          if ("error" in run) return failedRow(set.name, batchSize, runner, run.error);
          const { samples, seconds } = run;
          return { dataset: set.name, batchSize, runner, samples, seconds, samplesPerSecond: samples / seconds, ...(weights && { weightsRelDiff: normwiseDifference(run.weights, weights) }) };
        });
      const ratio = (mode: TorchMode) => {
        const theirs = torchRows.find((torchRow) => torchRow.runner === torchRunners[mode])?.samplesPerSecond;
        return row.samplesPerSecond === undefined || theirs === undefined ? undefined : row.samplesPerSecond / theirs;
      };
      rows.push({ ...row, vsEager: ratio("eager"), vsGraphs: ratio("graphs") }, ...torchRows);
    }
  }
  return rows;
}

/** PyTorch's runs on `data`, or what its rows say instead: not available (why), or failed (how). */
async function runTorch(python: string, torch: TorchProbe, data: Dataset, plan: GpuBenchPlan): Promise<TorchRun[] | string> {
  if (!torch.available) return `not available (${torch.why})`;
  process.stderr.write(`${data.name}: PyTorch on ${torch.device}, every B, eager and with CUDA graphs\n`);
  try {
    const orders = epochOrders(data.inputs.rows, plan.epochs, trainingSetup.shuffleSeed);
    return await benchTorch(python, { net: benchNetwork(), data, orders, epochs: plan.epochs, lr: trainingSetup.lr }, plan.batchSizes);
  } catch (error) {
    const note = `${failed} ${(error as Error).message}`;
    process.stderr.write(`${data.name}, PyTorch: ${note}\n`);
    return note;
  }
}
