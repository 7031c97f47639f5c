/**
 * `npm run build`: everything the site needs, step by step, each step saying what it does and how
 * long it took, and the whole build ending with a table of the steps' times:
 *
 *   1 kernels       the WebAssembly kernels from their WAT template (tools/wasm)
 *   2 library       tsc → lib/dist
 *   3 experiments   the default runs missing from results/default.jsonl (its own progress and ETA)
 *   4 noise-scale   the noise-scale runs (notebook 11) missing from results/noise-scale.jsonl
 *   5 notebooks     executed two at a time, unchanged ones skipped (--cached)
 *   6 pages         notebook pages from the executed copies, the claims page from CLAIMS.md, and the
 *                   bundle of notebooks and packed library that runs outside a checkout
 *   7 site          VitePress → docs/.vitepress/dist
 *
 * Its one option, `--outDir DIR` (`npm run build -- --outDir DIR`), goes to VitePress's build; the
 * arguments are checked before any step runs (usage in --help).
 *
 * One node process drives the steps, each a child in a process group of its own that preloads the
 * parent watch (lib/cli/parent-watch.ts): a signal to the build goes to the step's whole group, and
 * if the build itself is killed (kill -9 of npm, then of this process) the step gets a SIGHUP and
 * its grace period, as a command does, so the experiments keep their finished runs and release their lock.
 */
import { resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { watchParent } from "../../lib/cli/parent-watch.ts";
import { signalExitStatus, stopSignals } from "../../lib/cli/signals.ts";
import { parseOrExit } from "../../lib/cli/usage.ts";
import { formatSeconds } from "../notebooks/execute.ts";
import { stopGroup } from "../process-group.ts";
import { spawnStep } from "./step.ts";

interface Step {
  readonly name: string;
  readonly what: string;
  /** A node script and its arguments, run with this node. */
  readonly script: readonly string[];
  /** The script is TypeScript: run it through tsx. */
  readonly typescript?: boolean;
  /** It runs before the library (and so the parent watch, lib/cli/parent-watch.ts) is built. */
  readonly before?: boolean;
}

const program = new Command("npm run build --")
  .description("Build everything the site needs in seven numbered, timed steps: kernels, library, experiments, noise-scale experiments, notebooks, pages, site.")
  .option("--outDir <dir>", "where VitePress writes the site (default: docs/.vitepress/dist)", (dir: string) => {
    if (dir === "") throw new InvalidArgumentError("expected a folder, got an empty string");
    return resolve(dir);
  })
  .showHelpAfterError("(run with --help for every option)")
  .exitOverride();
parseOrExit(program);
const { outDir } = program.opts<{ outDir?: string }>();

const steps: readonly Step[] = [
  { name: "kernels", what: "the WebAssembly gemm kernels", script: ["tools/wasm/build.ts"], typescript: true, before: true },
  { name: "library", what: "compiling lib/ into lib/dist", script: ["node_modules/typescript/bin/tsc", "-p", "lib"], before: true },
  // The flag lets the relaxed-SIMD (FMA) kernel load on Node 20 (lib/matrix/kernels.ts).
  { name: "experiments", what: "the default experiments missing from results/default.jsonl", script: ["--experimental-wasm-relaxed-simd", "lib/dist/cli/main.js", "experiment", "--default"] },
  { name: "noise-scale", what: "the noise-scale experiments (notebook 11) missing from results/noise-scale.jsonl", script: ["--experimental-wasm-relaxed-simd", "lib/dist/cli/main.js", "experiment", "--set", "noise-scale"] },
  { name: "notebooks", what: "executing the notebooks (unchanged ones are skipped)", script: ["tools/notebooks/cli.ts", "--cached"], typescript: true },
  { name: "pages", what: "the notebook pages, the claims page and the notebook bundle", script: ["tools/site/pages.ts"], typescript: true },
  { name: "site", what: "VitePress into docs/.vitepress/dist", script: ["node_modules/vitepress/bin/vitepress.js", "build", "docs", ...(outDir === undefined ? [] : ["--outDir", outDir])] },
];

let current: { pid: number } | undefined;
let stoppedBy: NodeJS.Signals | undefined;

/** Runs one step to its end; resolves to its exit status. */
function runStep(step: Step): Promise<number> {
  const args = [...(step.typescript ? ["--import", "tsx"] : []), ...step.script];
  return new Promise((resolve) => {
    const child = spawnStep(args, step.before !== true);
    current = { pid: child.pid! };
    child.on("close", (code, signal) => {
      current = undefined;
      resolve(code ?? (signal ? signalExitStatus(signal) : 1));
    });
  });
}

for (const signal of stopSignals) {
  process.on(signal, () => {
    // Ctrl-C and a signal to the build's group reach npm too, which passes it on: the step gets
    // the first only, as a second SIGINT means "now" to the notebook runner.
    if (stoppedBy !== undefined) return;
    stoppedBy = signal;
    if (current !== undefined) stopGroup(current.pid, signal);
  });
}
watchParent();

const started = performance.now();
const times: string[] = [];
for (const [index, step] of steps.entries()) {
  console.log(`\nbuild [${index + 1}/${steps.length}] ${step.name}: ${step.what}`);
  const stepStarted = performance.now();
  const code = await runStep(step);
  times.push(`  ${step.name.padEnd(12)} ${formatSeconds(performance.now() - stepStarted)}`);
  if (stoppedBy !== undefined) {
    console.error(`build: stopped by ${stoppedBy} during ${step.name}`);
    process.exit(signalExitStatus(stoppedBy));
  }
  if (code !== 0) {
    console.error(`build: step ${index + 1}/${steps.length} (${step.name}) failed with exit status ${code}; nothing after it ran`);
    process.exit(code);
  }
}
console.log(`\nbuild: done in ${formatSeconds(performance.now() - started)}\n${times.join("\n")}`);
