/**
 * The wall time of the default experiments (notebooks 09-10) from scratch: every run of
 * defaultRuns() through the experiment pool, into a results file in a temporary folder that is
 * removed afterwards, so results/default.jsonl is never read or touched.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { defaultRuns, runPool } from "batchprop";

export interface DefaultExperimentsRow {
  runs: number;
  workers: number;
  /** The gemm kernels the runs multiplied through. */
  kernel: string;
  seconds: number;
}

export async function benchDefaultExperiments(): Promise<DefaultExperimentsRow[]> {
  const folder = mkdtempSync(join(tmpdir(), "batchprop-bench-default-"));
  const runs = defaultRuns();
  const workers = availableParallelism();
  const kernels = new Set<string>();
  try {
    const started = performance.now();
    const result = await runPool(runs, {
      out: join(folder, "default.jsonl"),
      workers,
      onRun: (record, done, todo) => {
        kernels.add(record.kernel);
        if (process.stderr.isTTY) process.stderr.write(`\rdefault experiments: ${done}/${todo} runs`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    if (process.stderr.isTTY) process.stderr.write("\n");
    if (result.finished !== runs.length) throw new Error(`default experiments: ${result.finished} of ${runs.length} runs finished`);
    return [{ runs: result.finished, workers, kernel: [...kernels].join(", "), seconds }];
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
