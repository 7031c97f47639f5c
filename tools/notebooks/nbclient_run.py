#!/usr/bin/python3
"""Execute notebooks with Jupyter's own client (nbclient) and this checkout's tslab kernel.

The project's one notebook runner: `npm run notebooks` (tools/notebooks/cli.ts) starts it for
each notebook with --events and reads its progress as JSON lines; on its own it reports as text.
If a notebook runs here, it runs in JupyterLab too: the kernel's working directory is the
notebook's folder, as JupyterLab sets it. The kernelspec is generated into a temporary
JUPYTER_PATH, so this needs no `npm run kernel` and ignores any user registration. Needs Debian's
Jupyter (python3-nbclient, python3-nbformat, python3-jupyter-client): run it with /usr/bin/python3.

Usage: /usr/bin/python3 tools/notebooks/nbclient_run.py [--timeout S] [--out DIR] NOTEBOOK...
Exit status 0 when every notebook ran, 1 when one failed (the notebook and cell are named), 2 on a
bad option, 128 + the signal on SIGHUP, SIGINT or SIGTERM and 129 when the process that started
it dies: the kernel is shut down first, and the executed copy so far is written.

Events (--events), one JSON object a line on stdout, each with "kind" and "path" (as given):
  notebook-start {codeCells}             kernel-ready {pid, startupMs}
  cell-start {cell, codeCell, codeCells} cell-end {cell, codeCell, codeCells, elapsedMs}
  notebook-end {}                        failed {error, cell, message}
where cell counts all cells from 1, codeCell the code cells from 1, and error says what failed:
"setup" (tslab, the library or Jupyter missing), "notebook" (not a notebook), "kernel" (it did
not start) or "cell" (a cell failed, timed out or its kernel died).
"""

import argparse
import asyncio
import atexit
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TSLAB = ROOT / "node_modules" / "tslab" / "bin" / "tslab"
# The runners' parent watch (see lib/cli/parent-watch.ts), built into lib/dist: the kernel kills
# its process group when this program dies without shutting it down (SIGKILL).
PARENT_WATCH = ROOT / "lib" / "dist" / "cli" / "parent-watch.js"
# batchprop is ESM and tslab cells compile to CommonJS, so a cell's import is a require() of an ES
# module; Node 20.19 warns about that on stderr, which tslab routes into the cell's output.
# kernelspec.ts gives JupyterLab the same setting.
KERNEL_ENV = {"NODE_OPTIONS": "--disable-warning=ExperimentalWarning"}
# Key of the runner's record in an executed copy's metadata (--record).
RECORD_KEY = "batchprop"
# How often the parent's pid is read: an orphaned runner stops within about this long.
PARENT_POLL_S = 0.25
# The signals that stop a run, as in lib/cli/signals.ts.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Failed(Exception):
    """A notebook did not run to its end; `error` is the kind of failure (see the events above)."""

    def __init__(self, error: str, message: str, cell: int | None = None):
        super().__init__(message)
        self.error = error
        self.cell = cell


class Stopped(Exception):
    """A signal, or the death of the parent, stopped the run."""


def format_seconds(seconds: float) -> str:
    """As formatSeconds in tools/notebooks/cli.ts: "1.5 s" below ten seconds, "42 s" above."""
    return f"{seconds:.1f} s" if seconds < 10 else f"{round(seconds)} s"


def write_kernelspec(jupyter_path: Path, node: str, tslab: Path) -> None:
    kernel_dir = jupyter_path / "kernels" / "tslab"
    kernel_dir.mkdir(parents=True)
    spec = {
        # The watch is loaded by the kernel's own argv, not NODE_OPTIONS, so a node program a
        # cell starts does not load it too (its parent is the kernel, and the watch would kill it).
        "argv": [node, "--import", PARENT_WATCH.as_uri(), str(tslab), "kernel", "--config-path", "{connection_file}"],
        "display_name": "TypeScript (batchprop)",
        "language": "typescript",
        # jupyter_client starts the kernel as our child: if this program dies without shutting it
        # down, the kernel is reparented and the watch kills it.
        "env": {**KERNEL_ENV, "BATCHPROP_KERNEL_PARENT": str(os.getpid())},
    }
    (kernel_dir / "kernel.json").write_text(json.dumps(spec, indent=2))


def source_head(source: str, lines: int = 5) -> list[str]:
    all_lines = source.split("\n")
    return [f"  | {line}" for line in all_lines[:lines]] + (["  | …"] if len(all_lines) > lines else [])


# Stack frames inside tslab and node:vm say nothing about the notebook.
KERNEL_FRAME = re.compile(r"^\s*at .*(node:vm|node:internal|[\\/]node_modules[\\/]tslab[\\/])")
# Terminal colour and cursor codes, which kernels put in tracebacks.
TERMINAL_CODE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def cell_error_text(cell) -> str:
    """tslab reports errors as stderr text; other kernels as an error output with a traceback."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            parts.append(output.get("text", ""))
        elif output.get("output_type") == "error":
            parts.append("\n".join(output.get("traceback", [])) or f"{output.get('ename')}: {output.get('evalue')}")
    text = TERMINAL_CODE.sub("", "".join(parts)).rstrip()
    return "\n".join(line for line in text.split("\n") if not KERNEL_FRAME.match(line))


def cell_failure(path: Path, index: int, cell, text: str, out_path: Path | None) -> Failed:
    """The message names the notebook, the cell (counting every cell from 1), its first lines and the error."""
    lines = [f"{path}: cell {index + 1} failed", *source_head(cell.source)]
    lines += ["  " + line for line in (text or "(the kernel reported an error without text)").split("\n")]
    if out_path is not None:
        lines.append(f"  executed copy up to this cell: {out_path}")
    return Failed("cell", "\n".join(lines), index + 1)


def emit(args, kind: str, path: Path, **fields) -> None:
    """One event as a JSON line on stdout, with --events."""
    if args.events:
        print(json.dumps({"kind": kind, "path": str(path), **fields}), flush=True)


def coalesce_streams(cell) -> None:
    """
    Consecutive stream outputs of one name become one, as JupyterLab shows them: nbclient 0.7 keeps
    an output per message, and tslab sends one per console.log.
    """
    merged = []
    for output in cell.outputs:
        last = merged[-1] if merged else None
        if output.output_type == "stream" and last is not None and last.output_type == "stream" and last.name == output.name:
            last.text += output.text
        else:
            merged.append(output)
    cell.outputs = merged


class SignalsOwnLoop(asyncio.SelectorEventLoop):
    """
    nbclient handles SIGINT and SIGTERM itself by shutting the kernel down and letting the run go
    on as if the kernel had died. This runner stops instead (the executed copy so far written, exit
    128 + the signal), so its loop declines nbclient's handlers, which nbclient allows for.
    """

    def add_signal_handler(self, sig, callback, *args):
        raise RuntimeError("nbclient_run.py handles signals itself")


class Runner:
    """Runs notebooks one after another, each in a fresh kernel, and reports as text or events."""

    def __init__(self, args, nbformat, client_class):
        self.args = args
        self.nbformat = nbformat
        self.client_class = client_class
        self.stopped_by: int | None = None
        self.client = None
        self.task: asyncio.Task | None = None

    def emit(self, kind: str, path: Path, **fields) -> None:
        emit(self.args, kind, path, **fields)

    def stop(self, signum: int) -> None:
        """The first stop signal ends the run: the kernel is killed at once, not asked to finish."""
        if self.stopped_by is not None:
            return
        self.stopped_by = signum
        if self.client is not None:
            self.client.shutdown_kernel = "immediate"
        if self.task is not None:
            self.task.cancel()

    async def run_all(self, paths: list[Path]) -> list[Failed]:
        self.task = asyncio.current_task()
        failures = []
        for i, path in enumerate(paths, 1):
            if self.stopped_by is not None:
                break
            if not self.args.events:
                print(f"[{i}/{len(paths)}] {path}", flush=True)
            try:
                await self.run_notebook(path)
                self.emit("notebook-end", path)
            except Failed as failure:
                self.emit("failed", path, error=failure.error, cell=failure.cell, message=str(failure))
                if not self.args.events:
                    print(failure, file=sys.stderr, flush=True)
                failures.append(failure)
        return failures

    async def run_notebook(self, path: Path) -> None:
        nbformat = self.nbformat
        try:
            nb = nbformat.read(str(path), as_version=4)
        except Exception as error:  # bad JSON, wrong nbformat: say which file and what
            raise Failed("notebook", f"{path}: not a valid notebook ({type(error).__name__}: {error})")
        code = [index for index, cell in enumerate(nb.cells) if cell.cell_type == "code"]
        code_cell = {index: k for k, index in enumerate(code, 1)}
        for index in code:  # a cell the run does not reach keeps no output from an earlier run
            nb.cells[index].outputs = []
            nb.cells[index].execution_count = None
        out_path = Path(self.args.out).resolve() / path.name if self.args.out else None
        self.emit("notebook-start", path, codeCells=len(code))

        started = time.monotonic()
        current = {"index": None, "started": started}

        def position(index):
            return {"cell": index + 1, "codeCell": code_cell[index], "codeCells": len(code)}

        def on_notebook_start(notebook):
            self.emit("kernel-ready", path, pid=client.km.provisioner.pid, startupMs=(time.monotonic() - started) * 1000)

        def on_cell_start(cell, cell_index):
            current.update(index=cell_index, started=time.monotonic())
            if cell_index in code_cell:
                self.emit("cell-start", path, **position(cell_index))

        def on_cell_executed(cell, cell_index, execute_reply):
            self.emit("cell-end", path, **position(cell_index), elapsedMs=(time.monotonic() - current["started"]) * 1000)

        client = self.client_class(
            nb,
            timeout=self.args.timeout,
            startup_timeout=self.args.startup_timeout,
            kernel_name="tslab",
            allow_errors=False,
            resources={"metadata": {"path": str(path.resolve().parent)}},
            on_notebook_start=on_notebook_start,
            on_cell_start=on_cell_start,
            on_cell_executed=on_cell_executed,
        )
        self.client = client
        status = "error"
        try:
            # The kernel's own stdout is no cell's output: it goes to stderr, clear of the events.
            await client.async_execute(stdout=sys.stderr.fileno())
            status = "ok"
        except asyncio.CancelledError:
            status = "interrupted"
            raise Stopped() from None
        except Exception as error:
            if self.stopped_by is not None:  # nbclient reports a cancelled cell as a dead kernel
                status = "interrupted"
                raise Stopped() from None
            index = current["index"]
            if index is None and "didn't respond" in str(error):  # jupyter_client's words, in whole seconds
                raise Failed("kernel", f"{path}: the kernel did not start within {format_seconds(self.args.startup_timeout)} (the startup timeout)") from None
            if index is None:
                raise Failed("kernel", f"{path}: the kernel did not start ({type(error).__name__}: {error})") from None
            if type(error).__name__ == "CellTimeoutError":
                text = f"timeout: the cell did not finish within {format_seconds(self.args.timeout)} (the per-cell timeout); the kernel was shut down"
            elif type(error).__name__ == "DeadKernelError":
                text = cell_error_text(nb.cells[index]) + "\nthe kernel died while running this cell"
            else:
                text = cell_error_text(nb.cells[index]) or str(error).strip()
            raise cell_failure(path, index, nb.cells[index], text.strip(), out_path) from None
        finally:
            # nbclient leaves its exit hook registered when the kernel fails to start, and the hook
            # then fails on the kernel it has already cleaned up.
            atexit.unregister(client._cleanup_kernel)
            self.client = None
            if out_path is not None:
                self.write_copy(nb, out_path, status)

    def write_copy(self, nb, out_path: Path, status: str) -> None:
        for cell in nb.cells:
            if cell.cell_type == "code":
                coalesce_streams(cell)
        if self.args.record is not None:
            executed_at = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            nb.metadata[RECORD_KEY] = {**self.args.record, "status": status, "executed_at": executed_at}
        self.nbformat.write(nb, str(out_path))


def watch_parent(loop: asyncio.AbstractEventLoop, runner: Runner) -> None:
    """Stops the run as on SIGHUP when the process that started this one dies (kill -9 of npm run notebooks)."""
    parent = os.getppid()

    def poll():
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        loop.call_soon_threadsafe(runner.stop, signal.SIGHUP)

    threading.Thread(target=poll, daemon=True).start()


def positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {value!r}") from None
    if not 0 < seconds <= 86_400:
        raise argparse.ArgumentTypeError(f"expected more than 0 seconds and at most a day (86400), got {value}")
    return seconds


def json_object(value: str) -> dict:
    try:
        record = json.loads(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected a JSON object ({error})") from None
    if not isinstance(record, dict):
        raise argparse.ArgumentTypeError(f"expected a JSON object, got {value}")
    return record


def parse_args():
    parser = argparse.ArgumentParser(
        description="Execute notebooks with nbclient and this checkout's tslab kernel "
        "(kernel cwd = each notebook's folder).",
    )
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebook files, run in name order")
    parser.add_argument("--timeout", type=positive_seconds, default=300, help="per-cell timeout in seconds (default 300)")
    parser.add_argument("--startup-timeout", type=positive_seconds, default=60, help="kernel start timeout in seconds (default 60)")
    parser.add_argument("--out", help="write executed copies into this folder (default: write nothing)")
    parser.add_argument(
        "--node",
        default=os.environ.get("NODE") or shutil.which("node"),
        help="the node binary that runs tslab (default: $NODE, else node on PATH)",
    )
    parser.add_argument("--tslab", type=Path, default=TSLAB, help="the tslab launcher (default: this checkout's)")
    parser.add_argument("--events", action="store_true", help="report as JSON lines on stdout (see the module's doc)")
    parser.add_argument(
        "--record",
        type=json_object,
        help=f'a JSON object stored in each executed copy\'s metadata under "{RECORD_KEY}", with "status" '
        '(ok, error or interrupted) and "executed_at" added',
    )
    args = parser.parse_args()
    if args.out is not None:
        # Checked before any kernel starts: a copy that cannot be written would lose the run.
        if args.out == "":
            parser.error("--out: expected a folder, got an empty string")
        try:
            Path(args.out).mkdir(parents=True, exist_ok=True)
        except OSError as error:
            parser.error(f"--out: cannot use {args.out!r} as the folder of the executed copies ({error.strerror})")
    return args


def setup_problem(args) -> str | None:
    """What is missing for any notebook to run, or None."""
    if not args.tslab.exists():
        return f"the tslab kernel is not installed (no {args.tslab}); run `bash tools/setup.sh` (or `npm install`) in {ROOT}"
    if not PARENT_WATCH.exists():
        return f"the library is not built (no {PARENT_WATCH}); run `npm run build:lib` in {ROOT}"
    if not args.node:
        return "no node binary found: put node on PATH or pass --node"
    return None


def main() -> int:
    args = parse_args()
    paths = sorted(args.notebooks, key=lambda p: (p.name, str(p)))

    def give_up(message: str) -> int:
        """Nothing can run: every notebook fails alike, before any kernel starts."""
        if not args.events:
            print(message, file=sys.stderr)
        for path in paths:
            emit(args, "failed", path, error="setup", cell=None, message=message)
        return 1

    problem = setup_problem(args)
    if problem is not None:
        return give_up(problem)
    try:
        import nbformat
        from nbclient import NotebookClient
        from traitlets import Float
    except ImportError as error:
        return give_up(
            f"Jupyter's client is missing ({error}): run this with /usr/bin/python3 after "
            "`apt-get install python3-nbclient python3-nbformat python3-jupyter-client`"
        )

    class Client(NotebookClient):
        # nbclient's timeouts are whole seconds; the runner's options take fractions ("2.5").
        timeout = Float(None, allow_none=True)
        startup_timeout = Float(60)

    runner = Runner(args, nbformat, Client)
    with tempfile.TemporaryDirectory(prefix="batchprop-jupyter-") as jupyter_path:
        write_kernelspec(Path(jupyter_path), args.node, args.tslab.resolve())
        # JUPYTER_PATH comes first in the kernelspec search, ahead of any user registration.
        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [jupyter_path, os.environ.get("JUPYTER_PATH")]))
        with asyncio.Runner(loop_factory=SignalsOwnLoop) as loop_runner:
            loop = loop_runner.get_loop()
            for signum in STOP_SIGNALS:
                signal.signal(signum, lambda signum, frame: loop.call_soon_threadsafe(runner.stop, signum))
            watch_parent(loop, runner)
            try:
                failures = loop_runner.run(runner.run_all(paths))
            except (Stopped, asyncio.CancelledError):
                failures = None
    if runner.stopped_by is not None:
        if not args.events:
            print(f"{signal.Signals(runner.stopped_by).name}: stopped; the kernel is shut down", file=sys.stderr)
        return 128 + runner.stopped_by
    if failures:
        if not args.events:
            print(f"{len(failures)} of {len(paths)} notebooks failed", file=sys.stderr)
        return 1
    if not args.events:
        print(f"{len(paths)} notebooks ran", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
