// `--backend webgpu` for real (the gpu project: on SwiftShader where there is no GPU, so the sizes
// stay tiny): train learns what the CPU learns within float32's reach, says where it ran, and stops
// cleanly on Ctrl-C; a sweep writes GPU records, resumes by their keys, and keeps them apart from
// the same grid's CPU runs in one file.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { swiftShaderIcd } from "../../lib/gpu/node-device.ts";
import { readResults, runKey } from "../../lib/index.ts";
import { cli, start, tempDir } from "./spawn.ts";

const env = { VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? swiftShaderIcd };
const xor = ["--dataset", "xor", "--layers", "2,4,2", "--batch-size", "20", "--lr", "2"];
/** [train loss, test loss, test accuracy] of each "epoch n:" line. */
const epochs = (stdout: string) =>
  [...stdout.matchAll(/^epoch \d+: train loss (\S+), test loss (\S+), test accuracy (\S+)%$/gm)].map((m) => m.slice(1).map(Number));

describe("batchprop train --backend webgpu", () => {
  it("trains on the GPU, the CPU's losses within 1e-4 at every epoch, and names the adapter", async () => {
    const onCpu = await cli(["train", ...xor, "--epochs", "2"]);
    const onGpu = await cli(["train", ...xor, "--epochs", "2", "--backend", "webgpu"], { env, timeoutMs: 120_000 });
    expect(onGpu.code).toBe(0);
    expect(onGpu.stdout).toContain("Training 2-4-2 sigmoid, sum-of-squares (mean), sgd η = 2, B = 20, 2 epochs on xor (800 train / 200 test), seed 0\n");
    expect(onGpu.stdout).toMatch(/\nDone: 80 steps in \S+ of training on WebGPU on \S.*, test accuracy \d+\.\d\d%\n$/);
    const [gpu, cpu] = [epochs(onGpu.stdout), epochs(onCpu.stdout)];
    expect(gpu).toHaveLength(2);
    gpu.forEach(([trainLoss, testLoss, accuracy], i) => {
      expect(Math.abs(trainLoss - cpu[i][0])).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(testLoss - cpu[i][1])).toBeLessThanOrEqual(1e-4);
      // One test sample of 200 may fall on the other side of the boundary in float32.
      expect(Math.abs(accuracy - cpu[i][2])).toBeLessThanOrEqual(0.5);
    });
  });

  it("stops on Ctrl-C after the steps in flight, says so, releases the device and exits 130", async () => {
    const run = start(["train", ...xor, "--epochs", "1000", "--backend", "webgpu"], { env, timeoutMs: 120_000 });
    let stdout = "";
    await new Promise<void>((resolve) => run.child.stdout!.on("data", (chunk: string) => (stdout += chunk).includes("epoch 1:") && resolve()));
    run.child.kill("SIGINT");
    const { code, signal, stderr } = await run.exited;
    expect(signal).toBeNull();
    expect(stderr).toMatch(/\nStopped by SIGINT after \d+ steps \(\S+ of training on WebGPU on \S.*\)\.\n$/);
    expect(code).toBe(130);
  });
});

describe("batchprop experiment --backend webgpu", () => {
  it("runs the grid one run at a time on the GPU, records backend and adapter, resumes, and keeps the CPU's runs of the same grid apart", async () => {
    const out = join(tempDir(), "gpu.jsonl");
    const grid = ["experiment", "--dataset", "xor", "--layers", "2,4,2", "--batch-sizes", "20,80", "--lrs", "2", "--seeds", "1", "--steps", "20", "--out", out];
    const first = await cli([...grid, "--backend", "webgpu"], { env, timeoutMs: 120_000 });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`2 runs: 2 batch sizes × 1 learning rate × 1 seed on xor; 0 already in ${out}, 2 to run one at a time on the GPU\n`);
    expect(first.stdout).toMatch(/Finished 2 runs in \S+ on WebGPU on \S/);
    const { records } = readResults(out);
    expect(records.map((r) => [r.config.batchSize, r.config.backend, r.backend, typeof r.adapter, r.workers, r.sparse])).toEqual([
      [20, "webgpu", "webgpu", "string", 1, false],
      [80, "webgpu", "webgpu", "string", 1, false],
    ]);
    const again = await cli([...grid, "--backend", "webgpu"], { env, timeoutMs: 60_000 });
    expect(again.stdout).toContain("Nothing left to run: all 2 runs are in");
    // The same grid on the CPU is two other runs: appended, not skipped, and summarized on their own.
    const before = readFileSync(out, "utf8");
    const onCpu = await cli(grid);
    expect(onCpu.code).toBe(0);
    expect(onCpu.stdout).toContain(`0 already in ${out}, 2 to run on`);
    expect(readFileSync(out, "utf8").startsWith(before)).toBe(true);
    const all = readResults(out).records;
    expect(all.map((r) => r.backend)).toEqual(["webgpu", "webgpu", "cpu", "cpu"]);
    expect(new Set(all.map((r) => runKey(r.config))).size).toBe(4);
    // float32 against float64: each GPU run's final test loss within 1e-4 of its CPU twin's (the CPU's two workers finish in either order).
    for (const gpu of all.slice(0, 2)) {
      const twin = all.find((r) => r.backend === "cpu" && r.config.batchSize === gpu.config.batchSize)!;
      expect(Math.abs(gpu.checkpoints.at(-1)!.testLoss! - twin.checkpoints.at(-1)!.testLoss!)).toBeLessThan(1e-4);
    }
    const report = await cli(["report", out, "--out", join(tempDir(), "r.html")], { timeoutMs: 60_000 });
    expect(report.code).toBe(0);
    expect(report.stdout).toContain("on the CPU");
    expect(report.stdout).toContain("on WebGPU");
  });

  it("stops on Ctrl-C in the middle of a GPU run: the file's run kept, the one in flight discarded, the lock released, exit 130", async () => {
    const out = join(tempDir(), "stopped.jsonl");
    // A finished run in the file, then a sweep of two runs of a million steps, Ctrl-C in the first.
    const first = await cli(["experiment", "--dataset", "xor", "--layers", "2,4,2", "--batch-sizes", "20", "--seeds", "1", "--steps", "20", "--backend", "webgpu", "--out", out], { env, timeoutMs: 120_000 });
    expect(first.code).toBe(0);
    const run = start(["experiment", "--dataset", "xor", "--layers", "2,4,2", "--batch-sizes", "20", "--seeds", "2", "--steps", "1000000", "--backend", "webgpu", "--out", out], { env, timeoutMs: 120_000 });
    let stdout = "";
    await new Promise<void>((resolve) => run.child.stdout!.on("data", (chunk: string) => (stdout += chunk).includes("2 to run one at a time on the GPU") && resolve()));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    run.child.kill("SIGINT");
    const { code, stderr } = await run.exited;
    expect(stderr).toMatch(/Interrupted after \S+ by SIGINT: kept 1 finished run in .* \(0 of 2 from this call\); the runs in progress were discarded/);
    expect(code).toBe(130);
    expect(readResults(out).records).toHaveLength(1);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });
});
