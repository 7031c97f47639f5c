import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { signalGroup, stopGroup } from "../../tools/process-group.ts";

/** Whether the process group led by `pid` still has a member. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

describe("process groups", () => {
  it("a signal reaches the child and what it started, and one to a group that has gone is no error", async () => {
    const child = spawn("sh", ["-c", "sleep 30 & sleep 30; wait"], { detached: true, stdio: "ignore" });
    const pid = child.pid!;
    expect(groupAlive(pid)).toBe(true);
    signalGroup(pid, "SIGTERM");
    expect(await until(() => !groupAlive(pid), 5_000)).toBe(true);
    expect(() => signalGroup(pid, "SIGTERM")).not.toThrow();
  });

  it("stopGroup kills what ignores its signal once the grace is over, not before", async () => {
    const child = spawn("sh", ["-c", "trap '' TERM; sleep 30 & sleep 30; wait"], { detached: true, stdio: "ignore" });
    const pid = child.pid!;
    await new Promise((resolve) => setTimeout(resolve, 200)); // the trap is set
    stopGroup(pid, "SIGTERM", 500);
    expect(await until(() => !groupAlive(pid), 300)).toBe(false);
    expect(await until(() => !groupAlive(pid), 5_000)).toBe(true);
  });
});
