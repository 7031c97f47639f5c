/**
 * Issue 13's targets for the GPU backend on an H200-class GPU, judged on the bench's rows of the
 * synthetic set (the issue's 100k set): ahead of PyTorch eager at every B ≤ 1024 and of PyTorch
 * with CUDA graphs at B ≤ 256; at least 2M samples/s at B = 64, 7M at 1024, 15M at 8192. A CPU
 * renderer such as SwiftShader is not judged.
 */
import { type GpuBenchRow, libraryRunner } from "./gpu.ts";
import { torchRunners } from "./torch.ts";

const throughputTargets: readonly { batchSize: number; samplesPerSecond: number }[] = [
  { batchSize: 64, samplesPerSecond: 2e6 },
  { batchSize: 1024, samplesPerSecond: 7e6 },
  { batchSize: 8192, samplesPerSecond: 15e6 },
];

const aheadTargets: readonly { runner: string; upTo: number }[] = [
  { runner: torchRunners.eager, upTo: 1024 },
  { runner: torchRunners.graphs, upTo: 256 },
];

/** Adapters that are software on the CPU: their numbers say nothing about a GPU. */
const cpuRenderer = /swiftshader|llvmpipe|lavapipe/i;

export interface TargetRow {
  target: string;
  measured: string;
  verdict: "pass" | "fail" | `not judged: ${string}`;
}

/** "2.00M samples/s", "873.0k samples/s", "48 samples/s": readable on a GPU and on SwiftShader. */
function rate(samplesPerSecond: number): string {
  if (samplesPerSecond >= 1e6) return `${(samplesPerSecond / 1e6).toFixed(2)}M samples/s`;
  return samplesPerSecond >= 1e3 ? `${(samplesPerSecond / 1e3).toFixed(1)}k samples/s` : `${samplesPerSecond.toFixed(0)} samples/s`;
}

/** One row per target on `dataset`'s rows, each passed, failed, or not judged and why. */
export function judgeTargets(rows: readonly GpuBenchRow[], dataset: string, adapter: string): TargetRow[] {
  const onSet = rows.filter((row) => row.dataset === dataset);
  const speed = (runner: string, batchSize: number) => onSet.find((row) => row.runner === runner && row.batchSize === batchSize)?.samplesPerSecond;
  const cpu = cpuRenderer.test(adapter) ? `${adapter} runs on the CPU` : undefined;
  const judged = (target: string, measured: string, holds: boolean | string): TargetRow => ({
    target,
    measured,
    verdict: cpu !== undefined ? `not judged: ${cpu}` : typeof holds === "string" ? `not judged: ${holds}` : holds ? "pass" : "fail",
  });
  const measuredSizes = [...new Set(onSet.filter((row) => row.runner === libraryRunner).map((row) => row.batchSize))];
  const ahead = aheadTargets.flatMap(({ runner, upTo }) =>
    measuredSizes
      .filter((batchSize) => batchSize <= upTo)
      .map((batchSize) => {
        const ours = speed(libraryRunner, batchSize)!;
        const theirs = speed(runner, batchSize);
        const target = `B = ${batchSize}: ahead of ${runner}`;
        if (theirs === undefined) return judged(target, rate(ours), `no ${runner} row (${onSet.find((row) => row.batchSize === batchSize && row.note)?.note ?? "not run"})`);
        return judged(target, `${(ours / theirs).toFixed(2)}× ${runner} (${rate(ours)} against ${rate(theirs)})`, ours > theirs);
      }),
  );
  const throughput = throughputTargets.map(({ batchSize, samplesPerSecond }) => {
    const target = `B = ${batchSize}: at least ${rate(samplesPerSecond)}`;
    const ours = speed(libraryRunner, batchSize);
    if (ours === undefined) return judged(target, "-", `B = ${batchSize} not measured (--batch-sizes)`);
    return judged(target, rate(ours), ours >= samplesPerSecond);
  });
  return [...ahead, ...throughput];
}
