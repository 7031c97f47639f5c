import { defineConfig } from "vitest/config";
import { swiftShaderIcd } from "./lib/gpu/node-device.ts";

// Groups run one after another (sequence.groupOrder), so nothing that starts kernels, workers or a
// browser on this 2-core machine runs beside the timing-sensitive unit tests:
//   0 unit:      everything else, in parallel;
//   1 gpu:       the WebGPU backend against the float64 library, on Dawn; on a machine without a GPU
//                through Chromium's SwiftShader (software Vulkan, which keeps every core busy);
//   2 kernels:   the notebook runner's own tests, which start tslab kernels, one file at a time;
//   3 notebooks: the project's notebooks, whose executed copies in build/notebooks the site's
//                build then reuses (the runner skips a notebook whose source and library are unchanged),
//                and the notebook bundle, run outside the checkout;
//   4 site:      the site's end-to-end test.
const gpu = ["test/gpu/**/*.test.ts", "test/cli/gpu.test.ts", "test/experiments/gpu.test.ts"];
const kernels = ["test/notebooks/runner.test.ts", "test/notebooks/cli.test.ts", "test/notebooks/orphan.test.ts"];
const notebooks = ["test/notebooks/project.test.ts", "test/site/bundle.test.ts"];
const site = ["test/site/site.e2e.test.ts"];

export default defineConfig({
  test: {
    // Node 20 loads the relaxed-SIMD gemm kernel only with this V8 flag (lib/matrix/kernels.ts);
    // test/matrix/kernels.test.ts fails if it does not load.
    execArgv: ["--experimental-wasm-relaxed-simd"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    reporters: ["default", "./test/summary-reporter.ts"],
    projects: [
      { extends: true, test: { name: "unit", include: ["test/**/*.test.ts"], exclude: [...gpu, ...kernels, ...notebooks, ...site], sequence: { groupOrder: 0 } } },
      // VK_ICD_FILENAMES as the README says for a machine without a GPU; a GPU machine's own ICD is used if set.
      { extends: true, test: { name: "gpu", include: gpu, fileParallelism: false, env: { VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? swiftShaderIcd }, sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: "kernels", include: kernels, fileParallelism: false, sequence: { groupOrder: 2 } } },
      // Notebooks 09-10 read the default experiments' results: the setup runs whatever is missing.
      { extends: true, test: { name: "notebooks", include: notebooks, globalSetup: ["test/notebooks/default-results.setup.ts"], sequence: { groupOrder: 3 } } },
      { extends: true, test: { name: "site", include: site, sequence: { groupOrder: 4 } } },
    ],
  },
});
