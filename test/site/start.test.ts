/** `npm start`'s own options, checked before anything is built or served: a message and exit 2, or --help. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");

it.each([
  ["0x10", 'start: --port: port "0x10" is not a plain decimal integer (digits only, no sign)'],
  ["1e3", 'start: --port: port "1e3" is not a plain decimal integer (digits only, no sign)'],
  ["70000", "start: --port must be from 0 to 65535, got 70000"],
])("--port %s exits 2 before building anything", (port, message) => {
  const start = spawnSync(process.execPath, ["--import", "tsx", "tools/site/start.ts", "--no-build", "--port", port], { cwd: root, encoding: "utf8", timeout: 30_000 });
  expect(start.stderr).toBe(`${message}\n`);
  expect(start.status).toBe(2);
});

it.each([
  [["--bogus"], "error: unknown option '--bogus'\n(run with --help for every option)\n"],
  [["--port"], "error: option '--port <n>' argument missing\n(run with --help for every option)\n"],
  [["--port", "--no-build"], 'start: --port: port "--no-build" is not a plain decimal integer (digits only, no sign)\n'],
  [["serve"], "error: too many arguments. Expected 0 arguments but got 1.\n(run with --help for every option)\n"],
])("%j exits 2 with a message, no stack trace, before building anything", (args, message) => {
  const start = spawnSync(process.execPath, ["--import", "tsx", "tools/site/start.ts", ...args], { cwd: root, encoding: "utf8", timeout: 30_000 });
  expect(start.stderr).toBe(message);
  expect(start.stdout).toBe("");
  expect(start.status).toBe(2);
});

it("--help says what it does and its options, and exits 0 without building", () => {
  const start = spawnSync(process.execPath, ["--import", "tsx", "tools/site/start.ts", "--help"], { cwd: root, encoding: "utf8", timeout: 30_000 });
  expect(start.stdout).toMatch(/^Usage: npm start -- \[options\]/);
  for (const option of ["--port <n>", "--no-build", "PORT"]) expect(start.stdout).toContain(option);
  expect(start.stdout).not.toContain("build [1/");
  expect(start.status).toBe(0);
});
