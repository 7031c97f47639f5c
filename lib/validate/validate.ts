/**
 * The checks of the values a user gives the library, one per kind of value, and the error they
 * throw. A library error names the field (`batchSize`, `data.name`, `budget.epochs`); the command
 * line alone turns fields into the flags the user typed (lib/cli/flags.ts).
 */

/** A value that cannot be used, with a message naming the field (or fields) and the value. */
export class ConfigError extends RangeError {
  /** The fields at fault, e.g. ["batchSize"]; several when only their product is too large. */
  readonly fields: readonly string[];
  /** What is wrong, without the fields. */
  readonly reason: string;
  constructor(field: string | readonly string[], reason: string) {
    const fields = typeof field === "string" ? [field] : field;
    super(`${fields.join(" × ")}: ${reason}`);
    this.name = "ConfigError";
    this.fields = fields;
    this.reason = reason;
  }
}

/** "a, b or c": the alternatives in a message. */
export function alternatives(allowed: readonly string[]): string {
  return allowed.length < 2 ? allowed.join("") : `${allowed.slice(0, -1).join(", ")} or ${allowed.at(-1)}`;
}

/**
 * `value` if it is one of `allowed`, else a ConfigError on `field` listing them (in the manner of
 * Observable Plot's keyword(input, name, allowed)): the one check of every name a user gives.
 */
export function keyword<T extends string>(value: string, field: string, allowed: readonly T[], what: string = field): T {
  if (!(allowed as readonly string[]).includes(value)) throw new ConfigError(field, `unknown ${what} "${value}" (expected ${alternatives(allowed)})`);
  return value as T;
}

/** The entry of `registry` under `name`, looked up through keyword: one lookup, one wording, for every registry. */
export function lookup<T>(registry: Readonly<Record<string, T>>, name: string, field: string, what: string = field): T {
  return registry[keyword(name, field, Object.keys(registry), what)];
}

/** B: an integer from 1 to the training set's size. */
export function checkBatchSize(batchSize: number, trainSize: number, dataName: string, field = "batchSize"): void {
  if (!Number.isInteger(batchSize)) throw new ConfigError(field, `batch size ${batchSize} is not an integer`);
  if (batchSize <= 0) throw new ConfigError(field, `batch size ${batchSize} must be at least 1`);
  if (batchSize > trainSize) {
    throw new ConfigError(field, `batch size ${batchSize} is larger than the training set (${trainSize} samples of ${dataName})`);
  }
}

/** η: a positive finite number. */
export function checkLr(lr: number, field = "lr"): void {
  if (typeof lr !== "number" || Number.isNaN(lr)) throw new ConfigError(field, `learning rate ${lr} is not a number`);
  if (!(lr > 0) || !Number.isFinite(lr)) throw new ConfigError(field, `learning rate ${lr} must be a positive finite number`);
}
