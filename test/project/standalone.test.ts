import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * The repository stands alone: what it cites is in it. The source material's claims live in
 * CLAIMS.md, the architecture in the README; nothing may point to notes kept beside a checkout,
 * which a clone does not have. And every "claim N" the code, notebooks and docs cite is one of
 * CLAIMS.md's, each entry naming notebook sections that exist and one verdict.
 */
const tracked = execFileSync("git", ["ls-files", "-z"], { encoding: "utf8" })
  .split("\0")
  .filter((file) => file !== "" && existsSync(file));
const texts = tracked
  .map((file) => ({ file, text: readFileSync(file, "utf8") }))
  .filter(({ text }) => !text.includes("\0"));

const claims = readFileSync("CLAIMS.md", "utf8");
const entries = claims.split(/^(?=## \d+\. )/m).slice(1);
const numbers = entries.map((entry) => Number(/^## (\d+)\. /.exec(entry)?.[1]));

/** The numbers a text cites: "claim 3", "claims 4–6" (each of 4, 5, 6), "claims 8, 9". */
function citedClaims(text: string): number[] {
  const cited: number[] = [];
  for (const match of text.matchAll(/\bclaims? (\d+(?:(?:–|-|, | and )\d+)*)/gi)) {
    for (const part of match[1].split(/, | and /)) {
      const [from, to = from] = part.split(/–|-/).map(Number);
      for (let n = from; n <= to; n++) cited.push(n);
    }
  }
  return cited;
}

/** The headings of a notebook's markdown cells, without their #s. */
function notebookHeadings(file: string): string[] {
  const nb = JSON.parse(readFileSync(file, "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
  return nb.cells
    .filter((cell) => cell.cell_type === "markdown")
    .flatMap((cell) => (Array.isArray(cell.source) ? cell.source.join("") : cell.source).split("\n"))
    .flatMap((line) => /^#+ (.+)$/.exec(line)?.[1] ?? []);
}

describe("the repository stands alone", () => {
  it("reads the tracked files", () => {
    expect(texts.map(({ file }) => file)).toEqual(expect.arrayContaining(["CLAIMS.md", "README.md"]));
  });

  it("no tracked file points to notes outside it", () => {
    const outside = /SEEDS\.md|DESIGN\.md|\.\.\/shared/;
    const mentions = texts.flatMap(({ file, text }) =>
      text.split("\n").flatMap((line, i) => (outside.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(mentions).toEqual([]);
  });

  it("CLAIMS.md numbers its claims 1, 2, 3, … in order", () => {
    expect(numbers.length).toBeGreaterThan(0);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });

  it("every claim a tracked file cites is in CLAIMS.md", () => {
    const known = new Set(numbers);
    const unknown = texts.flatMap(({ file, text }) =>
      citedClaims(text)
        .filter((n) => !known.has(n))
        .map((n) => `${file}: claim ${n}`),
    );
    expect(unknown).toEqual([]);
  });

  it("reads claim numbers as the texts write them", () => {
    expect(citedClaims("SGD (claim 9), claims 4–6 and claims 8, 9; Claim 11, the experiments")).toEqual([9, 4, 5, 6, 8, 9, 11]);
  });

  it.each(entries.map((entry) => [Number(/^## (\d+)\./.exec(entry)?.[1]), entry]))(
    "claim %i names notebook sections that exist, and one verdict",
    (_, entry) => {
      const checkedIn = /^- \*\*Checked in\*\* (.+)$/m.exec(entry as string)?.[1];
      expect(checkedIn, "a '- **Checked in**' line").toBeDefined();
      const notebooks = [...(checkedIn ?? "").matchAll(/\]\((notebooks\/[^)]+\.ipynb)\)([^[]*)/g)];
      expect(notebooks.length, "a link to a notebook").toBeGreaterThan(0);
      for (const [, file, after] of notebooks) {
        expect(tracked, file).toContain(file);
        const sections = [...after.matchAll(/“([^”]+)”/g)].map((match) => match[1]);
        expect(sections.length, `${file}: a section named in “…”`).toBeGreaterThan(0);
        expect(notebookHeadings(file)).toEqual(expect.arrayContaining(sections));
      }
      const verdicts = [...(entry as string).matchAll(/^- \*\*Verdict: (.+?)\.\*\*/gm)].map((match) => match[1]);
      expect(verdicts).toHaveLength(1);
      expect(["holds", "erratum, corrected", "loose, made precise"]).toContain(verdicts[0]);
    },
  );
});
