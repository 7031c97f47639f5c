/** `npm start`'s own option, checked before anything is built or served. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");

it.each([
  ["0x10", 'start: --port: port "0x10" is not a plain decimal integer'],
  ["1e3", 'start: --port: port "1e3" is not a plain decimal integer'],
  ["70000", "start: --port must be from 0 to 65535, got 70000"],
])("--port %s exits 2 before building anything", (port, message) => {
  const start = spawnSync(process.execPath, ["--import", "tsx", "tools/site/start.ts", "--no-build", "--port", port], { cwd: root, encoding: "utf8", timeout: 30_000 });
  expect(start.stderr).toBe(`${message}\n`);
  expect(start.status).toBe(2);
});
