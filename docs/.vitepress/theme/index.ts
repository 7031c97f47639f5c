// The default theme, plus styles for notebook outputs (tools/site/render.ts marks them .nb-*) and
// the components the prose pages use.
import DefaultTheme from "vitepress/theme";
import type { Theme } from "vitepress";
import { defineAsyncComponent } from "vue";
import KernelCheck from "./KernelCheck.vue";
import "./notebook.css";

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component("KernelCheck", KernelCheck);
    // Loaded in the browser only (the page wraps it in <ClientOnly>): it starts Web Workers.
    app.component("Playground", defineAsyncComponent(() => import("./playground/Playground.vue")));
  },
} satisfies Theme;
