// Preloaded into every kernel the runner starts (node --require): if the runner dies without
// shutting the kernel down (SIGKILL, a closed terminal), the kernel is reparented, and this
// kills the kernel's process group, as ipykernel's parent poller does. It polls from a worker
// thread because a busy cell (`while (true) {}`) blocks the kernel's own event loop.
"use strict";
const { Worker } = require("node:worker_threads");

const parent = Number(process.env.BATCHPROP_KERNEL_PARENT);
if (parent > 0) {
  const watcher = new Worker(
    `
    const parent = ${parent};
    setInterval(() => {
      if (process.ppid !== parent) {
        try { process.kill(-process.pid, "SIGKILL"); } catch {}
        process.kill(process.pid, "SIGKILL");
      }
    }, 500);
    `,
    { eval: true },
  );
  watcher.unref();
}
