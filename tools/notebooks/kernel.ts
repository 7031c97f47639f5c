/**
 * A client for one tslab kernel over the Jupyter wire protocol: start it, run code, shut it down.
 *
 * The client connects shell and control as DEALER sockets and iopub as SUB, as jupyter_client
 * does; heartbeat and stdin are left unconnected (no cell reads input). The kernel runs in its
 * own process group so that shutting it down takes everything it started with it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Dealer, Subscriber } from "zeromq";
import { decode, encode, newMessage, type Message } from "./wire.ts";

/** The checkout this file belongs to: tools/notebooks/ sits two levels below it. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const defaultTslab = join(repoRoot, "node_modules", "tslab", "bin", "tslab");
/**
 * Preloaded into every kernel: kills the kernel when this process dies without shutting it down
 * (see the file). The built library's, since the kernel runs plain node.
 */
const parentWatch = join(repoRoot, "lib", "dist", "cli", "parent-watch.js");

/**
 * Environment for the kernel. batchprop is ESM and tslab cells compile to CommonJS, so a cell's
 * import is a require() of an ES module. Node 20.19 printed an ExperimentalWarning for that
 * (20.20 no longer does), and tslab routes stderr into the cell's output: suppressing the
 * warning keeps outputs the same on every Node the project accepts. Jupyter users get the same
 * setting through the kernelspec (kernelspec.ts, nbclient_run.py).
 */
export const kernelEnv: Readonly<Record<string, string>> = { NODE_OPTIONS: "--disable-warning=ExperimentalWarning" };

/** What the kernel inherits from us: enough to find programs, a home and a locale, no more. */
const inheritedEnv = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "SHELL", "TERM"];

export interface KernelOptions {
  /** The kernel's working directory: the notebook's own folder, as JupyterLab sets it. */
  cwd: string;
  /** The tslab launcher script; defaults to this checkout's node_modules/tslab/bin/tslab. */
  tslab?: string;
  /** How long to wait for kernel_info_reply, in milliseconds. */
  startupTimeoutMs?: number;
  /** Extra environment variables for the kernel, on top of the clean base. */
  env?: Record<string, string>;
}

/** tslab is not where it should be: the project's dependencies are not installed. */
export class MissingKernelError extends Error {
  override name = "MissingKernelError";
}

/** The kernel did not start, died, or broke the protocol. */
export class KernelError extends Error {
  override name = "KernelError";
}

export class CellTimeoutError extends Error {
  override name = "CellTimeoutError";
  constructor(readonly timeoutMs: number) {
    super(`did not finish within ${formatSeconds(timeoutMs)}`);
  }
}

export interface ExecuteReply {
  /** "ok", "error", or "abort" (tslab aborts requests queued behind a failed one). */
  status: string;
  executionCount: number | null;
  /** The iopub messages answering this request, in order, without the busy/idle status ones. */
  messages: Message[];
  /** The execute_reply's content (ename/evalue/traceback when a kernel reports them there). */
  reply: Record<string, unknown>;
  elapsedMs: number;
}

type Channel = "shell" | "control" | "iopub";
type Listener = (channel: Channel, message: Message) => void;

/** Kernels alive in this process, killed synchronously if the process exits before shutting them down. */
const liveKernels = new Set<Kernel>();
let exitHookInstalled = false;

export class Kernel {
  readonly pid: number;
  /** tslab's kernel_info_reply content (language_info goes into the executed notebook). */
  kernelInfo: Record<string, unknown> = {};
  /** How long the kernel took to answer kernel_info_request, in milliseconds. */
  startupMs = 0;

  private readonly session = randomUUID();
  private readonly listeners = new Map<string, Listener>();
  private readonly exitWaiters = new Set<() => void>();
  private readonly sendQueues = new Map<Dealer, Promise<void>>();
  private exitDescription: string | undefined;
  private logTail = "";
  private closed = false;

  private constructor(
    child: ChildProcess,
    private readonly key: string,
    private readonly connectionDir: string,
    private readonly shell: Dealer,
    private readonly control: Dealer,
    private readonly iopub: Subscriber,
  ) {
    this.pid = child.pid!;
    const keepTail = (chunk: Buffer) => {
      this.logTail = (this.logTail + chunk.toString()).slice(-4000);
    };
    child.stdout!.on("data", keepTail);
    child.stderr!.on("data", keepTail);
    child.on("exit", (code, signal) => {
      this.exitDescription = signal ? `killed by ${signal}` : `exited with code ${code}`;
      for (const wake of this.exitWaiters) wake();
    });
    void this.pump(shell, "shell");
    void this.pump(control, "control");
    void this.pump(iopub, "iopub");
  }

  /** Spawns a tslab kernel in `options.cwd` and waits until it answers kernel_info_request. */
  static async start(options: KernelOptions): Promise<Kernel> {
    const tslab = resolve(options.tslab ?? defaultTslab);
    if (!existsSync(tslab)) {
      throw new MissingKernelError(
        `the tslab kernel is not installed (no ${tslab}); run \`bash tools/setup.sh\` (or \`npm install\`) in ${repoRoot} to install the project's dependencies`,
      );
    }
    if (!existsSync(parentWatch)) {
      throw new MissingKernelError(`the library is not built (no ${parentWatch}); run \`npm run build:lib\` in ${repoRoot}`);
    }
    if (!existsSync(options.cwd) || !statSync(options.cwd).isDirectory()) {
      throw new KernelError(`kernel working directory ${options.cwd} is not a folder`);
    }
    const [shellPort, iopubPort, stdinPort, controlPort, hbPort] = await freePorts(5);
    const key = randomBytes(32).toString("hex");
    const connectionDir = mkdtempSync(join(tmpdir(), "batchprop-kernel-"));
    const connectionFile = join(connectionDir, "connection.json");
    const ip = "127.0.0.1";
    writeFileSync(
      connectionFile,
      JSON.stringify({
        transport: "tcp",
        ip,
        shell_port: shellPort,
        iopub_port: iopubPort,
        stdin_port: stdinPort,
        control_port: controlPort,
        hb_port: hbPort,
        key,
        signature_scheme: "hmac-sha256",
        kernel_name: "tslab",
      }),
      { mode: 0o600 },
    );

    const env: Record<string, string> = {};
    for (const name of inheritedEnv) if (process.env[name] !== undefined) env[name] = process.env[name]!;
    Object.assign(env, kernelEnv, options.env);
    env.BATCHPROP_KERNEL_PARENT = String(process.pid);
    const child = spawn(process.execPath, ["--import", pathToFileURL(parentWatch).href, tslab, "kernel", "--config-path", connectionFile], {
      cwd: options.cwd,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const spawned = await new Promise<Error | undefined>((done) => {
      child.once("spawn", () => done(undefined));
      child.once("error", done);
    });
    if (spawned) {
      rmSync(connectionDir, { recursive: true, force: true });
      throw new KernelError(`could not start the kernel (${process.execPath} ${tslab}): ${spawned.message}`);
    }

    const shell = new Dealer({ linger: 0 });
    const control = new Dealer({ linger: 0 });
    const iopub = new Subscriber({ linger: 0 });
    iopub.subscribe();
    shell.connect(`tcp://${ip}:${shellPort}`);
    control.connect(`tcp://${ip}:${controlPort}`);
    iopub.connect(`tcp://${ip}:${iopubPort}`);

    const kernel = new Kernel(child, key, connectionDir, shell, control, iopub);
    liveKernels.add(kernel);
    installExitHook();
    try {
      await kernel.waitReady(options.startupTimeoutMs ?? 60_000);
    } catch (error) {
      await kernel.shutdown();
      throw error;
    }
    return kernel;
  }

  /** True once the kernel process has exited. */
  get exited(): boolean {
    return this.exitDescription !== undefined;
  }

  /**
   * Runs `code` and collects everything the kernel publishes for it until it reports idle and
   * has sent its execute_reply. Rejects with CellTimeoutError after `timeoutMs`; the kernel is
   * then still busy, and the caller shuts it down.
   */
  execute(code: string, timeoutMs: number): Promise<ExecuteReply> {
    const request = newMessage(
      "execute_request",
      { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
      this.session,
    );
    const started = performance.now();
    return this.request(request, this.shell, timeoutMs, (resolveReply) => {
      const messages: Message[] = [];
      let reply: Message | undefined;
      let idle = false;
      return (channel, message) => {
        const type = message.header.msg_type;
        if (channel === "shell" && type === "execute_reply") reply = message;
        else if (channel === "iopub" && type === "status") idle ||= message.content.execution_state === "idle";
        else if (channel === "iopub") messages.push(message);
        if (reply && idle) {
          const count = reply.content.execution_count;
          resolveReply({
            status: String(reply.content.status),
            executionCount: typeof count === "number" ? count : null,
            messages,
            reply: reply.content,
            elapsedMs: performance.now() - started,
          });
        }
      };
    });
  }

  /**
   * Asks the kernel to exit (shutdown_request on control), then kills its process group if it
   * has not exited within `graceMs`. Safe to call more than once and after the kernel died.
   */
  async shutdown(graceMs = 3000): Promise<void> {
    if (this.closed) return;
    if (!this.exited) {
      const request = newMessage("shutdown_request", { restart: false }, this.session);
      this.send(this.control, request).catch(() => undefined);
      await this.waitExit(graceMs);
    }
    if (!this.exited) {
      this.killGroup("SIGTERM");
      await this.waitExit(1000);
    }
    if (!this.exited) {
      this.killGroup("SIGKILL");
      await this.waitExit(2000);
    }
    // Anything the kernel started shares its process group; it goes too.
    this.killGroup("SIGKILL");
    this.closed = true;
    liveKernels.delete(this);
    this.listeners.clear();
    for (const socket of [this.shell, this.control, this.iopub]) socket.close();
    rmSync(this.connectionDir, { recursive: true, force: true });
  }

  /** The last few KB the kernel printed outside any cell (startup errors, crashes). */
  get log(): string {
    return this.logTail;
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const started = performance.now();
    // A SUB socket only receives what is published after it has connected, so the kernel is
    // ready when one request has both its reply on shell and its status on iopub: from then on
    // no cell output can be missed. Until then the request is repeated, every earlier one still
    // counting, since the kernel answers them all once it has bound its sockets.
    const ids = new Set<string>();
    let stop = () => {};
    try {
      await new Promise<void>((ready, fail) => {
        const replies = new Map<string, Record<string, unknown>>();
        const seenOnIopub = new Set<string>();
        const listener: Listener = (channel, message) => {
          const id = message.parent_header.msg_id!;
          if (channel === "shell" && message.header.msg_type === "kernel_info_reply") replies.set(id, message.content);
          if (channel === "iopub") seenOnIopub.add(id);
          const info = replies.get(id);
          if (info && seenOnIopub.has(id)) {
            this.kernelInfo = info;
            ready();
          }
        };
        let delay = 100;
        let retry: NodeJS.Timeout | undefined;
        const ask = () => {
          const request = newMessage("kernel_info_request", {}, this.session);
          ids.add(request.header.msg_id);
          this.listeners.set(request.header.msg_id, listener);
          this.send(this.shell, request).catch(() => undefined);
          delay = Math.min(1000, delay * 1.5);
          retry = setTimeout(ask, delay);
        };
        const timer = setTimeout(
          () => fail(new KernelError(`the kernel did not answer kernel_info_request within ${formatSeconds(timeoutMs)}${this.logSuffix()}`)),
          timeoutMs,
        );
        const onExit = () => fail(new KernelError(`the kernel ${this.exitDescription} while starting${this.logSuffix()}`));
        this.exitWaiters.add(onExit);
        stop = () => {
          clearTimeout(retry);
          clearTimeout(timer);
          this.exitWaiters.delete(onExit);
        };
        ask();
      });
    } finally {
      stop();
      for (const id of ids) this.listeners.delete(id);
    }
    this.startupMs = performance.now() - started;
  }

  /** Sends `message` and resolves with what the handler built from the messages answering it. */
  private request<T>(
    message: Message<unknown>,
    socket: Dealer,
    timeoutMs: number,
    handler: (resolveReply: (value: T) => void) => Listener,
  ): Promise<T> {
    const id = message.header.msg_id;
    return new Promise<T>((resolvePromise, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(id);
        this.exitWaiters.delete(onExit);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new CellTimeoutError(timeoutMs));
      }, timeoutMs);
      const onExit = () => {
        cleanup();
        reject(new KernelError(`the kernel ${this.exitDescription}${this.logSuffix()}`));
      };
      this.listeners.set(
        id,
        handler((value) => {
          cleanup();
          resolvePromise(value);
        }),
      );
      if (this.exited) onExit();
      else this.exitWaiters.add(onExit);
      this.send(socket, message).catch((error: unknown) => {
        cleanup();
        reject(new KernelError(`could not send ${message.header.msg_type}: ${String(error)}`));
      });
    });
  }

  /** zeromq allows one pending send per socket, so sends on a socket queue behind each other. */
  private send(socket: Dealer, message: Message<unknown>): Promise<void> {
    const previous = this.sendQueues.get(socket) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => socket.send(encode(this.key, message)));
    this.sendQueues.set(socket, next);
    return next;
  }

  private async pump(socket: Dealer | Subscriber, channel: Channel): Promise<void> {
    try {
      for await (const frames of socket) {
        let message: Message;
        try {
          message = decode(this.key, frames);
        } catch {
          continue; // not for us (wrong signature or framing): the spec says to ignore it
        }
        const id = message.parent_header.msg_id;
        if (id !== undefined) this.listeners.get(id)?.(channel, message);
      }
    } catch (error) {
      if (!this.closed) this.logTail += `\n[${channel} socket: ${String(error)}]`;
    }
  }

  private waitExit(timeoutMs: number): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((done) => {
      const wake = () => {
        clearTimeout(timer);
        this.exitWaiters.delete(wake);
        done();
      };
      const timer = setTimeout(wake, timeoutMs);
      this.exitWaiters.add(wake);
    });
  }

  /** Signals the kernel's process group (it was spawned detached, so its pid is the group id). */
  killGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  private logSuffix(): string {
    const log = this.logTail.trim();
    return log ? `; its output:\n${log}` : "";
  }
}

/** Shuts down every kernel this process has started and not yet shut down (signal handlers call it). */
export async function shutdownAllKernels(): Promise<void> {
  await Promise.all([...liveKernels].map((kernel) => kernel.shutdown(1000)));
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when the process exits without shutting a kernel down (an uncaught exception):
  // only synchronous work is possible here, so kill the process groups outright.
  process.on("exit", () => {
    for (const kernel of liveKernels) kernel.killGroup("SIGKILL");
  });
}

/** Distinct free TCP ports on 127.0.0.1, found by binding port 0 and letting the system choose. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((done, fail) => {
          const server = createServer();
          server.once("error", fail);
          server.listen(0, "127.0.0.1", () => done(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}

export function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
