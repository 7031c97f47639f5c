import { evenSplit, scaleC } from "./blocking.js";
import { edgeTileBytes } from "./gemm-wasm.generated.js";
import type { GemmKernel } from "./kernel.js";

/*
 * A gemm kernel on one of the WebAssembly modules generated from tools/wasm/gemm-template.ts.
 * The module packs and multiplies; this side owns its memory and runs the GotoBLAS loops (as
 * kernel-js.ts does) over operands copied into that memory:
 *
 *   memory: [edge tile | packed A: MC·KC | packed B: KC·NC | staged B | staged A | staged C]
 *
 * Where the operands live: the network's matrices stay ordinary Float64Arrays, and each call
 * copies what it reads into the module's memory and copies C back out. A matrix allocated on the
 * module's memory instead would save the copies, but growing a WebAssembly memory detaches every
 * view of it, so any later grow would silently break every Matrix handed out before, and nothing
 * there is ever freed. The copies are contiguous Float64Array.set calls (memcpy): measured on the
 * three training products against the relaxed-SIMD kernel they cost about 5% of the
 * kernel's time, and the packing that follows reads the staged copy, not the caller's arrays.
 *
 * Memory stays bounded: a product whose operands exceed STAGING_DOUBLES is done in chunks of
 * C's rows (and columns, if op(B) alone is too big). Chunking never splits k and keeps the same
 * KC blocks, so every element of C is summed in the same order: results are bit-identical.
 */

/** A compiled variant: its name, tile and instruction set, and its bytes as base64. */
export interface GemmModule {
  readonly name: string;
  readonly mr: number;
  readonly nr: number;
  readonly isa: "wasmsimd" | "wasmrelaxedsimd";
  readonly bytes: string;
}

/** What the module exports (tools/wasm/gemm-template.ts); addresses in bytes, sizes in doubles. */
interface GemmExports {
  readonly memory: WebAssembly.Memory;
  packA(dst: number, src: number, ld: number, lanes: number, depth: number): void;
  packAT(dst: number, src: number, ld: number, lanes: number, depth: number): void;
  packB(dst: number, src: number, ld: number, lanes: number, depth: number): void;
  packBT(dst: number, src: number, ld: number, lanes: number, depth: number): void;
  macro(mc: number, nc: number, kc: number, alpha: number, pa: number, pb: number, c: number, ldc: number): void;
  sparse(m: number, n: number, alpha: number, start: number, index: number, value: number, b: number, ldb: number, c: number, ldc: number, overwrite: number): void;
}

/** Depth of a k-slice: a 4-column B sliver (8 KiB) stays in L1 while A slivers stream past. */
const KC = 256;
/** Rows of op(A) per packed block, in tiles: 96·256 doubles (192 KiB) stay in L2. */
const MC_TILES = 24;
/** Columns of op(B) per packed block, in tiles: 256·256 doubles (512 KiB). */
const NC_TILES = 64;
/** Most doubles of A, B and C staged at once: 16 MiB. A training batch and a 1000-row evaluation chunk fit whole. */
const STAGING_DOUBLES = 1 << 21;

const wasmPage = 65536;

/** Why `bytes` cannot be compiled here, or undefined if it can. */
function unsupported(module: GemmModule, bytes: Uint8Array<ArrayBuffer>): string | undefined {
  if (typeof WebAssembly === "undefined") return "this JavaScript engine has no WebAssembly";
  if (WebAssembly.validate(bytes)) return undefined;
  return module.isa === "wasmrelaxedsimd"
    ? "this engine does not support WebAssembly relaxed SIMD (Node 20: start node with --experimental-wasm-relaxed-simd)"
    : "this engine does not support WebAssembly SIMD";
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Compiles and instantiates `module` (synchronously: the module is a few KB, under every engine's
 * limit for compiling on a browser's main thread) and wraps it as a GemmKernel. Throws an Error
 * naming the variant and the reason when this engine cannot run it. `stagingDoubles` is for tests
 * of the chunked path.
 */
export function createWasmKernel(module: GemmModule, stagingDoubles = STAGING_DOUBLES): GemmKernel {
  const bytes = decodeBase64(module.bytes);
  const reason = unsupported(module, bytes);
  if (reason !== undefined) throw new Error(`${module.name}: ${reason}`);
  const wasm = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as GemmExports;
  const { mr, nr } = module;
  const mcMax = MC_TILES * mr;
  const ncMax = NC_TILES * nr;
  const packedA = edgeTileBytes;
  const packedB = packedA + mcMax * KC * 8;
  const staging = (packedB + KC * ncMax * 8) / 8;
  let view = new Float64Array(wasm.memory.buffer);
  let ints = new Int32Array(wasm.memory.buffer);

  /** Grows the memory to hold `doubles` doubles from address 0; a grow detaches the old view. */
  const reserve = (doubles: number) => {
    const bytesNeeded = doubles * 8;
    const have = wasm.memory.buffer.byteLength;
    if (bytesNeeded <= have) return;
    try {
      wasm.memory.grow(Math.ceil((bytesNeeded - have) / wasmPage));
    } catch (error) {
      throw new RangeError(`${module.name}: cannot grow WebAssembly memory to ${bytesNeeded} bytes (${(error as Error).message})`);
    }
    view = new Float64Array(wasm.memory.buffer);
    ints = new Int32Array(wasm.memory.buffer);
  };

  /** rows×cols of `src` (row stride ld, from index `from`) into the memory at index `to`, row stride cols. */
  const stage = (src: Float64Array, from: number, ld: number, rows: number, cols: number, to: number) => {
    if (ld === cols) view.set(src.subarray(from, from + rows * cols), to);
    else for (let r = 0; r < rows; r++) view.set(src.subarray(from + r * ld, from + r * ld + cols), to + r * cols);
  };
  /** The reverse of stage: rows×cols at index `from` (row stride cols) into `dst` at `to`, row stride ld. */
  const unstage = (from: number, rows: number, cols: number, dst: Float64Array, to: number, ld: number) => {
    if (ld === cols) dst.set(view.subarray(from, from + rows * cols), to);
    else for (let r = 0; r < rows; r++) dst.set(view.subarray(from + r * cols, from + (r + 1) * cols), to + r * ld);
  };

  return {
    name: module.name,
    gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
      if (m === 0 || n === 0) return;
      if (k === 0 || alpha === 0) {
        scaleC(m, n, beta, c, ldc);
        return;
      }
      const { rowsPerChunk, colsPerChunk } = chunking(m, n, k, mr, nr, stagingDoubles);
      const kc0 = evenSplit(k, KC, 1);
      for (let j0 = 0; j0 < n; j0 += colsPerChunk) {
        const nb = Math.min(colsPerChunk, n - j0);
        const bAt = staging;
        const aAt = bAt + k * nb;
        const cAt = aAt + Math.min(rowsPerChunk, m) * k;
        reserve(cAt + Math.min(rowsPerChunk, m) * nb);
        // op(B)[:, j0…j0+nb] as stored: columns of B, or rows of Bᵀ.
        const bLd = transB ? k : nb;
        if (transB) stage(b, j0 * ldb, ldb, nb, k, bAt);
        else stage(b, j0, ldb, k, nb, bAt);
        const nc0 = evenSplit(nb, ncMax, nr);
        for (let i0 = 0; i0 < m; i0 += rowsPerChunk) {
          const mb = Math.min(rowsPerChunk, m - i0);
          const aLd = transA ? mb : k;
          if (transA) stage(a, i0, lda, k, mb, aAt);
          else stage(a, i0 * lda, lda, mb, k, aAt);
          if (beta !== 0) stage(c, i0 * ldc + j0, ldc, mb, nb, cAt);
          scaleC(mb, nb, beta, view.subarray(cAt, cAt + mb * nb), nb);
          const mc0 = evenSplit(mb, mcMax, mr);
          for (let jc = 0; jc < nb; jc += nc0) {
            const nc = Math.min(nc0, nb - jc);
            for (let pc = 0; pc < k; pc += kc0) {
              const kc = Math.min(kc0, k - pc);
              if (transB) wasm.packBT(packedB, (bAt + jc * bLd + pc) * 8, bLd, nc, kc);
              else wasm.packB(packedB, (bAt + pc * bLd + jc) * 8, bLd, nc, kc);
              for (let ic = 0; ic < mb; ic += mc0) {
                const mc = Math.min(mc0, mb - ic);
                if (transA) wasm.packAT(packedA, (aAt + pc * aLd + ic) * 8, aLd, mc, kc);
                else wasm.packA(packedA, (aAt + ic * aLd + pc) * 8, aLd, mc, kc);
                wasm.macro(mc, nc, kc, alpha, packedA, packedB, (cAt + ic * nb + jc) * 8, nb);
              }
            }
          }
          unstage(cAt, mb, nb, c, i0 * ldc + j0, ldc);
        }
      }
    },

    /*
     * Staged as [B | C | A's values | A's row starts | A's columns]. Rows of A (and C) go in chunks
     * that fit the staging memory with B, and B in chunks of columns if it alone takes more than
     * half. Each element of C is one sum over its row's nonzeros, whatever the chunks.
     */
    sparseGemm(m, n, k, alpha, a, b, ldb, beta, c, ldc) {
      if (m === 0 || n === 0) return;
      if (k === 0 || alpha === 0) {
        scaleC(m, n, beta, c, ldc);
        return;
      }
      const colsPerChunk = k * n <= stagingDoubles / 2 ? n : Math.min(n, Math.max(2, Math.floor(stagingDoubles / 4 / k) * 2));
      for (let j0 = 0; j0 < n; j0 += colsPerChunk) {
        const nb = Math.min(colsPerChunk, n - j0);
        const bAt = staging;
        const cAt = bAt + k * nb;
        const budget = stagingDoubles - k * nb;
        for (let i0 = 0; i0 < m; ) {
          // As many rows as fit: each costs its C row, its nonzeros (8 + 4 bytes) and its start.
          let i1 = i0;
          let used = 0;
          do {
            used += nb + 1.5 * (a.start[i1 + 1] - a.start[i1]) + 0.5;
            i1++;
          } while (i1 < m && used + nb + 1.5 * (a.start[i1 + 1] - a.start[i1]) + 0.5 <= budget);
          const rows = i1 - i0;
          const first = a.start[i0];
          const nonzeros = a.start[i1] - first;
          const valueAt = cAt + rows * nb;
          const startAt = 2 * (valueAt + nonzeros);
          const indexAt = startAt + rows + 1;
          reserve((indexAt + nonzeros) / 2 + 1);
          if (i0 === 0) stage(b, j0, ldb, k, nb, bAt);
          // beta = 0: the kernel overwrites C, so it is neither copied in nor cleared.
          if (beta !== 0) {
            stage(c, i0 * ldc + j0, ldc, rows, nb, cAt);
            scaleC(rows, nb, beta, view.subarray(cAt, cAt + rows * nb), nb);
          }
          view.set(a.value.subarray(first, first + nonzeros), valueAt);
          ints.set(a.index.subarray(first, first + nonzeros), indexAt);
          for (let r = 0; r <= rows; r++) ints[startAt + r] = a.start[i0 + r] - first;
          wasm.sparse(rows, nb, alpha, startAt * 4, indexAt * 4, valueAt * 8, bAt * 8, nb, cAt * 8, nb, beta === 0 ? 1 : 0);
          unstage(cAt, rows, nb, c, i0 * ldc + j0, ldc);
          i0 = i1;
        }
      }
    },
  };
}

/**
 * Rows and columns of C per chunk so that staged A, B and C fit in `limit` doubles: all of C when
 * they fit; otherwise op(B) whole if it takes at most half, and as many rows of A and C as fit
 * beside it. Never fewer than one tile, so a product with a huge k stages more than `limit`.
 */
function chunking(m: number, n: number, k: number, mr: number, nr: number, limit: number): { rowsPerChunk: number; colsPerChunk: number } {
  if (k * n + m * k + m * n <= limit) return { rowsPerChunk: m, colsPerChunk: n };
  const colsPerChunk = k * n <= limit / 2 ? n : Math.min(n, Math.max(nr, Math.floor(limit / 2 / k / nr) * nr));
  const rowsPerChunk = Math.min(m, Math.max(mr, Math.floor((limit - k * colsPerChunk) / (k + colsPerChunk) / mr) * mr));
  return { rowsPerChunk, colsPerChunk };
}
