#!/usr/bin/python3
"""Execute notebooks with Jupyter's own client (nbclient) and this checkout's tslab kernel.

The second, independent way to run the notebooks (the first is tools/notebooks/cli.ts, our
own wire-protocol client): if a notebook runs here, it runs in JupyterLab too. The kernel's
working directory is the notebook's folder, as JupyterLab sets it. The kernelspec is generated
into a temporary JUPYTER_PATH, so this needs no `npm run kernel` and ignores any user
registration. Needs Debian's Jupyter (python3-nbclient, python3-nbformat, python3-jupyter-client):
run it with /usr/bin/python3, not a pyenv python.

Usage: /usr/bin/python3 tools/notebooks/nbclient_run.py [--timeout S] [--out DIR] NOTEBOOK...
Exit status 0 when every notebook ran, 1 when one failed (the notebook and cell are named).
"""

import argparse
import json
import os
import re
import shutil
import signal
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TSLAB = ROOT / "node_modules" / "tslab" / "bin" / "tslab"
# The runners' parent watch (see lib/cli/parent-watch.ts), built into lib/dist: the kernel kills
# itself when its parent is gone.
PARENT_WATCH = ROOT / "lib" / "dist" / "cli" / "parent-watch.js"
# Same as kernelEnv in kernel.ts: keeps Node's require(esm) warning out of cell outputs.
KERNEL_ENV = {"NODE_OPTIONS": "--disable-warning=ExperimentalWarning"}


def write_kernelspec(jupyter_path: Path, node: str) -> None:
    kernel_dir = jupyter_path / "kernels" / "tslab"
    kernel_dir.mkdir(parents=True)
    spec = {
        # As kernel.ts starts it: the watch is loaded by the kernel's own argv, not NODE_OPTIONS,
        # so a node program a cell starts does not load it too (its parent is the kernel, not us,
        # and the watch would kill it at once).
        "argv": [node, "--import", PARENT_WATCH.as_uri(), str(TSLAB), "kernel", "--config-path", "{connection_file}"],
        "display_name": "TypeScript (batchprop)",
        "language": "typescript",
        # jupyter_client starts the kernel as our child: if this Python dies without shutting it
        # down (SIGKILL, a closed terminal), the kernel is reparented and the watch kills it.
        "env": {**KERNEL_ENV, "BATCHPROP_KERNEL_PARENT": str(os.getpid())},
    }
    (kernel_dir / "kernel.json").write_text(json.dumps(spec, indent=2))


def source_head(source: str, lines: int = 5) -> str:
    all_lines = source.splitlines()
    head = all_lines[:lines] + (["…"] if len(all_lines) > lines else [])
    return "\n".join("  | " + line for line in head)


# Stack frames inside tslab and node:vm say nothing about the notebook (as in execute.ts).
KERNEL_FRAME = re.compile(r"^\s*at .*(node:vm|node:internal|[\\/]node_modules[\\/]tslab[\\/])")


def cell_error_text(cell, error: Exception) -> str:
    """tslab reports errors as stderr text; nbclient's own message adds only the ename."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            parts.append(output.get("text", ""))
        elif output.get("output_type") == "error":
            parts.append("\n".join(output.get("traceback", [])) or f"{output.get('ename')}: {output.get('evalue')}")
    text = "".join(parts).rstrip() or str(error).strip()
    return "\n".join(line for line in text.splitlines() if not KERNEL_FRAME.match(line))


def run_notebook(path: Path, args, nbformat, NotebookClient) -> str | None:
    """Executes one notebook; returns None on success, else the error message."""
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as error:  # bad JSON, wrong nbformat: say which file and what
        return f"{path}: not a valid notebook ({type(error).__name__}: {error})"
    current = {"index": None}

    def on_cell_start(cell, cell_index):
        current["index"] = cell_index

    client = NotebookClient(
        nb,
        timeout=args.timeout,
        startup_timeout=args.startup_timeout,
        kernel_name="tslab",
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_start=on_cell_start,
    )
    try:
        client.execute()
    except Exception as error:
        index = current["index"]
        if index is None:
            return f"{path}: the kernel did not start ({type(error).__name__}: {error})"
        cell = nb.cells[index]
        if type(error).__name__ == "CellTimeoutError":
            text = f"timeout: the cell did not finish within {args.timeout} s (the per-cell timeout)"
        else:
            text = cell_error_text(cell, error)
        body = "\n".join("  " + line for line in text.splitlines())
        return f"{path}: cell {index + 1} failed\n{source_head(cell.source)}\n{body}"
    finally:
        if args.out:
            out = Path(args.out)
            out.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, str(out / path.name))
    return None


def interrupt(signum, frame):
    # SIGTERM unwinds like Ctrl-C, so nbclient's cleanup shuts the kernel down.
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    signal.signal(signal.SIGTERM, interrupt)
    parser = argparse.ArgumentParser(
        description="Execute notebooks with nbclient and this checkout's tslab kernel "
        "(kernel cwd = each notebook's folder).",
    )
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebook files, run in name order")
    parser.add_argument("--timeout", type=int, default=300, help="per-cell timeout in seconds (default 300)")
    parser.add_argument("--startup-timeout", type=int, default=60, help="kernel start timeout in seconds (default 60)")
    parser.add_argument("--out", help="write executed copies into this folder (default: write nothing)")
    parser.add_argument(
        "--node",
        default=os.environ.get("NODE") or shutil.which("node"),
        help="the node binary that runs tslab (default: $NODE, else node on PATH)",
    )
    args = parser.parse_args()

    if not TSLAB.exists():
        print(f"the tslab kernel is not installed (no {TSLAB}); run `bash tools/setup.sh` (or `npm install`) in {ROOT}", file=sys.stderr)
        return 1
    if not args.node:
        print("no node binary found: put node on PATH or pass --node", file=sys.stderr)
        return 1
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError as error:
        print(
            f"Jupyter's client is missing ({error}): run this with /usr/bin/python3 after "
            "`apt-get install python3-nbclient python3-nbformat python3-jupyter-client`",
            file=sys.stderr,
        )
        return 1

    failures = []
    with tempfile.TemporaryDirectory(prefix="batchprop-jupyter-") as jupyter_path:
        write_kernelspec(Path(jupyter_path), args.node)
        # JUPYTER_PATH comes first in the kernelspec search, ahead of any user registration.
        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [jupyter_path, os.environ.get("JUPYTER_PATH")]))
        paths = sorted(args.notebooks, key=lambda p: (p.name, str(p)))
        for i, path in enumerate(paths, 1):
            print(f"[{i}/{len(paths)}] {path}", flush=True)
            error = run_notebook(path, args, nbformat, NotebookClient)
            if error:
                failures.append(error)
                print(error, file=sys.stderr, flush=True)
    if failures:
        print(f"{len(failures)} of {len(paths)} notebooks failed", file=sys.stderr)
        return 1
    print(f"{len(paths)} notebooks ran", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
