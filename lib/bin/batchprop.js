#!/usr/bin/env -S node --experimental-wasm-relaxed-simd
// The batchprop command: a committed entry point, so npm can link it before the library is built.
// The flag lets Node 20 load the relaxed-SIMD gemm kernel (lib/matrix/kernels.ts); `env -S` splits it off.
import "../dist/cli/main.js";
