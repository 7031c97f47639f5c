/**
 * The playground's training engine, run in a Web Worker (worker.ts) and unit-tested in Node
 * (test/site/playground-engine.test.ts): the library's own session, stepped in slices of about
 * SLICE_MS so that messages (pause, a new B or η) are read between slices, whatever a step costs.
 * On the CPU a slice is createSession's steps for SLICE_MS; on the GPU it is one advance() of
 * createGpuSession, by as many steps as took about SLICE_MS the slice before.
 */
import {
  checkRunConfig,
  createGpuSession,
  createSession,
  runNetwork,
  runTrainOptions,
  currentKernel,
  type DataConfig,
  type Dataset,
  type GpuHandle,
  type GpuSession,
  loadDataset,
  type RunConfig,
  type SessionOptions,
  type SessionStep,
  type Split,
  splitDigits,
  toRunRecord,
  type TrainingSession,
} from "batchprop/core";
import type { FromWorker, SettingChange, ToWorker } from "./protocol.ts";
import { checkGradientsOn } from "./settings.ts";

/** Steps between reads of the message queue take about this long: short enough for a slider, long enough to cost little. */
export const SLICE_MS = 40;

type Session = TrainingSession | GpuSession;

interface Run {
  readonly id: string;
  readonly config: RunConfig;
  readonly session: Session;
  /** Takes the next slice of steps; resolves whether the run goes on. */
  readonly slice: () => Promise<boolean>;
  readonly started: number;
  readonly changes: SettingChange[];
  /** The last step taken: its epoch, B, η and loss. */
  last: Pick<SessionStep, "epoch" | "batchSize" | "lr" | "batchLoss">;
  /** The calls into the session, one after another: a GPU slice is awaited, and a stop or a new B waits for it. */
  queue: Promise<void>;
  /** A slice is scheduled or under way: resuming starts no second one. */
  ticking: boolean;
  timer?: ReturnType<typeof setTimeout>;
}

/** The CPU's slice: steps for SLICE_MS, synchronously, so no message is read in between. */
function cpuSlice(session: TrainingSession): () => Promise<boolean> {
  return async () => {
    const start = performance.now();
    let going = true;
    while (going && performance.now() - start < SLICE_MS) going = session.step();
    return going;
  };
}

/**
 * The GPU's slice: one advance(), sized by the last one's pace to take about SLICE_MS. It starts
 * at one step and at most doubles, as the first advance also builds the device's pipelines.
 */
function gpuSlice(session: GpuSession): () => Promise<boolean> {
  let steps = 1;
  return async () => {
    const start = performance.now();
    const going = await session.advance(steps);
    const ms = Math.max(1, performance.now() - start);
    steps = Math.max(1, Math.min(2 * steps, Math.round((steps * SLICE_MS) / ms)));
    return going;
  };
}

export interface Engine {
  handle(message: ToWorker): void;
}

/**
 * `loadDigits` fetches and decodes the digits asset at a URL (the worker) or reads it (a test):
 * once, unless it fails. `openGpu` opens the WebGPU device (browserGpu in the worker): once, on
 * the first "gpu" message or GPU run, and kept for the worker's runs; a lost device is opened again.
 */
export function createEngine(post: (message: FromWorker) => void, loadDigits: (url: string) => Promise<Dataset>, openGpu: () => Promise<GpuHandle>): Engine {
  let digits: Promise<Dataset> | undefined;
  let gpu: Promise<GpuHandle> | undefined;
  let run: Run | undefined;
  /** The run whose data or device is loading: a reset or another start cancels it. */
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

  const load = (data: DataConfig, digitsUrl: string): Promise<Split> =>
    split(data, digitsUrl).catch((error: Error) => {
      throw new Error(`cannot load ${data.name}: ${error.message}`);
    });

  // Where no adapter is found, none appears later: the failure is kept too, and told to every GPU run.
  const device = (): Promise<GpuHandle> => {
    if (gpu === undefined) {
      const opening = (gpu = openGpu());
      opening.then(
        (handle) =>
          handle.device.lost.then(() => {
            if (gpu === opening) gpu = undefined;
          }),
        () => undefined,
      );
    }
    return gpu;
  };

  /** Queues a call into the run's session, after the one under way; nothing runs once the run is dropped. */
  const enqueue = (current: Run, call: () => void | Promise<void>) => {
    current.queue = current.queue.then(() => (run === current ? call() : undefined)).catch((error: unknown) => fail(current, error));
  };

  /** Ends the run's life here: nothing more is reported about it, and its session is closed after the call under way. */
  const drop = (current: Run) => {
    if (run !== current) return;
    run = undefined;
    clearTimeout(current.timer);
    current.queue = current.queue.then(() => current.session.close()).catch(() => undefined);
  };

  /** Out of memory for a new B's buffers, a lost device: the run ends, and the page hears why. */
  const fail = (current: Run, error: unknown) => {
    if (run !== current) return;
    drop(current);
    post({ type: "error", id: current.id, message: (error as Error).message });
  };

  const finish = (current: Run) => {
    const record = toRunRecord(current.config, current.session.result, (performance.now() - current.started) / 1000);
    drop(current);
    post({ type: "done", id: current.id, run: current.changes.length === 0 ? record : { ...record, changes: current.changes } });
  };

  const schedule = (current: Run) => {
    current.ticking = true;
    current.timer = setTimeout(tick, 0, current);
  };

  const tick = (current: Run) =>
    enqueue(current, async () => {
      if (paused) {
        current.ticking = false;
        return;
      }
      const { session } = current;
      const sliceStart = performance.now();
      const samplesBefore = session.result.samples;
      const going = await current.slice();
      // Reset while the slice ran: its session's close is queued.
      if (run !== current) return;
      const seconds = (performance.now() - sliceStart) / 1000;
      const { result } = session;
      post({ type: "progress", id: current.id, step: result.steps, samples: result.samples, ...current.last, samplesPerSecond: (result.samples - samplesBefore) / seconds });
      if (going) schedule(current);
      else finish(current);
    });

  const start = async (message: Extract<ToWorker, { type: "start" }>) => {
    const { id, config, gradients, digitsUrl } = message;
    const onGpu = config.backend === "webgpu";
    if (run !== undefined) drop(run);
    starting = id;
    paused = false;
    const loadStarted = performance.now();
    let current: Run | undefined;
    let session: Session;
    let gpuHandle: GpuHandle | undefined;
    let dataSeconds: number;
    try {
      checkGradientsOn(onGpu, gradients);
      const [data, handle] = await Promise.all([load(config.data, digitsUrl), onGpu ? device() : undefined]);
      gpuHandle = handle;
      if (starting !== id) return;
      dataSeconds = (performance.now() - loadStarted) / 1000;
      // As runOneAsync (lib/experiments/run.ts) trains a run on either device: the same config gives the same record.
      const options: SessionOptions = {
        ...runTrainOptions(config),
        test: data.test,
        onStep: ({ epoch, batchSize, lr, batchLoss }) => {
          if (current) current.last = { epoch, batchSize, lr, batchLoss };
        },
        onRecord: (record, kind) => {
          if (current && run === current) post({ type: "record", id, record: { ...record, kind, batchSize: current.last.batchSize, lr: current.last.lr } });
        },
      };
      session = gpuHandle ? await createGpuSession(runNetwork(config), data.train, options, gpuHandle) : createSession(runNetwork(config), data.train, { ...options, gradients });
    } catch (error) {
      if (starting === id) {
        starting = undefined;
        post({ type: "error", id, message: (error as Error).message });
      }
      return;
    }
    if (starting !== id) {
      // Reset or replaced while the GPU built the run's buffers.
      session.close();
      return;
    }
    starting = undefined;
    const slice = gpuHandle ? gpuSlice(session as GpuSession) : cpuSlice(session as TrainingSession);
    current = {
      id,
      config,
      session,
      slice,
      started: performance.now(),
      changes: [],
      last: { epoch: 1, batchSize: config.batchSize, lr: config.lr, batchLoss: Number.NaN },
      queue: Promise.resolve(),
      ticking: false,
    };
    run = current;
    post({ type: "started", id, kernel: gpuHandle ? gpuHandle.adapter : currentKernel().name, dataSeconds });
    schedule(current);
  };

  return {
    handle(message) {
      switch (message.type) {
        case "gpu":
          device().then(
            (handle) => post({ type: "gpu", available: true, adapter: handle.adapter }),
            (error: Error) => post({ type: "gpu", available: false, reason: error.message }),
          );
          return;
        case "start":
          void start(message);
          return;
        case "pause":
          paused = true;
          return;
        case "resume":
          paused = false;
          if (run !== undefined && !run.ticking) schedule(run);
          return;
        case "stop": {
          const current = run;
          if (current === undefined) return;
          enqueue(current, async () => {
            await current.session.stop();
            finish(current);
          });
          return;
        }
        case "reset":
          starting = undefined;
          if (run !== undefined) drop(run);
          return;
        case "set": {
          const current = run;
          if (current === undefined) return;
          const { config, session } = current;
          const batchSize = message.batchSize ?? session.batchSize;
          const lr = message.lr ?? session.lr;
          try {
            // The run's settings with the new B and η must pass the checks it started with (the memory a batch may take among them).
            checkRunConfig({ ...config, batchSize, baseBatch: batchSize, lr, baseLr: lr }, { inputs: config.layers[0], outputs: config.layers[config.layers.length - 1], train: config.data.train });
          } catch (error) {
            post({ type: "error", id: current.id, message: (error as Error).message });
            return;
          }
          // After the slice under way, so that the change's step is the one it applies from.
          enqueue(current, () => {
            try {
              session.set({ batchSize: message.batchSize, lr: message.lr });
            } catch (error) {
              // Out of memory for the new B's buffers, say: the run goes on as it was.
              post({ type: "error", id: current.id, message: (error as Error).message });
              return;
            }
            current.changes.push({ step: session.result.steps, batchSize: session.batchSize, lr: session.lr });
          });
          return;
        }
      }
    },
  };
}
