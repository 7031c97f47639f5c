/**
 * A worker thread of the pool (Node only). It loads the compiled library from lib/dist, receives
 * one run at a time with the threads the pool gives it (workersPerRun), and posts back its record;
 * its datasets stay cached between runs.
 */
import { parentPort } from "node:worker_threads";
import { runOne } from "./run.js";
import type { FromWorker, ToWorker } from "./pool.js";

const port = parentPort;
if (port === null) throw new Error("experiments/worker.js runs as a worker thread of the experiment pool");

port.on("message", (message: ToWorker) => {
  const reply: FromWorker = run(message);
  port.postMessage(reply);
});

function run({ id, config, workers }: ToWorker): FromWorker {
  try {
    return { id, record: runOne(config, { workers }) };
  } catch (error) {
    return { id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}
