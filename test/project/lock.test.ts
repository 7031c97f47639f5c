import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * The set-up installs with `npm ci`, which takes package-lock.json as the truth. These checks catch,
 * offline and before any install, a lock that would fail a user: one out of step with package.json,
 * or one that lacks the other platforms' builds of a package with per-platform optional builds.
 */
const read = (file: string) => JSON.parse(readFileSync(file, "utf8"));
const manifest = read("package.json");
const libManifest = read("lib/package.json");
const lock = read("package-lock.json");
const locked = lock.packages as Record<string, { version?: string; os?: string[]; dependencies?: object; devDependencies?: object }>;

describe("package-lock.json", () => {
  it("records package.json's and lib/package.json's dependencies as written", () => {
    expect(locked[""].devDependencies).toEqual(manifest.devDependencies);
    expect(locked.lib.dependencies).toEqual(libManifest.dependencies);
  });

  it("pins each direct dependency to the exact version package.json names", () => {
    const direct = { ...manifest.devDependencies, ...libManifest.dependencies } as Record<string, string>;
    for (const [name, version] of Object.entries(direct)) {
      expect(locked[`node_modules/${name}`]?.version, name).toBe(version);
    }
  });

  it("lists every platform's optional build of rollup, not only this machine's", () => {
    const rollupBuilds = Object.keys(locked).filter((path) => path.startsWith("node_modules/@rollup/rollup-"));
    const systems = new Set(rollupBuilds.flatMap((path) => locked[path].os ?? []));
    expect(rollupBuilds.length).toBeGreaterThan(10);
    for (const os of ["linux", "darwin", "win32"]) expect(systems, os).toContain(os);
  });
});
