/**
 * `npm run build`'s own options (tools/site/build.ts), checked before any step runs: --help, and a
 * message with exit 2 for anything but --outDir. Before, every argument went to VitePress at step 6,
 * so `--help` or a typo first rebuilt the kernels, the library, the experiments and the notebooks.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const build = (args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "tools/site/build.ts", ...args], { cwd: root, encoding: "utf8", timeout: 30_000 });

it("--help prints the usage and its one option, and builds nothing", () => {
  const help = build(["--help"]);
  expect(help.stdout).toMatch(/^Usage: npm run build -- \[options\]/);
  expect(help.stdout).toContain("--outDir <dir>");
  expect(help.stdout).not.toContain("build [1/6]");
  expect(help.status).toBe(0);
});

it.each([
  [["--bogus"], "error: unknown option '--bogus'"],
  [["--base", "/x/"], "error: unknown option '--base'"],
  [["--outDir"], "error: option '--outDir <dir>' argument missing"],
  [["--outDir", ""], "error: option '--outDir <dir>' argument '' is invalid. expected a folder, got an empty string"],
  [["docs"], "error: too many arguments. Expected 0 arguments but got 1."],
])("%j exits 2 with a message before any step runs", (args, message) => {
  const result = build(args);
  expect(result.stderr).toBe(`${message}\n(run with --help for every option)\n`);
  expect(result.stdout).toBe("");
  expect(result.status).toBe(2);
});
