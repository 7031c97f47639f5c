/**
 * Where a command's output (a file or a folder) would be written, found before any work starts: the
 * one walk that report's output files, the bench's --out and the notebook runner's --out check,
 * each in its own words.
 */
import { type Stats, accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

export interface OutTarget {
  /** `path` resolved when it exists, else the nearest folder above it that does: what writing it needs to be writable. */
  existing: string;
  /** Whether `existing` is `path` itself rather than a folder above it. */
  itself: boolean;
  stats: Stats;
  /** Why `existing` cannot be written to, or undefined when it can. */
  denied: Error | undefined;
}

export function outTarget(path: string): OutTarget {
  const full = resolve(path);
  let existing = full;
  while (!existsSync(existing)) existing = dirname(existing); // "/" exists
  let denied: Error | undefined;
  try {
    accessSync(existing, constants.W_OK);
  } catch (error) {
    denied = error as Error;
  }
  return { existing, itself: existing === full, stats: statSync(existing), denied };
}
