// The browser-safe public API: nothing here imports from Node.
export { Matrix, assertShape, assertFinite } from "./matrix/matrix.js";
export { gemm, matmul, useKernel, currentKernel, type GemmOptions } from "./matrix/gemm.js";
export type { GemmKernel } from "./matrix/kernel.js";
export { jsKernel } from "./matrix/kernel-js.js";
export { addRowVector, columnSums, axpy, argmaxRows, maxRelativeDifference } from "./matrix/ops.js";
export { randomMatrix, inits, type Init } from "./matrix/init.js";
export { createRng, type Rng } from "./random/rng.js";
