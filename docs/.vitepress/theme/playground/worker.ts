// The playground's Web Worker: the engine, with the digits fetched once from the site's static asset
// (tools/site/digits-asset.ts) and inflated here (the browser's cache keeps the file), and the
// worker's own WebGPU device from navigator.gpu, which dedicated workers have where the page has it.
import { browserGpu, decodeDigits } from "batchprop/core";
import { createEngine } from "./engine.ts";
import type { ToWorker } from "./protocol.ts";

async function fetchDigits(url: string) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  let bytes = new Uint8Array(await response.arrayBuffer());
  // A server that sends the .gz file with Content-Encoding: gzip has the browser inflate it already.
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    bytes = new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
  }
  return decodeDigits(bytes);
}

const engine = createEngine((message) => postMessage(message), fetchDigits, browserGpu);
addEventListener("message", (event: MessageEvent<ToWorker>) => engine.handle(event.data));
