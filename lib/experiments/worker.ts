/**
 * A worker thread of the pool (Node only). It loads the compiled library from lib/dist, receives
 * one run at a time, and posts back its record; its datasets stay cached between runs.
 */
import { parentPort } from "node:worker_threads";
import type { RunConfig } from "./config.js";
import { runOne } from "./run.js";
import type { FromWorker, ToWorker } from "./pool.js";

const port = parentPort;
if (port === null) throw new Error("experiments/worker.js runs as a worker thread of the experiment pool");

port.on("message", (message: ToWorker) => {
  const reply: FromWorker = run(message.id, message.config);
  port.postMessage(reply);
});

function run(id: number, config: RunConfig): FromWorker {
  try {
    return { id, record: runOne(config) };
  } catch (error) {
    return { id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}
