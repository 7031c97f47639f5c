import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultRuns, runKey } from "../../lib/index.ts";

/**
 * results/default.jsonl caches the 147 default runs by key: a RunConfig field added, renamed or
 * always written would change every key and silently rerun the whole set (≈ 6 minutes).
 */
describe("the default runs keep their keys", () => {
  const keys = defaultRuns().map(runKey);

  it("match a snapshot: the first and last key in full, all 147 by hash", () => {
    expect(keys).toHaveLength(147);
    expect(keys[0]).toBe(
      '{"activation":"sigmoid","baseBatch":10,"baseLr":3,"batchSize":1,"budget":{"epochs":2},"data":{"name":"digits","seed":0,"test":2000,"train":8000},' +
        '"lastBatch":"drop","layers":[784,30,10],"loss":"sum-of-squares","lr":3,"lrScaling":"none","optimizer":"sgd","recordEvery":800,"reduction":"mean","seed":0}',
    );
    expect(keys[146]).toBe(
      '{"activation":"sigmoid","baseBatch":10,"baseLr":100,"batchSize":1024,"budget":{"epochs":2},"data":{"name":"digits","seed":0,"test":2000,"train":8000},' +
        '"lastBatch":"drop","layers":[784,30,10],"loss":"sum-of-squares","lr":100,"lrScaling":"none","optimizer":"sgd","recordEvery":1,"reduction":"mean","seed":2}',
    );
    expect(createHash("sha256").update(keys.join("\n")).digest("hex")).toBe("17563c1916a760140b5f814c565f289290980f7ec8f39bac7150e1066c085054");
  });

  const file = resolve(import.meta.dirname, "../../results/default.jsonl");
  it.skipIf(!existsSync(file))("are the keys of the runs in results/default.jsonl", () => {
    const inFile = new Set(
      readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => runKey((JSON.parse(line) as { config: Parameters<typeof runKey>[0] }).config)),
    );
    expect(keys.filter((key) => !inFile.has(key))).toEqual([]);
  });
});
