// The lock that lets one sweep at a time write a results file: held, refused to a second taker by
// the holder's pid, released only by its holder, and taken over when its holder no longer runs.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { shortName } from "../../lib/experiments/results-file.ts";
import { lockResults } from "../../lib/experiments/results-lock.ts";
import { main } from "../cli/spawn.ts";

/** The built lock (the children run plain node), as the command line uses it. */
const builtLock = new URL("experiments/results-lock.js", `file://${main.replace(/cli\/main\.js$/, "")}`).href;

/**
 * Starts `takers` processes that each call lockResults(path) at the same instant `at` (ms since
 * the epoch); those that got the lock hold it until every taker has tried. Resolves to how many got it.
 */
async function race(path: string, takers: number, at: number): Promise<number> {
  const script = `
    const { lockResults } = await import(${JSON.stringify(builtLock)});
    while (Date.now() < ${at}) {}
    let lock;
    try { lock = lockResults(${JSON.stringify(path)}); } catch { process.stdout.write("refused"); process.exit(0); }
    process.stdout.write("got");
    process.stdin.resume().on("end", () => lock.release());`;
  const children = Array.from({ length: takers }, () => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["pipe", "pipe", "ignore"] });
    const exited = new Promise((ended) => child.on("exit", ended));
    // One short write: "got" or "refused" (nothing from a taker that died).
    const answer = new Promise<string>((answered) => {
      child.stdout.once("data", (chunk: Buffer) => answered(String(chunk)));
      child.stdout.once("end", () => answered(""));
    });
    return { child, exited, answer };
  });
  const said = await Promise.all(children.map(({ answer }) => answer));
  for (const { child } of children) child.stdin.end();
  await Promise.all(children.map(({ exited }) => exited));
  expect(said.every((answer) => answer === "got" || answer === "refused")).toBe(true);
  return said.filter((answer) => answer === "got").length;
}

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

  it("lets exactly one of four sweeps take over a stale lock when all try in the same millisecond, every time", async () => {
    const path = tempFile();
    lockResults(path).release(); // creates the folder
    const dead = await deadPid();
    for (let round = 0; round < 6; round++) {
      writeFileSync(`${path}.lock`, JSON.stringify({ pid: dead, started: "x" }));
      expect(await race(path, 4, Date.now() + 700)).toBe(1);
      expect(existsSync(`${path}.lock`)).toBe(false); // released by the winner
    }
  }, 60_000);

  it("takes over a lock whose pid now names a process started after the lock (a reused pid), or a zombie", async () => {
    const path = tempFile();
    lockResults(path).release(); // creates the folder
    const quiet = () => vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"], { stdio: "ignore" });
    // A shell whose background child exits unreaped: exec leaves it to a parent that never waits.
    const parent = spawn("sh", ["-c", "sleep 0 & echo $!; exec sleep 60"], { stdio: ["ignore", "pipe", "ignore"] });
    try {
      await new Promise((started) => sleeper.on("spawn", started));
      writeFileSync(`${path}.lock`, JSON.stringify({ pid: sleeper.pid, started: new Date(Date.now() - 60_000).toISOString() }));
      quiet();
      lockResults(path).release();
      // The same pid with a start time after the process's: still held.
      writeFileSync(`${path}.lock`, JSON.stringify({ pid: sleeper.pid, started: new Date().toISOString() }));
      expect(() => lockResults(path)).toThrow(`(pid ${sleeper.pid}, started `);

      const zombie = Number(await new Promise<string>((said) => parent.stdout.once("data", (chunk: Buffer) => said(String(chunk)))));
      await vi.waitFor(() => expect(readFileSync(`/proc/${zombie}/stat`, "utf8")).toMatch(/\) Z /));
      writeFileSync(`${path}.lock`, JSON.stringify({ pid: zombie, started: new Date().toISOString() }));
      lockResults(path).release();
    } finally {
      sleeper.kill();
      parent.kill();
    }
  });

  it("leaves a take-over in progress to its taker, and names the guard a killed taker left", async () => {
    const path = tempFile();
    lockResults(path).release(); // creates the folder
    const dead = await deadPid();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: dead, started: "then" }));
    const guard = join(dirname(path), `.${shortName(`${path}.lock`)}.takeover`);
    writeFileSync(guard, JSON.stringify({ pid: process.pid, started: new Date().toISOString() }));
    expect(() => lockResults(path)).toThrow(`${path} was locked by another sweep as this one started; wait for it to end, then rerun`);
    writeFileSync(guard, JSON.stringify({ pid: dead, started: "then" }));
    expect(() => lockResults(path)).toThrow(
      `a take-over of the stale lock ${path}.lock was interrupted (pid ${dead} no longer runs); if no sweep runs on ${path}, delete ${guard}, then rerun`,
    );
    rmSync(guard);
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    lockResults(path).release();
  });
});
