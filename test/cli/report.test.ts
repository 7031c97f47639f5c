import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { parseHTML } from "linkedom";
import { beforeAll, describe, expect, it } from "vitest";
import { csvColumns, finalPoint, readResults, runKey } from "../../lib/index.ts";
import { count, group } from "../plots/svg.ts";
import { cli, tempDir } from "./spawn.ts";

/** A real sweep on xor: B = 1, 8, 64 × η = 0.5, 3 × 2 seeds, one epoch each (a second or two). */
const sweep = ["experiment", "--dataset", "xor", "--layers", "2,6,2", "--batch-sizes", "1,8,64", "--lrs", "0.5,3", "--epochs", "1", "--seeds", "2", "--workers", "1"];

let dir: string;
let results: string;
let sweepOut: string;

beforeAll(async () => {
  dir = tempDir();
  results = join(dir, "grid.jsonl");
  const { code, stdout } = await cli([...sweep, "--out", results]);
  expect(code).toBe(0);
  sweepOut = stdout;
});

/** The summary table's data rows in a command's output: the lines after its rule of dashes. */
const tableRows = (stdout: string) => {
  const lines = stdout.split("\n");
  const rule = lines.findIndex((line) => /^-+( +-+)+$/.test(line));
  return lines.slice(rule + 1).filter((line) => /^ *\d/.test(line));
};

describe("batchprop experiment", () => {
  it("ends with the summary table of its grid, after the line saying what it finished", () => {
    const finished = sweepOut.indexOf("Finished 12 runs");
    expect(finished).toBeGreaterThan(-1);
    const table = sweepOut.slice(finished);
    expect(table).toMatch(/\n\n +B +η +runs +diverged +test accuracy +test loss +steps +samples\/s\n/);
    // A row per (B, η), η rising then B, each with its 2 runs, as plain aligned text (stdout is a pipe here).
    expect(tableRows(table).map((row) => row.trim().split(/ +/).slice(0, 4))).toEqual([
      ["1", "0.5", "2", "0"],
      ["8", "0.5", "2", "0"],
      ["64", "0.5", "2", "0"],
      ["1", "3", "2", "0"],
      ["8", "3", "2", "0"],
      ["64", "3", "2", "0"],
    ]);
    expect(new Set(table.trimEnd().split("\n").slice(2).map((line) => line.length)).size).toBe(1);
  });

  it("refuses an --out named for another format before any run, pointing to batchprop report", async () => {
    for (const [name, advice] of [
      ["runs.csv", "then make a CSV table of its runs with `batchprop report DIR/runs.jsonl --csv DIR/runs.csv`"],
      ["Runs.HTML", "then make an HTML report with its charts with `batchprop report DIR/Runs.jsonl --out DIR/Runs.html`"],
      ["runs.xlsx", "`batchprop report DIR/runs.jsonl --csv DIR/runs.csv`"],
    ]) {
      const here = tempDir();
      const out = join(here, name);
      const { code, stdout, stderr } = await cli([...sweep, "--out", out], { timeoutMs: 30_000 });
      expect(stderr).toContain(`batchprop: --out: ${out}: results are written as JSON lines, not `);
      expect(stderr).toContain(advice.replaceAll("DIR", here));
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(readdirSync(here)).toEqual([]); // no results, no lock
    }
  });
});

describe("batchprop report", () => {
  it("turns the sweep into an HTML page and a CSV, and prints the sweep's own table", async () => {
    const out = join(dir, "report.html");
    const csv = join(dir, "runs.csv");
    const { code, stdout, stderr } = await cli(["report", results, "--out", out, "--csv", csv]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain(`Wrote ${csv}: 12 runs, one row each.\nWrote ${out}: 12 runs, 5 charts.\n`);
    // The same rows as at the end of the sweep: one place builds them.
    expect(tableRows(stdout)).toEqual(tableRows(sweepOut.slice(sweepOut.indexOf("Finished"))));

    const { document } = parseHTML(readFileSync(out, "utf8"));
    expect(document.querySelectorAll("script, link, img")).toHaveLength(0);
    expect(document.querySelectorAll("#summary tbody tr")).toHaveLength(6);
    const figure = (id: string) => document.getElementById(id)?.outerHTML ?? "";
    expect(Array.from(document.querySelectorAll("figure.chart")).map((f) => f.getAttribute("id"))).toEqual(["chart-1-batch-size", "chart-1-learning-rate", "chart-1-curves-1", "chart-1-curves-2", "chart-1-heatmap"]);
    expect(count(group(figure("chart-1-batch-size"), "dot"), "circle")).toBe(6);
    expect(count(group(figure("chart-1-learning-rate"), "dot"), "circle")).toBe(6);
    expect(count(group(figure("chart-1-heatmap"), "cell"), "rect")).toBe(6);

    const rows = parse(readFileSync(csv, "utf8"), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual(csvColumns);
    const records = readResults(results).records;
    expect(rows).toHaveLength(records.length);
    records.forEach((record, i) => {
      expect(Number(rows[i].batchSize)).toBe(record.config.batchSize);
      expect(Number(rows[i].lr)).toBe(record.config.lr);
      expect(Number(rows[i].finalTestAccuracy)).toBe(finalPoint(record)!.testAccuracy);
    });
    expect(readdirSync(dir).sort()).toEqual(["grid.jsonl", "report.html", "runs.csv"]);
  });

  it("writes beside the file by default, and replaces a report by renaming a whole new file over it", async () => {
    const here = tempDir();
    const file = join(here, "r.jsonl");
    copyFileSync(results, file);
    expect((await cli(["report", file, "--metric", "testLoss"])).code).toBe(0);
    const first = statSync(join(here, "r.html"));
    expect(readFileSync(join(here, "r.html"), "utf8")).toContain("Final test loss against B");
    expect((await cli(["report", file])).code).toBe(0);
    expect(statSync(join(here, "r.html")).ino).not.toBe(first.ino); // a new file renamed into place, not rewritten in it
    expect(readdirSync(here).sort()).toEqual(["r.html", "r.jsonl"]); // no temporary file left
  });

  it("reads any grid: one batch size and one η, with the charts it cannot draw named", async () => {
    const file = join(tempDir(), "one.jsonl");
    expect((await cli(["experiment", "--dataset", "circles", "--layers", "2,4,2", "--batch-sizes", "16", "--lrs", "1", "--steps", "20", "--seeds", "1", "--out", file])).code).toBe(0);
    const { code, stdout } = await cli(["report", file]);
    expect(code).toBe(0);
    expect(stdout).toContain("1 run, 1 chart.");
    const html = readFileSync(file.replace(/jsonl$/, "html"), "utf8");
    expect(html).toContain("No chart against B: every run has B = 16.");
    expect(html).toContain("No chart against η: every run has η = 1.");
  });

  describe.concurrent("refuses bad input with exit 2, naming it, before writing anything", () => {
    const refused = async (args: string[], message: string | RegExp, here: string) => {
      const before = readdirSync(here).sort();
      const { code, stdout, stderr } = await cli(["report", ...args], { timeoutMs: 30_000 });
      expect(stderr).toMatch(typeof message === "string" ? new RegExp(`^batchprop: ${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\n`) : message);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(readdirSync(here).sort()).toEqual(before);
    };
    const copy = (name: string) => {
      const here = tempDir();
      copyFileSync(results, join(here, name));
      return here;
    };

    it("a missing file, a folder, a named pipe (without waiting on it), an empty file, one beyond the size a report reads", async () => {
      const here = tempDir();
      await refused([join(here, "none.jsonl")], `${join(here, "none.jsonl")}: no such results file`, here);
      await refused([here], `${here} is not a regular file`, here);
      execFileSync("mkfifo", [join(here, "pipe.jsonl")]);
      await refused([join(here, "pipe.jsonl")], `${join(here, "pipe.jsonl")} is not a regular file`, here);
      // A sparse file: its size says 256 MiB and one byte, on no disk space, refused before it is read.
      writeFileSync(join(here, "huge.jsonl"), "");
      truncateSync(join(here, "huge.jsonl"), 256 * 2 ** 20 + 1);
      await refused([join(here, "huge.jsonl")], `${join(here, "huge.jsonl")} holds 268,435,457 bytes, more than the 268,435,456 (256 MiB) a report reads`, here);
      writeFileSync(join(here, "empty.jsonl"), "\n");
      await refused([join(here, "empty.jsonl")], `${join(here, "empty.jsonl")} holds no runs: nothing to report`, here);
    });

    it("a bad line, by file, line and field", async () => {
      const here = copy("r.jsonl");
      const file = join(here, "r.jsonl");
      const lines = readFileSync(file, "utf8").split("\n");
      const broken = JSON.parse(lines[2]) as { config: { data?: unknown } };
      delete broken.config.data;
      writeFileSync(file, [...lines.slice(0, 2), JSON.stringify(broken), ...lines.slice(3)].join("\n"));
      await refused([file, "--csv", join(here, "r.csv")], `${file}, line 3: not a run record (missing config.data); fix or delete that line, then rerun`, here);
    });

    it("an --out or --csv of the wrong kind", async () => {
      const here = copy("r.jsonl");
      const file = join(here, "r.jsonl");
      await refused([file, "--out", file], `--out: ${file}: the report is one HTML page; give a name ending in .html or .htm`, here);
      await refused([file, "--out", join(here, "r.svg")], `--out: ${join(here, "r.svg")}: the report is one HTML page; give a name ending in .html or .htm`, here);
      await refused([file, "--csv", join(here, "r.xlsx")], `--csv: ${join(here, "r.xlsx")}: the runs' table is CSV; give a name ending in .csv`, here);
      await refused([file, "--out", ""], "--out: the file's name is empty", here);
    });

    it("an --out or --csv that is the results file itself, by its name, a link or a hard link", async () => {
      const here = copy("r.html");
      const file = join(here, "r.html");
      const content = readFileSync(file, "utf8");
      await refused([file], `--out: ${file} is the results file the report is made from; name another file`, here);
      symlinkSync(file, join(here, "link.html"));
      await refused([file, "--out", join(here, "link.html")], `--out: ${join(here, "link.html")} is the results file the report is made from; name another file`, here);
      linkSync(file, join(here, "hard.html"));
      await refused([file, "--out", join(here, "hard.html")], `--out: ${join(here, "hard.html")} is the results file the report is made from; name another file`, here);
      copyFileSync(results, join(here, "runs.csv"));
      await refused([join(here, "runs.csv"), "--out", join(here, "x.html"), "--csv", join(here, "runs.csv")], `--csv: ${join(here, "runs.csv")} is the results file the report is made from; name another file`, here);
      expect(readFileSync(file, "utf8")).toBe(content);
    });

    it("an --out in a folder that cannot be made, or a name too long", async () => {
      const here = copy("r.jsonl");
      writeFileSync(join(here, "afile"), "");
      await refused([join(here, "r.jsonl"), "--out", join(here, "afile", "x.html")], `--out: cannot create ${join(here, "afile", "x.html")}: ${join(here, "afile")} is not a folder`, here);
      const long = join(here, `${"x".repeat(250)}.html`);
      await refused([join(here, "r.jsonl"), "--out", long], /^batchprop: --out: .*x{250}\.html: the name x{250}\.html \(255 bytes\) is too long for this file system, with the 11 bytes of the temporary file written beside it\n$/, here);
    });

    it("an unknown metric", async () => {
      const here = copy("r.jsonl");
      await refused([join(here, "r.jsonl"), "--metric", "accuracy"], '--metric: unknown metric "accuracy" (expected testAccuracy, testLoss, trainAccuracy or trainLoss)', here);
    });

    it("keeps a report already written when the next call is refused", async () => {
      const here = copy("r.jsonl");
      const file = join(here, "r.jsonl");
      expect((await cli(["report", file])).code).toBe(0);
      const report = readFileSync(join(here, "r.html"), "utf8");
      mkdirSync(join(here, "sub"));
      await refused([file, "--csv", join(here, "sub")], `--csv: ${join(here, "sub")}: the runs' table is CSV; give a name ending in .csv`, here);
      expect(readFileSync(join(here, "r.html"), "utf8")).toBe(report);
      expect(existsSync(join(here, "r.csv"))).toBe(false);
    });
  });

  it("--help names every option", async () => {
    const { code, stdout } = await cli(["report", "--help"], { timeoutMs: 30_000 });
    expect(code).toBe(0);
    for (const option of ["--out", "--csv", "--metric", "testAccuracy"]) expect(stdout).toContain(option);
    expect(readResults(results).records.map((r) => runKey(r.config))).toHaveLength(12);
  });
});
