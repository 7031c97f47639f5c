// The default theme, plus styles for notebook outputs (tools/site/render.ts marks them .nb-*).
import DefaultTheme from "vitepress/theme";
import "./notebook.css";

export default DefaultTheme;
