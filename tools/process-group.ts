/**
 * Signalling a child that runs in a process group of its own (spawned with `detached: true`): the
 * signal reaches the child and everything it started. The one place the tools do it
 * (tools/site/start.ts stops the build, tools/site/build.ts stops a step).
 */

/** Grace before SIGKILL: a stopping sweep needs it to keep its finished runs and release its lock. */
export const stopGraceMs = 10_000;

/** Sends `signal` to the group led by `pid`; a group that has already gone is not an error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group has already gone
  }
}

/** Stops the group led by `pid`: `signal` now, SIGKILL `graceMs` later to whatever is left of it. */
export function stopGroup(pid: number, signal: NodeJS.Signals, graceMs = stopGraceMs): void {
  signalGroup(pid, signal);
  setTimeout(() => signalGroup(pid, "SIGKILL"), graceMs).unref();
}
