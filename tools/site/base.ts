/**
 * The site's base path from BATCHPROP_BASE (default "/"), with one slash at each end, as VitePress
 * expects: "batchprop" and "/batchprop" both give "/batchprop/". Shared by the VitePress config and
 * the server, so the built links and the served paths agree.
 */
export function siteBase(value: string | undefined = process.env.BATCHPROP_BASE): string {
  const trimmed = (value ?? "").replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? "/" : `/${trimmed}/`;
}
