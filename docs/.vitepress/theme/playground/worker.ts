// The playground's Web Worker: the engine, with the digits fetched once from the site's static asset
// (tools/site/digits-asset.ts) and inflated here; the browser's cache keeps the file.
import { decodeDigits } from "batchprop/core";
import { createEngine } from "./engine.ts";
import type { ToWorker } from "./protocol.ts";

async function fetchDigits(url: string) {
  const response = await fetch(url);
  if (!response.ok || response.body === null) throw new Error(`${url} answered ${response.status}`);
  const inflated = await new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
  return decodeDigits(new Uint8Array(inflated));
}

const engine = createEngine((message) => postMessage(message), fetchDigits);
addEventListener("message", (event: MessageEvent<ToWorker>) => engine.handle(event.data));
