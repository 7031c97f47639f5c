/**
 * How a command stops (Node only): the signals that stop it, keeping what it finished, and its
 * exit status for each, 128 + the signal's number, as a shell reports it (130, 143, 129).
 */
import { constants } from "node:os";

/** Ctrl-C, kill, and a closed terminal (or a dead parent: parent-watch.ts) all stop a command the same way. */
export const stopSignals: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

export function signalExitStatus(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}
