/**
 * `npm run kernel`: registers this checkout's tslab as the Jupyter kernel "tslab" for the current
 * user, so JupyterLab opens the notebooks with the same kernel the runner uses. The kernel runs
 * by absolute path with the node running this script: no global install, and it keeps working
 * wherever the checkout lives (run it again after moving the checkout).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";

/** The checkout this file belongs to: tools/notebooks/ sits two levels below it. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const defaultTslab = join(repoRoot, "node_modules", "tslab", "bin", "tslab");

/**
 * Environment for the kernel. batchprop is ESM and tslab cells compile to CommonJS, so a cell's
 * import is a require() of an ES module. Node 20.19 printed an ExperimentalWarning for that
 * (20.20 no longer does), and tslab routes stderr into the cell's output: suppressing the
 * warning keeps outputs the same on every Node the project accepts. The runner's kernelspec
 * (KERNEL_ENV in nbclient_run.py) sets the same.
 */
const kernelEnv: Readonly<Record<string, string>> = { NODE_OPTIONS: "--disable-warning=ExperimentalWarning" };

export const kernelName = "tslab";

/** The kernelspec the notebooks name in their metadata. */
export const notebookKernelspec = { name: kernelName, display_name: "TypeScript", language: "typescript" } as const;

export interface KernelJson {
  argv: string[];
  display_name: string;
  language: string;
  env: Record<string, string>;
}

export function kernelJson(tslab = defaultTslab): KernelJson {
  return {
    argv: [process.execPath, resolve(tslab), "kernel", "--config-path", "{connection_file}"],
    display_name: "TypeScript (batchprop)",
    language: "typescript",
    env: { ...kernelEnv },
  };
}

/** Jupyter's per-user data folder, as `jupyter --data-dir` reports it. */
export function jupyterDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JUPYTER_DATA_DIR) return resolve(env.JUPYTER_DATA_DIR);
  if (process.platform === "darwin") return join(homedir(), "Library", "Jupyter");
  if (process.platform === "win32") return join(env.APPDATA ?? join(homedir(), "AppData", "Roaming"), "jupyter");
  return join(env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "jupyter");
}

/** Writes kernels/tslab/kernel.json under `dataDir` and returns the kernel's folder. */
export function installKernelSpec(dataDir = jupyterDataDir(), tslab = defaultTslab): string {
  const dir = join(dataDir, "kernels", kernelName);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(kernelJson(tslab), null, 2) + "\n");
  return dir;
}

/**
 * How to open the notebooks afterwards. Debian 12's python3 refuses `pip install` (PEP 668) and ships no
 * JupyterLab, so the hint installs it with pipx; README.md "In JupyterLab" gives a venv and Debian's
 * classic notebook as alternatives.
 */
const openHint =
  'Then open the notebooks with JupyterLab and pick the kernel "TypeScript (batchprop)" if it asks, e.g.\n' +
  "  pipx install jupyterlab && npm run lab     (Debian: apt-get install pipx first)\n" +
  'A venv or Debian\'s jupyter-notebook package work too: see README.md, "In JupyterLab".';

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const program = new Command("npm run kernel --")
    .description(
      `Register this checkout's tslab as the Jupyter kernel "${kernelName}" for the current user.\n` +
        "Writes kernels/tslab/kernel.json into Jupyter's data folder ($JUPYTER_DATA_DIR, else\n" +
        "~/.local/share/jupyter); the kernel runs this checkout's node_modules/tslab with this node.",
    )
    .option("--data-dir <dir>", "Jupyter data folder to write into (default: $JUPYTER_DATA_DIR or the per-user one)")
    .option("--print", "print kernel.json instead of writing it")
    .addHelpText(
      "after",
      `\n${openHint}`,
    )
    .parse();
  const options = program.opts<{ dataDir?: string; print?: boolean }>();
  if (options.print) {
    console.log(JSON.stringify(kernelJson(), null, 2));
  } else {
    const dir = installKernelSpec(options.dataDir ? resolve(options.dataDir) : jupyterDataDir());
    console.log(`installed kernel "${kernelName}" (TypeScript (batchprop)) in ${dir}`);
    console.log(`it runs: ${kernelJson().argv.join(" ")}`);
    console.log(openHint);
  }
}
