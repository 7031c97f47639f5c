/**
 * The command-line doors, spawned as a user runs them: `npm run notebooks` (tools/notebooks/cli.ts),
 * `npm run kernel` (kernelspec.ts, checked with Jupyter's own KernelSpecManager) and
 * nbclient_run.py (Jupyter's client on this checkout's tslab, which the runner starts per notebook)
 * on its own.
 */
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, debianPython, fixture, isAlive, nbclientRun, root, run, tempDir, tsx } from "./spawn.ts";

describe("npm run notebooks", () => {
  it("exits 0 on a good notebook, writes the executed copy, and skips it with --cached", async () => {
    const out = tempDir("cli-ok");
    const first = await run(tsx, [cli, "--out", out, fixture("matmul.ipynb")], { timeoutMs: 90_000 });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/\[1\/1\] test\/fixtures\/notebooks\/matmul\.ipynb: cell 1\/1/);
    expect(first.stdout).toMatch(/ok: 1 code cell in .* \(kernel start .*\)/);
    expect(readFileSync(join(out, "matmul.ipynb"), "utf8")).toContain("2×2: 7 10 15 22");

    // The CLI has no option for what keys its cache: --cached hashes this checkout's lib/dist and
    // results/default.jsonl. Both runs here see the same files, and nothing writes them meanwhile:
    // `npm test` builds lib/dist before vitest starts, and vitest finishes every project's global
    // setup (the notebooks project's writes the results) before it runs any test file. The first
    // run above is uncached, so this test needs no earlier run in `out` either.
    const again = await run(tsx, [cli, "--cached", "--out", out, fixture("matmul.ipynb")], { timeoutMs: 90_000 });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("unchanged since its last run, skipped (--cached)");
  });

  it("exits 1 naming the notebook, the cell, its source and the error", async () => {
    const out = tempDir("cli-fail");
    const result = await run(tsx, [cli, "--out", out, fixture("fails-in-cell-2.ipynb")], { timeoutMs: 90_000 });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("FAILED after");
    expect(result.stderr).toContain("test/fixtures/notebooks/fails-in-cell-2.ipynb: cell 2 failed");
    expect(result.stderr).toContain("  | throw new Error(`boom in cell 2 (answer ${answer})`);");
    expect(result.stderr).toContain("Error: boom in cell 2 (answer 42)");
    expect(result.stderr).toContain("1 of 1 notebooks failed");
    expect(existsSync(join(out, "fails-in-cell-2.ipynb"))).toBe(true);
  });

  it("documents its options in --help", async () => {
    const help = await run(tsx, [cli, "--help"], { timeoutMs: 60_000 });
    expect(help.code).toBe(0);
    for (const option of ["--out", "--timeout", "--cached", "--bail", "nbclient_run.py", "npm run kernel"]) expect(help.stdout).toContain(option);
  });
});

describe("npm run notebooks with bad options: exit 2, naming the option, before any kernel starts", () => {
  const file = join(tempDir("cli-options"), "results.txt");
  writeFileSync(file, "not a folder\n");
  const fifo = join(tempDir("cli-options"), "pipe");
  execFileSync("mkfifo", [fifo]);
  const folder = tempDir("cli-options");
  // Another matmul.ipynb: its executed copy would overwrite the fixture's.
  const twin = join(tempDir("cli-options"), "matmul.ipynb");
  copyFileSync(fixture("matmul.ipynb"), twin);
  const cases: [string, string[], string][] = [
    ["--out naming a file", ["--out", file], `error: --out: ${file} is a file, not a folder`],
    ["--out below a file", ["--out", join(file, "notebooks")], `error: --out: cannot create ${join(file, "notebooks")}: ${file} is a file`],
    ["a notebook that does not exist", ["--out", tempDir("cli-options"), "no-such.ipynb"], "error: no-such.ipynb: no such notebook"],
    ["an empty --out (it meant the current folder)", ["--out", ""], "error: --out: expected a folder, got an empty string"],
    ["--out naming a FIFO", ["--out", fifo], `error: --out: ${fifo} is a named pipe (FIFO), not a folder`],
    ["--out below a FIFO", ["--out", join(fifo, "x")], `error: --out: cannot create ${join(fifo, "x")}: ${fifo} is a named pipe (FIFO)`],
    ["a folder given as a notebook", ["--out", tempDir("cli-options"), folder], `error: ${folder} is a folder, not a notebook`],
    ["a file that is not a notebook", ["--out", tempDir("cli-options"), join(root, "README.md")], `error: ${join(root, "README.md")}: not a notebook, the file is not valid JSON`],
    ["a notebook of an older format", ["--out", tempDir("cli-options"), fixture("nbformat3.ipynb")], "nbformat3.ipynb: not a valid notebook, expected nbformat 4, found nbformat 3"],
    ["two notebooks of the same file name", ["--out", tempDir("cli-options"), twin], `error: ${twin} and ${fixture("matmul.ipynb")} would both write the executed copy`],
    ["the same notebook twice", ["--out", tempDir("cli-options"), fixture("matmul.ipynb")], `error: ${fixture("matmul.ipynb")} and ${fixture("matmul.ipynb")} would both write the executed copy`],
    ["a --tslab that does not exist", ["--tslab", "/nonexistent/tslab"], "error: --tslab: /nonexistent/tslab: no such file"],
    ["a --tslab that is a folder", ["--tslab", folder], `error: --tslab: ${folder} is a folder, not a file`],
    ["an unknown option", ["--frobnicate"], "error: unknown option '--frobnicate'"],
    ["a timeout that is not a number", ["--timeout", "soon"], "error: option '-t, --timeout <seconds>' argument 'soon' is invalid. expected a plain decimal number of seconds, got \"soon\""],
    ["a timeout in hexadecimal", ["--timeout", "0x10"], "argument '0x10' is invalid. expected a plain decimal number of seconds, got \"0x10\""],
    ["a timeout of zero", ["--startup-timeout", "0"], "argument '0' is invalid. expected more than 0 seconds, got 0"],
    // setTimeout fires at once past 24.8 days, so a longer timeout was no timeout at all.
    ["--jobs of zero", ["--jobs", "0"], "argument '0' is invalid. --jobs: notebooks at a time must be at least 1, got 0"],
    ["--jobs in hexadecimal", ["--jobs", "0x2"], "argument '0x2' is invalid. --jobs: notebooks at a time \"0x2\" is not a plain decimal integer"],
    ["--jobs beyond the machine's cores", ["--jobs", "1000"], "argument '1000' is invalid. --jobs: notebooks at a time must be at most"],
    ["a timeout beyond a day", ["--timeout", "2200000"], "argument '2200000' is invalid. expected at most 86400 seconds (a day), got 2200000"],
  ];
  it.each(cases)("%s", async (_what, args, message) => {
    const result = await run(tsx, [cli, ...args, fixture("matmul.ipynb")], { timeoutMs: 60_000 });
    expect(result.stderr).toContain(message);
    expect(result.code).toBe(2);
    expect(result.stdout).not.toContain("starting a kernel");
    expect(readFileSync(file, "utf8")).toBe("not a folder\n");
  });
});

describe("npm run kernel", () => {
  it("registers this checkout's tslab where Jupyter looks for kernels", async () => {
    const dataDir = tempDir("jupyter-data");
    const env = { ...process.env, JUPYTER_DATA_DIR: dataDir };
    const result = await run(tsx, [join(root, "tools", "notebooks", "kernelspec.ts")], { timeoutMs: 60_000, env });
    expect(result.code).toBe(0);
    const spec = JSON.parse(readFileSync(join(dataDir, "kernels", "tslab", "kernel.json"), "utf8")) as { argv: string[] };
    expect(spec.argv[0]).toBe(process.execPath);
    expect(spec.argv[1]).toBe(join(root, "node_modules", "tslab", "bin", "tslab"));
    expect(spec.argv.slice(2)).toEqual(["kernel", "--config-path", "{connection_file}"]);

    // Jupyter itself finds it, by name, with our display name.
    const found = await run(
      debianPython,
      ["-c", "from jupyter_client.kernelspec import KernelSpecManager as M; s = M().get_kernel_spec('tslab'); print(s.display_name); print(s.resource_dir)"],
      { timeoutMs: 60_000, env },
    );
    expect(found.stdout).toBe(`TypeScript (batchprop)\n${join(dataDir, "kernels", "tslab")}\n`);
  });
});

describe("nbclient_run.py (Jupyter's own client)", () => {
  const env = { ...process.env, NODE: process.execPath };
  const file = join(tempDir("nbclient-out"), "results.txt");
  writeFileSync(file, "not a folder\n");

  it("runs a good notebook with the kernel in the notebook's folder", async () => {
    const out = tempDir("nbclient-ok");
    const result = await run(debianPython, [nbclientRun, "--out", out, fixture("matmul.ipynb")], { timeoutMs: 120_000, env, killSignal: "SIGINT" });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const text = readFileSync(join(out, "matmul.ipynb"), "utf8");
    expect(text).toContain("2×2: 7 10 15 22");
    expect(text).toContain("cwd: notebooks");
  });

  it("fails naming the notebook, the cell and the error", async () => {
    const result = await run(debianPython, [nbclientRun, fixture("fails-in-cell-2.ipynb"), fixture("not-json.ipynb")], {
      timeoutMs: 120_000,
      env,
      killSignal: "SIGINT",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("fails-in-cell-2.ipynb: cell 2 failed");
    expect(result.stderr).toContain("Error: boom in cell 2 (answer 42)");
    expect(result.stderr).toContain("not-json.ipynb: not a valid notebook");
    expect(result.stderr).toContain("2 of 2 notebooks failed");
  });

  it.each([
    ["a file", () => file, (out: string) => `--out: cannot use '${out}' as the folder of the executed copies (File exists)`],
    ["a folder below a file", () => join(file, "sub"), (out: string) => `--out: cannot use '${out}' as the folder of the executed copies (Not a directory)`],
    ["an empty name", () => "", () => "--out: expected a folder, got an empty string"],
  ])("exits 2 before any kernel starts when --out is %s", async (_what, out, message) => {
    const result = await run(debianPython, [nbclientRun, "--out", out(), fixture("matmul.ipynb")], { timeoutMs: 60_000, env, killSignal: "SIGINT" });
    expect(result.stderr).toContain(message(out()));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(readFileSync(file, "utf8")).toBe("not a folder\n");
  });

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const)("on %s shuts the kernel down, writes the copy so far and exits %i", async (signal, exitCode) => {
    const out = tempDir("nbclient-signal");
    const child = spawn(debianPython, [nbclientRun, "--events", "--out", out, fixture("slow-cell.ipynb")], { cwd: root, env, timeout: 90_000 });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    const exited = new Promise<number | null>((done) => child.on("close", done));
    const events: { kind: string; pid?: number; codeCell?: number }[] = [];
    await new Promise<void>((done, fail) => {
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk;
        const lines = stdout.split("\n");
        stdout = lines.pop()!;
        for (const line of lines) events.push(JSON.parse(line) as (typeof events)[number]);
        if (events.some((event) => event.kind === "cell-start" && event.codeCell === 2)) done();
      });
      child.on("close", (code) => fail(new Error(`nbclient_run.py closed (exit ${code}) before running cell 2\nstderr:\n${stderr}`)));
    });
    const pid = events.find((event) => event.kind === "kernel-ready")!.pid!;
    expect(isAlive(pid)).toBe(true);
    child.kill(signal);
    expect(await exited).toBe(exitCode);
    expect(isAlive(pid)).toBe(false);
    const copy = JSON.parse(readFileSync(join(out, "slow-cell.ipynb"), "utf8")) as { cells: { outputs?: { text?: string[] }[] }[] };
    expect(copy.cells[0].outputs?.[0].text).toEqual(["cell 1 ran\n"]);
  });
});

describe("npm run notebooks on a signal", () => {
  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("on %s shuts the kernel down and exits %i", async (signal, exitCode) => {
    const child = spawn(tsx, [cli, "--out", tempDir("cli-signal"), fixture("slow-cell.ipynb")], { cwd: root, timeout: 90_000 });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    const exited = new Promise<number | null>((done) => child.on("close", done));
    // Wait until the busy cell is running, then interrupt as Ctrl-C (or a CI's kill) would.
    // If the CLI closes first (a crash, the spawn timeout), fail with what it printed instead of waiting forever.
    const pid = await new Promise<number>((done, fail) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk;
        const kernel = /kernel ready in .* \(pid (\d+)\)/.exec(stdout);
        if (kernel && stdout.includes("cell 2/2")) done(Number(kernel[1]));
      });
      child.on("error", fail);
      child.on("close", (code, closedBy) =>
        fail(new Error(`the CLI closed (exit ${code ?? closedBy}) before running cell 2/2\nstdout:\n${stdout}\nstderr:\n${stderr}`)),
      );
    });
    expect(isAlive(pid)).toBe(true);
    child.kill(signal);
    expect(await exited).toBe(exitCode);
    expect(stderr).toContain(`${signal}: shutting down the kernel`);
    expect(isAlive(pid)).toBe(false);
  });
});
