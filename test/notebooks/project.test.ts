/**
 * The project's notebooks are tests: each is committed clean (no outputs, the tslab kernelspec)
 * and runs to the end under Jupyter's own client (nbclient), as `npm run notebooks` runs it.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { executeNotebook, projectNotebooks } from "../../tools/notebooks/execute.ts";
import { notebookKernelspec } from "../../tools/notebooks/kernelspec.ts";
import { root } from "./spawn.ts";

const notebooks = projectNotebooks();
const name = (path: string) => relative(root, path);

/** Long enough for every notebook in a row; each cell still has the runner's own 300 s limit. */
const allNotebooksMs = 30 * 60_000;

describe("the project's notebooks", () => {
  it("exist (notebooks/*.ipynb)", () => {
    // Without this the tests below would pass on nothing.
    expect(notebooks.map(name), "notebooks/ holds no .ipynb file: the notebooks are the project's proof and must be there").not.toEqual([]);
  });

  it.each(notebooks.map((path) => [name(path), path]))("%s is committed without outputs and with the tslab kernelspec", (_, path) => {
    const notebook = JSON.parse(readFileSync(path, "utf8")) as {
      nbformat: number;
      metadata: { kernelspec?: unknown };
      cells: { cell_type: string; outputs?: unknown[]; execution_count?: unknown }[];
    };
    expect(notebook.nbformat).toBe(4);
    expect(notebook.metadata.kernelspec).toEqual(notebookKernelspec);
    notebook.cells.forEach((cell, index) => {
      if (cell.cell_type !== "code") return;
      expect({ cell: index + 1, outputs: cell.outputs, execution_count: cell.execution_count }).toEqual({
        cell: index + 1,
        outputs: [],
        execution_count: null,
      });
    });
  });

  it.each(notebooks.map((path) => [name(path), path]))(
    "%s runs to the end under nbclient with the tslab kernel",
    async (_, path) => {
      const run = await executeNotebook(path, { outDir: join(root, "build", "notebooks") });
      expect(run.status).toBe("executed");
    },
    allNotebooksMs,
  );
});
