/**
 * `npm run lab`: opens the notebooks in JupyterLab with this checkout's tslab kernel.
 *
 * It registers the kernel (as `npm run kernel` does), finds `jupyter-lab` on PATH or where pipx puts
 * it (~/.local/bin, which is not on PATH until `pipx ensurepath` and a new shell), and starts it on
 * notebooks/ with the project's Jupyter configuration (tools/notebooks/jupyter, added through
 * JUPYTER_CONFIG_PATH, so nothing of the user's is changed): the debugger extension is off, since
 * tslab has no debugger and the extension fills the browser console with "No active debugger
 * session". As root, JupyterLab refuses to start without --allow-root, so it gets that flag.
 * Arguments after `--` go to jupyter-lab as they are (e.g. `npm run lab -- --no-browser --port 8899`).
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { watchParent } from "../../lib/cli/parent-watch.ts";
import { installKernelSpec, repoRoot } from "./kernelspec.ts";

/** Where the project's Jupyter configuration lives (labconfig/page_config.json). */
export const labConfigDir = join(repoRoot, "tools", "notebooks", "jupyter");

/** The jupyter-lab executable: on PATH, else in pipx's default bin folder; undefined if neither. */
export function findJupyterLab(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const folders = [...(env.PATH ?? "").split(delimiter).filter(Boolean), env.PIPX_BIN_DIR ?? join(env.HOME ?? homedir(), ".local", "bin")];
  for (const folder of folders) {
    const candidate = join(folder, "jupyter-lab");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The command line and environment that start JupyterLab on the notebooks. */
export function labCommand(extraArgs: string[], env: NodeJS.ProcessEnv = process.env, isRoot = process.getuid?.() === 0) {
  const configPath = [labConfigDir, env.JUPYTER_CONFIG_PATH].filter(Boolean).join(delimiter);
  const args = [`--ServerApp.root_dir=${join(repoRoot, "notebooks")}`, ...(isRoot ? ["--allow-root"] : []), ...extraArgs];
  return { args, env: { ...env, JUPYTER_CONFIG_PATH: configPath } };
}

const missing = `npm run lab: jupyter-lab was not found on PATH or in ~/.local/bin. Install JupyterLab first:
  sudo apt-get install -y pipx && pipx install jupyterlab
(or any JupyterLab: a venv, conda; put its jupyter-lab on PATH), then run npm run lab again.`;

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const executable = findJupyterLab();
  if (executable === undefined) {
    console.error(missing);
    process.exit(2);
  }
  const kernelDir = installKernelSpec();
  console.log(`npm run lab: kernel "TypeScript (batchprop)" registered in ${kernelDir}`);
  const { args, env } = labCommand(process.argv.slice(2));
  console.log(`npm run lab: ${executable} ${args.join(" ")}`);
  const child = spawn(executable, args, { stdio: "inherit", env });
  // Ctrl+C reaches JupyterLab through the terminal, and JupyterLab asks whether to stop: this
  // process waits for its answer rather than die and leave it orphaned. A SIGTERM to this process
  // alone, or its SIGHUP (the terminal closed, or npm was killed: watchParent), stops JupyterLab,
  // which shuts its kernels down.
  process.on("SIGINT", () => {});
  for (const signal of ["SIGTERM", "SIGHUP"] as const) process.on(signal, () => child.kill("SIGTERM"));
  watchParent();
  child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 1)));
}
