// `npm start`: builds the site (npm run build), then serves it on localhost and prints its address.
// Usage is in --help.
//
// One process does both, with the server in-process, and package.json starts it with `exec node
// --import tsx`, so that `npm start` is a single chain (npm -> node) that ends, server included, on
// Ctrl+C, on a SIGTERM to npm's pid, or when npm is killed outright (the parent watch). Without the
// exec, or with `npm run build && serve` in package.json, a shell sits in between and the server
// outlives a killed npm, as `npx vitepress preview` does; the tsx command adds a node of its own.
import { spawn } from "node:child_process";
import { Command } from "commander";
import { parseInteger } from "../../lib/cli/options.ts";
import { watchParent } from "../../lib/cli/parent-watch.ts";
import { signalExitStatus, stopSignals } from "../../lib/cli/signals.ts";
import { parseOrExit } from "../../lib/cli/usage.ts";
import { signalGroup, stopGroup } from "../process-group.ts";
import { siteBase } from "./base.ts";
import { serveSite } from "./serve.ts";

// Killing npm (even with SIGKILL) hangs this process up: the build and the server end with it.
watchParent();

const program = new Command("npm start --")
  .description("Build the site (npm run build), then serve it on localhost and print its address; Ctrl+C stops it.")
  .option("--port <n>", "the port to serve on, 0 for a free one (default: PORT, else 4173)")
  .option("--no-build", "serve the site as it was last built")
  .showHelpAfterError("(run with --help for every option)")
  .exitOverride();
parseOrExit(program);
const options = program.opts<{ port?: string; build: boolean }>();

function parsePort(raw: string): number {
  try {
    return parseInteger("--port", raw, "port");
  } catch (error) {
    console.error(`start: ${(error as Error).message}`);
    process.exit(2);
  }
}
const port = parsePort(options.port ?? process.env.PORT ?? "4173");
if (port < 0 || port > 65535) {
  console.error(`start: --port must be from 0 to 65535, got ${port}`);
  process.exit(2);
}


/**
 * Runs `npm run build`, forwarding its output; resolves to its exit code, or to the signal that
 * stopped it. The build runs in a process group of its own (npm and tools/site/build.ts) and a
 * signal goes to that whole group; build.ts passes it on to its step, which runs in a group of its
 * own and also ends by itself if build.ts dies (its parent watch). npm's group is killed if still
 * there 10 s later; not sooner, even once npm has ended: the build is then still stopping its step,
 * which needs that time to keep its finished runs and release its lock.
 */
function build(): Promise<number | NodeJS.Signals> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "build"], { stdio: "inherit", detached: true });
    let stoppedBy: NodeJS.Signals | undefined;
    const forward = (signal: NodeJS.Signals): void => {
      if (stoppedBy === undefined) stopGroup(child.pid!, signal);
      else signalGroup(child.pid!, signal);
      stoppedBy ??= signal;
    };
    for (const signal of stopSignals) process.on(signal, forward);
    child.on("close", (code, signal) => {
      for (const signal of stopSignals) process.off(signal, forward);
      resolve(stoppedBy ?? code ?? (signal ? 1 : 0));
    });
  });
}

if (options.build) {
  const result = await build();
  if (typeof result === "string") {
    console.error(`start: stopped by ${result} during the build; nothing to serve`);
    process.exit(signalExitStatus(result));
  }
  if (result !== 0) {
    console.error(`start: the build failed (exit ${result}); nothing to serve`);
    process.exit(result);
  }
}

try {
  const server = await serveSite({ root: "docs/.vitepress/dist", base: siteBase(), port });
  console.log(`batchprop site: ${server.url}  (Ctrl+C to stop)`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  process.once("SIGHUP", stop);
} catch (error) {
  console.error(`start: ${(error as Error).message}`);
  process.exit(1);
}
