// The site's claims page (docs/claims.md), made from the repository's CLAIMS.md, its one source.
// CLAIMS.md links each notebook by its file, notebooks/<name>.ipynb, which works where the repository
// is read; on the site the same link goes to the notebook's page, /notebooks/<name>. A notebook the
// site has no page for (a build from a few fixture notebooks) keeps its name, unlinked.

export const CLAIMS_TITLE = "The claims, checked";

const NOTEBOOK_LINK = /\[([^\]]+)\]\(notebooks\/([^)#\s]+)\.ipynb\)/g;

/** The page's markdown: CLAIMS.md with its notebook links turned into links to the pages named in `pages`. */
export function claimsPage(claims: string, pages: ReadonlySet<string>): string {
  const body = claims.replace(NOTEBOOK_LINK, (_, text: string, name: string) =>
    pages.has(name) ? `[${text}](/notebooks/${name})` : `${text} (\`notebooks/${name}.ipynb\`)`,
  );
  return `---\ntitle: ${CLAIMS_TITLE}\n---\n\n<!-- Generated from CLAIMS.md by tools/site/pages.ts: edit CLAIMS.md. -->\n\n${body}`;
}
