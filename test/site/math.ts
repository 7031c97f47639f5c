// An oracle for the site tests, independent of the renderer: how many display formulas ($$ … $$)
// a notebook's markdown holds, not counting code (fenced blocks, inline spans) or escaped dollars.
export function countDisplayMath(markdown: string): number {
  const prose = markdown
    .replace(/^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?^ {0,3}\1[`~]*[ \t]*$/gm, "")
    .replace(/(`+)[\s\S]*?\1/g, "")
    .replace(/\\\$/g, "");
  return (prose.match(/\$\$[\s\S]+?\$\$/g) ?? []).length;
}
