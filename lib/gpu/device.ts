/**
 * Opening a WebGPU device, wherever WebGPU comes from: the browser's navigator.gpu, or Dawn in Node
 * (lib/gpu/node-device.ts). Browser-safe.
 */

/** A device to train on, and the adapter it came from, as records and the bench name it. */
export interface GpuHandle {
  readonly device: GPUDevice;
  /** The adapter's vendor, architecture and description, e.g. "nvidia hopper NVIDIA H200" or "google swiftshader". */
  readonly adapter: string;
  /** Where the device came from, held so that Dawn does not tear its instance down under the device. */
  readonly gpu: GPU;
  /** Releases the device; a handle given to train() is the caller's to close. */
  close(): void;
}

/** No WebGPU device could be opened: the message names where one was looked for. */
export class GpuUnavailableError extends Error {
  override readonly name = "GpuUnavailableError";
}

/** The limits a training run asks for: the adapter's own, so that large layers fit in a binding. */
const wantedLimits = ["maxStorageBufferBindingSize", "maxBufferSize", "maxComputeWorkgroupStorageSize", "maxComputeInvocationsPerWorkgroup", "maxStorageBuffersPerShaderStage"] as const;

/**
 * A device from `gpu` (navigator.gpu in a browser), or a GpuUnavailableError naming `lookedIn`
 * (e.g. "navigator.gpu in this browser") when there is no WebGPU or no adapter.
 */
export async function openGpu(gpu: GPU | undefined, lookedIn: string, hint = ""): Promise<GpuHandle> {
  const fail = (what: string) => new GpuUnavailableError(`webgpu: ${what} (looked in ${lookedIn})${hint && `; ${hint}`}`);
  if (gpu === undefined) throw fail("this environment has no WebGPU");
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (adapter === null) throw fail("no WebGPU adapter found");
  // GPUAdapter.info came in Chrome 127: older WebGPU browsers name no adapter.
  const info: Partial<GPUAdapterInfo> = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter((part) => part !== undefined && part !== "").join(" ") || "unnamed adapter";
  const requiredLimits: Record<string, number> = {};
  for (const limit of wantedLimits) requiredLimits[limit] = adapter.limits[limit];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits });
  } catch (error) {
    // The hint is about finding WebGPU, which was found: not appended here.
    throw new GpuUnavailableError(`webgpu: the adapter ${name} gave no device: ${(error as Error).message} (looked in ${lookedIn})`);
  }
  return { device, adapter: name, gpu, close: () => device.destroy() };
}

/** navigator.gpu where this page or worker has one. */
export function browserGpu(): Promise<GpuHandle> {
  const gpu = typeof navigator === "undefined" ? undefined : (navigator as Navigator & { gpu?: GPU }).gpu;
  return openGpu(gpu, "navigator.gpu", "WebGPU needs a browser that ships it (Chrome or Edge 113+, Safari 26+) on a secure page");
}
