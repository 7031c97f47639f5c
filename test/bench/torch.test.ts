/**
 * PyTorch's side of the GPU bench where no torch with CUDA is: the script compiles, its probe says
 * why CUDA is not available, it dies with the bench, and what the bench hands it (data, weights,
 * every epoch's batch order) is what the library trains on. A stand-in `torch` package (written
 * here) plays torch where the real one would be needed.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createNetwork, parameterVector, subset, train } from "../../lib/index.ts";
import { defaultPython } from "../../tools/bench/numpy.ts";
import { describeTorch, epochOrders, handOver, probeTorch, torchScript } from "../../tools/bench/torch.ts";
import { benchDigits } from "../../tools/bench/training.ts";
import { tempDir } from "../cli/spawn.ts";

/** A folder holding a stand-in `torch` package whose __init__ is `source`, for PYTHONPATH. */
function fakeTorch(source: string): string {
  const folder = tempDir();
  mkdirSync(join(folder, "torch"));
  writeFileSync(join(folder, "torch", "__init__.py"), source);
  return folder;
}

describe("PyTorch's side of the GPU bench", () => {
  const saved = process.env.PYTHONPATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.PYTHONPATH;
    else process.env.PYTHONPATH = saved;
  });

  it("torch_train.py compiles", () => {
    const compiled = spawnSync(defaultPython, ["-c", "import sys; compile(open(sys.argv[1]).read(), sys.argv[1], 'exec')", torchScript], { encoding: "utf8" });
    expect(compiled.status, compiled.stderr).toBe(0);
  });

  it("says PyTorch CUDA is not available, and why: no torch, a torch without CUDA, a Python that cannot run", async () => {
    process.env.PYTHONPATH = fakeTorch("raise ImportError(\"No module named 'torch'\")\n");
    const missing = await probeTorch(defaultPython);
    expect(missing).toMatchObject({ available: false, why: "cannot import torch: No module named 'torch'" });
    expect(describeTorch(missing)).toBe("PyTorch CUDA: not available (cannot import torch: No module named 'torch')");

    process.env.PYTHONPATH = fakeTorch("__version__ = '2.0.0+cpu'\nclass cuda:\n    is_available = staticmethod(lambda: False)\n");
    expect(describeTorch(await probeTorch(defaultPython))).toBe("PyTorch CUDA: not available (torch 2.0.0+cpu: torch.cuda.is_available() is False)");

    const broken = join(tempDir(), "python");
    writeFileSync(broken, "#!/bin/sh\necho 'python: bad interpreter' >&2\nexit 127\n");
    chmodSync(broken, 0o755);
    expect(describeTorch(await probeTorch(broken))).toMatch(/^PyTorch CUDA: not available \(.*python .*torch_train\.py --probe exited with 127: python: bad interpreter\)$/);
  });

  it("names torch, CUDA and the device where CUDA is available", async () => {
    process.env.PYTHONPATH = fakeTorch(
      "__version__ = '2.11.0'\nclass version:\n    cuda = '12.8'\nclass cuda:\n    is_available = staticmethod(lambda: True)\n    get_device_name = staticmethod(lambda i: 'NVIDIA H200')\n",
    );
    const probe = await probeTorch(defaultPython);
    expect(probe.available).toBe(true);
    expect(describeTorch(probe)).toMatch(/^PyTorch 2\.11\.0 on CUDA 12\.8, NVIDIA H200 \(Python 3\.\d+\.\d+\)$/);
  });

  it("ends as soon as its stdin closes, even while torch is still loading", async () => {
    process.env.PYTHONPATH = fakeTorch("import time\ntime.sleep(60)\n");
    const child = spawn(defaultPython, [torchScript, tempDir(), "64"], { stdio: ["pipe", "pipe", "pipe"] });
    const exited = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
    await new Promise((wait) => setTimeout(wait, 1000));
    expect(child.exitCode, "still loading torch").toBe(null);
    const closedAt = performance.now();
    child.stdin.end();
    expect(await exited).toBe(1);
    expect(performance.now() - closedAt).toBeLessThan(1000);
  });

  it("hands over the data and initial parameters in float32 and every epoch's order, as numpy reads them", () => {
    const data = benchDigits(100);
    const net = createNetwork({ sizes: [784, 5, 10], rng: 3 });
    const orders = epochOrders(100, 3, 7);
    const folder = handOver(net, data, orders, 3, 0.5);
    try {
      const setup = JSON.parse(readFileSync(join(folder, "setup.json"), "utf8")) as { layers: number; lr: number; arrays: Record<string, { shape: number[] }> };
      expect(setup.layers).toBe(2);
      expect(setup.lr).toBe(0.5);
      expect(setup.arrays.orders.shape).toEqual([3, 100]);
      // numpy's reading of each file, as float64 values, against what was handed over
      const read = (name: string) => {
        const said = spawnSync(
          defaultPython,
          ["-c", "import json, sys, numpy as np; s = json.load(open(sys.argv[1] + '/setup.json'))['arrays'][sys.argv[2]]; a = np.fromfile(sys.argv[1] + '/' + s['file'], dtype=s['dtype']).reshape(s['shape']); print(json.dumps(a.astype(float).ravel().tolist()))", folder, name],
          { encoding: "utf8", maxBuffer: 1 << 26 },
        );
        expect(said.status, said.stderr).toBe(0);
        return JSON.parse(said.stdout) as number[];
      };
      expect(read("inputs")).toEqual(Array.from(Float32Array.from(data.inputs.data)));
      expect(read("targets")).toEqual(Array.from(data.targets.data));
      expect(read("orders")).toEqual(Array.from(orders));
      expect(read("weights1")).toEqual(Array.from(Float32Array.from(net.layers[1].weights.data)));
      expect(read("bias0")).toEqual(Array.from(Float32Array.from(net.layers[0].bias)));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("orders the batches as train() does, epoch after epoch, the last partial batch dropped", () => {
    const data = benchDigits(100);
    const options = { loss: "sum-of-squares", reduction: "mean", optimizer: { name: "sgd", lr: 0.5 } } as const;
    const [batchSize, epochs, seed] = [16, 3, 4];
    const trained = createNetwork({ sizes: [784, 8, 10], rng: 2 });
    const result = train(trained, data, { ...options, batchSize, lastBatch: "drop", budget: { epochs }, seed });
    // The same steps one by one, each a train() of one step on exactly its batch's rows.
    const stepped = createNetwork({ sizes: [784, 8, 10], rng: 2 });
    const orders = epochOrders(100, epochs, seed);
    let steps = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let start = 0; start + batchSize <= 100; start += batchSize) {
        const rows = orders.subarray(epoch * 100 + start, epoch * 100 + start + batchSize);
        train(stepped, subset(data, rows), { ...options, batchSize, budget: { steps: 1 } });
        steps++;
      }
    }
    expect(steps).toBe(result.steps);
    const [a, b] = [parameterVector(stepped), parameterVector(trained)];
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-12);
    // and another seed's orders would not do
    expect(Array.from(epochOrders(100, epochs, seed + 1))).not.toEqual(Array.from(orders));
  });
});
