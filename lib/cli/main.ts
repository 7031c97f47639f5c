#!/usr/bin/env node
/**
 * The batchprop command line: `batchprop train` trains one network, `batchprop experiment` runs a
 * grid of them, `batchprop report` turns a results file into an HTML page and a CSV. Exit status:
 * 0 done, 1 failed while running, 2 bad options, a results file that is in use or holds a bad
 * line, or no GPU for --backend webgpu (nothing written), 128 + the signal when stopped by SIGINT
 * (130), SIGTERM (143) or SIGHUP (129), finished runs kept. It ends when the process that started it dies.
 */
import { Command, CommanderError } from "commander";
import { ConfigError } from "../validate/validate.js";
import { ResultsFileError } from "../experiments/results-file.js";
import { GpuUnavailableError } from "../gpu/device.js";
import { experimentCommand } from "./experiment.js";
import { watchParent } from "./parent-watch.js";
import { reportCommand } from "./report.js";
import { signalExitStatus } from "./signals.js";
import { trainCommand } from "./train.js";
import { UsageError } from "./usage.js";

// Killing whatever started this command (npm, a shell) ends it too, as a SIGHUP would.
watchParent();
// So does a reader that goes away (`| head`): finished runs are kept and the lock released, with no
// stack trace for the write that found the pipe closed (nor for the writes after it).
let readerGone = false;
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    if (readerGone) return;
    readerGone = true;
    // A sweep under way stops on SIGHUP (keeping its runs, releasing its lock); with nothing to keep, end as SIGHUP would.
    if (process.listenerCount("SIGHUP") > 0) process.kill(process.pid, "SIGHUP");
    else process.exit(signalExitStatus("SIGHUP"));
  });
}

const program = new Command("batchprop")
  .description("Vectorized mini-batch backpropagation: train a network, run experiments on batch size and learning rate, and report on their results.")
  .showHelpAfterError()
  .exitOverride();
for (const command of [trainCommand(), experimentCommand(), reportCommand()]) program.addCommand(command.showHelpAfterError("(run with --help for every option and its default)").exitOverride());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitStatus(error);
}

function exitStatus(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2; // commander printed it
  // A results file's bad line is bad input too, and a missing GPU the machine refusing as a file in
  // use does: each is found before any run starts, and its message says what to change.
  if (error instanceof ConfigError || error instanceof UsageError || error instanceof ResultsFileError || error instanceof GpuUnavailableError) {
    process.stderr.write(`batchprop: ${error.message}\n`);
    return 2;
  }
  process.stderr.write(`batchprop: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
