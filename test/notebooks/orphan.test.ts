/** No kernel outlives its runner, even one killed outright while a cell is busy. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import { isAlive, root, tsx } from "./spawn.ts";

it("a kernel whose runner is killed with SIGKILL kills itself", async () => {
  const runner = spawn(tsx, [join(root, "test", "notebooks", "orphan.ts")], { cwd: root, timeout: 90_000, detached: true });
  const pid = await new Promise<number>((done, fail) => {
    let stdout = "";
    runner.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
      const match = /kernel pid (\d+)/.exec(stdout);
      if (match) done(Number(match[1]));
    });
    runner.on("close", (code) => fail(new Error(`the runner exited (${code}) before starting a kernel`)));
  });
  expect(isAlive(pid)).toBe(true);
  // tsx runs the script in a child node: kill the runner's whole group, so no shutdown code runs.
  process.kill(-runner.pid!, "SIGKILL");
  let alive = true;
  for (let waited = 0; alive && waited < 10_000; waited += 250) {
    await sleep(250);
    alive = isAlive(pid);
  }
  expect(alive).toBe(false);
});
