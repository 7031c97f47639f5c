/**
 * The playground's training engine, run in a Web Worker (worker.ts) and unit-tested in Node
 * (test/site/playground-engine.test.ts): the library's own createSession, stepped in slices of
 * about SLICE_MS so that messages (pause, a new B or η) are read between slices, whatever a step costs.
 */
import {
  checkRunConfig,
  createSession,
  runNetwork,
  runTrainOptions,
  currentKernel,
  type DataConfig,
  type Dataset,
  loadDataset,
  type RunConfig,
  type SessionStep,
  type Split,
  splitDigits,
  toRunRecord,
  type TrainingSession,
} from "batchprop/core";
import type { FromWorker, Gradients, SettingChange, ToWorker } from "./protocol.ts";

/** Steps between reads of the message queue take about this long: short enough for a slider, long enough to cost little. */
export const SLICE_MS = 40;

interface Run {
  readonly id: string;
  readonly config: RunConfig;
  readonly session: TrainingSession;
  readonly started: number;
  readonly changes: SettingChange[];
  /** The last step taken: its epoch, B, η and loss. */
  last: Pick<SessionStep, "epoch" | "batchSize" | "lr" | "batchLoss">;
  timer?: ReturnType<typeof setTimeout>;
}

export interface Engine {
  handle(message: ToWorker): void;
}

/** `loadDigits` fetches and decodes the digits asset at a URL (the worker) or reads it (a test): once, unless it fails. */
export function createEngine(post: (message: FromWorker) => void, loadDigits: (url: string) => Promise<Dataset>): Engine {
  let digits: Promise<Dataset> | undefined;
  let run: Run | undefined;
  /** The run whose data is loading: a reset or another start cancels it. */
  let starting: string | undefined;
  let paused = false;

  const split = (data: DataConfig, digitsUrl: string): Promise<Split> => {
    const { name } = data;
    // The registry makes every set but the digits, which come from the site's asset.
    if (name !== "digits") return new Promise((resolve) => resolve(loadDataset(name, data)));
    const loading = (digits ??= loadDigits(digitsUrl));
    loading.catch(() => {
      if (digits === loading) digits = undefined;
    });
    return loading.then((all) => splitDigits(all, data));
  };

  const forget = () => {
    if (run?.timer !== undefined) clearTimeout(run.timer);
    run = undefined;
    starting = undefined;
  };

  const finish = (current: Run) => {
    forget();
    const record = toRunRecord(current.config, current.session.result, (performance.now() - current.started) / 1000);
    post({ type: "done", id: current.id, run: current.changes.length === 0 ? record : { ...record, changes: current.changes } });
  };

  const tick = (current: Run) => {
    current.timer = undefined;
    if (run !== current || paused) return;
    const { session } = current;
    const sliceStart = performance.now();
    const samplesBefore = session.result.samples;
    let going = true;
    try {
      while (going && performance.now() - sliceStart < SLICE_MS) going = session.step();
    } catch (error) {
      // Out of memory for a new B's buffers, say: the run ends, and the page hears why.
      session.close();
      forget();
      post({ type: "error", id: current.id, message: (error as Error).message });
      return;
    }
    const seconds = (performance.now() - sliceStart) / 1000;
    const { result } = session;
    post({ type: "progress", id: current.id, step: result.steps, samples: result.samples, ...current.last, samplesPerSecond: (result.samples - samplesBefore) / seconds });
    if (going) current.timer = setTimeout(tick, 0, current);
    else finish(current);
  };

  const start = async (id: string, config: RunConfig, gradients: Gradients, digitsUrl: string) => {
    forget();
    starting = id;
    paused = false;
    const loadStarted = performance.now();
    let data: Split;
    try {
      data = await split(config.data, digitsUrl);
    } catch (error) {
      if (starting === id) post({ type: "error", id, message: `cannot load ${config.data.name}: ${(error as Error).message}` });
      return;
    }
    if (starting !== id) return;
    starting = undefined;
    const dataSeconds = (performance.now() - loadStarted) / 1000;
    const started = performance.now();
    let current: Run | undefined;
    let session: TrainingSession;
    try {
      // As runOne (lib/experiments/run.ts) trains a run: the same config gives the same record.
      session = createSession(runNetwork(config), data.train, {
        ...runTrainOptions(config),
        test: data.test,
        gradients,
        onStep: ({ epoch, batchSize, lr, batchLoss }) => {
          if (current) current.last = { epoch, batchSize, lr, batchLoss };
        },
        onRecord: (record, kind) => {
          if (current) post({ type: "record", id, record: { ...record, kind, batchSize: current.last.batchSize, lr: current.last.lr } });
        },
      });
    } catch (error) {
      post({ type: "error", id, message: (error as Error).message });
      return;
    }
    current = { id, config, session, started, changes: [], last: { epoch: 1, batchSize: config.batchSize, lr: config.lr, batchLoss: Number.NaN } };
    run = current;
    post({ type: "started", id, kernel: currentKernel().name, dataSeconds });
    current.timer = setTimeout(tick, 0, current);
  };

  return {
    handle(message) {
      switch (message.type) {
        case "start":
          void start(message.id, message.config, message.gradients, message.digitsUrl);
          return;
        case "pause":
          paused = true;
          return;
        case "resume":
          paused = false;
          if (run !== undefined && run.timer === undefined) run.timer = setTimeout(tick, 0, run);
          return;
        case "stop":
          if (run === undefined) return;
          run.session.stop();
          finish(run);
          return;
        case "reset":
          forget();
          return;
        case "set": {
          if (run === undefined) return;
          try {
            // The run's settings with the new B and η must pass the checks it started with (the memory a batch may take among them).
            const { config } = run;
            const batchSize = message.batchSize ?? run.session.batchSize;
            const lr = message.lr ?? run.session.lr;
            checkRunConfig({ ...config, batchSize, baseBatch: batchSize, lr, baseLr: lr }, { inputs: config.layers[0], outputs: config.layers[config.layers.length - 1], train: config.data.train });
            run.session.set({ batchSize: message.batchSize, lr: message.lr });
          } catch (error) {
            post({ type: "error", id: run.id, message: (error as Error).message });
            return;
          }
          run.changes.push({ step: run.session.result.steps, batchSize: run.session.batchSize, lr: run.session.lr });
          return;
        }
      }
    },
  };
}
