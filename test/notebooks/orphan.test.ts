/**
 * Nothing outlives the command that started it: a kernel whose executor (nbclient_run.py) or runner
 * (tools/notebooks/cli.ts) is killed outright, and every process of `npm run …` when only npm is
 * killed with SIGKILL (a closed terminal's shell, a CI's timeout, `kill -9` of the pid a user sees).
 * SIGINT and SIGTERM of the runner are in cli.test.ts, of the executor in runner.test.ts.
 */
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { cli, debianPython, fixture, nbclientRun, root, tempDir, tsx } from "./spawn.ts";

describe("a notebook's kernel ends when what runs it is killed with SIGKILL", () => {
  it("the executor (nbclient_run.py): the kernel's own parent watch kills it", async () => {
    const args = [nbclientRun, "--events", fixture("slow-cell.ipynb")];
    const ready = /"kind": "cell-start", [^\n]*"codeCell": 2/;
    expect((await killLeader(debianPython, args, ready, "tslab kernel", { env: { NODE: process.execPath } })).left).toEqual([]);
  });

  it("the runner (npm run notebooks without npm): the executor sees its parent gone and shuts the kernel down", async () => {
    const args = ["--import", "tsx", cli, "--out", tempDir("orphan-runner"), fixture("slow-cell.ipynb")];
    expect((await killLeader(process.execPath, args, /slow-cell\.ipynb: cell 2\/2/, "tslab kernel")).left).toEqual([]);
  });
});

it("a build step whose build is killed with SIGKILL hangs up: the experiments keep their runs and release their lock", async () => {
  const out = join(tempDir("orphan-step"), "grid.jsonl");
  const grid = ["--dataset", "circles", "--layers", "2,16,2", "--batch-sizes", "1", "--steps", "100000000", "--seeds", "1", "--workers", "1", "--out", out];
  const build = spawn(tsx, [join(root, "test", "notebooks", "orphan-step.ts"), ...grid], { cwd: root, timeout: 90_000, detached: true });
  let output = "";
  const closed = new Promise<void>((done) => build.on("close", () => done()));
  await new Promise<void>((done, fail) => {
    const watch = (chunk: Buffer) => {
      output += chunk;
      if (/to run on 1 worker/.test(output)) done();
    };
    build.stdout.on("data", watch);
    build.stderr.on("data", watch);
    build.on("close", (code) => fail(new Error(`the build exited (${code}) before its step started:\n${output}`)));
  });
  expect(existsSync(`${out}.lock`)).toBe(true);
  // tsx runs the script in a child node: kill the build's whole group, so no shutdown code runs.
  process.kill(-build.pid!, "SIGKILL");
  // The step writes to the same pipes: they close once it has ended.
  await closed;
  expect(output).toMatch(/Interrupted after .* by SIGHUP/);
  expect(existsSync(`${out}.lock`)).toBe(false);
});

it("a build step that also watches its parent itself gets one SIGHUP, not two", async () => {
  // The notebook runner ends at once on a second signal, without shutting its kernels down.
  const parentWatch = join(root, "lib", "dist", "cli", "parent-watch.js");
  const step = `BATCHPROP_PARENT=$$ "${process.execPath}" --import "${parentWatch}" --import tsx test/notebooks/orphan-hangups.ts & wait`;
  const build = spawn("sh", ["-c", step], { cwd: root, detached: true, stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  build.stdout.on("data", (chunk: Buffer) => (output += chunk));
  try {
    for (let waited = 0; !output.includes("ready"); waited += 50) {
      if (waited > 30_000) throw new Error(`the step did not start: ${output}`);
      await sleep(50);
    }
    process.kill(build.pid!, "SIGKILL"); // the shell alone, as kill -9 of the build
    await sleep(2_000); // each watcher notices within 250 ms
    expect(output.match(/SIGHUP/g)).toEqual(["SIGHUP"]);
  } finally {
    process.kill(-build.pid!, "SIGKILL");
  }
});

/** The real npm, found before a test puts a stand-in first on PATH. */
const npm = execFileSync("which", ["npm"], { encoding: "utf8" }).trim();

/**
 * The live processes whose environment holds `entry`: everything a test's npm started, kernels
 * included (they inherit TMPDIR, which each test sets to a folder of its own), whoever their
 * parent is now. Zombies have ended and are left out.
 */
function processesWith(entry: string): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      if (!readFileSync(`/proc/${name}/environ`, "latin1").split("\0").includes(entry)) continue;
      found.push({ pid: Number(name), command: readFileSync(`/proc/${name}/cmdline`, "latin1").replaceAll("\0", " ").trim() });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** `npm run <args>`, killed as killLeader says. */
function killNpm(args: readonly string[], ready: RegExp, running: string, options: { env?: NodeJS.ProcessEnv; settleMs?: number } = {}) {
  return killLeader(npm, ["run", ...args], ready, running, options);
}

/**
 * Starts `file args` in a process group of its own, waits until its output matches `ready` and
 * a process whose command line contains `running` is up, kills that first process alone with
 * SIGKILL, and returns what is still running once `settleMs` (5 s: an orphan's watcher notices
 * within 250 ms) have passed without everything ending, and all the output, its children's after
 * its death included.
 */
async function killLeader(
  file: string,
  args: readonly string[],
  ready: RegExp,
  running: string,
  { env = {}, settleMs = 5_000 }: { env?: NodeJS.ProcessEnv; settleMs?: number } = {},
): Promise<{ left: string[]; output: string }> {
  const tmp = tempDir("orphan-npm");
  const entry = `TMPDIR=${tmp}`;
  const command = [file, ...args].join(" ");
  const child = spawn(file, args, { cwd: root, env: { ...process.env, ...env, TMPDIR: tmp }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  // Its children write to the same pipes: they close once the last of them has ended.
  const closed = new Promise<void>((done) => child.on("close", () => done()));
  try {
    let output = "";
    const printed = new Promise<void>((done, fail) => {
      const watch = (chunk: Buffer) => {
        output += chunk;
        if (ready.test(output)) done();
      };
      child.stdout.on("data", watch);
      child.stderr.on("data", watch);
      child.on("close", (code) => fail(new Error(`${command} exited (${code}) before printing ${ready}:\n${output}`)));
    });
    await Promise.race([printed, sleep(120_000).then(() => Promise.reject(new Error(`${command} did not print ${ready} within 120 s:\n${output}`)))]);
    for (let waited = 0; !processesWith(entry).some((p) => p.command.includes(running)); waited += 50) {
      if (waited > 10_000) throw new Error(`no ${running} among ${processesWith(entry).map((p) => p.command).join("\n")}`);
      await sleep(50);
    }
    process.kill(child.pid!, "SIGKILL");
    let left = processesWith(entry);
    for (let waited = 0; left.length > 0 && waited < settleMs; waited += 250) {
      await sleep(250);
      left = processesWith(entry);
    }
    if (left.length === 0) await Promise.race([closed, sleep(5_000)]);
    return { left: left.map((p) => `${p.pid} ${p.command}`), output };
  } finally {
    // Whatever a failing test left behind goes, so it cannot disturb the tests after it.
    for (const { pid } of processesWith(entry)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
  }
}

describe("killing npm with SIGKILL leaves nothing running", () => {
  it("npm run experiment: the CLI and its worker threads end", async () => {
    const out = join(tempDir("orphan-experiment"), "grid.jsonl");
    const grid = ["--dataset", "circles", "--layers", "2,16,2", "--batch-sizes", "1", "--steps", "100000000", "--seeds", "2", "--workers", "1", "--out", out];
    expect((await killNpm(["experiment", "--", ...grid], /to run on 1 worker/, "lib/dist/cli/main.js experiment")).left).toEqual([]);
  });

  it("npm run experiment, killed during its build:lib: the CLI it then starts ends at once", async () => {
    // The shell goes on with `&& exec node …` after npm has died, so node starts as an orphan.
    const out = join(tempDir("orphan-build-lib"), "grid.jsonl");
    const grid = ["--dataset", "circles", "--layers", "2,16,2", "--batch-sizes", "1", "--steps", "100000000", "--seeds", "1", "--workers", "1", "--out", out];
    const { left, output } = await killNpm(["experiment", "--", ...grid], /> build:lib/, "npm run build:lib", { settleMs: 60_000 });
    expect(left).toEqual([]);
    // It did start (the build went on without npm), and its parent watch hung it up.
    expect(output).toMatch(/to run on 1 worker/);
    expect(output).toMatch(/Interrupted after .* by SIGHUP/);
  });

  it("npm run train: the CLI ends even while its main thread is busy training", async () => {
    const args = ["train", "--", "--dataset", "xor", "--layers", "2,8,2", "--epochs", "1000000", "--batch-size", "1"];
    expect((await killNpm(args, /^Training /m, "lib/dist/cli/main.js train")).left).toEqual([]);
  });

  it("npm run notebooks: the runner and its kernel end, and no kernel starts for the next notebook", async () => {
    // A second notebook after the busy one: a runner that outlived npm started a kernel for it.
    const notebooks = tempDir("orphan-notebooks");
    copyFileSync(fixture("slow-cell.ipynb"), join(notebooks, "a-slow.ipynb"));
    copyFileSync(fixture("slow-cell.ipynb"), join(notebooks, "b-next.ipynb"));
    const args = ["notebooks", "--", "--out", join(notebooks, "out"), join(notebooks, "a-slow.ipynb"), join(notebooks, "b-next.ipynb")];
    expect((await killNpm(args, /a-slow\.ipynb: cell 2\/2/, "tslab kernel")).left).toEqual([]);
  });

  it("npm start: the build it started ends with it", async () => {
    // A stand-in for the `npm run build` that start.ts runs: a long step, as the experiments are.
    const bin = tempDir("orphan-start");
    mkdirSync(join(bin, "bin"));
    writeFileSync(join(bin, "bin", "npm"), "#!/bin/sh\nsleep 600 &\necho building\nwait\n");
    chmodSync(join(bin, "bin", "npm"), 0o755);
    const env = { PATH: `${join(bin, "bin")}:${process.env.PATH ?? ""}` };
    const { left, output } = await killNpm(["start", "--", "--port", "0"], /building/, "sleep 600", { env });
    expect(left).toEqual([]);
    // Stopped, not failed: the parent watch hung it up.
    expect(output).toContain("start: stopped by SIGHUP during the build; nothing to serve\n");
  });
});
