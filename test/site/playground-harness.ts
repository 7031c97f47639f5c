// What the playground engine's tests share: a small run's config, and an engine whose messages are
// kept and awaited (test/site/playground-engine.test.ts, test/gpu/playground-engine.test.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { gunzipSync } from "node:zlib";
import { createEngine } from "../../docs/.vitepress/theme/playground/engine.ts";
import type { FromWorker, Gradients } from "../../docs/.vitepress/theme/playground/protocol.ts";
import { decodeDigits, type GpuHandle, nodeGpu, type RunConfig } from "../../lib/index.ts";
import { writeDigitsAsset } from "../../tools/site/digits-asset.ts";

export const xorConfig = (overrides: Partial<RunConfig> = {}): RunConfig => ({
  data: { name: "xor", train: 200, test: 100, seed: 1 },
  layers: [2, 8, 2],
  activation: "tanh",
  outputActivation: "softmax",
  loss: "cross-entropy",
  reduction: "mean",
  optimizer: "momentum",
  batchSize: 10,
  lr: 0.1,
  baseLr: 0.1,
  lrScaling: "none",
  baseBatch: 10,
  budget: { epochs: 4 },
  seed: 3,
  lastBatch: "partial",
  recordEvery: 7,
  ...overrides,
});

/** The digits as the worker gets them: the site's gzipped asset, inflated and decoded. */
async function readDigitsAsset(): Promise<ReturnType<typeof decodeDigits>> {
  const docs = fs.mkdtempSync(path.join(os.tmpdir(), "batchprop-engine-"));
  try {
    return decodeDigits(new Uint8Array(gunzipSync(fs.readFileSync(writeDigitsAsset(docs).file))));
  } finally {
    fs.rmSync(docs, { recursive: true, force: true });
  }
}

/**
 * An engine and every message it posts, with a way to wait for one, and how often it read the
 * digits; `openDevice` opens its WebGPU device (Dawn's by default: the vitest project gpu points
 * Dawn at SwiftShader on a machine without a GPU).
 */
export function harness(openDevice: () => Promise<GpuHandle> = nodeGpu) {
  let loads = 0;
  const messages: FromWorker[] = [];
  const waiters: (() => void)[] = [];
  const engine = createEngine(
    (message) => {
      messages.push(JSON.parse(JSON.stringify(message)) as FromWorker);
      waiters.splice(0).forEach((wake) => wake());
    },
    () => {
      loads++;
      return readDigitsAsset();
    },
    openDevice,
  );
  const waitFor = async <T extends FromWorker>(match: (message: FromWorker) => message is T, timeoutMs = 60_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = messages.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no such message in ${timeoutMs} ms; got ${messages.map((m) => m.type).join(", ")}`);
      await new Promise<void>((wake) => {
        waiters.push(wake);
        setTimeout(wake, 50);
      });
    }
  };
  /** The run's line; an error reported for it fails at once, with its message. */
  const done = async (id: string) => {
    const end = await waitFor((m): m is Extract<FromWorker, { type: "done" | "error" }> => (m.type === "done" || m.type === "error") && m.id === id);
    if (end.type === "error") throw new Error(`run ${id}: ${end.message}`);
    return end;
  };
  /** Starts a run on the engine, as the page does when Train is pressed. */
  const start = (id: string, config: RunConfig, gradients: Gradients = "vectorized", digitsUrl = "") => engine.handle({ type: "start", id, config, gradients, digitsUrl });
  /** Pauses the run and gives the slice under way `settleMs` to end; resolves how many messages were posted by then. */
  const pause = async (settleMs: number) => {
    engine.handle({ type: "pause" });
    await sleep(settleMs);
    return messages.length;
  };
  return { engine, messages, waitFor, done, start, pause, digitsLoads: () => loads };
}

/** Dawn's device, counting how often the engine opens one, and the GPU buffers made and not yet destroyed. */
export function countedGpu() {
  const opened = { count: 0 };
  const liveBuffers = new Set<GPUBuffer>();
  const open = async () => {
    opened.count++;
    const handle = await nodeGpu();
    const { device } = handle;
    const createBuffer = device.createBuffer.bind(device);
    device.createBuffer = (descriptor) => {
      const made = createBuffer(descriptor);
      liveBuffers.add(made);
      const destroy = made.destroy.bind(made);
      made.destroy = () => {
        liveBuffers.delete(made);
        destroy();
      };
      return made;
    };
    return handle;
  };
  return { opened, open, liveBuffers };
}
