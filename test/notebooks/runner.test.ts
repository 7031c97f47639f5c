/**
 * The notebook runner (nbclient_run.py, Jupyter's nbclient) against the real tslab kernel, on
 * fixture notebooks: what a cell prints, how failures, timeouts and stops are reported, and that no
 * kernel outlives its notebook.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { executeNotebook, KernelError, MissingKernelError, NotebookExecutionError, NotebookInterruptedError, type ProgressEvent } from "../../tools/notebooks/execute.ts";
import { NotebookFormatError, type CodeCell, type Notebook } from "../../tools/notebooks/notebook.ts";
import { fixture, isAlive, tempDir } from "./spawn.ts";

const readCopy = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Notebook;
const codeCells = (notebook: Notebook) => notebook.cells.filter((cell): cell is CodeCell => cell.cell_type === "code");
const streamText = (cell: CodeCell, name: string) =>
  cell.outputs
    .filter((output) => output.output_type === "stream" && output.name === name)
    .map((output) => (output.output_type === "stream" ? [output.text].flat().join("") : ""))
    .join("");

/** Records the kernel's pid through the progress events, to check afterwards that it is gone. */
function pidRecorder(): { pids: number[]; onProgress: (event: ProgressEvent) => void } {
  const pids: number[] = [];
  return { pids, onProgress: (event) => event.kind === "kernel-ready" && pids.push(event.pid) };
}

describe("executeNotebook", () => {
  /**
   * What keys the cache, per test: a built library of its own and an input file that does not exist
   * yet, so no test hashes this checkout's lib/dist or results/default.jsonl, which other runs change.
   */
  function cacheKeys(): { libDist: string; inputs: string[] } {
    const libDist = tempDir("libdist");
    writeFileSync(join(libDist, "index.js"), "export const version = 1;\n");
    return { libDist, inputs: [join(tempDir("inputs"), "default.jsonl")] };
  }

  it("imports batchprop with its types in a kernel whose cwd is the notebook's folder", async () => {
    const { pids, onProgress } = pidRecorder();
    const run = await executeNotebook(fixture("matmul.ipynb"), { outDir: tempDir("executed"), ...cacheKeys(), onProgress });
    expect(run.status).toBe("executed");
    expect(run.cellMs).toHaveLength(1);
    const [cell] = codeCells(readCopy(run.outPath));
    // [[1,2],[3,4]]² by hand: [[7,10],[15,22]].
    expect(streamText(cell, "stdout")).toBe("2×2: 7 10 15 22\ncwd: notebooks\n");
    // Two console.log calls, one output: consecutive stream messages merge, as JupyterLab shows them.
    expect(cell.outputs).toHaveLength(1);
    expect(streamText(cell, "stderr")).toBe(""); // no ExperimentalWarning about require(esm) either
    expect(cell.execution_count).toBe(1);
    expect(pids).toHaveLength(1);
    expect(isAlive(pids[0])).toBe(false);
  });

  it("with cached, skips an unchanged notebook and reruns it when the built library changes", async () => {
    const source = fixture("matmul.ipynb");
    const options = { outDir: tempDir("executed"), ...cacheKeys() };
    expect((await executeNotebook(source, options)).status).toBe("executed");
    const unchanged = await executeNotebook(source, { ...options, cached: true });
    expect(unchanged.status).toBe("cached");
    writeFileSync(join(options.libDist, "index.js"), "export const version = 2;\n");
    const rebuilt = await executeNotebook(source, { ...options, cached: true });
    expect(rebuilt.status).toBe("executed");
    expect((await executeNotebook(source, { ...options, cached: true })).status).toBe("cached");
  });

  it("with cached, reruns a notebook when an input file (the experiments' results) changes or appears", async () => {
    const source = fixture("matmul.ipynb");
    const { libDist, inputs } = cacheKeys();
    const options = { outDir: tempDir("executed"), libDist, inputs, cached: true };
    const [results] = inputs;
    expect((await executeNotebook(source, options)).status).toBe("executed"); // nothing in outDir yet
    expect((await executeNotebook(source, options)).status).toBe("cached");
    writeFileSync(results, "{}\n");
    expect((await executeNotebook(source, options)).status).toBe("executed");
    expect((await executeNotebook(source, options)).status).toBe("cached");
    writeFileSync(results, "{}\n{}\n");
    expect((await executeNotebook(source, options)).status).toBe("executed");
  });

  it("keeps tslab's rich displays (HTML, as Plot's SVG charts arrive) in order with printed text", async () => {
    const run = await executeNotebook(fixture("display.ipynb"), { outDir: tempDir("display") });
    // nbformat writes text as lists of lines, MIME text too.
    expect(codeCells(readCopy(run.outPath))[0].outputs).toEqual([
      { output_type: "display_data", data: { "text/html": ["<b>bold</b>"] }, metadata: {} },
      { output_type: "display_data", data: { "text/plain": ["plain"] }, metadata: {} },
      { output_type: "stream", name: "stdout", text: ["after\n"] },
    ]);
  });

  it("stops at the failing cell, names file, cell, source and error, and writes the copy so far", async () => {
    const path = fixture("fails-in-cell-2.ipynb");
    const out = tempDir("failing");
    const { pids, onProgress } = pidRecorder();
    const error = await executeNotebook(path, { outDir: out, onProgress }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotebookExecutionError);
    const message = (error as Error).message;
    expect(message).toContain(`${path}: cell 2 failed`);
    expect(message).toContain("const answer: number = 42;");
    expect(message).toContain("Error: boom in cell 2 (answer 42)");
    expect((error as NotebookExecutionError).cell).toBe(2);

    const copy = readCopy(join(out, "fails-in-cell-2.ipynb"));
    const [first, second, third] = codeCells(copy);
    expect(streamText(first, "stdout")).toBe("cell 1 ran\n");
    expect(streamText(second, "stderr")).toContain("boom in cell 2");
    expect(third.outputs).toEqual([]);
    expect(third.execution_count).toBeNull();
    expect((copy.metadata.batchprop as { status: string }).status).toBe("error");
    expect(isAlive(pids[0])).toBe(false);
  });

  it("a cell over the timeout fails naming the cell and the timeout, and the kernel is killed", async () => {
    const { pids, onProgress } = pidRecorder();
    const started = performance.now();
    const error = await executeNotebook(fixture("slow-cell.ipynb"), { outDir: tempDir("slow"), timeoutMs: 1500, onProgress }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(NotebookExecutionError);
    expect((error as Error).message).toMatch(/slow-cell\.ipynb: cell 2 failed[\s\S]*while \(true\) \{\}[\s\S]*did not finish within 1\.5 s/);
    // The busy kernel cannot answer shutdown_request: the runner has to kill it, and quickly.
    expect(pids).toHaveLength(1);
    expect(isAlive(pids[0])).toBe(false);
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it("stopped by its signal, shuts the kernel down and writes the copy so far, marked interrupted", async () => {
    const out = tempDir("stopped");
    const stop = new AbortController();
    const { pids, onProgress } = pidRecorder();
    const started = performance.now();
    const error = await executeNotebook(fixture("slow-cell.ipynb"), {
      outDir: out,
      signal: stop.signal,
      onProgress: (event) => {
        onProgress(event);
        if (event.kind === "cell-start" && event.codeCell === 2) stop.abort("SIGTERM");
      },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotebookInterruptedError);
    expect((error as Error).message).toContain("slow-cell.ipynb: stopped by SIGTERM");
    expect(pids).toHaveLength(1);
    expect(isAlive(pids[0])).toBe(false);
    // Killed at once, not asked to shut down: a busy kernel would not answer.
    expect(performance.now() - started).toBeLessThan(60_000);
    const copy = readCopy(join(out, "slow-cell.ipynb"));
    expect(streamText(codeCells(copy)[0], "stdout")).toBe("cell 1 ran\n");
    expect((copy.metadata.batchprop as { status: string }).status).toBe("interrupted");
  });

  it("an executor stopped by someone else is a failure, not a notebook the caller chose to stop", async () => {
    const error = await executeNotebook(fixture("slow-cell.ipynb"), {
      outDir: tempDir("killed"),
      onProgress: (event) => {
        if (event.kind !== "kernel-ready") return;
        // The kernel's parent is the executor, nbclient_run.py.
        const stat = readFileSync(`/proc/${event.pid}/stat`, "utf8");
        process.kill(Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]), "SIGTERM");
      },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KernelError);
    expect((error as Error).message).toContain("slow-cell.ipynb: /usr/bin/python3 ");
    expect((error as Error).message).toContain("nbclient_run.py exited with status 143");
  });

  it("a kernel slower than the startup timeout fails naming the notebook and the timeout", async () => {
    const path = fixture("matmul.ipynb");
    const error = await executeNotebook(path, { outDir: tempDir("startup"), startupTimeoutMs: 300 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KernelError);
    // Exactly this: no exit-hook traceback from nbclient appended as the executor's output.
    expect((error as Error).message).toBe(`${path}: the kernel did not start within 0.3 s (the startup timeout)`);
  });

  it("rejects a file that is not JSON, naming it", async () => {
    const path = fixture("not-json.ipynb");
    await expect(executeNotebook(path, { outDir: tempDir("bad") })).rejects.toThrow(NotebookFormatError);
    await expect(executeNotebook(path, { outDir: tempDir("bad") })).rejects.toThrow(`${path}: not a notebook, the file is not valid JSON`);
  });

  it("rejects a notebook in an older format, saying which", async () => {
    const path = fixture("nbformat3.ipynb");
    await expect(executeNotebook(path, { outDir: tempDir("bad") })).rejects.toThrow(`${path}: not a valid notebook, expected nbformat 4, found nbformat 3`);
  });

  it("rejects a cell without source, naming the cell", async () => {
    const dir = tempDir("nosource");
    const path = join(dir, "broken.ipynb");
    writeFileSync(path, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: "code", metadata: {} }] }));
    await expect(executeNotebook(path, { outDir: dir })).rejects.toThrow(`${path}: not a valid notebook, cell 1 has no source`);
  });

  it("says how to install tslab when it is missing", async () => {
    const error = await executeNotebook(fixture("matmul.ipynb"), { outDir: tempDir("nokernel"), tslab: "/nonexistent/tslab/bin/tslab" }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(MissingKernelError);
    expect((error as Error).message).toMatch(/tslab kernel is not installed \(no \/nonexistent\/tslab\/bin\/tslab\); run `bash tools\/setup.sh` \(or `npm install`\)/);
  });

  it("runs a notebook from its own folder wherever it lies", async () => {
    // A notebook outside the repository still reaches this checkout's tslab by absolute path; its
    // kernel's cwd is its folder, so a relative read finds the file beside it.
    const dir = tempDir("elsewhere");
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "sub", "data.txt"), "beside the notebook\n");
    const notebook = readCopy(fixture("matmul.ipynb"));
    notebook.cells = [{ cell_type: "code", metadata: {}, outputs: [], execution_count: null, source: 'import { readFileSync } from "node:fs";\nreadFileSync("data.txt", "utf8").trim()' }];
    writeFileSync(join(dir, "sub", "reads.ipynb"), JSON.stringify(notebook));
    const run = await executeNotebook(join(dir, "sub", "reads.ipynb"), { outDir: join(dir, "out") });
    expect(streamText(codeCells(readCopy(run.outPath))[0], "stdout")).toContain("beside the notebook");
  });
});
