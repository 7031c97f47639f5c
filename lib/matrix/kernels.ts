import { gemmModules } from "./gemm-wasm.generated.js";
import type { GemmKernel } from "./kernel.js";
import { jsKernel } from "./kernel-js.js";
import { createWasmKernel } from "./kernel-wasm.js";
import { keyword } from "../validate/validate.js";

/*
 * The one place that picks the gemm kernel. In order of preference:
 *
 *   gemm-4x4-wasmrelaxedsimd   f64x2.relaxed_madd (FMA where the CPU has it), ~1.2× plain SIMD
 *   gemm-4x4-wasmsimd          f64x2.mul + f64x2.add
 *   js                         the plain JavaScript kernel, the reference; always loads
 *
 * The first that loads becomes gemm()'s default (lib/matrix/gemm.ts), in the library, the
 * command line, the experiments' worker threads and the browser alike. Relaxed SIMD is on by
 * default from Node 22 and in current browsers; Node 20 has it only behind V8's
 * `--experimental-wasm-relaxed-simd`, which NODE_OPTIONS refuses, so this project passes it on
 * node's command line: the npm scripts, the `batchprop` bin's shebang and vitest's execArgv.
 * Worker threads share their process's V8 flags, so they load what the main thread loads.
 * Without the flag, Node 20 falls back to gemm-4x4-wasmsimd.
 */

/** Every kernel name, most preferred first. */
export const kernelNames: readonly string[] = [...gemmModules.map((module) => module.name), jsKernel.name];

const loaded = new Map<string, GemmKernel>([[jsKernel.name, jsKernel]]);

/**
 * The kernel called `name`, compiled and instantiated on first use (each has its own memory).
 * Throws an Error saying why when this engine cannot run it, and a ConfigError (a RangeError) for an unknown name.
 */
export function loadKernel(name: string): GemmKernel {
  const known = loaded.get(name);
  if (known !== undefined) return known;
  keyword(name, "kernel", kernelNames, "gemm kernel");
  const kernel = createWasmKernel(gemmModules.find((candidate) => candidate.name === name)!);
  loaded.set(name, kernel);
  return kernel;
}

/** Each kernel and whether it loads here: the kernel, or the reason it does not. */
export function kernelAvailability(): { name: string; kernel?: GemmKernel; error?: string }[] {
  return kernelNames.map((name) => {
    try {
      return { name, kernel: loadKernel(name) };
    } catch (error) {
      return { name, error: (error as Error).message };
    }
  });
}

/** The most preferred kernel that loads here; kernelAvailability() says why the others do not. */
export function bestKernel(): GemmKernel {
  for (const { name } of gemmModules) {
    try {
      return loadKernel(name);
    } catch {
      // not on this engine: try the next
    }
  }
  return jsKernel;
}
