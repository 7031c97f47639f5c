// The playground's sweep chart over runs on both devices: the same settings on the CPU and the GPU
// are two settings of the chart, never one group of "seeds" (which groupRuns refuses).
import { describe, expect, it } from "vitest";
import { batchSizeChart } from "../../docs/.vitepress/theme/playground/charts.ts";
import { runOne, type RunRecord } from "../../lib/index.ts";
import { xorConfig } from "./playground-harness.ts";

describe("the playground's sweep chart", () => {
  it("draws the same runs on the CPU and on the GPU as two settings", () => {
    const cpu = [4, 16].map((batchSize) => runOne(xorConfig({ batchSize, baseBatch: batchSize, budget: { epochs: 1 } })));
    // The GPU's line for the same run, as the playground writes it (its numbers are beside the point here).
    const gpu: RunRecord[] = cpu.map((record) => ({ ...record, config: { ...record.config, backend: "webgpu" }, backend: "webgpu", adapter: "google swiftshader" }));
    const chart = batchSizeChart([...cpu, ...gpu], "testAccuracy", 600);
    expect(typeof chart === "string" ? chart : "a chart").toBe("a chart");
  });
});
