/** A library run that fails on the GPU costs its row only (the GPU bench's rows, without spawning the bench). */
import { describe, expect, it } from "vitest";
import { nodeGpu, swiftShaderIcd } from "../../lib/index.ts";
import { benchGpu, libraryRunner } from "../../tools/bench/gpu.ts";

describe("a GPU run that fails", () => {
  it("is a row saying how, and the bench goes on to the next set and B", async () => {
    const saved = process.env.VK_ICD_FILENAMES;
    process.env.VK_ICD_FILENAMES = swiftShaderIcd;
    const gpu = await nodeGpu();
    if (saved === undefined) delete process.env.VK_ICD_FILENAMES;
    else process.env.VK_ICD_FILENAMES = saved;
    gpu.close(); // every run on it fails
    const rows = await benchGpu(gpu, { batchSizes: [8, 16], digits: 16, syntheticSamples: 16, epochs: 1 }, "python3", { available: false, why: "not asked" });
    expect(rows.map(({ dataset, batchSize, runner }) => `${dataset} ${batchSize} ${runner}`)).toEqual(
      ["digits", "synthetic"].flatMap((dataset) => [8, 16].flatMap((batchSize) => [`${dataset} ${batchSize} ${libraryRunner}`, `${dataset} ${batchSize} PyTorch CUDA`])),
    );
    for (const row of rows.filter((r) => r.runner === libraryRunner)) {
      expect(row.note).toMatch(/^failed: \S/);
      expect(row.samplesPerSecond).toBeUndefined();
    }
  });
});
