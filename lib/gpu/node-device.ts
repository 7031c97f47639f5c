/**
 * A WebGPU device in Node: Dawn, through the `webgpu` package, which reaches the GPU through Vulkan
 * on Linux. Loaded only when a run asks for the GPU, so the CPU path never loads Dawn.
 */
import { type GpuHandle, GpuUnavailableError, openGpu } from "./device.js";

/** Chromium's software Vulkan (Debian's chromium package): WebGPU on a machine without a GPU. */
export const swiftShaderIcd = "/usr/lib/chromium/vk_swiftshader_icd.json";

export async function nodeGpu(): Promise<GpuHandle> {
  let dawn: typeof import("webgpu");
  try {
    dawn = await import("webgpu");
  } catch (error) {
    throw new GpuUnavailableError(`webgpu: the webgpu package (Dawn) did not load: ${(error as Error).message}`);
  }
  Object.assign(globalThis, dawn.globals);
  const icd = process.env.VK_ICD_FILENAMES;
  const where = `Dawn's Vulkan devices${icd ? ` (VK_ICD_FILENAMES=${icd})` : ""}`;
  const hint = `on a machine without a GPU, VK_ICD_FILENAMES=${swiftShaderIcd} runs WebGPU on the CPU (slowly)`;
  return openGpu(dawn.create([]), where, hint);
}
