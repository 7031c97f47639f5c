// The lock that lets one sweep at a time write a results file: held, refused to a second taker by
// the holder's pid, released only by its holder, and taken over when its holder no longer runs.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { lockResults } from "../../lib/experiments/results-lock.ts";

const tempFile = () => join(mkdtempSync(join(tmpdir(), "batchprop-lock-")), "sub", "r.jsonl");

/** The pid of a process that has ended (pids are not reused that soon). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((ended) => child.on("exit", ended));
  return child.pid!;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("lockResults", () => {
  it("holds <file>.lock with this pid, refuses a second taker naming the file and the pid, and releases", () => {
    const path = tempFile();
    const lock = lockResults(path);
    expect(lock.path).toBe(`${path}.lock`);
    expect(JSON.parse(readFileSync(lock.path, "utf8"))).toMatchObject({ pid: process.pid, started: expect.stringMatching(/^\d{4}-/) });
    expect(() => lockResults(path)).toThrow(new RegExp(`${path.replaceAll("/", "\\/")} is being written by another sweep \\(pid ${process.pid}, started `));
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
    lock.release(); // twice is harmless
    const again = lockResults(path);
    again.release();
  });

  it("refuses while the holder runs, and takes over a lock whose holder no longer runs, saying so", async () => {
    const path = tempFile();
    const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"], { stdio: "ignore" });
    try {
      lockResults(path).release(); // creates the folder
      writeFileSync(`${path}.lock`, JSON.stringify({ pid: sleeper.pid, started: "then" }));
      expect(() => lockResults(path)).toThrow(`(pid ${sleeper.pid}, started then)`);
    } finally {
      sleeper.kill();
    }
    const dead = await deadPid();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: dead, started: "then" }));
    let printed = "";
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      printed += String(chunk);
      return true;
    });
    const lock = lockResults(path);
    expect(printed).toBe(`batchprop: took over the stale lock ${path}.lock, left by pid ${dead}, started then, which no longer runs\n`);
    expect(JSON.parse(readFileSync(lock.path, "utf8")).pid).toBe(process.pid);
    lock.release();
  });

  it("leaves a lock alone that another sweep has taken over since", () => {
    const path = tempFile();
    const lock = lockResults(path);
    const theirs = JSON.stringify({ pid: 1, started: "later" });
    writeFileSync(lock.path, theirs);
    lock.release();
    expect(readFileSync(lock.path, "utf8")).toBe(theirs);
  });
});
