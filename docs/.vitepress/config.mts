import fs from "node:fs";
import { defineConfig } from "vitepress";
import { siteBase } from "../../tools/site/base.ts";

// The notebook pages are generated at build time (tools/site/pages.ts), together with this list
// in reading order. Before the first generation it is absent and the site has no notebook pages.
interface NotebookPage {
  name: string;
  title: string;
  link: string;
  /** Its sidebar group: "Notebooks" (the derivation) or "Experiments" (notebooks 9 on). */
  section?: string;
}

const sidebarFile = new URL("../notebooks/sidebar.json", import.meta.url);
const notebooks: NotebookPage[] = fs.existsSync(sidebarFile)
  ? (JSON.parse(fs.readFileSync(sidebarFile, "utf8")) as NotebookPage[])
  : [];

// One sidebar group per section, in reading order: the derivation's notebooks, then the experiments.
const sections = [...new Set(notebooks.map((page) => page.section ?? "Notebooks"))];
const notebookGroups = sections.map((section) => ({
  text: section,
  items: notebooks.filter((page) => (page.section ?? "Notebooks") === section).map((page) => ({ text: page.title, link: page.link })),
}));

const base = siteBase(process.env.BATCHPROP_BASE);

export default defineConfig({
  title: "batchprop",
  description: "Vectorized mini-batch backpropagation: ΔW = δᵀ·a is the sum of per-sample outer products",
  // Publishing under a sub-path: BATCHPROP_BASE=/batchprop/ npm run build
  base,
  lang: "en-US",
  // VitePress does not prefix head links with the base.
  head: [["link", { rel: "icon", type: "image/svg+xml", href: `${base}favicon.svg` }]],
  markdown: { math: true },
  // The playground's Web Worker (docs/.vitepress/theme/playground/worker.ts) is an ES module.
  vite: { worker: { format: "es" } },
  themeConfig: {
    search: { provider: "local" },
    nav: [
      // The claims page is generated with the notebook pages, from CLAIMS.md (tools/site/claims.ts).
      { text: "Claims", link: "/claims" },
      { text: "Notebooks", link: notebooks[0]?.link ?? "/" },
      ...notebookGroups.slice(1).map((group) => ({ text: group.text, link: group.items[0].link })),
      { text: "Playground", link: "/playground" },
      { text: "Running it yourself", link: "/running" },
    ],
    sidebar: [
      {
        text: "Introduction",
        items: [
          { text: "What batchprop is", link: "/" },
          { text: "The claims, checked", link: "/claims" },
        ],
      },
      ...notebookGroups,
      { text: "Running it yourself", items: [{ text: "JupyterLab, the CLI, the API", link: "/running" }] },
    ],
    outline: { level: [2, 3] },
    docFooter: { prev: "Previous", next: "Next" },
  },
});
