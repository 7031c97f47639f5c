// The results file: a record is never glued onto a last line left without its newline, a last
// line cut short is set aside (bytes kept) rather than joined, a line lacking a field is refused by
// name, a run on two lines counts once, and a path that is not a regular file is refused.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  appendRecord,
  checkResultsPath,
  defaultRuns,
  expandGrid,
  loadDefaultResults,
  meanHistory,
  readResults,
  runKey,
  type RunConfig,
  type RunRecord,
  summarizeRuns,
} from "../../lib/index.ts";

const tempDir = () => mkdtempSync(join(tmpdir(), "batchprop-results-"));

/** Seeds 0–2 of one tiny xor setting. */
const [seed0, seed1, seed2] = expandGrid({
  data: { name: "xor", train: 80, test: 40, seed: 3 },
  layers: [2, 6, 2],
  batchSizes: [8],
  lrs: [1],
  budgets: [{ steps: 10 }],
  seeds: 3,
});

/** A finished run ending at the given test accuracy (no training: only the record's shape and key matter). */
function record(config: RunConfig, testAccuracy: number): RunRecord {
  const point = { epoch: 1, step: 10, samples: 80, trainLoss: 0.5, trainAccuracy: testAccuracy, testLoss: 0.5, testAccuracy, seconds: 0.01 };
  return { config, epochs: [point], checkpoints: [point], steps: 10, samples: 80, diverged: null, seconds: 0.01, wallSeconds: 0.02, kernel: "js", sparse: false, workers: 1, backend: "cpu" };
}
const line = (r: RunRecord) => `${JSON.stringify(r)}\n`;

afterEach(() => {
  vi.restoreAllMocks();
});

/** What appendRecord printed to stderr while `act` ran. */
function stderrOf(act: () => void): string {
  let printed = "";
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  });
  act();
  vi.restoreAllMocks();
  return printed;
}

describe("appendRecord", () => {
  it("ends a whole last line that lacks its newline before appending, so both records stay whole", () => {
    const path = join(tempDir(), "r.jsonl");
    writeFileSync(path, line(record(seed0, 0.5)).trimEnd());
    const printed = stderrOf(() => appendRecord(path, record(seed1, 0.6)));
    expect(printed).toBe("");
    expect(readFileSync(path, "utf8")).toBe(line(record(seed0, 0.5)) + line(record(seed1, 0.6)));
  });

  it("sets a last line cut short aside, bytes intact, says where, and appends after the whole lines", () => {
    const dir = tempDir();
    const path = join(dir, "r.jsonl");
    const whole = line(record(seed0, 0.5));
    const cut = line(record(seed1, 0.6)).slice(0, 123); // a write that a crash interrupted
    writeFileSync(path, whole + cut);
    const printed = stderrOf(() => appendRecord(path, record(seed2, 0.7)));
    expect(readFileSync(path, "utf8")).toBe(whole + line(record(seed2, 0.7)));
    const aside = readdirSync(dir).filter((name) => name !== "r.jsonl");
    expect(aside).toHaveLength(1);
    expect(aside[0]).toMatch(/^r\.jsonl\.truncated-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/);
    expect(readFileSync(join(dir, aside[0]), "utf8")).toBe(cut);
    expect(printed).toBe(`batchprop: the last line of ${path} was cut short (123 bytes, not a whole run); moved it to ${join(dir, aside[0])}\n`);
    // Nothing is left to move a second time.
    expect(stderrOf(() => appendRecord(path, record(seed1, 0.6)))).toBe("");
    expect(readResults(path).records).toHaveLength(3);
  });
});

describe("readResults", () => {
  it("skips a last line cut short, but refuses a bad line anywhere else by file and number", () => {
    const path = join(tempDir(), "r.jsonl");
    const cut = line(record(seed1, 0.6)).slice(0, 50);
    writeFileSync(path, line(record(seed0, 0.5)) + cut);
    expect(readResults(path).records.map((r) => r.config.seed)).toEqual([0]);
    writeFileSync(path, line(record(seed0, 0.5)) + `${cut}\n` + line(record(seed2, 0.7)));
    expect(() => readResults(path)).toThrow(/r\.jsonl, line 2: not a run record \(.*JSON.*\)/);
    // Not cut short: whole JSON that is not a run is an error even on the last line.
    writeFileSync(path, line(record(seed0, 0.5)) + '{"config": 1}');
    expect(() => readResults(path)).toThrow(/r\.jsonl, line 2: not a run record \(config: expected object, received number\)/);
  });

  it("refuses a line that lacks a field a reader needs, naming the file, the line and the field", () => {
    const path = join(tempDir(), "r.jsonl");
    const good = record(seed0, 0.5);
    const { data: _data, ...noData } = good.config;
    const { trainLoss: _loss, ...noLoss } = good.checkpoints[0];
    const cases: [unknown, string][] = [
      [{ ...good, config: noData }, "missing config.data"],
      [{ ...good, config: { ...good.config, data: { ...good.config.data, train: "80" } } }, "config.data.train: expected number, received string"],
      [{ ...good, checkpoints: [good.checkpoints[0], noLoss] }, "missing checkpoints[1].trainLoss"],
      [{ ...good, seconds: undefined }, "missing seconds"],
      [{ ...good, diverged: undefined }, "missing diverged"],
      [{ ...good, config: { ...good.config, budget: { weeks: 2 } } }, "config.budget: expected one of {epochs: n}, {steps: n}, {samples: n}"],
      [{ ...good, config: { ...good.config, optimizer: "rmsprop" } }, 'config.optimizer: expected one of "sgd"|"momentum"|"adagrad"|"adam"'],
      [{ ...good, config: { ...good.config, lr: 0.5 } }, "config.lr: 0.5 is not baseLr 1 scaled (none, base batch 10) to batch size 8, which is 1"],
      [{ ...good, config: { ...good.config, batchSize: 0 } }, "config.batchSize: Too small: expected number to be >0"],
      [{ ...good, config: { ...good.config, batchSize: 1.5 } }, "config.batchSize: expected int, received number"],
      [{ ...good, config: { ...good.config, batchSize: 81, baseBatch: 81 } }, "config.batchSize: 81 is larger than the training set (config.data.train 80)"],
      [{ ...good, steps: 0 }, "steps: a run that did not diverge took at least one step, got 0"],
      [{ ...good, config: { ...good.config, data: { ...good.config.data, name: "xor\n" } } }, "config.data.name: contains a control character"],
    ];
    for (const [bad, why] of cases) {
      writeFileSync(path, line(good) + `${JSON.stringify(bad)}\n`);
      expect(() => readResults(path), why).toThrow(`${path}, line 2: not a run record (${why}`);
    }
  });

  it("counts a run written again under another spelling once: an explicit output activation equal to its activation, keys nothing reads", () => {
    const path = join(tempDir(), "r.jsonl");
    const spellings = [
      { ...seed0, outputActivation: seed0.activation },
      { ...seed0, note: "rerun" },
      { ...seed0, data: { ...seed0.data, source: "elsewhere" } },
    ] as RunConfig[];
    writeFileSync(path, [record(seed0, 0.5), ...spellings.map((config) => record(config, 0.9)), record(seed1, 0.6)].map(line).join(""));
    const { records, byKey } = readResults(path);
    expect(records.map((r) => r.checkpoints[0].testAccuracy)).toEqual([0.5, 0.6]);
    expect(byKey.get(runKey(seed0))).toBe(records[0]);
    for (const config of spellings) expect(runKey(config)).toBe(runKey(seed0));
    const [summary] = summarizeRuns(records, () => "xor");
    expect(summary.runs).toBe(2);
    expect(summary.testAccuracy?.mean).toBeCloseTo((0.5 + 0.6) / 2, 15);
  });

  it("counts a run written twice once, by its first line: in the records, the summaries and the default results", () => {
    const path = join(tempDir(), "r.jsonl");
    // Seed 0 twice, the second time with another accuracy: a double count would move the mean.
    writeFileSync(path, [record(seed0, 0.5), record(seed1, 0.6), record(seed0, 0.9), record(seed2, 0.7)].map(line).join(""));
    const { records, byKey } = readResults(path);
    expect(records.map((r) => [r.config.seed, r.checkpoints[0].testAccuracy])).toEqual([[0, 0.5], [1, 0.6], [2, 0.7]]);
    expect([...byKey.values()]).toEqual(records);
    for (const given of [records, readFileSync(path, "utf8").trim().split("\n").map((text) => JSON.parse(text) as RunRecord)]) {
      const [summary] = summarizeRuns(given, () => "xor");
      expect(summary.runs).toBe(3);
      expect(summary.testAccuracy?.n).toBe(3);
      expect(summary.testAccuracy?.mean).toBeCloseTo((0.5 + 0.6 + 0.7) / 3, 15);
      expect(meanHistory(given)).toEqual(meanHistory(records));
    }
    expect(meanHistory(records)[0].testAccuracy).toBeCloseTo((0.5 + 0.6 + 0.7) / 3, 15);

    const defaults = join(tempDir(), "default.jsonl");
    const runs = defaultRuns();
    writeFileSync(defaults, [...runs.map((run) => record(run, 0.5)), record(runs[0], 0.9)].map(line).join(""));
    for (const group of loadDefaultResults(defaults).values()) {
      expect(group.every((r) => r.checkpoints[0].testAccuracy === 0.5)).toBe(true);
      expect(new Set(group).size).toBe(group.length);
    }
  });
});

describe("checkResultsPath", () => {
  it("refuses an empty name and anything that is not a regular file, saying what it is", async () => {
    const dir = tempDir();
    expect(() => checkResultsPath("")).toThrow("the results file's name is empty");
    mkdirSync(join(dir, "folder"));
    expect(() => checkResultsPath(join(dir, "folder"))).toThrow(`${join(dir, "folder")} is a directory, not a results file`);
    execFileSync("mkfifo", [join(dir, "fifo")]);
    expect(() => checkResultsPath(join(dir, "fifo"))).toThrow(`${join(dir, "fifo")} is a named pipe (FIFO), not a results file`);
    expect(() => checkResultsPath("/dev/null")).toThrow("/dev/null is a character device, not a results file");
    const socket = join(dir, "socket");
    const server = net.createServer();
    await new Promise<void>((listening) => server.listen(socket, listening));
    try {
      expect(() => checkResultsPath(socket)).toThrow(`${socket} is a socket, not a results file`);
    } finally {
      server.close();
    }
    checkResultsPath(join(dir, "new", "results.jsonl"));
    expect(existsSync(join(dir, "new"))).toBe(false);
  });
});
