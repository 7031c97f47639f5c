/**
 * `npm run bench -- --backend webgpu` on SwiftShader (Chromium's Vulkan on the CPU; slow, so tiny
 * sets): the adapter named, the rows per set and B, PyTorch's rows where a Python says it has CUDA
 * (a numpy stand-in here, training float64 in the orders handed over) or why not, the targets not
 * judged on a CPU, and no adapter as a failure naming where it looked.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { swiftShaderIcd } from "../../lib/index.ts";
import type { GpuBenchRow } from "../../tools/bench/gpu.ts";
import type { TargetRow } from "../../tools/bench/targets.ts";
import { root, start, tempDir } from "../cli/spawn.ts";

const runScript = join(root, "tools", "bench", "run.ts");

function bench(args: readonly string[], timeoutMs = 240_000) {
  return start(["--import", "tsx", runScript, "--backend", "webgpu", ...args], { command: process.execPath, timeoutMs }).exited;
}

/**
 * A "python" that answers torch_train.py's probe with CUDA available, and trains as torch_train.py
 * does, in numpy float64, from the handed-over weights in the handed-over orders, the last partial
 * batch dropped. Eager takes 1 s and CUDA graphs 0.5 s, so the ratios are known.
 */
function numpyStandIn(folder: string, { graphsFailAt }: { graphsFailAt?: number } = {}): string {
  writeFileSync(
    join(folder, "stand_in.py"),
    `import json, os, sys
import numpy as np
args = sys.argv[2:]  # sys.argv[1] is torch_train.py
if args == ["--probe"]:
    print(json.dumps({"available": True, "python": "3", "torch": "stand-in", "cuda": "none", "device": "numpy"}))
    sys.exit()
folder = args[0]
setup = json.load(open(os.path.join(folder, "setup.json")))
def array(name):
    entry = setup["arrays"][name]
    return np.fromfile(os.path.join(folder, entry["file"]), dtype=entry["dtype"]).reshape(entry["shape"])
inputs, targets, orders = array("inputs").astype(float), array("targets").astype(float), array("orders")
for batch_size in [int(b) for b in args[1].split(",")]:
    layers = [(array(f"weights{l}").astype(float), array(f"bias{l}").astype(float)) for l in range(setup["layers"])]
    steps = orders.shape[1] // batch_size
    for order in orders:
        for s in range(steps):
            rows = order[s * batch_size : (s + 1) * batch_size]
            acts = [inputs[rows]]
            for weights, bias in layers:
                acts.append(1 / (1 + np.exp(-(acts[-1] @ weights + bias))))
            delta = (acts[-1] - targets[rows]) * acts[-1] * (1 - acts[-1]) / batch_size
            for l in range(len(layers) - 1, -1, -1):
                weights, bias = layers[l]
                d_weights, d_bias = acts[l].T @ delta, delta.sum(axis=0)
                if l > 0:
                    delta = (delta @ weights.T) * acts[l] * (1 - acts[l])
                weights -= setup["lr"] * d_weights
                bias -= setup["lr"] * d_bias
    final = np.concatenate([part.ravel() for layer in layers for part in layer])
    for mode, seconds in (("eager", 1.0), ("graphs", 0.5)):
        if mode == "graphs" and batch_size == ${graphsFailAt ?? 0}:
            print(json.dumps({"batchSize": batch_size, "mode": mode, "error": "RuntimeError: CUDA error: operation not permitted when stream is capturing"}))
            continue
        final.astype("<f4").tofile(os.path.join(folder, f"final-{batch_size}-{mode}.f32"))
        print(json.dumps({"batchSize": batch_size, "mode": mode, "samples": len(orders) * steps * batch_size, "seconds": seconds}))
`,
  );
  const python = join(folder, "python");
  writeFileSync(python, `#!/bin/sh\nexec /usr/bin/python3 ${join(folder, "stand_in.py")} "$@"\n`);
  chmodSync(python, 0o755);
  return python;
}

describe("npm run bench -- --backend webgpu, on SwiftShader", () => {
  const saved = process.env.VK_ICD_FILENAMES;
  beforeEach(() => {
    process.env.VK_ICD_FILENAMES = swiftShaderIcd;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.VK_ICD_FILENAMES;
    else process.env.VK_ICD_FILENAMES = saved;
  });

  it("times the library on both sets at each B against PyTorch's rows, from the same weights in the same orders, and judges no target on a CPU", { timeout: 300_000 }, async () => {
    const folder = tempDir();
    const out = join(folder, "bench.json");
    const args = ["--samples", "40", "--synthetic-samples", "48", "--batch-sizes", "8,16", "--gpu-epochs", "2", "--python", numpyStandIn(folder), "--out", out];
    const { code, stdout, stderr } = await bench(args);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain("webgpu: google swiftshader");
    expect(stdout).toContain("PyTorch stand-in on CUDA none, numpy (Python 3)");
    expect(stdout).toContain("synthetic: 48 samples of the library's blobs (10 gaussian clusters in 784 dimensions, seed 1)");
    expect(stderr).toContain("synthetic, B = 16: 2 × 48 samples on google swiftshader");
    const written = JSON.parse(readFileSync(out, "utf8")) as { machine: { gpu: string; torch: { available: boolean } }; sections: { title: string; rows: (GpuBenchRow & TargetRow)[] }[] };
    expect(written.machine.gpu).toMatch(/swiftshader/i);
    expect(written.machine.torch.available).toBe(true);
    const [training, targets] = written.sections;
    const expected = ["digits", "synthetic"].flatMap((dataset) =>
      [8, 16].flatMap((batchSize) => ["batchprop webgpu", "PyTorch eager", "PyTorch CUDA graphs"].map((runner) => ({ dataset, batchSize, runner }))),
    );
    expect(training.rows.map(({ dataset, batchSize, runner }) => ({ dataset, batchSize, runner }))).toEqual(expected);
    for (const row of training.rows) {
      // two epochs of whole batches: 40 digits are 5 of 8 or 2 of 16 per epoch, 48 samples 6 or 3
      const n = row.dataset === "digits" ? 40 : 48;
      expect(row.samples, `${row.dataset} ${row.batchSize} ${row.runner}`).toBe(2 * Math.floor(n / row.batchSize) * row.batchSize);
      expect(row.samplesPerSecond).toBeCloseTo(row.samples! / row.seconds!, 9);
      if (row.runner === "batchprop webgpu") {
        expect(row.vsEager).toBeCloseTo(row.samplesPerSecond! / (row.samples! / 1), 9);
        expect(row.vsGraphs).toBeCloseTo(row.samplesPerSecond! / (row.samples! / 0.5), 9);
      } else {
        // float32 on the GPU against float64 numpy: one computation, the same batches in the same order
        expect(row.weightsRelDiff).toBeLessThan(1e-6); // about 1e-7; orders shuffled afresh at each epoch give 1.5e-5 and more
      }
    }
    expect(targets.title).toBe("issue 13's targets, on the synthetic set");
    expect(targets.rows.length).toBeGreaterThan(0);
    for (const row of targets.rows) expect(row.verdict).toMatch(/^not judged: google swiftshader .* runs on the CPU$/);
  });

  it("keeps every other run's row when one fails, says how it failed, writes the results and exits 1", { timeout: 300_000 }, async () => {
    const folder = tempDir();
    const out = join(folder, "bench.json");
    const python = numpyStandIn(folder, { graphsFailAt: 16 });
    const { code, stderr } = await bench(["--samples", "16", "--synthetic-samples", "16", "--batch-sizes", "16", "--python", python, "--out", out]);
    expect(code, stderr).toBe(1);
    expect(stderr).toContain("digits, B = 16, PyTorch CUDA graphs: failed: RuntimeError: CUDA error: operation not permitted when stream is capturing");
    expect(stderr).toContain(`bench: 2 runs failed: see the notes in ${out}`);
    const { sections } = JSON.parse(readFileSync(out, "utf8")) as { sections: { rows: GpuBenchRow[] }[] };
    const rows = sections[0].rows;
    expect(rows.map((row) => `${row.dataset} ${row.runner} ${row.note ?? "measured"}`)).toEqual(
      ["digits", "synthetic"].flatMap((dataset) => [
        `${dataset} batchprop webgpu measured`,
        `${dataset} PyTorch eager measured`,
        `${dataset} PyTorch CUDA graphs failed: RuntimeError: CUDA error: operation not permitted when stream is capturing`,
      ]),
    );
    for (const row of rows.filter((r) => r.runner === "batchprop webgpu")) {
      expect(row.vsEager).toBeGreaterThan(0);
      expect(row.vsGraphs).toBeUndefined();
    }
  });

  it("says why PyTorch CUDA is not available, in a row per set and B", { timeout: 300_000 }, async () => {
    const folder = tempDir();
    const out = join(folder, "bench.json");
    const python = join(folder, "python");
    writeFileSync(python, `#!/bin/sh\necho "ModuleNotFoundError: No module named 'torch'" >&2\nexit 1\n`);
    chmodSync(python, 0o755);
    const { code, stdout, stderr } = await bench(["--samples", "16", "--synthetic-samples", "16", "--batch-sizes", "16", "--python", python, "--out", out]);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/PyTorch CUDA: not available \(.*torch_train\.py --probe exited with 1: ModuleNotFoundError: No module named 'torch'\)/);
    const { sections } = JSON.parse(readFileSync(out, "utf8")) as { sections: { rows: GpuBenchRow[] }[] };
    const notes = sections[0].rows.filter((row) => row.runner === "PyTorch CUDA");
    expect(notes.map((row) => `${row.dataset} ${row.batchSize}`)).toEqual(["digits 16", "synthetic 16"]);
    for (const row of notes) expect(row.note).toMatch(/^not available \(.*No module named 'torch'\)$/);
  });

  it("fails with exit status 1, naming where it looked, when there is no adapter, and writes nothing", async () => {
    process.env.VK_ICD_FILENAMES = "/no/such/icd.json";
    const out = join(tempDir(), "bench.json");
    const { code, stdout, stderr } = await bench(["--samples", "16", "--synthetic-samples", "16", "--batch-sizes", "16", "--out", out], 60_000);
    expect(code).toBe(1);
    expect(stderr).toContain("bench: webgpu: no WebGPU adapter found (looked in Dawn's Vulkan devices (VK_ICD_FILENAMES=/no/such/icd.json))");
    expect(stdout).toBe("");
    expect(existsSync(out)).toBe(false);
  });
});
