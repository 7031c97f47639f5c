/** What the command line shares: usage errors, parsing a command's options, and human-readable durations. */
import { type Command, CommanderError } from "commander";

/** A mistake in how the command was called that names no single option (exit status 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** 75 → "1m15s", 3.2 → "3.2s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "–";
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/**
 * Parses the command line of a program made with `.exitOverride()`. Commander prints the help, or
 * what was wrong; then the process ends: 0 after --help, 2 on a bad option, before any work starts.
 */
export function parseOrExit(program: Command): void {
  try {
    program.parse();
  } catch (error) {
    process.exit(error instanceof CommanderError && error.exitCode === 0 ? 0 : 2);
  }
}
