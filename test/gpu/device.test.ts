// Opening a device: where none is found, the error names where it looked and how to get one.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { GpuUnavailableError, openGpu } from "../../lib/index.ts";

const run = promisify(execFile);

it("Dawn without a Vulkan driver: no adapter, naming VK_ICD_FILENAMES and the SwiftShader way", async () => {
  const script = `import { nodeGpu } from "./lib/dist/index.js";
try { await nodeGpu(); console.log("opened"); } catch (error) { console.log(error.name + ": " + error.message); }`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { env: { ...process.env, VK_ICD_FILENAMES: "/nonexistent/icd.json" } });
  expect(stdout.trim()).toBe(
    "GpuUnavailableError: webgpu: no WebGPU adapter found (looked in Dawn's Vulkan devices (VK_ICD_FILENAMES=/nonexistent/icd.json)); " +
      "on a machine without a GPU, VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json runs WebGPU on the CPU (slowly)",
  );
});

it("a browser without WebGPU, or with no adapter", async () => {
  await expect(openGpu(undefined, "navigator.gpu")).rejects.toThrow(new GpuUnavailableError("webgpu: this environment has no WebGPU (looked in navigator.gpu)"));
  const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
  await expect(openGpu(noAdapter, "navigator.gpu", "try Chrome")).rejects.toThrow("webgpu: no WebGPU adapter found (looked in navigator.gpu); try Chrome");
});

it("an adapter without `info` (Chrome 113–126, which the README's 113+ includes) opens as an unnamed adapter", async () => {
  const device = { destroy: () => undefined } as unknown as GPUDevice;
  const adapter = { limits: {}, requestDevice: async () => device };
  const old = { requestAdapter: async () => adapter } as unknown as GPU;
  await expect(openGpu(old, "navigator.gpu")).resolves.toMatchObject({ device, adapter: "unnamed adapter" });
  const partial = { requestAdapter: async () => ({ ...adapter, info: { vendor: "apple", architecture: "" } }) } as unknown as GPU;
  await expect(openGpu(partial, "navigator.gpu")).resolves.toMatchObject({ adapter: "apple" });
});

it("an adapter that gives no device: a GpuUnavailableError naming the adapter and why", async () => {
  const adapter = { limits: {}, info: { vendor: "acme", architecture: "", description: "" }, requestDevice: async () => Promise.reject(new DOMException("limit out of range", "OperationError")) };
  const gpu = { requestAdapter: async () => adapter } as unknown as GPU;
  await expect(openGpu(gpu, "navigator.gpu", "try Chrome")).rejects.toThrow(new GpuUnavailableError("webgpu: the adapter acme gave no device: limit out of range (looked in navigator.gpu)"));
});
