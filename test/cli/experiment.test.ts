import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import net from "node:net";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readResults, runKey } from "../../lib/index.ts";
import { cli, start, tempDir } from "./spawn.ts";

/** A tiny grid on xor: runs of a few milliseconds. */
const tiny = ["--dataset", "xor", "--layers", "2,6,2", "--batch-sizes", "1,8", "--lrs", "1", "--steps", "30", "--seeds", "2"];
const lines = (path: string) => readFileSync(path, "utf8").split("\n").filter((line) => line !== "");

describe("batchprop experiment", () => {
  it("--help explains every option with its default", async () => {
    const { code, stdout: help } = await cli(["experiment", "--help"], { timeoutMs: 30_000 });
    expect(code).toBe(0);
    const stdout = help.replace(/\s+/g, " "); // commander wraps the help to the terminal's width
    for (const option of ["--dataset", "--layers", "--activation", "--output-activation", "--loss", "--reduction", "--optimizer", "--batch-sizes", "--lrs", "--lr-scaling", "--base-batch", "--epochs", "--steps", "--samples", "--seeds", "--workers", "--out", "--default", "--set"]) {
      expect(stdout).toContain(option);
    }
    expect(stdout).toContain('(default: "digits")');
    expect(stdout).toContain('(default: "none")');
    expect(stdout).toContain("idx:PATH");
  });

  it("runs a grid, then a rerun skips every finished run and leaves the file as it was", async () => {
    const out = join(tempDir(), "sub", "grid.jsonl");
    const first = await cli(["experiment", ...tiny, "--out", out, "--workers", String(Math.min(2, availableParallelism()))]);
    expect(first.stderr).toContain("[4/4]");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("Finished 4 runs");
    const before = readFileSync(out, "utf8");
    expect(lines(out)).toHaveLength(4);
    const again = await cli(["experiment", ...tiny, "--out", out]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("4 already in");
    expect(again.stdout).toContain("Nothing left to run: all 4 runs are in");
    expect(readFileSync(out, "utf8")).toBe(before);
  });

  it("runs a run listed twice once, and says so in every count", async () => {
    const out = join(tempDir(), "twice.jsonl");
    const { code, stdout, stderr } = await cli(["experiment", ...tiny, "--batch-sizes", "8,8", "--seeds", "1", "--out", out]);
    expect(code).toBe(0);
    expect(stdout).toContain("1 run: 1 batch size × 1 learning rate × 1 seed on xor; 0 already in");
    expect(stdout).toContain("1 to run on 1 worker\n");
    expect(stderr).toContain("[1/1]");
    expect(stdout).toContain("Finished 1 run in");
    expect(stdout).toMatch(/twice\.jsonl holds 1\.\n/);
    expect(lines(out)).toHaveLength(1);
  });

  it("records a softmax output under cross-entropy, and no output activation otherwise", async () => {
    const out = join(tempDir(), "outputs.jsonl");
    for (const loss of ["cross-entropy", "sum-of-squares"]) {
      const { code } = await cli(["experiment", ...tiny, "--batch-sizes", "8", "--seeds", "1", "--loss", loss, "--out", out]);
      expect(code).toBe(0);
    }
    const [entropy, squares] = readResults(out).records.map((record) => record.config);
    expect(entropy).toMatchObject({ loss: "cross-entropy", activation: "sigmoid", outputActivation: "softmax" });
    expect(squares.loss).toBe("sum-of-squares");
    expect("outputActivation" in squares).toBe(false);
  });

  it("reports a corrupt line of the results file by its number and exits 2 (bad input) without touching it", async () => {
    const out = join(tempDir(), "corrupt.jsonl");
    await cli(["experiment", ...tiny, "--out", out, "--batch-sizes", "8", "--seeds", "1"]);
    writeFileSync(out, `${readFileSync(out, "utf8")}not json\n`);
    const before = readFileSync(out, "utf8");
    const { code, stderr } = await cli(["experiment", ...tiny, "--out", out]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/corrupt\.jsonl, line 2: not a run record/);
    expect(readFileSync(out, "utf8")).toBe(before);
  });

  describe.concurrent("bad options: a message naming the option and value, exit status 2, nothing written", () => {
    const cases: [string, string[], RegExp][] = [
      ["unknown dataset", ["--dataset", "mnist9"], /--dataset: unknown dataset "mnist9" \(expected digits, xor, circles, spirals, blobs or idx:PATH\)/],
      ["unknown optimizer", ["--optimizer", "rmsprop"], /--optimizer: unknown optimizer "rmsprop" \(expected sgd, momentum, adagrad or adam\)/],
      ["batch size 0", ["--batch-sizes", "8,0"], /--batch-sizes: batch size 0 must be at least 1/],
      ["negative batch size", ["--batch-sizes=-4"], /--batch-sizes: batch size "-4" is not a plain decimal integer \(digits only, no sign\)/],
      ["batch size not an integer", ["--batch-sizes", "2.5"], /--batch-sizes: batch size "2\.5" is not a plain decimal integer/],
      ["batch size not a number", ["--batch-sizes", "ten"], /--batch-sizes: batch size "ten" is not a plain decimal integer/],
      ["batch size above the training set", ["--batch-sizes", "801"], /--batch-sizes: batch size 801 is larger than the training set \(800 samples of xor\)/],
      ["learning rate 0", ["--lrs", "1,0"], /--lrs: learning rate 0 must be a positive finite number/],
      ["negative learning rate", ["--lrs=-1"], /--lrs: learning rate -1 must be a positive finite number/],
      ["learning rate not a number", ["--lrs", "fast"], /--lrs: learning rate "fast" is not a number/],
      ["first layer wider than the data", ["--layers", "784,30,10"], /--layers: the first layer has 784 inputs but xor has 2/],
      ["a zero width", ["--layers", "2,0,2"], /--layers: need two or more positive integer widths, got 2,0,2/],
      ["one layer", ["--layers", "2"], /--layers: need two or more positive integer widths, got 2\n/],
      ["last layer narrower than the classes", ["--layers", "2,6,1"], /--layers: the last layer has 1 outputs but xor has 2 classes/],
      ["no worker", ["--workers", "0"], /--workers: the worker count must be at least 1, got 0/],
      ["seeds beyond the limit", ["--seeds", "10000000000"], /--seeds: the number of seeds must be at most 10,000, got 10000000000\n/],
      ["epochs beyond the limit", ["--epochs", "1000000001"], /--epochs: epochs must be at most 1,000,000, got 1000000001/],
      ["steps beyond the limit", ["--steps", "1000000000000"], /--steps: steps must be at most 1,000,000,000, got 1000000000000/],
      ["samples beyond the limit", ["--samples", "1000000000000000"], /--samples: samples must be at most 1,000,000,000,000, got 1000000000000000/],
      ["workers beyond the limit", ["--workers", "100000"], /--workers: the worker count must be at most \d+, got 100000/],
      ["two budgets", ["--epochs", "2", "--steps", "10"], /give one budget, not 2: --epochs 2 and --steps 10/],
      ["unknown lr scaling", ["--lr-scaling", "cubic"], /--lr-scaling: unknown lr scaling "cubic"/],
      ["cross-entropy on sigmoid outputs", ["--loss", "cross-entropy", "--output-activation", "sigmoid"], /--output-activation: cross-entropy needs a softmax output layer, got sigmoid/],
      // Sizes: each is refused from what was typed, before a network, a grid or a pass is allocated.
      ["a width beyond the limit", ["--layers", "2,100000000,2"], /--layers: width 100,000,000 is more than the 65,536 units a layer may have/],
      ["too many parameters", ["--layers", "2,8000,8000,2"], /--layers: 2,8000,8000,2 has 64,048,002 weights and biases, more than the 50,000,000 a network may have/],
      ["too many layers", ["--layers", ["2", ...Array<string>(1000).fill("3"), "2"].join(",")], /--layers: 1,002 widths, more than the 1,000 a network may have/],
      ["a batch too large for its layers", ["--layers", "2,30000,2", "--batch-sizes", "8,800"], /--batch-sizes: a batch of 800 through layers 2,30000,2 needs 216,\d{3},\d{3} float64 values for its passes, more than the 134,217,728 \(1 GiB\) a run may hold; use a smaller batch or narrower layers/],
      ["layers too wide even for a batch of one", ["--layers", "2,40000,2", "--batch-sizes", "1"], /--layers: a batch of 1 through layers 2,40000,2 needs 160,\d{3},\d{3} float64 values for its passes, more than the 134,217,728 \(1 GiB\) a run may hold; use narrower layers/],
      ["a grid beyond the limit", ["--batch-sizes", Array.from({ length: 800 }, (_, i) => i + 1).join(","), "--seeds", "1000"], /--batch-sizes × --seeds: 800 × 1,000 = 800,000 runs, more than the 10,000 one grid may hold/],
      ["a steps budget spanning too many epochs", ["--batch-sizes", "800", "--steps", "1000001"], /--steps: 1,000,001 steps at batch size 800 span 1,000,001 epochs of xor's 800 training samples, more than the 1,000,000 a run may record/],
      ["a samples budget spanning too many epochs", ["--batch-sizes", "10", "--samples", "900000000000"], /--samples: 900,000,000,000 samples span 1,125,000,000 epochs of xor's 800 training samples, more than the 1,000,000 a run may record/],
      ["a base batch beyond the limit", ["--base-batch", "1000000000000"], /--base-batch: the base batch must be at most 1,000,000,000, got 1000000000000/],
      ["workers beyond the cores", ["--workers", String(availableParallelism() + 1)], new RegExp(`--workers: the worker count must be at most ${availableParallelism()}, got ${availableParallelism() + 1}`)],
      // Integers in plain decimal digits only: Number() would read each of these as a number.
      ["a hexadecimal batch size", ["--batch-sizes", "0x10"], /--batch-sizes: batch size "0x10" is not a plain decimal integer/],
      ["a batch size with an exponent", ["--batch-sizes", "1e2"], /--batch-sizes: batch size "1e2" is not a plain decimal integer/],
      ["a batch size with a space", ["--batch-sizes", "8, 10"], /--batch-sizes: batch size " 10" is not a plain decimal integer/],
      ["a batch size with a decimal point", ["--batch-sizes", "10.0"], /--batch-sizes: batch size "10.0" is not a plain decimal integer/],
      ["a binary width", ["--layers", "2,0b110,2"], /--layers: width "0b110" is not a plain decimal integer/],
      ["seeds with an exponent", ["--seeds", "1e1"], /--seeds: the number of seeds "1e1" is not a plain decimal integer/],
      ["steps in hexadecimal", ["--steps", "0x10"], /--steps: steps "0x10" is not a plain decimal integer/],
      ["workers with a decimal point", ["--workers", "1.0"], /--workers: the worker count "1.0" is not a plain decimal integer/],
      ["a base batch with a space", ["--base-batch", " 10"], /--base-batch: the base batch " 10" is not a plain decimal integer/],
    ];
    for (const [what, args, message] of cases) {
      it(what, async () => {
        const out = join(tempDir(), "never.jsonl");
        const budget = args.some((arg) => ["--epochs", "--samples"].includes(arg)) ? [] : ["--steps", "5"];
        const { code, stderr } = await cli(["experiment", "--dataset", "xor", "--layers", "2,6,2", ...budget, ...args, "--out", out], { timeoutMs: 30_000 });
        expect(stderr).toMatch(message);
        expect(code).toBe(2);
        expect(existsSync(out)).toBe(false);
      });
    }

    it("an output file that cannot be read", async () => {
      const dir = tempDir();
      const asDirectory = join(dir, "results.jsonl");
      mkdirSync(asDirectory);
      const one = await cli(["experiment", ...tiny, "--out", asDirectory], { timeoutMs: 30_000 });
      expect(one.stderr).toMatch(/--out: .*results\.jsonl is a directory, not a results file/);
      expect(one.code).toBe(2);
    });

    // Root reads a file whatever its mode, so this one can only run as another user (it shows as skipped).
    it.skipIf(process.getuid?.() === 0)("an output file without read permission", async () => {
      const dir = tempDir();
      const locked = join(dir, "locked.jsonl");
      writeFileSync(locked, "");
      chmodSync(locked, 0o000);
      const two = await cli(["experiment", ...tiny, "--out", locked], { timeoutMs: 30_000 });
      expect(two.stderr).toMatch(/--out: cannot read and append to .*locked\.jsonl/);
      expect(two.code).toBe(2);
    });

    it("an --out that names a folder, or a name too long for the file system, naming --out and what is wrong", async () => {
      const dir = tempDir();
      const cases: [string, RegExp][] = [
        [join(dir, "newdir") + "/", /^batchprop: --out: .*\/newdir\/ names a folder, not a results file\n$/],
        [join(dir, "x".repeat(300)), /^batchprop: --out: .*x{300}: the name x{300} \(300 bytes\) is too long for this file system\n$/],
        [join(dir, "new", "x".repeat(300)), /^batchprop: --out: .*x{300}: the name x{300} \(300 bytes\) is too long for this file system\n$/],
      ];
      for (const [out, message] of cases) {
        const { code, stderr, stdout } = await cli(["experiment", ...tiny, "--out", out], { timeoutMs: 30_000 });
        expect(stderr).toMatch(message);
        expect(stdout).toBe("");
        expect(code).toBe(2);
      }
    });

    it("an --out that is a link to a file in a folder that cannot be created, naming the link's target, before any run", async () => {
      const dir = tempDir();
      writeFileSync(join(dir, "afile"), "");
      const link = join(dir, "d.jsonl");
      symlinkSync(join(dir, "afile", "x.jsonl"), link);
      const { code, stderr, stdout } = await cli(["experiment", ...tiny, "--out", link], { timeoutMs: 30_000 });
      expect(stderr).toBe(`batchprop: --out: cannot create ${link} (a link to ${join(dir, "afile", "x.jsonl")}): ${join(dir, "afile")} is not a directory\n`);
      expect(stdout).toBe("");
      expect(code).toBe(2);
    });

    it("--out as a link to a file that does not exist yet: written there, its folder created", async () => {
      const dir = tempDir();
      const target = join(dir, "nowhere", "x.jsonl");
      symlinkSync(target, join(dir, "d.jsonl"));
      const { code } = await cli(["experiment", ...tiny, "--out", join(dir, "d.jsonl")], { timeoutMs: 30_000 });
      expect(code).toBe(0);
      expect(lines(target)).toHaveLength(4);
    });

    it("--out with the longest name the file system takes: its lock and draft beside it get short names", async () => {
      const dir = tempDir();
      for (const length of [245, 255]) {
        const out = join(dir, "r".repeat(length));
        const { code, stderr } = await cli(["experiment", ...tiny, "--out", out], { timeoutMs: 30_000 });
        expect(stderr).toContain("[4/4]");
        expect(code).toBe(0);
        expect(lines(out)).toHaveLength(4);
      }
      expect(readdirSync(dir)).toHaveLength(2); // the results files only: every lock released
    });

    it("an empty --out, before any run", async () => {
      const { code, stderr, stdout } = await cli(["experiment", ...tiny, "--out", ""], { timeoutMs: 30_000 });
      expect(stderr).toBe("batchprop: --out: the results file's name is empty\n");
      expect(stdout).toBe("");
      expect(code).toBe(2);
    });

    it("an --out that is a named pipe, a socket or a device, without waiting on it", async () => {
      const dir = tempDir();
      const fifo = join(dir, "results.fifo");
      execFileSync("mkfifo", [fifo]);
      const socket = join(dir, "results.sock");
      const server = net.createServer();
      await new Promise<void>((listening) => server.listen(socket, listening));
      try {
        for (const [path, kind] of [[fifo, "a named pipe (FIFO)"], [socket, "a socket"], ["/dev/null", "a character device"]]) {
          const { code, stderr } = await cli(["experiment", ...tiny, "--out", path], { timeoutMs: 30_000 });
          expect(stderr).toBe(`batchprop: --out: ${path} is ${kind}, not a results file\n`);
          expect(code).toBe(2);
        }
      } finally {
        server.close();
      }
    });

    it("--default with grid options", async () => {
      const out = join(tempDir(), "never.jsonl");
      const { code, stderr } = await cli(["experiment", "--default", "--lrs", "1", "--out", out], { timeoutMs: 30_000 });
      expect(stderr).toMatch(/--default runs the embedded experiment set and takes only --workers and --out, got --lrs/);
      expect(code).toBe(2);
      expect(existsSync(out)).toBe(false);
    });

    it("--set with an unknown name, with grid options, or with --default naming another set", async () => {
      const out = join(tempDir(), "never.jsonl");
      for (const [args, message] of [
        [["--set", "noise"], 'batchprop: --set: unknown experiment set "noise" (expected default or noise-scale)\n'],
        [["--set", "noise-scale", "--seeds", "1"], "batchprop: --set noise-scale runs the embedded experiment set and takes only --workers and --out, got --seeds\n"],
        [["--default", "--set", "noise-scale"], 'batchprop: --default is the set "default": give it or --set noise-scale, not both\n'],
      ] as const) {
        const { code, stderr } = await cli(["experiment", ...args, "--out", out], { timeoutMs: 30_000 });
        expect(stderr).toBe(message);
        expect(code).toBe(2);
      }
      expect(existsSync(out)).toBe(false);
    });
  });

  /** A grid of 12 runs of ~0.2 s each (idle machine) on one worker: seconds in all, so a signal lands mid-grid. */
  const slowGrid = (out: string) => ["experiment", "--dataset", "circles", "--layers", "2,16,2", "--batch-sizes", "1,4,16", "--lrs", "0.5,2", "--steps", "5000", "--seeds", "2", "--workers", "1", "--out", out];

  /** Starts the slow grid and resolves once its first run has landed in `out`. */
  async function startedGrid(out: string): Promise<ReturnType<typeof start>> {
    const started = start(slowGrid(out));
    await new Promise<void>((landed, fail) => {
      const poll = setInterval(() => {
        if (existsSync(out) && readFileSync(out, "utf8").includes("\n")) {
          clearInterval(poll);
          landed();
        }
      }, 20);
      void started.exited.then(() => {
        clearInterval(poll);
        fail(new Error("the grid ended before its first run landed"));
      });
    });
    return started;
  }

  for (const [signal, status] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    it(`stops cleanly on ${signal}: exit ${status}, only whole finished runs kept and said, the lock released`, async () => {
      const out = join(tempDir(), "interrupted.jsonl");
      const { child, exited } = await startedGrid(out);
      child.kill(signal);
      const { code, stderr } = await exited;
      expect(code).toBe(status);
      expect(stderr).toMatch(new RegExp(`Interrupted after .* by ${signal}: kept \\d+ finished runs? in .*interrupted\\.jsonl .*Rerun the same command to resume`));
      const kept = readResults(out).records; // throws on a partial line
      expect(kept.length).toBeGreaterThanOrEqual(1);
      expect(kept.length).toBeLessThan(12);
      expect(stderr).toContain(`kept ${kept.length} finished run`);
      expect(existsSync(`${out}.lock`)).toBe(false);
      if (signal !== "SIGINT") return;
      const rerun = await cli(slowGrid(out));
      expect(rerun.code).toBe(0);
      expect(rerun.stdout).toContain(`${kept.length} already in`);
      const all = readResults(out).records;
      expect(all).toHaveLength(12);
      expect(new Set(all.map((r) => runKey(r.config))).size).toBe(12);
    });
  }

  it("stops as on SIGHUP when its reader goes away (`| head`): exit 129, whole runs kept, the lock released, no stack trace", async () => {
    const out = join(tempDir(), "piped.jsonl");
    const { child, exited } = start(["experiment", "--dataset", "xor", "--batch-sizes", "1", "--lrs", "1", "--steps", "200", "--seeds", "3", "--workers", "1", "--out", out]);
    // The reader takes the first line and leaves, as `head -1` does: the sweep's next line to stdout finds the pipe closed.
    child.stdout?.once("data", () => child.stdout?.destroy());
    const { code, stderr } = await exited;
    expect(code).toBe(129);
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(readResults(out).records).toHaveLength(3);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });

  it("lets one sweep at a time write a file: a second one exits 2 at once, naming the file and the first one's pid", async () => {
    const out = join(tempDir(), "shared.jsonl");
    const first = await startedGrid(out);
    const second = await cli(slowGrid(out), { timeoutMs: 30_000 });
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`batchprop: ${out} is being written by another sweep (pid ${first.child.pid}, started `);
    expect(second.stdout).toBe("");
    first.child.kill("SIGINT");
    expect((await first.exited).code).toBe(130);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(new Set(readResults(out).records.map((r) => runKey(r.config))).size).toBe(lines.length);
  });

  it("takes over a lock left by a sweep that no longer runs, saying so", async () => {
    const out = join(tempDir(), "stale.jsonl");
    const gone = start(["--version"]);
    await gone.exited;
    writeFileSync(`${out}.lock`, JSON.stringify({ pid: gone.child.pid, started: "earlier" }));
    const { code, stderr } = await cli(["experiment", ...tiny, "--out", out]);
    expect(code).toBe(0);
    expect(stderr).toContain(`batchprop: took over the stale lock ${out}.lock, left by pid ${gone.child.pid}, started earlier, which no longer runs\n`);
    expect(existsSync(`${out}.lock`)).toBe(false);
    expect(lines(out)).toHaveLength(4);
  });

  it("sets aside a last line cut short by a crash, in one line on stderr, and completes the file", async () => {
    const out = join(tempDir(), "cut.jsonl");
    await cli(["experiment", ...tiny, "--out", out]);
    const whole = readFileSync(out, "utf8");
    const cutAt = whole.lastIndexOf("\n", whole.length - 2) + 1 + 40; // 40 bytes into the last line
    writeFileSync(out, whole.slice(0, cutAt));
    const { code, stderr } = await cli(["experiment", ...tiny, "--out", out]);
    expect(code).toBe(0);
    const moved = /batchprop: the last line of (.*) was cut short \(40 bytes, not a whole run\); moved it to (.*\.truncated-[-\dTZ.]+)\n/.exec(stderr);
    expect(moved?.[1]).toBe(out);
    expect(readFileSync(moved![2], "utf8")).toBe(whole.slice(cutAt - 40, cutAt));
    expect(lines(out)).toHaveLength(4);
    expect(readResults(out).records).toHaveLength(4);
  });
});
