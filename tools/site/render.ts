// Renders one executed notebook as a VitePress markdown page.
//
// A VitePress page is compiled as a Vue template, so anything that comes from a notebook must be kept
// away from Vue's template compiler: `{{ … }}` would be interpolated, and HTML that is not a valid
// Vue template (a <style> inside a Plot SVG, a table without <tbody>) would be rewritten or break
// hydration. Hence:
//   - markdown cells sit inside `<div v-pre>`: markdown-it still renders them (math via
//     markdown-it-mathjax3), Vue leaves their text alone;
//   - code cells are fenced ```ts blocks, which VitePress already marks v-pre;
//   - text outputs are HTML-escaped inside `<pre v-pre>`;
//   - HTML, SVG and image outputs never enter the template: they are JSON strings in the page's
//     <script setup> and reach the DOM through v-html, which Vue does not parse.
import { stripVTControlCharacters } from "node:util";
import { joinSource, type Cell, type DataOutput, type Notebook, type Output } from "../notebooks/notebook.ts";
import { BUNDLE_FILE } from "./bundle.ts";

export interface PageLink {
  text: string;
  link: string;
}

export interface PageOptions {
  /** File name without extension, e.g. "01-forward-pass". */
  name: string;
  title: string;
  prev?: PageLink;
  next?: PageLink;
  /** The playground's query string for this notebook's settings (metadata.site.playground): a link to try them. */
  playground?: string;
}


export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}


/**
 * A JSON literal that is safe inside a <script> element: no `</script>` or `<!--` can appear, and
 * the line separators U+2028/U+2029 are escaped.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

const CODE = /^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^ {0,3}\1[`~]*[ \t]*$|(?![\s\S]))|(`+)[\s\S]*?\2/gm;

/**
 * Puts every display formula on lines of its own. Jupyter typesets `$$…$$` anywhere in a
 * paragraph; markdown-it-mathjax3 only a `$$` that starts a line and a closing `$$` that ends one.
 * Only line breaks are added around formulas: their TeX and everything in code is left as it is.
 */
export function isolateDisplayMath(markdown: string): string {
  const code: string[] = [];
  const prose = markdown.replace(CODE, (match) => `\u0000${code.push(match) - 1}\u0000`);
  const isolated = prose.replace(
    /(?<!\\)\$\$([\s\S]+?)\$\$([ \t]*)/g,
    (formula: string, tex: string, trailing: string, offset: number, all: string) => {
      const lineStart = all.lastIndexOf("\n", offset - 1) + 1;
      const startsLine = /^[ \t]*$/.test(all.slice(lineStart, offset));
      const end = offset + formula.length;
      const endsLine = end === all.length || all[end] === "\n";
      return `${startsLine ? "" : "\n"}$$${tex}$$${endsLine ? trailing : "\n"}`;
    },
  );
  return isolated.replace(/\u0000(\d+)\u0000/g, (_, index: string) => code[Number(index)]);
}

/**
 * A markdown cell, fenced off from Vue. The blank lines end the HTML blocks so that
 * markdown-it parses the cell's own markdown between them.
 */
export function renderMarkdownCell(source: string): string {
  return `<div class="nb-markdown" v-pre>\n\n${isolateDisplayMath(source.trim())}\n\n</div>`;
}

/** A code cell as a ```ts block; the fence is longer than any backtick run in the code. */
export function renderCodeCell(source: string): string {
  const longestRun = Math.max(0, ...(source.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longestRun + 1));
  return `${fence}ts\n${source.replace(/\n+$/, "")}\n${fence}`;
}

/** Preformatted text (stream, text/plain, error) with its HTML escaped and kept from Vue. */
export function renderText(value: string, kind: string): string {
  const body = escapeHtml(stripVTControlCharacters(value).replace(/\n+$/, ""));
  return `<pre class="nb-output nb-${kind}" v-pre>${body}</pre>`;
}

/**
 * Collects the HTML of rich outputs for the page's <script setup> and returns the element that
 * shows one of them.
 */
export class HtmlOutputs {
  readonly items: string[] = [];

  add(html: string, kind: string): string {
    this.items.push(html);
    return `<div class="nb-output nb-${kind}" v-html="nbHtml[${this.items.length - 1}]"></div>`;
  }

  /** The <script setup> block that defines `nbHtml`, or "" if the page has no rich outputs. */
  script(): string {
    if (this.items.length === 0) return "";
    return `<script setup>\nconst nbHtml = ${scriptSafeJson(this.items)}\n</script>`;
  }
}

function mimeText(output: DataOutput, mime: string): string | undefined {
  const value = output.data[mime];
  if (value === undefined) return undefined;
  if (typeof value === "string" || Array.isArray(value)) return joinSource(value as string | string[]);
  return JSON.stringify(value, null, 2);
}

const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif"];

/** The richest form of a display_data / execute_result that a static page can show. */
function renderData(output: DataOutput, html: HtmlOutputs): string {
  const htmlText = mimeText(output, "text/html");
  if (htmlText !== undefined) return html.add(htmlText, "html");
  const svg = mimeText(output, "image/svg+xml");
  if (svg !== undefined) return html.add(svg, "svg");
  for (const mime of IMAGE_TYPES) {
    const base64 = mimeText(output, mime);
    if (base64 !== undefined) {
      return html.add(`<img src="data:${mime};base64,${base64.replace(/\s+/g, "")}" alt="">`, "image");
    }
  }
  const markdown = mimeText(output, "text/markdown");
  if (markdown !== undefined) return renderMarkdownCell(markdown);
  const plain = mimeText(output, "text/plain");
  if (plain !== undefined) return renderText(plain, "result");
  return "";
}

export function renderOutput(output: Output, html: HtmlOutputs): string {
  switch (output.output_type) {
    case "stream":
      return renderText(joinSource(output.text), output.name);
    case "display_data":
    case "execute_result":
      return renderData(output, html);
    case "error": {
      const traceback = output.traceback.join("\n");
      return renderText(traceback.trim() !== "" ? traceback : `${output.ename}: ${output.evalue}`, "error");
    }
    default:
      return "";
  }
}

function renderCell(cell: Cell, html: HtmlOutputs): string[] {
  const source = joinSource(cell.source);
  switch (cell.cell_type) {
    case "markdown":
      return source.trim() === "" ? [] : [renderMarkdownCell(source)];
    case "code": {
      const parts = source.trim() === "" ? [] : [renderCodeCell(source)];
      for (const output of cell.outputs) {
        const rendered = renderOutput(output, html);
        if (rendered !== "") parts.push(rendered);
      }
      return parts;
    }
    default:
      return [];
  }
}

/** YAML frontmatter; JSON strings and objects are valid YAML flow values. */
function frontmatter(options: PageOptions): string {
  const lines = ["---", `title: ${JSON.stringify(options.title)}`];
  lines.push(`prev: ${options.prev ? JSON.stringify(options.prev) : "false"}`);
  lines.push(`next: ${options.next ? JSON.stringify(options.next) : "false"}`);
  lines.push("---");
  return lines.join("\n");
}

/**
 * The download links: relative to the page, so they hold under any base; the notebook file is copied
 * next to the page (docs/public/notebooks/<name>.ipynb), the bundle to the site's root
 * (tools/site/bundle.ts). A raw <a download> is left alone by VitePress's link rewriting (which would
 * append .html) and by its client router. The link to the running page is markdown, so VitePress
 * resolves it against base and checks it. The notebook alone imports `batchprop`, which is not on
 * npm: the bundle is the download that runs.
 */
function downloadLink(name: string): string {
  const file = escapeHtml(`${name}.ipynb`);
  return (
    `<a class="nb-bundle" href="../${BUNDLE_FILE}" download="${BUNDLE_FILE}">Download the notebooks with the library</a> ` +
    `to run this one yourself in JupyterLab (in the unpacked folder: \`npm install\`, then \`npm run lab\`), ` +
    `or <a href="./${file}" download="${file}">${file}</a> alone, for a checkout of the repository ` +
    "(see [running it yourself](../running.md))."
  );
}

/**
 * The playground with the notebook's settings filled in: a raw <a>, as the download link, so the
 * query string survives; relative to the page (notebooks/<name>.html), so it holds under any base.
 */
function playgroundLink(query: string): string {
  return `<a class="nb-playground" href="../playground.html?${escapeHtml(query)}">Try these settings in the playground</a>: train them in your browser, change B and η as it runs, and sweep B.`;
}

/** The whole page: frontmatter, the outputs' script, then the cells in order. */
export function renderNotebook(nb: Notebook, options: PageOptions): string {
  const html = new HtmlOutputs();
  const blocks: string[] = [];
  nb.cells.forEach((cell, index) => {
    blocks.push(...renderCell(cell, html));
    // After the first cell (the title and what the notebook is about), offer the file itself.
    if (index === 0) blocks.push(downloadLink(options.name), ...(options.playground === undefined ? [] : [playgroundLink(options.playground)]));
  });
  if (nb.cells.length === 0) blocks.push(downloadLink(options.name));
  const head = [frontmatter(options), html.script()].filter((part) => part !== "");
  return `${[...head, ...blocks].join("\n\n")}\n`;
}
