// The notebook-to-page renderer, checked against the tools that consume its output: VitePress's own
// markdown renderer (with markdown-it-mathjax3) and Vue's template compiler.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createMarkdownRenderer, type MarkdownRenderer } from "vitepress";
import { compileTemplate } from "vue/compiler-sfc";
import { beforeAll, describe, expect, it } from "vitest";
import { type Notebook, notebookTitle, parseNotebook } from "../../tools/notebooks/notebook.ts";
import { generatePages, notebookOrder } from "../../tools/site/pages.ts";
import {
  escapeHtml,
  isolateDisplayMath,
  renderCodeCell,
  renderMarkdownCell,
  renderNotebook,
  renderText,
  scriptSafeJson,
} from "../../tools/site/render.ts";
import { countDisplayMath } from "./math.ts";

const FIXTURES = path.resolve("test/fixtures/site");

let md: MarkdownRenderer;
beforeAll(async () => {
  md = await createMarkdownRenderer(os.tmpdir(), { math: true }, "/");
});

/** What VitePress hands to Vue for a page: the rendered template, and the page's <script setup>. */
function toVue(page: string): { template: string; script: string } {
  const env: { sfcBlocks?: { scriptSetup: { content: string } | null } } = {};
  const template = md.render(page, env);
  return { template, script: env.sfcBlocks?.scriptSetup?.content ?? "" };
}

/** Compiles a template as Vue does for a page; throws on any template error. */
function compile(template: string): string {
  const result = compileTemplate({
    source: template,
    filename: "page.md",
    id: "page",
    compilerOptions: { isCustomElement: (tag) => tag.startsWith("mjx-") },
  });
  if (result.errors.length > 0) throw new Error(result.errors.map(String).join("\n"));
  return result.code;
}

/**
 * Runs `body` with the fixtures copied to a temporary sources folder and a temporary docs folder
 * (both removed afterwards); `generate` sets the second notebook's metadata.site and generates the pages.
 */
function withSecondNotebookSite(body: (generate: (site: unknown) => ReturnType<typeof generatePages>, docs: string) => void): void {
  const docs = fs.mkdtempSync(path.join(os.tmpdir(), "batchprop-site-"));
  const sources = fs.mkdtempSync(path.join(os.tmpdir(), "batchprop-sources-"));
  try {
    for (const file of fs.readdirSync(FIXTURES)) fs.copyFileSync(path.join(FIXTURES, file), path.join(sources, file));
    const second = path.join(sources, "02-vectorized-equals-summed.ipynb");
    const nb = JSON.parse(fs.readFileSync(second, "utf8"));
    body((site) => {
      nb.metadata.site = site;
      fs.writeFileSync(second, JSON.stringify(nb));
      return generatePages({ executedDir: FIXTURES, sourcesDir: sources, docsDir: docs });
    }, docs);
  } finally {
    fs.rmSync(docs, { recursive: true, force: true });
    fs.rmSync(sources, { recursive: true, force: true });
  }
}

function notebook(cells: Notebook["cells"]): Notebook {
  return { nbformat: 4, nbformat_minor: 5, metadata: {}, cells };
}

describe("markdown cells", () => {
  const source = [
    "# Vectorized",
    "",
    "With $\\delta \\in \\mathbb{R}^{K \\times m}$ and a_i, b_j:",
    "",
    "$$",
    "\\Delta W_{ij} = \\sum_{k=1}^{K} \\delta_{ki}\\, a_{kj}",
    "$$",
    "and",
    "$$\\Delta W = \\delta^\\top a$$",
  ].join("\n");

  it("pass the math through to the page untouched", () => {
    expect(renderMarkdownCell(source)).toContain(source);
  });

  it("have every display formula typeset by markdown-it-mathjax3", () => {
    const html = md.render(renderMarkdownCell(source), {});
    const display = html.match(/<mjx-container[^>]*display="true"/g) ?? [];
    expect(display).toHaveLength(countDisplayMath(source));
    expect(display).toHaveLength(2);
    expect(html).not.toContain("$$");
    expect(html).not.toContain("\\delta");
  });

  it("would be interpolated by Vue without the v-pre (the check below can fail)", () => {
    expect(compile(toVue("Batch size {{ batchSize }}.").template)).toContain("toDisplayString");
  });

  it("typeset $$…$$ inside a paragraph too, as Jupyter does, with the TeX unchanged", () => {
    const jupyter = "The gradient $$\\Delta W = \\delta^\\top a$$ is one product, $$x$$ and\nthen $$\ny\n$$ more.";
    const isolated = isolateDisplayMath(jupyter);
    for (const tex of ["$$\\Delta W = \\delta^\\top a$$", "$$x$$", "$$\ny\n$$"]) expect(isolated).toContain(tex);
    expect(isolated.replace(/\s+/g, " ")).toBe(jupyter.replace(/\s+/g, " "));
    const html = md.render(renderMarkdownCell(jupyter), {});
    expect(html.match(/<mjx-container[^>]*display="true"/g) ?? []).toHaveLength(3);
    expect(html).not.toContain("$$");
  });

  it("leave $$ in code, escaped $$ and line-start formulas alone", () => {
    const untouched = [
      "`a $$b$$ c` and \\$$ not math",
      "```ts\nconst s = \"x $$y$$ z\";\n```",
      "- item\n\n  $$\n  z\n  $$",
      "$$\nw\n$$",
    ];
    for (const markdown of untouched) expect(isolateDisplayMath(markdown)).toBe(markdown);
  });

  it("keep {{ in prose and inline code away from Vue", () => {
    const code = compile(toVue(renderMarkdownCell("Batch size {{ batchSize }} and `{{ code }}`.")).template);
    expect(code).not.toContain("toDisplayString");
    expect(code).toContain("{{ batchSize }}");
  });
});

describe("code cells", () => {
  it("are ts blocks whose fence outlasts the backticks in the code", () => {
    expect(renderCodeCell("const a = 1;\n")).toBe("```ts\nconst a = 1;\n```");
    const block = renderCodeCell("const s = `a ```` b`;");
    expect(block.startsWith("`````ts\n")).toBe(true);
    expect(block.endsWith("\n`````")).toBe(true);
  });
});

describe("text outputs", () => {
  it("escape HTML and drop ANSI colour codes", () => {
    expect(escapeHtml(`<b class="x">&</b>`)).toBe("&lt;b class=&quot;x&quot;&gt;&amp;&lt;/b&gt;");
    expect(renderText("\u001b[31mError\u001b[39m: a < b\n\n", "error")).toBe(
      '<pre class="nb-output nb-error" v-pre>Error: a &lt; b</pre>',
    );
  });

  it("show in the browser exactly the text the notebook printed", () => {
    const printed = "<b>not bold</b> & {{ not Vue }}";
    const { template } = toVue(renderText(printed, "stdout"));
    const code = compile(template);
    expect(code).not.toContain("toDisplayString");
    expect(template).not.toContain("<b>");
    expect(template).toContain("&lt;b&gt;not bold&lt;/b&gt; &amp; {{ not Vue }}");
  });
});

describe("rich outputs", () => {
  const svg = '<svg class="plot-1"><style>:where(.plot-1) { display: block; }</style><text>{{ K }} < 3</text></svg>';
  const page = renderNotebook(
    notebook([
      { cell_type: "markdown", source: "# Title", metadata: {} },
      {
        cell_type: "code",
        source: "display.html(svg)",
        metadata: {},
        execution_count: 1,
        outputs: [
          { output_type: "display_data", data: { "text/html": svg, "text/plain": "<svg>" }, metadata: {} },
          { output_type: "display_data", data: { "text/html": ["<table>\n", "<tr><td>{{ a }}</td></tr>\n", "</table>"] }, metadata: {} },
          { output_type: "execute_result", execution_count: 1, data: { "text/plain": "{{ 1 + 1 }}" }, metadata: {} },
          { output_type: "error", ename: "Error", evalue: "boom", traceback: ["Error: boom </script>"] },
        ],
      },
    ]),
    { name: "01-x", title: "Title" },
  );

  it("never enter Vue's template: {{ stays text, <style> is not stripped", () => {
    const { template, script } = toVue(page);
    expect(compile(template)).not.toContain("toDisplayString");
    expect(template).not.toContain("<svg");
    expect(template).not.toContain("<table");
    expect(script).toContain("const nbHtml = ");
  });

  it("reach the page as the exact HTML the notebook produced, in order", () => {
    const { script } = toVue(page);
    const json = /const nbHtml = (.*)/.exec(script)?.[1] ?? "";
    expect(json).not.toMatch(/<\/script/i);
    expect(JSON.parse(json)).toEqual([svg, "<table>\n<tr><td>{{ a }}</td></tr>\n</table>"]);
  });

  it("keep an error's traceback, escaped", () => {
    expect(page).toContain('<pre class="nb-output nb-error" v-pre>Error: boom &lt;/script&gt;</pre>');
  });

  it("fall back to text/plain", () => {
    expect(page).toContain('<pre class="nb-output nb-result" v-pre>{{ 1 + 1 }}</pre>');
  });

  it("make JSON that no HTML parser can end early", () => {
    const literal = scriptSafeJson(["</script><!-- \u2028"]);
    expect(literal).not.toMatch(/[<\u2028]/);
    expect(JSON.parse(literal)).toEqual(["</script><!-- \u2028"]);
  });
});

describe("pages, titles and order", () => {
  it("orders notebooks by number, 2 before 10", () => {
    expect(notebookOrder(["10-b", "02-a", "01-z", "08-speed"])).toEqual(["01-z", "02-a", "08-speed", "10-b"]);
  });

  it("titles a page by its first markdown heading", () => {
    const nb = notebook([
      { cell_type: "code", source: "// # not a heading", outputs: [], metadata: {}, execution_count: null },
      { cell_type: "markdown", source: ["Intro\n", "## The **batch** `forward` pass {#forward}\n", "# Later\n"], metadata: {} },
    ]);
    expect(notebookTitle(nb, "fallback")).toBe("The batch forward pass");
    expect(notebookTitle(notebook([]), "fallback")).toBe("fallback");
  });

  it("rejects files that are not nbformat 4 notebooks, naming them", () => {
    expect(() => parseNotebook("{", "a.ipynb")).toThrow(/a\.ipynb: not a notebook, the file is not valid JSON/);
    expect(() => parseNotebook('{"nbformat": 3, "cells": []}', "b.ipynb")).toThrow(/b\.ipynb: not a valid notebook, expected nbformat 4, found nbformat 3/);
  });

  it("generates one page per notebook, with sidebar, prev/next and downloads", () => {
    const docs = fs.mkdtempSync(path.join(os.tmpdir(), "batchprop-site-"));
    try {
      const pages = generatePages({ executedDir: FIXTURES, sourcesDir: FIXTURES, docsDir: docs });
      expect(pages.map((page) => page.title)).toEqual(["Forward pass, one sample", "Vectorized equals summed"]);
      const sidebar = JSON.parse(fs.readFileSync(path.join(docs, "notebooks", "sidebar.json"), "utf8"));
      expect(sidebar).toEqual(pages);
      const first = fs.readFileSync(path.join(docs, "notebooks", "01-forward-pass.md"), "utf8");
      expect(first).toContain('prev: {"text":"Home","link":"/"}');
      expect(first).toContain('next: {"text":"Vectorized equals summed","link":"/notebooks/02-vectorized-equals-summed"}');
      const last = fs.readFileSync(path.join(docs, "notebooks", "02-vectorized-equals-summed.md"), "utf8");
      expect(last).toContain('next: {"text":"Running it yourself","link":"/running"}');
      expect(fs.readdirSync(path.join(docs, "public", "notebooks")).sort()).toEqual([
        "01-forward-pass.ipynb",
        "02-vectorized-equals-summed.ipynb",
      ]);
      expect(() => compile(toVue(first).template)).not.toThrow();
    } finally {
      fs.rmSync(docs, { recursive: true, force: true });
    }
  });

  it("links a notebook's page to the playground with the settings its metadata names, and refuses a malformed query", () => {
    withSecondNotebookSite((generate, docs) => {
      generate({ playground: "B=64&sweepB=4,64,1024" });
      const page = fs.readFileSync(path.join(docs, "notebooks", "02-vectorized-equals-summed.md"), "utf8");
      expect(page).toContain('<a class="nb-playground" href="../playground.html?B=64&amp;sweepB=4,64,1024">Try these settings in the playground</a>');
      expect(fs.readFileSync(path.join(docs, "notebooks", "01-forward-pass.md"), "utf8")).not.toContain("nb-playground");
      expect(() => generate({ playground: "?B=64" })).toThrow('02-vectorized-equals-summed.ipynb: metadata.site.playground must be the playground\'s query string without its "?", got "?B=64"');
    });
  });

  it("puts a notebook in the sidebar section its metadata names, Notebooks by default", () => {
    withSecondNotebookSite((generate) => {
      const pages = generate({ section: "Experiments" });
      expect(pages.map((page) => page.section)).toEqual(["Notebooks", "Experiments"]);
      expect(() => generate({ section: 3 })).toThrow(/02-vectorized-equals-summed\.ipynb: metadata\.site\.section must be a non-empty string/);
    });
  });

  it("refuses a notebook that has not been executed", () => {
    const docs = fs.mkdtempSync(path.join(os.tmpdir(), "batchprop-site-"));
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "batchprop-exec-"));
    try {
      expect(() => generatePages({ executedDir: empty, sourcesDir: FIXTURES, docsDir: docs })).toThrow(
        /no executed copy .* of: 01-forward-pass, 02-vectorized-equals-summed/,
      );
    } finally {
      fs.rmSync(docs, { recursive: true, force: true });
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
