/**
 * `npm run bench` on a tiny setting: the JSON rows' shape, numpy's rows interleaved with
 * batchprop's and its final weights matching theirs, numpy missing, and bad options. Needs Debian's
 * python3-numpy (tools/setup.sh installs it): without it the first test fails with the install hint.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kernelAvailability } from "../../lib/index.ts";
import { root, start, tempDir } from "../cli/spawn.ts";

const runScript = join(root, "tools", "bench", "run.ts");

/** The bench as `npm run bench` starts it, without the library build. */
function bench(args: readonly string[], timeoutMs = 120_000) {
  return start(["--experimental-wasm-relaxed-simd", "--import", "tsx", runScript, ...args], { command: process.execPath, timeoutMs }).exited;
}

interface Row {
  kernel: string;
  workers: number;
  sparse: boolean;
  batchSize: number;
  gradients: string;
  samplesPerSecond: number;
  vsNumpy?: number;
  weightsRelDiff?: number;
}

/** A stand-in for python that runs numpy_train.py after `edit`ing the handed-over setup.json. */
function wrappedPython(folder: string, edit: string): string {
  const path = join(folder, "python");
  writeFileSync(
    path,
    `#!/bin/sh\nif [ "$2" != "--probe" ]; then /usr/bin/python3 -c 'import json, sys; p = sys.argv[1] + "/setup.json"; s = json.load(open(p)); ${edit}; json.dump(s, open(p, "w"))' "$2" || exit 1; fi\nexec /usr/bin/python3 "$@"\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

describe("npm run bench", () => {
  it("interleaves numpy's row after batchprop's at each B, with the same final weights, and writes the rows' shape", async () => {
    const out = join(tempDir(), "bench.json");
    const { code, stdout, stderr } = await bench(["--no-gemm", "--no-workers", "--batch-sizes", "1,16", "--samples", "256", "--out", out]);
    expect(stderr, `numpy is needed: install it with sudo apt-get install python3-numpy libopenblas0-pthread (tools/setup.sh does). The bench said:\n${stderr}`).not.toContain("numpy rows skipped");
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/numpy \d+\.\d+\.\d+ \(Python 3\.\d+\.\d+\), BLAS .+; threads: /);
    expect(stdout).toMatch(/OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE not set|set: OPENBLAS_/);
    const written = JSON.parse(readFileSync(out, "utf8")) as { machine: { numpy: { numpy: string } }; sections: { title: string; rows: Row[] }[] };
    expect(written.machine.numpy.numpy).toMatch(/^\d+\.\d+/);
    expect(written.sections.map((section) => section.title)).toEqual(["training one epoch of 256 digits, 784-100-10 sigmoid"]);
    const { rows } = written.sections[0];
    const kernels = kernelAvailability().flatMap(({ kernel }) => (kernel === undefined ? [] : [kernel.name]));
    // Per B: each kernel dense and sparse, the per-sample loop, then numpy.
    const expected = [1, 16].flatMap((batchSize) => [
      ...kernels.flatMap((kernel) => [false, true].map((sparse) => ({ batchSize, kernel, gradients: "vectorized", sparse }))),
      { batchSize, kernel: "-", gradients: "per-sample", sparse: false },
      { batchSize, kernel: "numpy", gradients: "vectorized", sparse: false },
    ]);
    expect(rows.map(({ batchSize, kernel, gradients, sparse }) => ({ batchSize, kernel, gradients, sparse }))).toEqual(expected);
    for (const row of rows) {
      expect(row.workers).toBe(1);
      expect(row.samplesPerSecond).toBeGreaterThan(0);
      expect(Number.isFinite(row.samplesPerSecond)).toBe(true);
      const numpy = rows.find((r) => r.kernel === "numpy" && r.batchSize === row.batchSize)!;
      if (row === numpy) {
        expect(row.weightsRelDiff).toBeLessThanOrEqual(1e-9);
        expect(row.vsNumpy).toBeUndefined();
      } else {
        expect(row.vsNumpy).toBeCloseTo(row.samplesPerSecond / numpy.samplesPerSecond, 12);
      }
    }
  });

  it("fails, naming the run, when numpy's final weights differ from batchprop's", async () => {
    const folder = tempDir();
    const out = join(folder, "bench.json");
    const python = wrappedPython(folder, 's["lr"] *= 1.01');
    const { code, stderr } = await bench(["--no-gemm", "--no-workers", "--batch-sizes", "16", "--samples", "256", "--python", python, "--out", out]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/B = 16: numpy's final weights vs batchprop's \(vectorized, [\w-]+, sparse false\): element \d+ is .*relative difference .* > 1e-9/);
    expect(existsSync(out)).toBe(false);
  });

  it("says how to install numpy when it is missing, and goes on without its rows", async () => {
    const folder = tempDir();
    const out = join(folder, "bench.json");
    const python = join(folder, "python");
    writeFileSync(python, `#!/bin/sh\necho "ModuleNotFoundError: No module named 'numpy'" >&2\nexit 1\n`);
    chmodSync(python, 0o755);
    const { code, stderr } = await bench(["--no-gemm", "--no-workers", "--batch-sizes", "16", "--samples", "64", "--python", python, "--out", out]);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain("install it with `sudo apt-get install python3-numpy libopenblas0-pthread`");
    expect(stderr).toContain("No module named 'numpy'");
    const { sections } = JSON.parse(readFileSync(out, "utf8")) as { sections: { rows: Row[] }[] };
    expect(sections[0].rows.length).toBeGreaterThan(0);
    expect(sections[0].rows.some((row) => row.kernel === "numpy")).toBe(false);
  });

  it("is set up by tools/setup.sh, which installs python3-numpy", () => {
    const packages = /^debian_packages=\((.*)\)$/m.exec(readFileSync(join(root, "tools", "setup.sh"), "utf8"))?.[1].split(" ");
    expect(packages).toContain("python3-numpy");
  });

  it("--help lists the options", async () => {
    const { code, stdout } = await bench(["--help"], 30_000);
    expect(code).toBe(0);
    for (const option of ["--no-gemm", "--no-training", "--no-numpy", "--no-workers", "--batch-sizes <list>", "--samples <n>", "--python <path>", "--default-experiments", "--out <file>", "--backend <name>", "--synthetic-samples <n>", "--gpu-epochs <n>"]) expect(stdout).toContain(option);
  });

  it("refuses bad options with exit status 2 before measuring anything or writing the file", async () => {
    const folder = tempDir();
    const out = join(folder, "bench.json");
    mkdirSync(join(folder, "a-folder"));
    const bad: [string[], RegExp][] = [
      [["--batch-sizes", "0"], /--batch-sizes: batch size 0 must be at least 1/],
      [["--batch-sizes", "0x10"], /--batch-sizes: batch size "0x10" is not a plain decimal integer/],
      [["--batch-sizes", "16,16"], /--batch-sizes: batch size 16 is listed twice/],
      [["--samples", "100", "--batch-sizes", "128"], /--batch-sizes: batch size 128 is larger than the training set \(100 samples of the digits \(--samples\)\)/],
      [["--samples", "20000"], /--samples: samples must be at most 10,000, got 20000/],
      [["--samples", "0"], /--samples: samples must be at least 1, got 0/],
      [["--python", join(folder, "no-such-python")], /--python: cannot run .*no-such-python/],
      [["--out", join(folder, "a-folder")], /--out: .*a-folder is not a regular file/],
      [["--no-gemm", "--no-training"], /nothing to measure/],
      [["--batch-size", "16"], /unknown option '--batch-size'/],
    ];
    await expectRefused(bad, out);
  });

  it("refuses bad --backend webgpu options the same way, and the CPU sections' options with it", async () => {
    const folder = tempDir();
    const out = join(folder, "bench.json");
    const bad: [string[], RegExp][] = [
      [["--backend", "gpu"], /option '--backend <name>' argument 'gpu' is invalid\. Allowed choices are cpu, webgpu/],
      [["--backend", "webgpu", "--no-gemm"], /--no-gemm: is an option of the CPU sections; --backend webgpu measures training on the GPU alone/],
      [["--backend", "webgpu", "--default-experiments"], /--default-experiments: is an option of the CPU sections/],
      [["--gpu-epochs", "2"], /--gpu-epochs: is an option of --backend webgpu/],
      [["--synthetic-samples", "100"], /--synthetic-samples: is an option of --backend webgpu/],
      [["--backend", "webgpu", "--gpu-epochs", "101"], /--gpu-epochs: epochs must be at most 100, got 101/],
      [["--backend", "webgpu", "--gpu-epochs", "0"], /--gpu-epochs: epochs must be at least 1, got 0/],
      [["--backend", "webgpu", "--synthetic-samples", "100001"], /--synthetic-samples: samples must be at most 100,000, got 100001/],
      // the default batch sizes of webgpu go up to 8192
      [["--backend", "webgpu", "--synthetic-samples", "5000"], /--batch-sizes: batch size 8192 is larger than the training set \(5000 samples of the synthetic set \(--synthetic-samples\)\)/],
      [["--backend", "webgpu", "--samples", "1000"], /--batch-sizes: batch size 1024 is larger than the training set \(1000 samples of the digits \(--samples\)\)/],
      [["--backend", "webgpu", "--python", join(folder, "no-such-python")], /--python: cannot run .*no-such-python/],
    ];
    await expectRefused(bad, out);
  });
});

/** Each of `bad`'s arguments (with `--out out` unless they name one) exits 2 with its message, before anything is measured or written. */
async function expectRefused(bad: readonly [string[], RegExp][], out: string): Promise<void> {
  for (const [args, message] of bad) {
    const { code, stderr, stdout } = await bench([...(args.includes("--out") ? [] : ["--out", out]), ...args], 30_000);
    expect(code, args.join(" ")).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout).toBe("");
  }
  expect(existsSync(out)).toBe(false);
}
