// The public API of batchprop for Node (notebooks, scripts, the command line): the core plus
// the parts that read files. Browsers import "batchprop/core".
export * from "./core.js";
// Shadows core's train: the same, plus `workers` (worker threads).
export { train } from "./train/parallel.js";
export { nodeGpu, swiftShaderIcd } from "./gpu/node-device.js";
export { loadDigits, allDigits, type DigitsOptions } from "./data/digits.js";
export { readIdx, loadIdx, loadMnistIdx, maxIdxBytes, maxIdxPixels, maxIdxValues, type IdxFile, type ReadIdxOptions, type LoadIdxOptions, type MnistIdxOptions } from "./data/idx.js";
export { renderPlot } from "./plots/render.js";
export { loadData, dataShape, defaultDataConfig } from "./experiments/datasets.js";
export { runOne, runOneAsync, type RunOptions, type EpochSummary } from "./experiments/run.js";
export { readResults, appendRecord, checkResultsPath, type ResultsFile } from "./experiments/results-file.js";
export { runPool, workersPerRun, minParallelBatch, type PoolOptions, type PoolResult } from "./experiments/pool.js";
export { loadDefaultResults, loadExperimentSet } from "./experiments/default-results.js";
export { runsCsv, csvColumns } from "./experiments/runs-csv.js";
export { reportHtml, lossBins, type Report, type ReportOptions } from "./report/report.js";
