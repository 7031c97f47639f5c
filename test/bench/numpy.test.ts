/** numpy's side of the bench on its own: what it reports about numpy, and that it dies with the bench. */
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { defaultPython, describeNumpy, handOver, probeNumpy, script } from "../../tools/bench/numpy.ts";
import { benchDigits } from "../../tools/bench/training.ts";

describe("numpy's side of the bench", () => {
  const saved = process.env.OPENBLAS_CORETYPE;
  afterEach(() => {
    if (saved === undefined) delete process.env.OPENBLAS_CORETYPE;
    else process.env.OPENBLAS_CORETYPE = saved;
  });

  it("names numpy's BLAS and threads, and the OpenBLAS tuning variables set, passed on as they are", async () => {
    process.env.OPENBLAS_CORETYPE = "Haswell";
    const info = await probeNumpy(defaultPython);
    if ("missing" in info) throw new Error(info.missing); // says: sudo apt-get install python3-numpy
    expect(info.openblasTuning).toEqual({ OPENBLAS_CORETYPE: "Haswell" });
    expect(info.threadsAsked).toEqual({ OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1", BLIS_NUM_THREADS: "1" });
    expect(info.blas).not.toBe("unknown");
    const line = describeNumpy(info);
    expect(line).toContain(`numpy ${info.numpy} (Python ${info.python}), BLAS ${info.blas}`);
    expect(line).toContain("set: OPENBLAS_CORETYPE=Haswell (left as they are)");
    delete process.env.OPENBLAS_CORETYPE;
    const untuned = await probeNumpy(defaultPython);
    if ("missing" in untuned) throw new Error(untuned.missing);
    expect(describeNumpy(untuned)).toContain("OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE not set");
  });

  it("ends as soon as its stdin closes, as it does when the bench that started it dies", async () => {
    const folder = handOver(benchDigits(10_000));
    try {
      // One epoch at B = 1 takes seconds: the script is still training when its stdin closes.
      const child = spawn(defaultPython, [script, folder, "1"], { stdio: ["pipe", "pipe", "pipe"] });
      const exited = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
      await new Promise((wait) => setTimeout(wait, 1500));
      const closedAt = performance.now();
      child.stdin.end();
      expect(await exited).toBe(1);
      expect(performance.now() - closedAt).toBeLessThan(1000);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
