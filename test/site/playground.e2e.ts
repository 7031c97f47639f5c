// The playground page in Chromium, run by site.e2e.test.ts on the site it built and serves: runs on
// a synthetic set and on the digits train, B changes mid-run, a URL restores its settings, a sweep
// and a results file from the real CLI draw their charts, and the main thread never blocks 200 ms;
// with WebGPU on (SwiftShader) a run trains on the GPU, and without it the page says why it cannot.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { PageRunRecord } from "../../docs/.vitepress/theme/playground/protocol.ts";
import { readResults, runOne } from "../../lib/index.ts";

export interface SiteContext {
  /** Opens a page of the served site, collecting console errors; `webgpu` opens it in the browser with WebGPU on. */
  visit(link: string, options?: { webgpu?: boolean }): Promise<{ page: Page; errors: string[] }>;
  screenshots: string;
}

const XOR = "data=xor&hidden=8&act=tanh&out=softmax&loss=cross-entropy&lr=0.3";
/** Spirals take a few hundred epochs to learn: test accuracy from about half to over 90%. */
const SPIRALS = "data=spirals&hidden=16&act=tanh&out=softmax&loss=cross-entropy&lr=0.1&n=2000";

/** Records long tasks (over 50 ms) on the page's main thread from its first script on. */
async function watchLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const durations: number[] = [];
    (window as unknown as { longTasks: number[] }).longTasks = durations;
    new PerformanceObserver((list) => list.getEntries().forEach((entry) => durations.push(entry.duration))).observe({ type: "longtask", buffered: true });
  });
}

const longTasks = (page: Page) => page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
/** Forgets the long tasks so far (loading the page), to count those while training. */
const clearLongTasks = (page: Page) => page.evaluate(() => void ((window as unknown as { longTasks: number[] }).longTasks.length = 0));

/** The line the page wrote for its last run listed, which must be a results file the command line reads. */
async function downloadLast(page: Page): Promise<PageRunRecord> {
  const button = page.locator(".pg-runs li").last().getByRole("button", { name: "download" });
  const [file] = await Promise.all([page.waitForEvent("download"), button.click()]);
  const saved = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "batchprop-download-")), file.suggestedFilename());
  await file.saveAs(saved);
  const { records } = readResults(saved);
  const line = JSON.parse(fs.readFileSync(saved, "utf8")) as PageRunRecord;
  fs.rmSync(path.dirname(saved), { recursive: true, force: true });
  expect(records).toHaveLength(1);
  return line;
}

/** From its first checkpoint to its last, the run's test loss fell and its test accuracy rose. */
function expectLearned(run: PageRunRecord): void {
  const first = run.checkpoints[0];
  const last = run.checkpoints.at(-1)!;
  expect(last.testLoss!).toBeLessThan(first.testLoss!);
  expect(last.testAccuracy!).toBeGreaterThan(first.testAccuracy!);
}

/** The loss chart's legend: each series' name. */
const lossLegend = (page: Page) => page.locator(".pg-chart-loss [class*='-swatches']").first().textContent();
const chartDots = (page: Page, chart: string) => page.locator(`${chart} svg circle`).count();

/** The chart's dots once it has stopped changing: a finished run is drawn again with its own last checkpoints, up to a draw (250 ms) later. */
async function settledDots(page: Page, chart: string): Promise<number> {
  let now = await chartDots(page, chart);
  for (;;) {
    await page.waitForTimeout(600);
    const later = await chartDots(page, chart);
    if (later === now) return now;
    now = later;
  }
}

export function describePlayground(site: SiteContext): void {
  describe("the playground, in Chromium", () => {
    it("restores its settings from the URL and explains an invalid combination, Train disabled", async () => {
      const { page, errors } = await site.visit(`/playground?${XOR}&B=16&n=7&budget=steps&seed=5&opt=adam`);
      await page.locator(".playground").waitFor();
      expect(await page.locator('select[name="dataset"]').inputValue()).toBe("xor");
      expect(await page.locator('input[name="hidden"]').inputValue()).toBe("8");
      expect(await page.locator('input[name="batchSize"]').inputValue()).toBe("16");
      expect(await page.locator('select[name="optimizer"]').inputValue()).toBe("adam");
      expect(await page.locator('select[name="budgetKind"]').inputValue()).toBe("steps");
      expect(await page.locator('input[name="seed"]').inputValue()).toBe("5");
      expect(await page.locator(".pg-train").isDisabled()).toBe(false);

      await page.locator('select[name="outputActivation"]').selectOption("relu");
      await expect.poll(() => page.locator(".pg-problem").first().textContent()).toBe("output activation: cross-entropy needs a softmax output layer, got relu");
      expect(await page.locator(".pg-train").isDisabled()).toBe(true);
      // The change is in the address, for sharing.
      expect(new URL(page.url()).searchParams.get("out")).toBe("relu");
      await page.locator('select[name="outputActivation"]').selectOption("softmax");
      await page.locator('input[name="batchSize"]').fill("801");
      await expect.poll(() => page.locator(".pg-problem").allTextContents()).toContain("B: batch size 801 is larger than the training set (800 samples of xor)");
      expect(errors).toEqual([]);
      await page.close();
    });

    it("trains on a synthetic set in a worker, the main thread free: the loss falls, the accuracy rises, the chart grows", async () => {
      const { page, errors } = await openWatched(site, `/playground?${SPIRALS}`);
      await clearLongTasks(page);
      await page.locator(".pg-train").click();
      await expect.poll(() => chartDots(page, ".pg-chart-loss"), { timeout: 60_000 }).toBeGreaterThan(1);
      const early = await chartDots(page, ".pg-chart-loss");
      expect(await page.locator(".playground").getAttribute("data-state"), "the chart drew while the run went on").toBe("running");
      await page.locator('.playground[data-state="done"]').waitFor({ timeout: 120_000 });
      expect(await chartDots(page, ".pg-chart-loss"), "the chart's marks grow").toBeGreaterThan(early);
      const run = await downloadLast(page);
      expectLearned(run);
      expect(run.config.data.name).toBe("spirals");
      expect(await page.locator(".playground").getAttribute("data-kernel")).toMatch(/^gemm-4x4-wasm(relaxed)?simd$/);
      const tasks = await longTasks(page);
      console.log(`playground: main-thread long tasks while training spirals: ${tasks.length}, longest ${Math.max(0, ...tasks).toFixed(0)} ms`);
      expect(Math.max(0, ...tasks), "no main-thread task of 200 ms or more").toBeLessThan(200);
      expect(errors).toEqual([]);
      await page.close();
    });

    it("takes a new B mid-run from the next batch, and the run's line lists the change", async () => {
      const { page, errors } = await site.visit(`/playground?${XOR}&B=4&n=5000`);
      await page.locator(".pg-train").click();
      await expect.poll(async () => Number(await page.locator(".pg-status").getAttribute("data-step")), { timeout: 30_000 }).toBeGreaterThan(0);
      await page.locator('input[name="batchSize"]').fill("64");
      await expect.poll(() => page.locator(".pg-status").getAttribute("data-batch-size"), { timeout: 30_000 }).toBe("64");
      await page.locator(".pg-pause").click();
      await page.locator('.playground[data-state="paused"]').waitFor();
      // The slice under way when the message came ends first (40 ms of steps): its report may follow.
      await page.waitForTimeout(300);
      const pausedAt = await page.locator(".pg-status").getAttribute("data-step");
      await page.waitForTimeout(500);
      expect(await page.locator(".pg-status").getAttribute("data-step"), "paused: no steps").toBe(pausedAt);
      await page.locator(".pg-pause").click();
      await expect.poll(async () => Number(await page.locator(".pg-status").getAttribute("data-step"))).toBeGreaterThan(Number(pausedAt));
      await page.locator(".pg-stop").click();
      await page.locator('.pg-runs li[data-status="stopped"]').waitFor();
      const run = await downloadLast(page);
      expect(run.config.batchSize).toBe(4);
      expect(run.changes?.map((change) => change.batchSize)).toContain(64);
      expect(errors).toEqual([]);
      await page.close();
    });

    it("keeps runs side by side, labelled, with values on hover; hides and removes them; marks a diverged run", async () => {
      const { page, errors } = await site.visit(`/playground?${XOR}&n=5`);
      for (const batchSize of ["10", "64"]) {
        await page.locator('input[name="batchSize"]').fill(batchSize);
        await page.locator(".pg-train").click();
        await page.locator(`.pg-runs li[data-status="done"]:has-text("B=${batchSize} η=0.3 sgd")`).waitFor({ timeout: 60_000 });
      }
      await expect.poll(() => lossLegend(page)).toContain("B=10 η=0.3 sgd, train loss");
      expect(await lossLegend(page)).toContain("B=64 η=0.3 sgd, test loss");
      const both = await settledDots(page, ".pg-chart-loss");

      // The comparison is in the address: a link to it offers to rerun the same runs.
      expect(new URL(page.url()).searchParams.get("runs")).toBe("10:0.3,64:0.3");
      const shared = await site.visit(`/playground?${new URL(page.url()).search.slice(1)}`);
      await shared.page.locator(".pg-run-shared").click();
      await expect.poll(() => shared.page.locator('.pg-runs li[data-status="done"]').count(), { timeout: 60_000 }).toBe(2);
      expect((await shared.page.locator(".pg-runs li label").allTextContents()).map((text) => text.trim())).toEqual(["B=10 η=0.3 sgd", "B=64 η=0.3 sgd"]);
      await expect.poll(() => chartDots(shared.page, ".pg-chart-loss")).toBe(both);
      expect(shared.errors).toEqual([]);
      await shared.page.close();

      // Hover a point of the chart there now (a redraw replaces it) until its tip shows.
      let nudge = 0;
      const tipText = async () => {
        await page.locator(".pg-chart-loss svg circle").nth(nudge++ % 7).hover({ force: true });
        return (await page.locator('.pg-chart-loss g[aria-label="tip"]').textContent()) ?? "";
      };
      await expect.poll(tipText).toMatch(/B=(10|64) η=0\.3 sgd, (train|test) loss\W*[\d.]+ at step \d+/);

      await page.locator(".pg-runs li").first().getByRole("checkbox").uncheck();
      await expect.poll(() => chartDots(page, ".pg-chart-loss")).toBeLessThan(both);
      await page.locator(".pg-runs li").last().getByRole("button", { name: "remove" }).click();
      await expect.poll(() => page.locator(".pg-runs li").count()).toBe(1);

      // A linear network at η = 10 diverges within an epoch: the run says so, and the chart marks where.
      await page.locator('select[name="activation"]').selectOption("identity");
      await page.locator('select[name="outputActivation"]').selectOption("identity");
      await page.locator('select[name="loss"]').selectOption("sum-of-squares");
      await page.locator('input[name="lr"]').fill("10");
      await page.locator(".pg-train").click();
      await page.locator('.pg-runs li[data-status="diverged"]').waitFor({ timeout: 60_000 });
      // The chart says where it diverged (in a note if that was before its first record); beside a run, a rule marks the place.
      await expect.poll(() => page.locator(".pg-chart-loss").textContent()).toMatch(/B=64 η=10 sgd diverged at step \d+/);
      await page.locator(".pg-runs li").first().getByRole("checkbox").check();
      await expect.poll(() => page.locator('.pg-chart-loss line[aria-label="B=64 η=10 sgd diverged"]').count()).toBe(1);
      expect(await page.locator(".pg-chart-loss").textContent()).toMatch(/B=64 η=10 sgd diverged at step \d+/);
      expect(errors).toEqual([]);
      await page.close();
    });

    it("sweeps three batch sizes into the notebooks' chart of final accuracy against B", async () => {
      const { page, errors } = await site.visit(`/playground?${XOR}&n=3&sweepB=4,16,64`);
      await page.locator(".pg-sweep-start").click();
      await expect.poll(() => chartDots(page, ".pg-chart-sweep-accuracy"), { timeout: 120_000 }).toBe(3);
      expect(await chartDots(page, ".pg-chart-sweep-loss")).toBe(3);
      expect(await page.locator(".pg-sweep-status").textContent()).toMatch(/^3 of 3 runs, on [1-4] worker\(s\)$/);
      expect(errors).toEqual([]);
      await page.close();
    });

    it("opens a results file made by the real CLI and draws it", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "batchprop-cli-results-"));
      try {
        const out = path.join(dir, "cli.jsonl");
        const cli = spawnSync(process.execPath, ["--experimental-wasm-relaxed-simd", "lib/dist/cli/main.js", "experiment", "--dataset", "circles", "--layers", "2,8,2", "--batch-sizes", "8,32", "--lrs", "0.5", "--epochs", "2", "--seeds", "1", "--out", out], { encoding: "utf8", timeout: 120_000 });
        expect(cli.status, cli.stderr).toBe(0);
        const { page, errors } = await site.visit("/playground");
        await page.locator('input[name="results"]').setInputFiles(out);
        await expect.poll(() => page.locator(".pg-runs li").count()).toBe(2);
        // In the file's order, which is the order the runs finished in.
        const listed = (await page.locator(".pg-runs li label").allTextContents()).map((text) => text.trim());
        expect(listed.sort()).toEqual(["B=32 η=0.5 sgd", "B=8 η=0.5 sgd"]);
        await expect.poll(() => chartDots(page, ".pg-chart-sweep-accuracy")).toBe(2);
        expect(await chartDots(page, ".pg-chart-loss")).toBeGreaterThan(0);

        // A line that is not a run is refused by file and line, as on the command line.
        const bad = path.join(dir, "bad.jsonl");
        fs.writeFileSync(bad, `${fs.readFileSync(out, "utf8")}{"config": {}}\n`);
        await page.locator('input[name="results"]').setInputFiles(bad);
        await expect.poll(() => page.locator(".pg-problem").allTextContents()).toContain("bad.jsonl, line 3: not a run record (missing config.data); fix or delete that line, then rerun");
        expect(errors).toEqual([]);
        await page.close();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("without WebGPU, says why the GPU is unavailable: the choice disabled, a link's GPU run refused", async () => {
      const { page, errors } = await site.visit(`/playground?${XOR}&backend=webgpu`);
      const unavailable = "webgpu: no WebGPU adapter found (looked in navigator.gpu); WebGPU needs a browser that ships it (Chrome or Edge 113+, Safari 26+) on a secure page";
      await expect.poll(() => page.locator(".pg-problem").allTextContents()).toEqual([`device: the GPU is unavailable: ${unavailable}`]);
      expect(await page.locator(".pg-train").isDisabled()).toBe(true);
      expect(await page.locator('select[name="backend"] option[value="webgpu"]').isDisabled()).toBe(true);
      await page.locator('select[name="backend"]').selectOption("cpu");
      expect(await page.locator(".pg-gpu").textContent()).toBe(`No GPU here: ${unavailable}`);
      expect(await page.locator(".pg-train").isDisabled()).toBe(false);
      expect(errors).toEqual([]);
      await page.close();
    });

    it("with WebGPU, trains on the GPU: the loss falls, the chart draws, the run's line names the adapter", async () => {
      const { page, errors } = await site.visit(`/playground?${XOR}&backend=webgpu&n=5`, { webgpu: true });
      await expect.poll(() => page.locator(".pg-gpu").textContent(), { timeout: 30_000 }).toMatch(/^GPU: .*swiftshader/i);
      expect(await page.locator('select[name="backend"] option[value="webgpu"]').isDisabled()).toBe(false);
      // Per-sample gradients are the CPU's loop: refused beside their control.
      await page.locator('select[name="gradients"]').selectOption("per-sample");
      await expect.poll(() => page.locator(".pg-problem").allTextContents()).toEqual(["backward pass: per sample runs on the CPU only; on the GPU a batch's gradients are matrix products (vectorized)"]);
      expect(await page.locator(".pg-train").isDisabled()).toBe(true);
      await page.locator('select[name="gradients"]').selectOption("vectorized");

      await page.locator(".pg-train").click();
      await page.locator('.playground[data-state="done"]').waitFor({ timeout: 120_000 });
      expect(await page.locator(".playground").getAttribute("data-backend")).toBe("webgpu");
      expect(await page.locator(".pg-status").textContent()).toMatch(/ samples\/s \(GPU, float32\), adapter google swiftshader/);
      await expect.poll(() => chartDots(page, ".pg-chart-loss")).toBeGreaterThan(1);
      const gpuRun = await downloadLast(page);
      expect([gpuRun.backend, gpuRun.config.backend]).toEqual(["webgpu", "webgpu"]);
      expect(gpuRun.adapter).toMatch(/swiftshader/i);
      expect(await page.locator(".pg-runs li").last().locator(".pg-run-status").textContent()).toBe(`done on ${gpuRun.adapter}`);
      expectLearned(gpuRun);

      // The same run on the CPU, beside it on the chart: the legend tells them apart, and the float32 run ends where the float64 one does.
      await page.locator('select[name="backend"]').selectOption("cpu");
      await page.locator(".pg-train").click();
      await page.locator('.pg-runs li[data-status="done"]:has-text("B=10 η=0.3 sgd")').nth(1).waitFor({ timeout: 60_000 });
      await expect.poll(() => lossLegend(page)).toContain("B=10 η=0.3 sgd on GPU, train loss");
      expect(await lossLegend(page)).toContain("B=10 η=0.3 sgd, train loss");
      await page.screenshot({ path: path.join(site.screenshots, "playground-gpu.png"), fullPage: true });
      const cpuRun = await downloadLast(page);
      expect([cpuRun.backend, cpuRun.config.backend]).toEqual(["cpu", undefined]);
      expect(gpuRun.steps).toBe(cpuRun.steps);
      const gap = Math.abs(gpuRun.checkpoints.at(-1)!.testLoss! - cpuRun.checkpoints.at(-1)!.testLoss!) / cpuRun.checkpoints.at(-1)!.testLoss!;
      console.log(`playground: xor on ${gpuRun.adapter}, ${gpuRun.steps} steps at B = 10: ${Math.round(gpuRun.samples / gpuRun.seconds).toLocaleString("en-US")} samples/s (CPU ${Math.round(cpuRun.samples / cpuRun.seconds).toLocaleString("en-US")}); final test loss ${gap.toExponential(1)} from float64's, relatively`);
      expect(gap, "float32 against float64 after 400 steps").toBeLessThan(1e-4);

      // A sweep on the GPU: one worker feeds it.
      await page.locator('select[name="backend"]').selectOption("webgpu");
      await page.locator('input[name="budget"]').fill("1");
      await page.locator('input[name="sweepBatchSizes"]').fill("16,64");
      await page.locator(".pg-sweep-start").click();
      await expect.poll(() => chartDots(page, ".pg-chart-sweep-accuracy"), { timeout: 60_000 }).toBe(2);
      expect(await page.locator(".pg-sweep-status").textContent()).toBe("2 of 2 runs, on 1 worker(s)");
      expect((await page.locator(".pg-runs li label").allTextContents()).map((text) => text.trim()).slice(-2)).toEqual(["B=16 η=0.3 sgd on GPU", "B=64 η=0.3 sgd on GPU"]);
      expect(errors).toEqual([]);
      await page.close();
    });

    it("trains on the digits, and measures samples/s at B = 64 beside Node's", async () => {
      const { page, errors } = await openWatched(site, "/playground?B=64&n=2");
      await clearLongTasks(page);
      const started = Date.now();
      await page.locator(".pg-train").click();
      await page.locator('.playground[data-state="running"]').waitFor({ timeout: 60_000 });
      const arrived = (Date.now() - started) / 1000;
      const dataSeconds = Number(await page.locator(".pg-status").getAttribute("data-data-seconds"));
      await expect.poll(() => chartDots(page, ".pg-chart-loss"), { timeout: 60_000 }).toBeGreaterThan(4);
      // Long tasks while training, up to here: the screenshots and resizing below are the test's own work.
      const tasks = await longTasks(page);
      expect(Math.max(0, ...tasks), "no main-thread task of 200 ms or more").toBeLessThan(200);
      await page.screenshot({ path: path.join(site.screenshots, "playground.png"), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(site.screenshots, "playground-phone.png"), fullPage: true });
      const right = await page.locator(".pg-chart svg").evaluateAll((svgs) => Math.max(...svgs.map((svg) => svg.getBoundingClientRect().right)));
      expect(right, "the charts fit a phone's width").toBeLessThanOrEqual(390);
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.locator('.playground[data-state="done"]').waitFor({ timeout: 240_000 });
      const run = await downloadLast(page);
      expectLearned(run);
      expect(run.config.layers).toEqual([784, 30, 10]);

      const node = runOne(run.config);
      const browserRate = run.samples / run.seconds;
      const nodeRate = node.samples / node.seconds;
      const asset = fs.statSync(path.join("docs", "public", "playground", "digits.bin.gz")).size;
      console.log(
        `playground: digits asset ${(asset / 1024).toFixed(0)} KiB gzipped, in the worker ${dataSeconds.toFixed(2)} s after Train (run started ${arrived.toFixed(2)} s after the click); ` +
          `784-30-10 at B = 64, training only: browser ${Math.round(browserRate).toLocaleString("en-US")} samples/s on ${run.kernel}, Node ${Math.round(nodeRate).toLocaleString("en-US")} samples/s on ${node.kernel}`,
      );
      expect(browserRate).toBeGreaterThan(0);
      expect(errors).toEqual([]);
      await page.close();
    });
  });
}

/** visit(), with long tasks recorded from the page's first script (the observer must be in place before it loads). */
async function openWatched(site: SiteContext, link: string) {
  const opened = await site.visit("/playground");
  await watchLongTasks(opened.page);
  const response = await opened.page.goto(new URL(link.replace(/^\//, ""), opened.page.url().replace(/playground.*$/, "")).href, { waitUntil: "networkidle" });
  expect(response?.status()).toBe(200);
  await opened.page.locator(".playground").waitFor();
  return opened;
}
