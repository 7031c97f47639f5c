/**
 * The notebook bundle: one download, docs/public/batchprop-notebooks.tgz, whose notebooks run
 * outside a checkout (the library is not published on npm, so a lone notebook stops at its first
 * `import … from "batchprop"`). It holds one folder:
 *
 *   batchprop-notebooks/
 *     README.md                 the three commands
 *     package.json              the library from the tarball beside it, tslab, and `npm run lab`
 *     batchprop-<version>.tgz   `npm pack -w lib`: lib/dist (the WebAssembly kernels embedded) and bin
 *     jupyter/                  the kernel "tslab" and the project's JupyterLab settings, found
 *                               through JUPYTER_PATH and JUPYTER_CONFIG_PATH, so nothing of the
 *                               reader's Jupyter is changed
 *     notebooks/*.ipynb         the executed notebooks
 *     results/*.jsonl           the embedded experiment sets' results: default.jsonl, which
 *                               notebooks 09-10 read, and noise-scale.jsonl, which 11 reads
 *
 * The notebooks are the executed copies: opened in JupyterLab they show every check's verdict and
 * every chart at once, as the site does, before anything is installed; running them again
 * replaces those outputs with the reader's own. loadExperimentSet() reads ../results/NAME.jsonl
 * from the kernel's folder, the notebook's, so the results files sit where they sit in the
 * repository and the notebooks run unchanged.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { experimentSetNames } from "../../lib/experiments/sets.ts";
import { kernelJson, kernelName, repoRoot } from "../notebooks/kernelspec.ts";
import { labConfigDir } from "../notebooks/lab.ts";

/**
 * The download's file name, under the site's root: a gzipped tar named .tgz, since servers that
 * take a .gz suffix for Content-Encoding: gzip (sirv, behind tools/site/serve.ts) would have the
 * browser inflate it in transit.
 */
export const BUNDLE_FILE = "batchprop-notebooks.tgz";
/** The one folder it unpacks to. */
export const BUNDLE_DIR = "batchprop-notebooks";

/** The project's JupyterLab settings (the debugger extension off: tslab has none), as `npm run lab` uses them. */
const labConfig = path.join(labConfigDir, "labconfig");

export interface BundleOptions {
  /** The notebooks to ship, executed. */
  notebooks: readonly string[];
  /** The folder of the embedded sets' results files (results/): each set's NAME.jsonl is shipped as results/NAME.jsonl. */
  resultsDir: string;
  /** The gzipped tar to write. */
  outFile: string;
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
}

/** tslab at the version the project pins, so the bundle runs the kernel the notebooks were checked with. */
function tslabVersion(): string {
  const version = (readJson(path.join(repoRoot, "package.json")).devDependencies as Record<string, string> | undefined)?.tslab;
  if (version === undefined) throw new Error("package.json pins no tslab in devDependencies");
  return version;
}

/** `npm pack -w lib` into `dir`; returns the tarball's file name. */
function packLibrary(dir: string): string {
  if (!fs.existsSync(path.join(repoRoot, "lib", "dist", "index.js"))) {
    throw new Error(`the library is not built (no lib/dist/index.js): run \`npm run build:lib\` in ${repoRoot}`);
  }
  const output = execFileSync("npm", ["pack", "-w", "lib", "--json", "--loglevel=warn", "--pack-destination", dir], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const [packed] = JSON.parse(output) as { filename: string }[];
  return packed.filename;
}

function packageJson(tarball: string): string {
  const manifest = {
    name: BUNDLE_DIR,
    private: true,
    description: "The batchprop notebooks with the library they import",
    scripts: {
      // JupyterLab finds the kernel and the settings in jupyter/ for this launch only.
      lab: 'JUPYTER_PATH="$PWD/jupyter" JUPYTER_CONFIG_PATH="$PWD/jupyter" jupyter lab notebooks',
    },
    dependencies: { batchprop: `file:./${tarball}`, tslab: tslabVersion() },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * The project's kernelspec (tools/notebooks/kernelspec.ts), started by the node on PATH and with
 * this folder's tslab: Jupyter puts the kernelspec's own folder in {resource_dir}.
 */
function bundleKernelJson(): string {
  const tslab = ["{resource_dir}", "..", "..", "..", "node_modules", "tslab", "bin", "tslab"].join("/");
  const spec = { ...kernelJson(), argv: ["node", tslab, "kernel", "--config-path", "{connection_file}"] };
  return `${JSON.stringify(spec, null, 2)}\n`;
}

function readme(tarball: string, notebooks: readonly string[]): string {
  return `# The batchprop notebooks

${notebooks.length} TypeScript notebooks that derive vectorized mini-batch backpropagation and check
each step numerically, executed: open one to read its outputs, or run it again. They import the
library \`batchprop\`, which is not on npm: it is packed beside them, in \`${tarball}\`.

Needs Node 20.19 or later and JupyterLab. In this folder:

\`\`\`sh
pipx install jupyterlab   # JupyterLab, if you have none (Debian: sudo apt-get install -y pipx first)
npm install               # the library from ${tarball}, and the tslab kernel
npm run lab               # JupyterLab on notebooks/, with the kernel "TypeScript (batchprop)"
\`\`\`

\`npm run lab\` finds the kernel in \`jupyter/\` through \`JUPYTER_PATH\`, for that launch only:
nothing is registered with your Jupyter. Arguments after \`--\` go to JupyterLab
(\`npm run lab -- --allow-root\` as root). Notebooks 09 and 10 read the default experiments'
results from \`results/default.jsonl\`, notebook 11 the noise-scale set's from \`results/noise-scale.jsonl\`.
`;
}

/** Writes the bundle to `options.outFile` (through a staging folder, removed afterwards). */
export function buildBundle(options: BundleOptions): void {
  const resultsFiles = experimentSetNames.map((name) => path.join(options.resultsDir, `${name}.jsonl`));
  const missing = experimentSetNames.filter((_, i) => !fs.existsSync(resultsFiles[i]));
  if (missing.length > 0) {
    throw new Error(`no ${missing.map((name) => path.join(options.resultsDir, `${name}.jsonl`)).join(" or ")} to bundle: run ${missing.map((name) => `\`npm run experiment -- --set ${name}\``).join(" and ")} first`);
  }
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "batchprop-bundle-"));
  try {
    const dir = path.join(stage, BUNDLE_DIR);
    for (const sub of ["notebooks", "results", path.join("jupyter", "kernels", kernelName)]) {
      fs.mkdirSync(path.join(dir, sub), { recursive: true });
    }
    for (const notebook of options.notebooks) fs.copyFileSync(notebook, path.join(dir, "notebooks", path.basename(notebook)));
    for (const file of resultsFiles) fs.copyFileSync(file, path.join(dir, "results", path.basename(file)));
    fs.cpSync(labConfig, path.join(dir, "jupyter", "labconfig"), { recursive: true });
    fs.writeFileSync(path.join(dir, "jupyter", "kernels", kernelName, "kernel.json"), bundleKernelJson());
    const tarball = packLibrary(dir);
    fs.writeFileSync(path.join(dir, "package.json"), packageJson(tarball));
    fs.writeFileSync(path.join(dir, "README.md"), readme(tarball, options.notebooks));
    fs.mkdirSync(path.dirname(options.outFile), { recursive: true });
    execFileSync("tar", ["-czf", path.resolve(options.outFile), "-C", stage, BUNDLE_DIR]);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
