/**
 * `batchprop train`: one network, with a progress bar over each epoch's steps and a line per
 * epoch (train and test loss, test accuracy). Defaults are Nielsen's: 784-30-10 sigmoid, sum of
 * squares, plain SGD with η = 3, B = 10, on 8,000 training and 2,000 test digits, on the CPU
 * (--backend webgpu: on a GPU).
 */
import { availableParallelism } from "node:os";
import { Command, Option } from "commander";
import { backendOf, checkRunConfig, type RunConfig } from "../experiments/config.js";
import { stepsPerEpoch } from "../train/budget.js";
import { runOneAsync } from "../experiments/run.js";
import { deviceOf, finalPoint, type RunRecord } from "../experiments/record.js";
import { checkBatchSize, checkLr } from "../validate/validate.js";
import { trainFlags, withFlags } from "./flags.js";
import { addModelOptions, countLimits, type ModelOptionValues, parseCount, parseInteger, parseModelOptions, parseNumber, refuseCpuFlags } from "./options.js";
import { progressBar } from "./progress.js";
import { signalExitStatus, stopSignals } from "./signals.js";
import { formatDuration } from "./usage.js";

interface TrainOptionValues extends ModelOptionValues {
  lr: string;
  batchSize: string;
  epochs: string;
  seed: string;
  workers: string;
}

export function trainCommand(): Command {
  const command = new Command("train").description("Train one network and print train/test loss and test accuracy after every epoch.");
  addModelOptions(command)
    .addOption(new Option("--lr <eta>", "learning rate η, > 0").default("3"))
    .addOption(new Option("--batch-size <B>", "samples per step, from 1 to the training-set size").default("10"))
    .addOption(new Option("--epochs <n>", "whole epochs to train").default("3"))
    .addOption(new Option("--seed <n>", "seeds the initial weights and the shuffles").default("0"))
    .addOption(new Option("--workers <n>", "threads splitting each batch, from 1 to this machine's cores; the same numbers within rounding (--backend cpu only)").default("1"))
    .action(async (values: TrainOptionValues, cmd: Command) => {
      const plan = withFlags(trainFlags, () => planTraining(values, (name) => cmd.getOptionValueSource(name) === "cli"));
      process.exitCode = await trainOnce(plan.config, plan.workers);
    });
  return command;
}

/**
 * The run `train` will do and the threads it runs on, every option checked (errors name the
 * library's fields: trainFlags names the flags); `given` says which options were typed.
 */
export function planTraining(values: TrainOptionValues, given: (option: string) => boolean): { config: RunConfig; workers: number } {
  const model = parseModelOptions(values);
  refuseCpuFlags(model.backend, ["workers"], given);
  const lr = parseNumber("--lr", values.lr, "learning rate");
  checkLr(lr);
  const batchSize = parseInteger("--batch-size", values.batchSize, "batch size");
  checkBatchSize(batchSize, model.shape.train, values.dataset);
  const epochs = parseCount("--epochs", values.epochs, "epochs", countLimits["--epochs"]);
  const seed = parseInteger("--seed", values.seed, "seed");
  const config: RunConfig = {
    data: model.data,
    layers: model.layers,
    activation: model.activation,
    // Written only when it differs, as expandGrid does: a run keeps one key.
    ...(model.outputActivation !== model.activation && { outputActivation: model.outputActivation }),
    loss: model.loss,
    reduction: model.reduction,
    optimizer: model.optimizer,
    batchSize,
    lr,
    baseLr: lr,
    lrScaling: "none",
    baseBatch: batchSize,
    budget: { epochs },
    seed,
    lastBatch: "partial",
    recordEvery: 0,
    ...(model.backend !== "cpu" && { backend: model.backend }),
  };
  checkRunConfig(config, model.shape);
  // More threads than cores only take turns on them.
  const workers = parseCount("--workers", values.workers, "the worker count", availableParallelism());
  return { config, workers };
}

async function trainOnce(config: RunConfig, workers: number): Promise<number> {
  const { data, layers, activation, outputActivation, loss, reduction, optimizer, batchSize, lr, seed } = config;
  const epochs = "epochs" in config.budget ? config.budget.epochs : 1;
  process.stdout.write(
    `Training ${layers.join("-")} ${activation}${outputActivation === undefined ? "" : ` (${outputActivation} output)`}, ${loss} (${reduction}), ${optimizer} η = ${lr}, B = ${batchSize}, ` +
      `${epochs} epoch${epochs > 1 ? "s" : ""} on ${data.name} (${data.train} train / ${data.test} test), seed ${seed}\n`,
  );
  const perEpoch = stepsPerEpoch(data.train, batchSize, config.lastBatch);
  const bar = progressBar("epoch {epoch}/{epochs} {bar} {value}/{total} steps | loss {loss}", { clearOnComplete: true });
  // A GPU run awaits its device, so it hears Ctrl-C (SIGTERM, SIGHUP) and stops cleanly, its device
  // released; a second signal ends it at once. The CPU's loop never yields: a signal ends it as any program.
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    for (const s of stopSignals) process.removeListener(s, onSignal);
    stop.abort(signal);
  };
  if (backendOf(config) !== "cpu") for (const signal of stopSignals) process.on(signal, onSignal);
  let record: RunRecord;
  try {
    record = await runOneAsync(config, {
      workers,
      signal: stop.signal,
      onProgress: ({ epoch, step, batchLoss }) => {
        if (bar === undefined) return;
        const inEpoch = step - (epoch - 1) * perEpoch;
        if (inEpoch === 1) bar.start(perEpoch, 0, { epoch, epochs, loss: "" });
        bar.update(inEpoch, { loss: batchLoss.toFixed(5) });
        if (inEpoch === perEpoch) bar.stop();
      },
      onEpoch: (s) => {
        process.stdout.write(
          `epoch ${s.epoch}: train loss ${s.trainLoss.toFixed(5)}, test loss ${s.testLoss.toFixed(5)}, test accuracy ${(100 * s.testAccuracy).toFixed(2)}%\n`,
        );
      },
    });
  } finally {
    bar?.stop();
    for (const signal of stopSignals) process.removeListener(signal, onSignal);
  }
  if (stop.signal.aborted) {
    const signal = stop.signal.reason as NodeJS.Signals;
    process.stderr.write(`Stopped by ${signal} after ${record.steps} steps (${formatDuration(record.seconds)} of training on ${deviceOf(record)}).\n`);
    return signalExitStatus(signal);
  }
  if (record.diverged) {
    const { step, lastFiniteLoss } = record.diverged;
    process.stdout.write(`Diverged at step ${step} (last finite batch loss ${lastFiniteLoss ?? "none"}): try a smaller --lr.\n`);
    return 1;
  }
  const last = finalPoint(record);
  process.stdout.write(
    `Done: ${record.steps} steps in ${formatDuration(record.seconds)} of training on ${deviceOf(record)}${record.sparse ? " with sparse inputs" : ""}${record.workers > 1 ? `, ${record.workers} workers` : ""}` +
      (last?.testAccuracy === undefined ? "" : `, test accuracy ${(100 * last.testAccuracy).toFixed(2)}%`) +
      "\n",
  );
  return 0;
}
