import { describe, expect, it } from "vitest";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { cli, root } from "./spawn.ts";

describe("batchprop train", () => {
  it("trains one network and prints train/test loss and test accuracy per epoch", async () => {
    const { code, stdout } = await cli(["train", "--dataset", "xor", "--layers", "2,8,2", "--epochs", "3", "--batch-size", "20", "--lr", "2"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Training 2-8-2 sigmoid, sum-of-squares (mean), sgd η = 2, B = 20, 3 epochs on xor (800 train / 200 test), seed 0");
    for (const epoch of [1, 2, 3]) expect(stdout).toMatch(new RegExp(`epoch ${epoch}: train loss \\d\\.\\d{5}, test loss \\d\\.\\d{5}, test accuracy \\d+\\.\\d\\d%`));
    // Plain `node main.js` has no relaxed-SIMD flag on Node 20: the summary names the kernel that ran.
    expect(stdout).toMatch(/Done: 120 steps in .* of training on gemm-4x4-wasm(relaxed)?simd, test accuracy/);
  });

  it("trains cross-entropy through a softmax output by default, and learns xor", async () => {
    // With every layer sigmoid, cross-entropy drove all outputs to 1: train loss 0.00008, test accuracy 38.5%.
    const { code, stdout } = await cli(["train", "--dataset", "xor", "--loss", "cross-entropy", "--epochs", "30", "--lr", "1"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Training 2-30-2 sigmoid (softmax output), cross-entropy (mean)");
    const accuracy = Number(/Done: .*, test accuracy (\d+\.\d+)%/.exec(stdout)?.[1]);
    expect(accuracy).toBeGreaterThan(90);
  });

  it("trains on every set of the registry, blobs included (3 classes: 2-30-3 by default)", async () => {
    const { code, stdout } = await cli(["train", "--dataset", "blobs", "--epochs", "1"], { timeoutMs: 30_000 });
    expect(code).toBe(0);
    expect(stdout).toContain("Training 2-30-3 sigmoid, sum-of-squares (mean), sgd η = 3, B = 10, 1 epoch on blobs (800 train / 200 test), seed 0");
  });

  it("runs as the batchprop command npm links, not only through node, on the relaxed-SIMD kernel its shebang enables", async () => {
    const bin = join(root, "node_modules", ".bin", "batchprop");
    const { code, stdout } = await cli(["--help"], { command: bin, timeoutMs: 30_000 });
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: batchprop [options] [command]");
    const trained = await cli(["train", "--dataset", "xor", "--layers", "2,4,2", "--epochs", "1"], { command: bin });
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(/Done: 80 steps in .* of training on gemm-4x4-wasmrelaxedsimd, test accuracy/);
  });

  it("--workers 2 splits each batch across two threads, says so, and learns what one thread learns", async () => {
    const args = ["train", "--dataset", "xor", "--layers", "2,8,2", "--epochs", "3", "--batch-size", "20", "--lr", "2"];
    const one = await cli(args);
    const two = await cli([...args, "--workers", "2"]);
    expect(two.code).toBe(0);
    expect(two.stdout).toMatch(/Done: 120 steps in .* of training on gemm-4x4-wasm(relaxed)?simd, 2 workers, test accuracy/);
    expect(one.stdout).not.toContain("workers");
    // The same losses to the 5 digits printed.
    const epochs = (stdout: string) => stdout.split("\n").filter((line) => line.startsWith("epoch "));
    expect(epochs(two.stdout)).toEqual(epochs(one.stdout));
    expect(epochs(one.stdout)).toHaveLength(3);
  });

  it("--help gives Nielsen's defaults", async () => {
    const { code, stdout: help } = await cli(["train", "--help"], { timeoutMs: 30_000 });
    expect(code).toBe(0);
    const stdout = help.replace(/\s+/g, " "); // commander wraps the help to the terminal's width
    for (const text of ["--output-activation <name>", "softmax with --loss cross-entropy, sigmoid with binary-cross-entropy", '--lr <eta>', '(default: "3")', '--batch-size <B>', '(default: "10")', '(default: "sgd")', '(default: "mean")', '(default: "sum-of-squares")']) {
      expect(stdout).toContain(text);
    }
  });

  it("rejects bad options with exit status 2", async () => {
    const bad: [string[], RegExp][] = [
      [["--batch-size", "0"], /--batch-size: batch size 0 must be at least 1/],
      [["--lr", "abc"], /--lr: learning rate "abc" is not a number/],
      [["--dataset", "xor"], /--layers: the first layer has 784 inputs but xor has 2/],
      [["--optimizer", "lbfgs"], /--optimizer: unknown optimizer "lbfgs"/],
      // The seed's option as train spells it: --seed, not experiment's --seeds.
      [["--seed", "100000000000000000"], /--seed: a seed must be a safe integer, got 100000000000000000\n/],
      [["--epochs", "10000000"], /--epochs: epochs must be at most 1,000,000, got 10000000/],
      // Integers in plain decimal digits only, for every integer option.
      [["--batch-size", "0x10"], /--batch-size: batch size "0x10" is not a plain decimal integer/],
      [["--epochs", " 3"], /--epochs: epochs " 3" is not a plain decimal integer/],
      [["--seed", "1e2"], /--seed: seed "1e2" is not a plain decimal integer/],
      // Seeds are 0 to 2^53−1, as every integer option: no sign.
      [["--seed", "-1"], /--seed: seed "-1" is not a plain decimal integer \(digits only, no sign\)/],
      // Sizes: refused before a network or a pass is allocated.
      [["--layers", "2,100000000,2"], /--layers: width 100,000,000 is more than the 65,536 units a layer may have/],
      [["--layers", "2,30000,2", "--batch-size", "800"], /--batch-size: a batch of 800 through layers 2,30000,2 needs 216,018,000 float64 values for its passes, more than the 134,217,728 \(1 GiB\) a run may hold; use a smaller batch or narrower layers/],
      [["--loss", "cross-entropy", "--output-activation", "sigmoid"], /--output-activation: cross-entropy needs a softmax output layer, got sigmoid/],
      [["--loss", "binary-cross-entropy", "--output-activation", "softmax"], /--output-activation: binary-cross-entropy needs a sigmoid output layer, got softmax/],
      [["--output-activation", "gelu"], /--output-activation: unknown activation "gelu"/],
      // Threads: at least one, at most one per core, in plain digits.
      [["--workers", "0"], /--workers: the worker count must be at least 1, got 0/],
      [["--workers", String(availableParallelism() + 1)], new RegExp(`--workers: the worker count must be at most ${availableParallelism()}, got ${availableParallelism() + 1}`)],
      [["--workers", "2.0"], /--workers: the worker count "2.0" is not a plain decimal integer/],
    ];
    for (const [args, message] of bad) {
      const layers = args.includes("--dataset") ? ["--layers", "784,30,10"] : ["--dataset", "xor"];
      const { code, stderr } = await cli(["train", ...layers, ...args], { timeoutMs: 30_000 });
      expect(stderr, args.join(" ")).toMatch(message);
      expect(code).toBe(2);
    }
  });
});
