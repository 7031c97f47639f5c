/**
 * The notebook bundle (tools/site/bundle.ts) works outside a checkout: built, unpacked in an empty
 * folder under the system's temporary folder, installed there with npm as its README says, and two
 * notebooks run there by Jupyter's own client on the bundle's own kernel (JUPYTER_PATH, as `npm run
 * lab` sets it): 01, and 09, which reads the bundled results/default.jsonl (noise-scale.jsonl, for 11, is shipped beside it). In the notebooks
 * project: it starts kernels, and its global setup makes both results files.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_DIR, buildBundle } from "../../tools/site/bundle.ts";
import { joinSource, type Notebook } from "../../tools/notebooks/notebook.ts";
import { debianPython, root, run, tempDir } from "../notebooks/spawn.ts";

const notebooks = ["01-forward-pass", "09-batch-size"];
const installMs = 5 * 60_000;
const notebookMs = 10 * 60_000;

let outside: string;
let bundle: string;

/**
 * Executes a notebook as JupyterLab would: nbclient, the kernel its metadata names, found through
 * `jupyterPath`, started in the notebook's folder. Resolves to the executed notebook; if a cell
 * fails, rejects with what the cells wrote to stderr (where tslab reports errors) and nbclient's message.
 */
async function executeInJupyter(notebook: string, jupyterPath: string): Promise<Notebook> {
  const script = [
    "import os, sys, nbformat",
    "from nbclient import NotebookClient",
    "nb = nbformat.read(sys.argv[1], as_version=4)",
    "try:",
    "    NotebookClient(nb, timeout=300, startup_timeout=120, resources={'metadata': {'path': os.path.dirname(sys.argv[1])}}).execute()",
    "finally:",
    "    nbformat.write(nb, sys.stdout)",
  ].join("\n");
  // SIGINT on a timeout: nbclient shuts its kernel down on KeyboardInterrupt.
  const result = await run(debianPython, ["-c", script, notebook], { timeoutMs: notebookMs - 30_000, env: { ...process.env, JUPYTER_PATH: jupyterPath }, killSignal: "SIGINT" });
  if (result.stdout === "") throw new Error(`${notebook}: nbclient wrote no notebook (exit ${result.code}):\n${result.stderr}`);
  const executed = JSON.parse(result.stdout) as Notebook;
  if (result.code === 0) return executed;
  const stderr = executed.cells.flatMap((cell) =>
    cell.cell_type === "code" ? cell.outputs.flatMap((output) => (output.output_type === "stream" && output.name === "stderr" ? [joinSource(output.text)] : [])) : [],
  );
  throw new Error(`${notebook} failed under nbclient (exit ${result.code}):\n${stderr.join("")}\n${result.stderr}`);
}

beforeAll(() => {
  outside = tempDir("bundle");
  const archive = path.join(outside, "bundle.tar.gz");
  buildBundle({
    notebooks: notebooks.map((name) => path.join(root, "notebooks", `${name}.ipynb`)),
    resultsDir: path.join(root, "results"),
    outFile: archive,
  });
  execFileSync("tar", ["-xzf", archive, "-C", outside]);
  bundle = path.join(outside, BUNDLE_DIR);
  // From npm's cache where it can: the tarball is beside it and tslab is one the checkout installed.
  execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: bundle, stdio: "pipe", timeout: installMs });
}, installMs + 60_000);

afterAll(() => {
  fs.rmSync(outside, { recursive: true, force: true });
});

describe("the notebook bundle, unpacked outside the checkout", () => {
  it("holds the notebooks, the results, the packed library and a README with the commands", () => {
    const files = fs.readdirSync(bundle).sort();
    const version = (JSON.parse(fs.readFileSync(path.join(root, "lib", "package.json"), "utf8")) as { version: string }).version;
    expect(files).toEqual(expect.arrayContaining([`batchprop-${version}.tgz`, "README.md", "jupyter", "notebooks", "package.json", "results"]));
    expect(fs.readdirSync(path.join(bundle, "notebooks")).sort()).toEqual(notebooks.map((name) => `${name}.ipynb`));
    for (const file of ["default.jsonl", "noise-scale.jsonl"]) {
      expect(fs.readFileSync(path.join(bundle, "results", file))).toEqual(fs.readFileSync(path.join(root, "results", file)));
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(bundle, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const pinned = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies.tslab;
    expect(manifest.dependencies).toEqual({ batchprop: `file:./batchprop-${version}.tgz`, tslab: pinned });
    const readme = fs.readFileSync(path.join(bundle, "README.md"), "utf8");
    for (const command of ["pipx install jupyterlab", "npm install", "npm run lab"]) expect(readme).toContain(command);
  });

  it("installs the library from its tarball, not from the checkout", () => {
    const installed = fs.realpathSync(path.join(bundle, "node_modules", "batchprop"));
    expect(installed.startsWith(bundle), installed).toBe(true);
    expect(fs.existsSync(path.join(installed, "dist", "index.js"))).toBe(true);
    expect(fs.existsSync(path.join(installed, "bin", "batchprop.js"))).toBe(true);
  });

  it("gives Jupyter its own kernel through JUPYTER_PATH, ahead of any registered tslab", () => {
    const listed = execFileSync(debianPython, ["-m", "jupyter", "kernelspec", "list", "--json"], {
      encoding: "utf8",
      env: { ...process.env, JUPYTER_PATH: path.join(bundle, "jupyter") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const specs = (JSON.parse(listed) as { kernelspecs: Record<string, { resource_dir: string; spec: { argv: string[] } }> }).kernelspecs;
    expect(specs.tslab.resource_dir).toBe(path.join(bundle, "jupyter", "kernels", "tslab"));
    // The kernel script it names, resolved as Jupyter resolves {resource_dir}, is the bundle's tslab.
    const script = path.resolve(specs.tslab.spec.argv[1].replace("{resource_dir}", specs.tslab.resource_dir));
    expect(script).toBe(path.join(bundle, "node_modules", "tslab", "bin", "tslab"));
    expect(fs.existsSync(script)).toBe(true);
  });

  it(
    "is what a notebook needs: downloaded alone, the same notebook stops at its import",
    async () => {
      const alone = path.join(outside, "alone");
      fs.mkdirSync(alone);
      fs.copyFileSync(path.join(bundle, "notebooks", `${notebooks[0]}.ipynb`), path.join(alone, `${notebooks[0]}.ipynb`));
      await expect(executeInJupyter(path.join(alone, `${notebooks[0]}.ipynb`), path.join(bundle, "jupyter"))).rejects.toThrow(/Cannot find module 'batchprop'/);
    },
    notebookMs,
  );

  it.each(notebooks)(
    "runs %s through the bundle's tslab kernel, printing its checks",
    async (name) => {
      const executed = await executeInJupyter(path.join(bundle, "notebooks", `${name}.ipynb`), path.join(bundle, "jupyter"));
      const code = executed.cells.filter((cell) => cell.cell_type === "code");
      expect(code.length).toBeGreaterThan(0);
      const printed: string[] = [];
      for (const [index, cell] of code.entries()) {
        if (cell.cell_type !== "code") continue;
        expect({ cell: index + 1, executed: cell.execution_count !== null }).toEqual({ cell: index + 1, executed: true });
        for (const output of cell.outputs) {
          expect(output.output_type, `${name}: code cell ${index + 1}`).not.toBe("error");
          if (output.output_type === "stream") {
            expect(output.name, `${name}: code cell ${index + 1} wrote to stderr: ${joinSource(output.text)}`).toBe("stdout");
            printed.push(joinSource(output.text));
          }
        }
      }
      // A check() or checkClose() that holds prints a line starting with ✓ (lib/check/check.ts).
      expect(printed.join("").match(/^✓ /gm)?.length ?? 0, `${name}: printed checks`).toBeGreaterThan(0);
    },
    notebookMs,
  );
});
