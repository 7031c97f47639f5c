/** The markup inside the first <g aria-label="…"> group Plot writes (one per mark or axis part). */
export function group(svg: string, label: string): string {
  const match = new RegExp(`<g[^>]*aria-label="${label}"[^>]*>(.*?)</g>`, "s").exec(svg);
  return match?.[1] ?? "";
}

/** How many <tag …> elements `markup` holds. */
export const count = (markup: string, tag: string): number => markup.split(`<${tag}`).length - 1;
