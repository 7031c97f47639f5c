import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CLAIMS_TITLE, claimsPage } from "../../tools/site/claims.ts";
import { generatePages } from "../../tools/site/pages.ts";

const FIXTURES = path.join(import.meta.dirname, "../fixtures/site");

describe("the claims page, made from CLAIMS.md", () => {
  it("links each notebook's page where the site has one, and names the file where it has not", () => {
    const page = claimsPage(
      "- **Checked in** [notebook 3](notebooks/03-output-layer.ipynb): “3.2”; [notebook 9](notebooks/09-batch-size.ipynb): “Sum”\n",
      new Set(["03-output-layer"]),
    );
    expect(page).toMatch(new RegExp(`^---\\ntitle: ${CLAIMS_TITLE}\\n---\\n`));
    expect(page).toContain("[notebook 3](/notebooks/03-output-layer): “3.2”");
    expect(page).toContain("notebook 9 (`notebooks/09-batch-size.ipynb`): “Sum”");
  });

  it("leaves no link to a notebook file in the real CLAIMS.md once every notebook has a page", () => {
    const names = fs.readdirSync("notebooks").filter((file) => file.endsWith(".ipynb")).map((file) => file.slice(0, -".ipynb".length));
    const page = claimsPage(fs.readFileSync("CLAIMS.md", "utf8"), new Set(names));
    expect(page).not.toMatch(/\.ipynb/);
    expect(page).toContain("](/notebooks/05-minibatch-gradient)");
  });

  it("is written beside the notebook pages by generatePages", () => {
    const docs = fs.mkdtempSync(path.join(os.tmpdir(), "batchprop-site-"));
    try {
      generatePages({ executedDir: FIXTURES, sourcesDir: FIXTURES, docsDir: docs, claimsFile: "CLAIMS.md" });
      const page = fs.readFileSync(path.join(docs, "claims.md"), "utf8");
      expect(page).toContain("[notebook 1](/notebooks/01-forward-pass)");
      expect(page).toContain("notebook 3 (`notebooks/03-output-layer.ipynb`)");
    } finally {
      fs.rmSync(docs, { recursive: true, force: true });
    }
  });
});
