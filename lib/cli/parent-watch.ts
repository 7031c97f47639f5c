/**
 * Ends this process when the process that started it dies (Node only). `kill -9` of the npm of
 * `npm run experiment` leaves npm's child running with a new parent (init, or the nearest
 * subreaper) and nothing else tells it; it sees its parent id change. A worker thread polls that
 * id, because a busy main thread (train's loop, a notebook cell) never would.
 *
 * `npm run train` runs `npm run build:lib && BATCHPROP_PARENT=$PPID exec node …`: if npm dies
 * during build:lib, node starts with init as its parent already, and a parent id that never
 * changes would never tell. The shell names npm in BATCHPROP_PARENT, and that is whom node watches.
 *
 * Commands call watchParent(): an orphaned command gets a SIGHUP and shuts down as when its
 * terminal closes (kernels shut down, finished runs kept; without a handler it simply ends), and
 * is killed if it is still there 10 s later. The site build's steps preload this module with
 * BATCHPROP_PARENT set to the build's pid, and are watched the same way. The notebook runner's
 * kernels preload it (node --import) with BATCHPROP_KERNEL_PARENT set to the runner's pid: an orphaned kernel kills
 * its process group, itself and whatever its cells started, at once.
 */
import { Worker } from "node:worker_threads";

/** What an orphan does: hang up on itself (a command), or kill its process group (a kernel). */
export type Orphaned = "hangup" | "kill-group";

/** How often the parent id is read: an orphan ends within about this long. */
const pollMs = 250;
/** How long a command has to shut down after its SIGHUP. */
const graceMs = 10_000;

const watcher = `
const { workerData: { parent, then, pollMs, graceMs } } = require("node:worker_threads");
const poll = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(poll);
  if (then === "kill-group") {
    try { process.kill(-process.pid, "SIGKILL"); } catch {}
    process.kill(process.pid, "SIGKILL");
  }
  process.kill(process.pid, "SIGHUP");
  setTimeout(() => process.kill(process.pid, "SIGKILL"), graceMs);
}, pollMs);
`;

/**
 * The process that started this one: the pid in BATCHPROP_PARENT (npm, named by the script's
 * shell), else the parent. Read once and removed, so a process this one starts watches its own.
 */
const named = Number(process.env.BATCHPROP_PARENT);
const startedBy = named > 0 ? named : process.ppid;
delete process.env.BATCHPROP_PARENT;

/**
 * Watches `parent` (by default the process that started this one) and, once it has died, does
 * what `then` says. The watcher does not keep the process alive.
 */
export function watchParent(then: Orphaned = "hangup", parent = startedBy): void {
  // One watcher a process: a command preloaded with the watch (a build step) calls this again, and
  // a second watcher would hang it up twice (the notebook runner ends at once on a second signal).
  const watching = Symbol.for("batchprop.watchParent");
  const global = globalThis as { [watching]?: true };
  if (global[watching]) return;
  global[watching] = true;
  new Worker(watcher, { eval: true, workerData: { parent, then, pollMs, graceMs } }).unref();
}

// Preloaded into a step of the site's build (tools/site/build.ts), which names itself: a step whose
// build dies hangs up and has its grace period, as a command does (the experiments release their lock).
if (named > 0) watchParent("hangup", named);
// Preloaded into a kernel: watch the runner. The variable goes, so nothing the kernel starts
// mistakes itself for a kernel.
const runner = Number(process.env.BATCHPROP_KERNEL_PARENT);
delete process.env.BATCHPROP_KERNEL_PARENT;
if (runner > 0) watchParent("kill-group", runner);
