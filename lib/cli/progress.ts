/**
 * The progress bar of a command: drawn on stderr when stderr is a terminal, and absent otherwise
 * (a log file, a pipe, a test), where a bar's redraws would be noise and the command prints plain
 * lines instead. The one place that decides, for every command.
 */
import cliProgress from "cli-progress";

/** A bar with this format on a terminal's stderr, or undefined when stderr is not a terminal. */
export function progressBar(format: string, options: { clearOnComplete?: boolean } = {}): cliProgress.SingleBar | undefined {
  if (process.stderr.isTTY !== true) return undefined;
  return new cliProgress.SingleBar({ format, hideCursor: true, ...options }, cliProgress.Presets.shades_classic);
}
