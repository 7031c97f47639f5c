/**
 * The text of a results file, one run per JSON line, read and checked: browser-safe, so the site's
 * playground opens a file from `npm run experiment` with the same checks readResults (Node) makes.
 */
import { z } from "zod";
import { activations } from "../activations/activation.js";
import { losses, reductions } from "../losses/loss.js";
import { inits } from "../matrix/init.js";
import { optimizerNames } from "../optimizers/optimizer.js";
import { backends } from "../train/options.js";
import { backendOf, firstPerRun, lrScalings, scaleLr } from "./config.js";
import type { RunRecord } from "./record.js";

/** A results file that cannot be used: unreadable, unwritable, or holding a line that is not a run. */
export class ResultsFileError extends Error {
  /** The 1-based line that is not a run record, when that is the problem. */
  readonly line: number | undefined;
  constructor(message: string, line?: number) {
    super(message);
    this.name = "ResultsFileError";
    this.line = line;
  }
}

/**
 * Every run in the text of a results file named `where`, once (a run on two lines counts by its
 * first). Blank lines are skipped, and so is a last line cut short (no newline, not JSON: a write
 * that a crash interrupted; the next sweep sets it aside). Any other line that is not a run record
 * is a ResultsFileError naming its line number and what is wrong with it: never silently dropped.
 */
export function parseResults(text: string, where: string): RunRecord[] {
  const lines = text.split("\n");
  if (isCutShort(lines[lines.length - 1])) lines.pop();
  const all = lines.flatMap((line, i) => {
    if (line.trim() === "") return [];
    const record = parseRecord(line);
    if (typeof record === "string") {
      throw new ResultsFileError(`${where}, line ${i + 1}: not a run record (${record}); fix or delete that line, then rerun`, i + 1);
    }
    return [record];
  });
  return firstPerRun(all, (record) => record.config);
}

/** An unterminated last line that is not JSON: the start of a record whose write was cut short. */
export function isCutShort(lastLine: string): boolean {
  if (lastLine.trim() === "") return false;
  try {
    JSON.parse(lastLine);
    return false;
  } catch {
    return true;
  }
}

const name = <T extends string>(names: readonly T[]) => z.enum(names as [T, ...T[]]);
/** Counts: whole numbers from 0, or from 1 (sizes, budgets, batch sizes). */
const count = z.number().int().nonnegative();
const positive = z.number().int().positive();
/** Text without control characters: a name that stays one line in a table, a CSV row or a terminal. */
const text = z.string().regex(/^[^\u0000-\u001f\u007f]*$/, "contains a control character (a newline, a tab, an escape…)");
const point = z.object({
  epoch: z.number(),
  step: z.number(),
  samples: z.number(),
  trainLoss: z.number(),
  trainAccuracy: z.number(),
  testLoss: z.number().optional(),
  testAccuracy: z.number().optional(),
  seconds: z.number(),
});
const budget = z.union([z.strictObject({ epochs: positive }), z.strictObject({ steps: positive }), z.strictObject({ samples: positive })], {
  error: "expected one of {epochs: n}, {steps: n}, {samples: n}",
});

/** What a line must hold to be a run: every field of RunRecord that anything reads. */
const runRecord: z.ZodType<RunRecord> = z.object({
  config: z.object({
    data: z.object({ name: text, train: positive, test: count, seed: count }),
    layers: z.array(positive).min(2),
    activation: name(Object.keys(activations) as (keyof typeof activations)[]),
    outputActivation: name(Object.keys(activations) as (keyof typeof activations)[]).optional(),
    init: name(inits).optional(),
    biasInit: name(inits).optional(),
    loss: name(Object.keys(losses) as (keyof typeof losses)[]),
    reduction: name(reductions),
    optimizer: name(optimizerNames),
    batchSize: positive,
    lr: z.number(),
    baseLr: z.number(),
    lrScaling: name(lrScalings),
    baseBatch: positive,
    budget,
    seed: count,
    lastBatch: name(["partial", "drop"] as const),
    recordEvery: count,
    noiseScaleEvery: count.optional(),
    backend: name(backends).optional(),
  }),
  epochs: z.array(point),
  checkpoints: z.array(point),
  steps: count,
  samples: count,
  diverged: z.object({ epoch: z.number(), step: z.number(), lastFiniteLoss: z.number().nullable() }).nullable(),
  seconds: z.number(),
  wallSeconds: z.number(),
  // Records written before runs named their kernel all ran on the JavaScript kernel, dense.
  kernel: text.default("js"),
  sparse: z.boolean().default(false),
  // Records written before runs named their workers ran on one thread.
  workers: z.number().int().positive().default(1),
  // Records written before the GPU backend ran on the CPU.
  backend: name(backends).default("cpu"),
  adapter: text.optional(),
  noiseScales: z
    .array(z.object({ step: z.number(), epoch: z.number(), batchSize: z.number(), gradientSquared: z.number(), trace: z.number(), simple: z.number(), seconds: z.number() }))
    .optional(),
  noiseScaleSeconds: z.number().optional(),
});

/** The record on a line, as written, or why it is not one: the field missing or wrong, by its path. */
function parseRecord(line: string): RunRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return (error as Error).message;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not a JSON object";
  const checked = runRecord.safeParse(value);
  if (checked.success) {
    // The defaults filled in (an older line's kernel, workers, backend), the fields the schema does not name kept as written.
    const record = { ...value, ...checked.data, config: { ...(value as { config: object }).config, ...checked.data.config } } as RunRecord;
    return settingProblem(record) ?? record;
  }
  const issue = checked.error.issues[0];
  const field = issue.path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("");
  if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) return `missing ${field}`;
  return `${field}: ${issue.message.replace(/^Invalid (input|option): /, "")}`;
}

/**
 * What makes a record's fields disagree with each other, or undefined: every reader groups runs by
 * B and η and divides by the steps, so a line edited by hand to disagree is refused, not misread.
 */
function settingProblem({ config, steps, diverged, backend }: RunRecord): string | undefined {
  const { lr, baseLr, lrScaling, batchSize, baseBatch, data } = config;
  if (batchSize > data.train) return `config.batchSize: ${batchSize} is larger than the training set (config.data.train ${data.train})`;
  const expected = scaleLr(baseLr, batchSize, lrScaling, baseBatch);
  if (!(Math.abs(lr - expected) <= 1e-12 * Math.abs(expected))) {
    return `config.lr: ${lr} is not baseLr ${baseLr} scaled (${lrScaling}, base batch ${baseBatch}) to batch size ${batchSize}, which is ${expected}`;
  }
  if (steps === 0 && diverged === null) return "steps: a run that did not diverge took at least one step, got 0";
  if (backend !== backendOf(config)) return `backend: the run ran on "${backend}" but its config.backend asks for "${backendOf(config)}"`;
  return undefined;
}
