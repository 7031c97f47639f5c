/**
 * `npm run bench -- [options]`: what to measure, every option checked before anything runs. A bad
 * option is a ConfigError naming it (exit status 2).
 */
import { accessSync, constants, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, Option } from "commander";
import type { Flags } from "../../lib/cli/flags.ts";
import { parseCount, parseIntegerList } from "../../lib/cli/options.ts";
import { checkBatchSize, ConfigError } from "../../lib/validate/validate.ts";
import { outTarget } from "../../lib/cli/out-path.ts";
import { type GpuBenchPlan, gpuSetup } from "./gpu.ts";
import { defaultPython, numpyInstallHint } from "./numpy.ts";
import { trainingSetup } from "./training.ts";

export type BenchBackend = "cpu" | "webgpu";

export interface BenchPlan {
  /** "cpu": the sections below; "webgpu": the GPU section (`gpu`) alone. */
  backend: BenchBackend;
  gemm: boolean;
  training: boolean;
  /** The 2-workers-against-1 and fork/join sections. */
  workers: boolean;
  batchSizes: number[];
  samples: number;
  /** The interpreter numpy's rows (or, with webgpu, PyTorch's) run on, or undefined with --no-numpy. */
  python: string | undefined;
  defaultExperiments: boolean;
  gpu: GpuBenchPlan | undefined;
  out: string;
}

interface BenchOptionValues {
  backend: BenchBackend;
  gemm: boolean;
  training: boolean;
  numpy: boolean;
  workers: boolean;
  batchSizes?: string;
  samples: string;
  syntheticSamples: string;
  gpuEpochs: string;
  python?: string;
  defaultExperiments?: boolean;
  out: string;
}

/** Each backend's batch sizes and Python: PyTorch with CUDA lives wherever the GPU machine put it, numpy in Debian's. */
const backendDefaults: Record<BenchBackend, { batchSizes: string; python: string }> = {
  cpu: { batchSizes: "1,16,64,256", python: defaultPython },
  webgpu: { batchSizes: gpuSetup.batchSizes.join(","), python: "python3" },
};

/** Options of one backend's sections: given with the other backend, they are refused. */
const cpuOnly = { gemm: "--no-gemm", training: "--no-training", numpy: "--no-numpy", workers: "--no-workers", defaultExperiments: "--default-experiments" };
const gpuOnly = { syntheticSamples: "--synthetic-samples", gpuEpochs: "--gpu-epochs" };

const defaultOut = resolve(dirname(fileURLToPath(import.meta.url)), "../../build/bench.json");

export function benchCommand(): Command {
  return new Command("npm run bench --")
    .description(
      "gemm GFLOP/s of every kernel that loads, and training samples/s of 784-100-10 on the digits: vectorized on each\n" +
        "kernel (dense and sparse inputs), per-sample, and numpy float64 on one thread from the same weights and batch order.\n" +
        "With --backend webgpu instead: samples/s of training on the GPU (float32) on the digits and a synthetic set, against\n" +
        "PyTorch CUDA eager and with CUDA graphs where the Python has them, and issue 13's targets. Tables on stdout, JSON in --out.",
    )
    .addOption(new Option("--backend <name>", "cpu: the sections below; webgpu: training on the GPU (one device, Dawn) against PyTorch CUDA").choices(["cpu", "webgpu"]).default("cpu"))
    .addOption(new Option("--no-gemm", "skip the gemm section"))
    .addOption(new Option("--no-training", "skip the training section (and numpy's rows)"))
    .addOption(new Option("--no-numpy", "skip numpy's rows in the training section"))
    .addOption(new Option("--no-workers", "skip the 2-workers-against-1 and fork/join sections"))
    .addOption(
      new Option("--batch-sizes <list>", `batch sizes of the training section, comma-separated (default: ${backendDefaults.cpu.batchSizes}; with --backend webgpu, ${backendDefaults.webgpu.batchSizes})`),
    )
    .addOption(new Option("--samples <n>", `digits in the training section's epoch (or the GPU's digits set), 1 to ${trainingSetup.maxSamples}`).default(String(trainingSetup.maxSamples)))
    .addOption(
      new Option("--synthetic-samples <n>", `webgpu: samples of the synthetic set, 1 to ${gpuSetup.maxSyntheticSamples.toLocaleString("en-US")}`).default(String(gpuSetup.maxSyntheticSamples)),
    )
    .addOption(new Option("--gpu-epochs <n>", `webgpu: epochs each timed run trains, 1 to ${gpuSetup.maxEpochs}`).default("1"))
    .addOption(
      new Option(
        "--python <path>",
        `the Python with numpy (Debian's python3-numpy: ${numpyInstallHint}), or with --backend webgpu the one with PyTorch (default: ${backendDefaults.cpu.python}; with webgpu, ${backendDefaults.webgpu.python} on the PATH)`,
      ),
    )
    .addOption(new Option("--default-experiments", "also time the default experiments (notebooks 09-10) from scratch into a temporary file (147 runs, a few minutes on 2 cores)"))
    .addOption(new Option("--out <file>", "the JSON file written at the end").default(relative(process.cwd(), defaultOut) || defaultOut))
    .exitOverride()
    .showHelpAfterError("(run with --help for every option and its default)")
    .addHelpText(
      "after",
      `
Exit status: 0 done, 1 failed while running (numpy's weights not matching batchprop's is a failure;
with --backend webgpu, no WebGPU adapter is, and so is a run that failed: its row says how, the
others are written), 2 on a bad option (checked before anything runs).
Without numpy the bench says how to install it and goes on without numpy's rows; without PyTorch
CUDA, its rows say why it is not available.`,
    );
}

/** The bench's flags for the library's fields its checks name. */
export const benchFlags: Flags = { batchSize: "--batch-sizes" };

/** The options checked, in the order a reader would fix them (the library's checks name fields: benchFlags names the flags). */
export function planBench(values: BenchOptionValues, given: (option: string) => boolean): BenchPlan {
  const { backend } = values;
  const gpu = backend === "webgpu";
  for (const [option, flag] of Object.entries(gpu ? cpuOnly : gpuOnly)) {
    if (given(option)) throw new ConfigError(flag, gpu ? "is an option of the CPU sections; --backend webgpu measures training on the GPU alone" : "is an option of --backend webgpu");
  }
  const samples = parseCount("--samples", values.samples, "samples", trainingSetup.maxSamples);
  const syntheticSamples = parseCount("--synthetic-samples", values.syntheticSamples, "samples", gpuSetup.maxSyntheticSamples);
  const epochs = parseCount("--gpu-epochs", values.gpuEpochs, "epochs", gpuSetup.maxEpochs);
  const batchSizes = parseIntegerList("--batch-sizes", values.batchSizes ?? backendDefaults[backend].batchSizes, "batch size");
  for (const batchSize of batchSizes) {
    checkBatchSize(batchSize, samples, "the digits (--samples)");
    if (gpu) checkBatchSize(batchSize, syntheticSamples, "the synthetic set (--synthetic-samples)");
  }
  const repeated = batchSizes.find((batchSize, i) => batchSizes.indexOf(batchSize) !== i);
  if (repeated !== undefined) throw new ConfigError("--batch-sizes", `batch size ${repeated} is listed twice`);
  if (values.python !== undefined) checkExecutable(values.python);
  const python = values.python ?? backendDefaults[backend].python;
  checkOutFile(values.out);
  if (!gpu && !values.gemm && !values.training && !values.defaultExperiments) {
    throw new ConfigError("--no-gemm", "with --no-training and without --default-experiments there is nothing to measure");
  }
  return {
    backend,
    gemm: !gpu && values.gemm,
    training: !gpu && values.training,
    workers: !gpu && values.training && values.workers,
    batchSizes,
    samples,
    python: gpu || (values.training && values.numpy) ? python : undefined,
    defaultExperiments: !gpu && values.defaultExperiments === true,
    gpu: gpu ? { batchSizes, digits: samples, syntheticSamples, epochs } : undefined,
    out: values.out,
  };
}

function checkExecutable(path: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch (error) {
    throw new ConfigError("--python", `cannot run ${path}: ${(error as Error).message}`);
  }
  if (!statSync(path).isFile()) throw new ConfigError("--python", `${path} is not a file`);
}

/** `out` names a regular file, or one that can be created; nothing is created here. */
function checkOutFile(out: string): void {
  if (out === "") throw new ConfigError("--out", "the file name is empty");
  const { existing, itself, stats, denied } = outTarget(out);
  if (itself && !stats.isFile()) throw new ConfigError("--out", `${out} is not a regular file`);
  if (!itself && !stats.isDirectory()) throw new ConfigError("--out", `cannot create ${out}: ${existing} is not a directory`);
  if (denied !== undefined) throw new ConfigError("--out", `cannot write ${out}: ${denied.message}`);
}
