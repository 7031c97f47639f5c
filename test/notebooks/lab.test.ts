import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root, run, tempDir, tsx } from "./spawn.ts";

/**
 * `npm run lab` as a user runs it, with a stand-in jupyter-lab in the folder pipx installs into
 * (~/.local/bin, not on PATH) that records what it was started with. JupyterLab itself is not
 * installed in CI (see README.md, "In JupyterLab"); the stand-in checks everything the launcher decides.
 */
const lab = join(root, "tools", "notebooks", "lab.ts");

function fakeHome(withJupyterLab: boolean): { home: string; record: string } {
  const home = tempDir("lab");
  const record = join(home, "started.json");
  if (withJupyterLab) {
    const bin = join(home, ".local", "bin");
    mkdirSync(bin, { recursive: true });
    const script = join(bin, "jupyter-lab");
    // A node script, so the test needs nothing but node: it writes its arguments and environment.
    writeFileSync(
      script,
      `#!${process.execPath}\nrequire("node:fs").writeFileSync(${JSON.stringify(record)}, JSON.stringify({ args: process.argv.slice(2), configPath: process.env.JUPYTER_CONFIG_PATH, cwd: process.cwd() }));\n`,
      { flag: "w" },
    );
    chmodSync(script, 0o755);
  }
  return { home, record };
}

const env = (home: string) => ({ PATH: "/usr/bin:/bin", HOME: home, JUPYTER_DATA_DIR: join(home, "jupyter-data") });

describe("npm run lab", () => {
  it("registers the kernel and starts pipx's jupyter-lab on notebooks/, debugger off, --allow-root as root", async () => {
    const { home, record } = fakeHome(true);
    const result = await run(tsx, [lab, "--no-browser", "--port", "8899"], { timeoutMs: 60_000, env: env(home) });
    expect(result.code, result.stderr).toBe(0);
    const started = JSON.parse(readFileSync(record, "utf8")) as { args: string[]; configPath: string };
    expect(started.args).toContain(`--ServerApp.root_dir=${join(root, "notebooks")}`);
    expect(started.args.slice(-3)).toEqual(["--no-browser", "--port", "8899"]);
    expect(started.args.includes("--allow-root")).toBe(process.getuid?.() === 0);
    const pageConfig = JSON.parse(readFileSync(join(started.configPath.split(":")[0], "labconfig", "page_config.json"), "utf8"));
    expect(pageConfig.disabledExtensions["@jupyterlab/debugger-extension"]).toBe(true);
    expect(existsSync(join(home, "jupyter-data", "kernels", "tslab", "kernel.json"))).toBe(true);
  });

  it("exits 2 with the install command when no jupyter-lab is found", async () => {
    const { home } = fakeHome(false);
    const result = await run(tsx, [lab], { timeoutMs: 60_000, env: env(home) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("pipx install jupyterlab");
    expect(existsSync(join(home, "jupyter-data"))).toBe(false);
  });
});
