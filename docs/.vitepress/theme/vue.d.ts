// tsc reads .vue files through this declaration; VitePress compiles them.
declare module "*.vue" {
  import type { DefineComponent } from "vue";
  const component: DefineComponent;
  export default component;
}
