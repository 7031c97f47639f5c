// `--backend webgpu` on the command line: the CPU's options refused by name before any work, and a
// machine without a GPU adapter refused with the message that says where it looked (exit 2, no
// stack trace, nothing written). Dawn finds no adapter when the Vulkan loader is pointed at no driver.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "./spawn.ts";

const noAdapter = { VK_ICD_FILENAMES: "/nonexistent.json" };
const xor = ["--dataset", "xor", "--layers", "2,4,2"];
const noAdapterMessage =
  "batchprop: webgpu: no WebGPU adapter found (looked in Dawn's Vulkan devices (VK_ICD_FILENAMES=/nonexistent.json)); " +
  "on a machine without a GPU, VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json runs WebGPU on the CPU (slowly)\n";
/** A stack frame of batchprop's own code: what a clear error never shows. */
const ownStack = /\n\s+at .*(lib[/\\]dist|node:internal)/;

describe("--backend", () => {
  it("is cpu by default, webgpu on request, and nothing else, by name", async () => {
    const help = await cli(["train", "--help"], { timeoutMs: 30_000 });
    expect(help.stdout.replace(/\s+/g, " ")).toContain('--backend <where> where the steps run: cpu (the float64 library) or webgpu');
    const bad = await cli(["train", ...xor, "--backend", "gpu"], { timeoutMs: 30_000 });
    expect(bad.stderr).toBe('batchprop: --backend: unknown backend "gpu" (expected cpu or webgpu)\n');
    expect(bad.code).toBe(2);
  });

  it("refuses the CPU's --workers with webgpu, naming both flags, before any work", async () => {
    const message = "batchprop: --workers is an option of --backend cpu, not of --backend webgpu, which runs every step on one GPU: leave it out\n";
    const trained = await cli(["train", ...xor, "--backend", "webgpu", "--workers", "1"], { timeoutMs: 30_000, env: noAdapter });
    expect(trained.stderr).toBe(message);
    expect(trained.stdout).toBe("");
    expect(trained.code).toBe(2);
    const out = join(tempDir(), "grid.jsonl");
    const swept = await cli(["experiment", ...xor, "--backend", "webgpu", "--workers", "1", "--out", out], { timeoutMs: 30_000, env: noAdapter });
    expect(swept.stderr).toBe(message);
    expect(swept.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it("is a setting of a grid: an embedded set, the notebooks' runs, refuses it", async () => {
    const { code, stderr } = await cli(["experiment", "--set", "default", "--backend", "webgpu", "--out", join(tempDir(), "d.jsonl")], { timeoutMs: 30_000 });
    expect(stderr).toBe("batchprop: --set default runs the embedded experiment set and takes only --workers and --out, got --backend\n");
    expect(code).toBe(2);
  });

  it("without an adapter, train exits 2 with the message naming where it looked, and no stack trace", async () => {
    const { code, stdout, stderr } = await cli(["train", ...xor, "--backend", "webgpu"], { timeoutMs: 30_000, env: noAdapter });
    // Dawn and the Vulkan loader print their own warnings first; batchprop's message ends stderr.
    expect(stderr.endsWith(noAdapterMessage)).toBe(true);
    expect(stderr).not.toMatch(ownStack);
    expect(stdout).not.toContain("Done");
    expect(code).toBe(2);
  });

  it("without an adapter, experiment exits 2 the same way, leaving no results file and no lock", async () => {
    const dir = tempDir();
    const out = join(dir, "grid.jsonl");
    const { code, stderr } = await cli(["experiment", ...xor, "--backend", "webgpu", "--batch-sizes", "8", "--seeds", "1", "--out", out], { timeoutMs: 30_000, env: noAdapter });
    expect(stderr.endsWith(noAdapterMessage)).toBe(true);
    expect(stderr).not.toMatch(ownStack);
    expect(code).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });
});
