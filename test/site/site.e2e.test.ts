// End to end: builds the real site (`npm run build`: library, notebooks through tslab, pages,
// VitePress) under a sub-path base into a temporary folder, serves it on a free localhost port, and
// reads every page in Debian's Chromium through playwright-core. The working tree's built site
// (docs/.vitepress/dist, what `npm start` serves) is left as it was.
//
// BATCHPROP_SITE_NOTEBOOKS=DIR (e.g. test/fixtures/site) makes the page generator read that folder
// instead of build/notebooks, and the test build only the site's part: that is for developing the
// site; without it (as in npm test) the test builds the real one.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stripVTControlCharacters } from "node:util";
import { joinSource, type Notebook } from "../../tools/notebooks/notebook.ts";
import { type SiteServer, serveSite } from "../../tools/site/serve.ts";
import { BUNDLE_FILE } from "../../tools/site/bundle.ts";
import { countDisplayMath } from "./math.ts";
import { describePlayground } from "./playground.e2e.ts";

const CHROMIUM = "/usr/bin/chromium";
const BASE = "/batchprop/";
const BUILD_TIMEOUT_MS = 20 * 60_000;
const PAGE_TIMEOUT_MS = 30_000;
const SCREENSHOTS = "screenshots";
const LAUNCH_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
/**
 * WebGPU as a reader's Chromium with a GPU has it: Linux builds ship it off (navigator.gpu is there,
 * but finds no adapter) until --enable-unsafe-webgpu; SwiftShader, Chromium's software Vulkan, is
 * the adapter, on this machine and on one with a GPU alike.
 */
const WEBGPU_ARGS = ["--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader"];

interface NotebookPage {
  name: string;
  title: string;
  link: string;
}

const children = new Set<ChildProcess>();
let server: SiteServer | undefined;
let browser: Browser | undefined;
/** The same Chromium with WebGPU on (WEBGPU_ARGS), for the playground's GPU runs. */
let webgpuBrowser: Browser | undefined;
let notebooks: NotebookPage[] = [];
/** Where this test's VitePress build goes: not docs/.vitepress/dist, which it would turn into a sub-path build. */
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "batchprop-site-"));

/** Runs a command in its own process group; rejects with its output if it fails or times out. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`${command} ${args.join(" ")} timed out after ${timeoutMs / 1000} s\n${output}`));
    }, timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(" ")} failed (${signal ?? `exit ${code}`})\n${output}`));
    });
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** The executed notebook a page was made from (the generator's input). */
function executedNotebook(name: string): Notebook {
  const dir = process.env.BATCHPROP_SITE_NOTEBOOKS ?? path.join("build", "notebooks");
  return JSON.parse(fs.readFileSync(path.join(dir, `${name}.ipynb`), "utf8")) as Notebook;
}

function markdownOf(nb: Notebook): string {
  return nb.cells
    .filter((cell) => cell.cell_type === "markdown")
    .map((cell) => joinSource(cell.source))
    .join("\n\n");
}

/** Observable Plot's SVGs in a piece of HTML: <svg class="plot-…">, legends' ramps excepted. */
const PLOT_SVG = /<svg\b[^>]*\bclass="plot-(?![^"]*-ramp)/g;
const PLOT_SELECTOR = 'svg[class^="plot-"]:not([class*="-ramp"])';

function richOutputs(nb: Notebook): string[] {
  const html: string[] = [];
  for (const cell of nb.cells) {
    if (cell.cell_type !== "code") continue;
    for (const output of cell.outputs) {
      if (output.output_type !== "display_data" && output.output_type !== "execute_result") continue;
      const value = output.data["text/html"] ?? output.data["image/svg+xml"];
      if (typeof value === "string" || Array.isArray(value)) html.push(joinSource(value as string | string[]));
      else if (["image/png", "image/jpeg", "image/gif"].some((mime) => mime in output.data)) html.push("<img>");
    }
  }
  return html;
}

function url(link: string): string {
  if (server === undefined) throw new Error("the site is not served");
  return new URL(link.replace(/^\//, ""), server.url).href;
}

/** Opens a page (in the browser with WebGPU on, if asked), failing on a status other than 200 and on any console error or page error. */
async function visit(link: string, { webgpu = false } = {}): Promise<{ page: Page; errors: string[] }> {
  const opener = webgpu ? webgpuBrowser : browser;
  if (opener === undefined) throw new Error("no browser");
  const page = await opener.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(PAGE_TIMEOUT_MS);
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  const response = await page.goto(url(link), { waitUntil: "networkidle" });
  expect(response?.status(), `${link} answers`).toBe(200);
  await page.locator("#app .VPContent").waitFor();
  return { page, errors };
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install it with apt-get install -y chromium`);
  }
  const env = { ...process.env, BATCHPROP_BASE: BASE };
  if (process.env.BATCHPROP_SITE_NOTEBOOKS === undefined) {
    // build.ts hands --outDir on to `vitepress build docs`.
    await run("npm", ["run", "build", "--", "--outDir", outDir], env, BUILD_TIMEOUT_MS);
  } else {
    // Developing against fixture notebooks: only the site's part of the build.
    await run("npm", ["run", "site:pages"], env, BUILD_TIMEOUT_MS);
    await run(process.execPath, ["node_modules/vitepress/bin/vitepress.js", "build", "docs", "--outDir", outDir], env, BUILD_TIMEOUT_MS);
  }
  notebooks = JSON.parse(fs.readFileSync("docs/notebooks/sidebar.json", "utf8")) as NotebookPage[];
  server = await serveSite({ root: outDir, base: BASE });
  browser = await chromium.launch({ executablePath: CHROMIUM, timeout: 60_000, args: LAUNCH_ARGS });
  webgpuBrowser = await chromium.launch({ executablePath: CHROMIUM, timeout: 60_000, args: [...LAUNCH_ARGS, ...WEBGPU_ARGS] });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
}, BUILD_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await browser?.close();
  await webgpuBrowser?.close();
  await server?.close();
  for (const child of children) killGroup(child);
  fs.rmSync(outDir, { recursive: true, force: true });
}, 60_000);

describe("the built site, in Chromium", () => {
  it("has a page for every notebook, in order", () => {
    const sources = fs.existsSync("notebooks") ? fs.readdirSync("notebooks").filter((f) => f.endsWith(".ipynb")) : [];
    const expected = process.env.BATCHPROP_SITE_NOTEBOOKS === undefined ? sources.length : notebooks.length;
    expect(notebooks.length, "notebook pages (notebooks/*.ipynb)").toBeGreaterThan(0);
    expect(notebooks).toHaveLength(expected);
    const names = notebooks.map((page) => page.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, "en", { numeric: true })));
  });

  it("shows the home page and the running page without errors", async () => {
    for (const link of ["/", "/running"]) {
      const { page, errors } = await visit(link);
      expect(await page.locator(".vp-doc h1").first().textContent()).toMatch(link === "/" ? /batchprop/ : /Running/);
      const source = fs.readFileSync(link === "/" ? "docs/index.md" : "docs/running.md", "utf8");
      expect(await page.locator('.vp-doc mjx-container[display="true"]').count()).toBe(countDisplayMath(source));
      if (link === "/") {
        // The home page lists the notebooks (read from the generated sidebar).
        const listed = await page.locator(".notebook-list a").evaluateAll((links) =>
          links.map((link) => (link as HTMLAnchorElement).href),
        );
        expect(listed).toEqual(notebooks.map((notebook) => url(`${notebook.link}.html`)));
        for (const href of listed) expect((await fetch(href)).status, href).toBe(200);
        await page.screenshot({ path: path.join(SCREENSHOTS, "home.png"), fullPage: true });
      }
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it("shows the claims page, made from CLAIMS.md, with its notebook links resolving", async () => {
    const { page, errors } = await visit("/claims");
    expect(await page.locator(".vp-doc h1").first().textContent()).toMatch(/claims/i);
    const source = fs.readFileSync("docs/claims.md", "utf8");
    expect(await page.locator('.vp-doc mjx-container[display="true"]').count()).toBe(countDisplayMath(source));
    expect(await page.locator(".vp-doc h2").count(), "one section per claim").toBe((source.match(/^## \d+\. /gm) ?? []).length);
    const links = await page.locator('.vp-doc a[href*="/notebooks/"]').evaluateAll((anchors) =>
      anchors.map((anchor) => (anchor as HTMLAnchorElement).href),
    );
    expect(links.length, "links to notebook pages").toBe((source.match(/\]\(\/notebooks\//g) ?? []).length);
    for (const href of new Set(links)) expect((await fetch(href)).status, href).toBe(200);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("loads batchprop/core in the browser, with a WebAssembly kernel that multiplies as the JavaScript one does", async () => {
    const { page, errors } = await visit("/running");
    const check = page.locator('.kernel-check[data-state="done"]');
    await check.waitFor({ timeout: 60_000 });
    expect(await check.getAttribute("data-kernel")).toMatch(/^gemm-4x4-wasm(relaxed)?simd$/);
    const rows = await check.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")));
    const loaded = rows.filter(([, status]) => status.startsWith("loads"));
    expect(loaded.map(([name]) => name)).toContain("js");
    expect(loaded.length, "the JavaScript kernel and at least one WebAssembly kernel").toBeGreaterThan(1);
    for (const [name, , gflops, ofBound] of loaded) {
      expect(Number(gflops), name).toBeGreaterThan(0);
      // Within the float64 gemm error bound of the JavaScript kernel's product, entry by entry.
      expect(Number(ofBound), name).toBeLessThanOrEqual(1);
    }
    await check.screenshot({ path: path.join(SCREENSHOTS, "kernels-in-the-browser.png") });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("typesets every display formula and draws every plot of every notebook", async () => {
    for (const [i, notebook] of notebooks.entries()) {
      const nb = executedNotebook(notebook.name);
      const { page, errors } = await visit(notebook.link);

      expect(await page.title()).toContain(notebook.title);
      const expectedMath = countDisplayMath(markdownOf(nb));
      const typeset = page.locator('.nb-markdown mjx-container[display="true"]');
      expect(await typeset.count(), `${notebook.name}: display formulas`).toBe(expectedMath);
      for (const formula of await typeset.all()) {
        expect(await formula.locator("svg path, svg use, svg rect").count()).toBeGreaterThan(0);
      }
      const prose = (await page.locator(".nb-markdown").allTextContents()).join("\n");
      expect(prose, `${notebook.name}: untypeset $$`).not.toContain("$$");

      // Printed text reaches the reader verbatim: no {{ }} interpolated, no <tag> parsed.
      const printed = nb.cells.flatMap((cell) =>
        cell.cell_type === "code"
          ? cell.outputs.flatMap((output) => (output.output_type === "stream" ? [joinSource(output.text)] : []))
          : [],
      );
      const shown = await page.locator("pre.nb-stdout, pre.nb-stderr").allTextContents();
      expect(shown, `${notebook.name}: printed output`).toEqual(
        printed.map((value) => stripVTControlCharacters(value).replace(/\n+$/, "")),
      );

      const outputs = richOutputs(nb);
      expect(await page.locator(".nb-html, .nb-svg, .nb-image").count(), `${notebook.name}: rich outputs`).toBe(
        outputs.length,
      );
      const expectedPlots = outputs.reduce((n, html) => n + (html.match(PLOT_SVG) ?? []).length, 0);
      const plots = page.locator(`.nb-output ${PLOT_SELECTOR}`);
      expect(await plots.count(), `${notebook.name}: plots`).toBe(expectedPlots);
      for (const plot of await plots.all()) {
        expect(await plot.locator("[aria-label]").count(), "a plot has marks").toBeGreaterThan(0);
        expect(await plot.locator("path, circle, rect, line, text").count(), "a plot draws").toBeGreaterThan(0);
        const box = await plot.boundingBox();
        expect(box?.width ?? 0, "a plot is visible").toBeGreaterThan(0);
      }

      // The notebook file itself is downloadable from the page.
      const download = await page.locator(`a[download="${notebook.name}.ipynb"]`).getAttribute("href");
      const file = await fetch(new URL(download ?? "", page.url()));
      expect(file.status, `${notebook.name}: download`).toBe(200);
      expect(((await file.json()) as Notebook).nbformat).toBe(4);

      // Previous and next follow the notebook order (home before the first, running after the last).
      const next = await page.locator(".VPDocFooter .pager-link.next").getAttribute("href");
      const expectedNext = notebooks[i + 1]?.link ?? "/running";
      expect(next).toBe(`${BASE}${expectedNext.slice(1)}.html`);

      if (i === 0) await page.screenshot({ path: path.join(SCREENSHOTS, "notebook.png"), fullPage: true });
      expect(errors, `${notebook.name}: console`).toEqual([]);
      await page.close();
    }
  });

  it("has sidebar links that all resolve", async () => {
    const { page, errors } = await visit("/running");
    const hrefs = await page.locator(".VPSidebar a[href]").evaluateAll((links) =>
      links.map((link) => (link as HTMLAnchorElement).href),
    );
    for (const link of ["/claims", ...notebooks.map((notebook) => notebook.link)]) {
      expect(hrefs).toContain(url(`${link}.html`));
    }
    for (const href of hrefs) {
      expect((await fetch(href)).status, href).toBe(200);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it("finds a notebook's words with the local search", async () => {
    const target = notebooks[0];
    expect(target, "a notebook page to search for").toBeDefined();
    const term = target.title.split(/[^\p{L}]+/u).sort((a, b) => b.length - a.length)[0];
    const { page, errors } = await visit("/");
    await page.locator(".VPNavBarSearch button.DocSearch").click();
    await page.locator("#localsearch-input").fill(term);
    const hit = page.locator(`.VPLocalSearchBox .results a.result[href*="notebooks/${target.name}"]`);
    await hit.first().waitFor();
    expect(await hit.count(), `search for "${term}"`).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});

/** What overflows its column on the page as it is laid out now: one line per offender. */
function overflowsOfColumn(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const column = document.querySelector(".vp-doc");
    if (column === null) return ["no .vp-doc column"];
    const bounds = column.getBoundingClientRect();
    const right = Math.min(bounds.right, document.documentElement.clientWidth);
    const problems: string[] = [];
    const name = (el: Element) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === "string" ? `.${el.className.split(" ")[0]}` : ""}`;
    const scrolls = (el: Element) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
    const checked = column.querySelectorAll('mjx-container[display="true"], pre, table, .nb-output svg[class^="plot-"]:not([class*="-ramp"])');
    for (const el of Array.from(checked)) {
      // What the reader sees of it: the nearest box at or above it that scrolls sideways, else itself.
      let box: Element = el;
      for (let node: Element | null = el; node !== null && node !== column; node = node.parentElement) {
        if (scrolls(node)) {
          box = node;
          break;
        }
      }
      const seen = box.getBoundingClientRect();
      const what = `${name(el)} "${(el.textContent ?? "").trim().slice(0, 40)}"`;
      // VitePress's code blocks run from edge to edge of a phone's screen, by design: their column is the screen.
      const bleeds = el.closest('div[class*="language-"]') !== null;
      const [columnLeft, columnRight] = bleeds ? [0, document.documentElement.clientWidth] : [bounds.left, right];
      if (seen.right > columnRight + 1) problems.push(`${what} ends at ${seen.right.toFixed(0)} px, its column at ${columnRight.toFixed(0)} px`);
      // Content pushed out to the left is cut off even inside a scrolling box: nothing scrolls to it.
      const content = el.tagName.toLowerCase() === "mjx-container" ? (el.firstElementChild ?? el) : el;
      const left = Math.max(columnLeft, seen.left);
      if (content.getBoundingClientRect().left < left - 1) problems.push(`${what} starts at ${content.getBoundingClientRect().left.toFixed(0)} px, left of ${left.toFixed(0)} px`);
      if (["hidden", "clip"].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1) {
        problems.push(`${what} is cut off: ${el.scrollWidth} px of content in ${el.clientWidth} px that do not scroll`);
      }
    }
    // Printed text keeps its lines, so that a printed table keeps its columns: as many lines shown as printed.
    for (const pre of Array.from(column.querySelectorAll<HTMLElement>("pre.nb-output"))) {
      const style = getComputedStyle(pre);
      const shown = Math.round((pre.clientHeight - Number.parseFloat(style.paddingTop) - Number.parseFloat(style.paddingBottom)) / Number.parseFloat(style.lineHeight));
      const printed = (pre.textContent ?? "").split("\n").length;
      if (shown !== printed) problems.push(`pre.nb-output "${(pre.textContent ?? "").trim().slice(0, 40)}" shows its ${printed} lines as ${shown}`);
    }
    const page = document.documentElement;
    if (page.scrollWidth > page.clientWidth + 1) problems.push(`the page is ${page.scrollWidth} px wide in a ${page.clientWidth} px window`);
    return problems;
  });
}

/** The smallest font size, in screen pixels, of any chart's text: its CSS size times the chart's scale. */
function smallestChartText(page: Page): Promise<{ px: number; text: string } | undefined> {
  return page.evaluate(() => {
    let smallest: { px: number; text: string } | undefined;
    for (const svg of Array.from(document.querySelectorAll<SVGSVGElement>('.vp-doc .nb-output svg[class^="plot-"]:not([class*="-ramp"])'))) {
      const scale = svg.viewBox.baseVal.width > 0 ? svg.getBoundingClientRect().width / svg.viewBox.baseVal.width : 1;
      for (const text of Array.from(svg.querySelectorAll("text"))) {
        if (text.getBoundingClientRect().height === 0) continue;
        const px = Number.parseFloat(getComputedStyle(text).fontSize) * scale;
        if (smallest === undefined || px < smallest.px) smallest = { px, text: text.textContent ?? "" };
      }
    }
    return smallest;
  });
}

const WIDTHS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
];

describe("the built site at every width, and the notebook bundle", () => {
  it.each(WIDTHS)("keeps every equation, printed text, table and chart inside its column at $width px ($name)", async ({ name, width, height }) => {
    const links = ["/", "/running", "/claims", ...notebooks.map((notebook) => notebook.link)];
    for (const link of links) {
      const { page, errors } = await visit(link);
      await page.setViewportSize({ width, height });
      await page.evaluate(() => document.fonts.ready);
      expect(await overflowsOfColumn(page), `${link} at ${width} px`).toEqual([]);
      const smallest = await smallestChartText(page);
      // Observable Plot's labels are 10 px; at 9 px they still read.
      if (smallest !== undefined) expect(smallest.px, `${link} at ${width} px: chart text "${smallest.text}"`).toBeGreaterThanOrEqual(9);
      if (link === "/" || link === notebooks[0]?.link) {
        await page.screenshot({ path: path.join(SCREENSHOTS, `${link === "/" ? "home" : "notebook"}-${name}.png`), fullPage: true });
      }
      expect(errors, `${link}: console`).toEqual([]);
      await page.close();
    }
  });

  it("offers the bundle on the running page and on every notebook page", async () => {
    const hrefs = new Set<string>();
    for (const link of ["/running", ...notebooks.map((notebook) => notebook.link)]) {
      const { page, errors } = await visit(link);
      const href = await page.locator(`a[download="${BUNDLE_FILE}"]`).first().getAttribute("href");
      hrefs.add(new URL(href ?? "", page.url()).href);
      expect(errors).toEqual([]);
      await page.close();
    }
    expect([...hrefs], "one bundle, wherever it is linked from").toEqual([url(`/${BUNDLE_FILE}`)]);
    const archive = Buffer.from(await (await fetch(url(`/${BUNDLE_FILE}`))).arrayBuffer());
    expect([archive[0], archive[1]], "gzip's magic bytes").toEqual([0x1f, 0x8b]);
  });
});

describePlayground({ visit, screenshots: SCREENSHOTS });
