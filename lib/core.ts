// The browser-safe public API: nothing here imports from Node.
export { Matrix, assertShape, assertFinite } from "./matrix/matrix.js";
export { gemm, matmul, useKernel, currentKernel, type GemmOptions } from "./matrix/gemm.js";
export type { GemmKernel } from "./matrix/kernel.js";
export { jsKernel } from "./matrix/kernel-js.js";
export { addRowVector, columnSums, axpy, argmaxRows, maxRelativeDifference } from "./matrix/ops.js";
export { randomMatrix, inits, type Init } from "./matrix/init.js";
export { createRng, type Rng } from "./random/rng.js";
export { oneHot, labelsOf, splitDataset, subset, validateDataset, type Dataset, type Split, type SplitOptions } from "./data/dataset.js";
export { xor, circles, spirals, blobs, type SyntheticOptions, type CirclesOptions, type SpiralsOptions, type BlobsOptions } from "./data/synthetic.js";
