"""numpy's side of `npm run bench` (tools/bench/numpy.ts): the bench's network trained with plain
numpy matmuls on one thread, from the data, initial weights and batch order the bench hands over.

    numpy_train.py --probe          one JSON line: numpy's version, its BLAS and thread count
    numpy_train.py DIR B            one epoch at batch size B from DIR/setup.json; the final
                                    parameters go to DIR/final-B.f64, one JSON line to stdout

Sum of squares with mean reduction, sigmoid layers, plain SGD, the last partial batch taken as a
smaller step: the computation of lib/train/train.ts, summed in numpy's own order.
The process ends when its stdin closes, so it never outlives the bench that started it.
"""
import os
import sys
import threading

# Before numpy loads its BLAS: one thread, whichever BLAS it is.
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
for name in THREAD_VARIABLES:
    os.environ[name] = "1"

import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def exit_when_stdin_closes():
    # os.read, not sys.stdin: a daemon thread holding the buffered reader's lock would abort the
    # interpreter's shutdown. The bench writes nothing, so the read returns only at end of file.
    while os.read(0, 4096):
        pass
    os._exit(1)


def blas_info():
    """The BLAS numpy runs on and its threads: threadpoolctl's word when it knows, else the loaded library."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        threadpool_info = None
    if threadpool_info is not None:
        pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        if pools:
            pool = pools[0]
            return {
                "blas": f"{pool.get('internal_api')} {pool.get('version') or ''}".strip(),
                "library": pool.get("filepath"),
                "threads": pool.get("num_threads"),
                "threadsFrom": "threadpoolctl",
            }
    # Debian's numpy links libblas.so.3, which update-alternatives points at the reference BLAS,
    # OpenBLAS, BLIS or MKL: the file actually mapped says which.
    libraries = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                if any(word in os.path.basename(path).lower() for word in ("blas", "blis", "mkl")):
                    libraries.add(os.path.realpath(path))
    except OSError:
        pass
    return {
        "blas": ", ".join(sorted(libraries)) or "unknown",
        "library": None,
        "threads": None,
        "threadsFrom": "not confirmed: threadpoolctl is not installed or does not know this BLAS",
    }


def probe():
    asked = {name: os.environ[name] for name in THREAD_VARIABLES}
    print(json.dumps({"numpy": np.__version__, "python": platform.python_version(), "threadsAsked": asked, **blas_info()}))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def load(folder):
    with open(os.path.join(folder, "setup.json")) as file:
        setup = json.load(file)

    def array(name):
        entry = setup["arrays"][name]
        return np.fromfile(os.path.join(folder, entry["file"]), dtype=entry["dtype"]).reshape(entry["shape"])

    inputs, targets, order = array("inputs"), array("targets"), array("order")
    layers = [(array(f"weights{l}"), array(f"bias{l}")) for l in range(setup["layers"])]
    return setup, inputs, targets, order, layers


def epoch(inputs, targets, order, layers, batch_size, lr, samples):
    """SGD over order[:samples] in batches of batch_size, the last one smaller; layers updated in place."""
    for start in range(0, samples, batch_size):
        rows = order[start : start + batch_size]
        acts = [inputs[rows]]
        target = targets[rows]
        for weights, bias in layers:
            acts.append(sigmoid(acts[-1] @ weights + bias))
        # delta = dL/dz with L the mean over the batch of ½|a − t|²
        delta = (1 / len(rows)) * (acts[-1] - target) * acts[-1] * (1 - acts[-1])
        for l in range(len(layers) - 1, -1, -1):
            weights, bias = layers[l]
            d_weights = acts[l].T @ delta
            d_bias = delta.sum(axis=0)
            if l > 0:
                delta = (delta @ weights.T) * acts[l] * (1 - acts[l])
            weights -= lr * d_weights
            bias -= lr * d_bias


def train(folder, batch_size):
    setup, inputs, targets, order, layers = load(folder)
    lr = setup["lr"]
    n = len(order)
    # A thrown-away run first, as the bench warms up batchprop's: first calls allocate and load.
    spare = [(weights.copy(), bias.copy()) for weights, bias in layers]
    epoch(inputs, targets, order, spare, batch_size, lr, min(n, setup["warmUpSamples"]))
    started = time.perf_counter()
    epoch(inputs, targets, order, layers, batch_size, lr, n)
    seconds = time.perf_counter() - started
    final = np.concatenate([part.ravel() for layer in layers for part in layer])
    final.astype("<f8").tofile(os.path.join(folder, f"final-{batch_size}.f64"))
    print(json.dumps({"batchSize": batch_size, "samples": n, "seconds": seconds}))


def main(args):
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    if args == ["--probe"]:
        probe()
    elif len(args) == 2 and args[1].isdigit() and int(args[1]) > 0:
        train(args[0], int(args[1]))
    else:
        sys.exit("usage: numpy_train.py --probe | numpy_train.py DIR BATCH_SIZE")


main(sys.argv[1:])
