import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import * as api from "../lib/index.ts";

/** Packages the core may import: they run in a browser as they are. */
const browserPackages = new Set(["@observablehq/plot", "zod"]);
const nodeBuiltins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** Every module specifier a TypeScript file imports or re-exports (type-only imports excluded: they vanish at build). */
function specifiers(file: string): string[] {
  const source = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const match of source.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^;]*?\sfrom\s+"([^"]+)"/gm)) {
    if (match[1] === undefined) found.push(match[2]);
  }
  for (const match of source.matchAll(/^\s*import\s+"([^"]+)"/gm)) found.push(match[1]);
  return found;
}

/** The modules reachable from `entry` through relative imports, and the bare specifiers they use. */
function importGraph(entry: string): { files: Set<string>; external: Map<string, string> } {
  const files = new Set<string>();
  const external = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of specifiers(file)) {
      if (spec.startsWith(".")) visit(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
      else external.set(spec, file);
    }
  };
  visit(resolve(import.meta.dirname, "../lib/core.ts"));
  return { files, external };
}

describe("batchprop/core runs in a browser (README.md, Layout and architecture: the core imports nothing from Node)", () => {
  const { files, external } = importGraph("lib/core.ts");

  it("reaches the whole core", () => {
    // A broken walk would make the next test pass on nothing.
    expect(files.size, [...files].join(", ")).toBeGreaterThan(25);
  });

  it("imports no Node builtin and no package but the browser-safe ones", () => {
    const offending = [...external].filter(([spec]) => nodeBuiltins.has(spec) || !browserPackages.has(spec));
    expect(offending.map(([spec, file]) => `${spec} (from ${file.replace(/^.*\/lib\//, "lib/")})`)).toEqual([]);
  });

  it("would notice a Node import: the index, which reads files, does import them", () => {
    const index = specifiers(resolve(import.meta.dirname, "../lib/index.ts"));
    const reachable = index.filter((spec) => spec.startsWith(".")).flatMap((spec) => specifiers(resolve(import.meta.dirname, "../lib", spec.replace(/\.js$/, ".ts"))));
    expect(reachable.some((spec) => nodeBuiltins.has(spec))).toBe(true);
  });
});

describe("the public API", () => {
  it("leaves out what only the library itself uses", () => {
    const internal = ["finalMetrics", "seedList", "checkBudget", "defaultData", "defaultSeeds", "fewBatchSizes", "batchSizeRows", "workerUrl"];
    expect(internal.filter((name) => name in api)).toEqual([]);
  });
});
