"""PyTorch's side of `npm run bench -- --backend webgpu` (tools/bench/torch.ts): the bench's network
trained on CUDA in float32, from the data, initial weights and batch orders the bench hands over.

    torch_train.py --probe       one JSON line: torch's version, and whether CUDA is available
                                 (and the device's name) or why not
    torch_train.py DIR B,B,...   for each B, two runs over DIR/setup.json's epochs, each from the
                                 initial weights: "eager" (one step after another) and "graphs"
                                 (one step captured in a CUDA graph and replayed); one JSON line
                                 per run to stdout (its error, if it raised one), its final
                                 parameters to DIR/final-B-MODE.f32

The step: gather the batch from the dataset on the device (index_select), forward through sigmoid
layers, sum of squares with mean reduction, the gradients by autograd, plain SGD by hand
(p -= lr * grad); the last partial batch of an epoch dropped, as the bench's runs drop it.
The process ends when its stdin closes, so it never outlives the bench that started it.
"""
import itertools
import json
import os
import platform
import sys
import threading
import time

WARM_UP_STEPS = 3


def exit_when_stdin_closes():
    # os.read, not sys.stdin: a daemon thread holding the buffered reader's lock would abort the
    # interpreter's shutdown. The bench writes nothing, so the read returns only at end of file.
    while os.read(0, 4096):
        pass
    os._exit(1)


def probe():
    said = {"python": platform.python_version()}
    try:
        import torch
    except Exception as error:  # ImportError, or a torch that fails to load its libraries
        print(json.dumps({**said, "available": False, "why": f"cannot import torch: {error}"}))
        return
    said["torch"] = torch.__version__
    if not torch.cuda.is_available():
        print(json.dumps({**said, "available": False, "why": f"torch {torch.__version__}: torch.cuda.is_available() is False"}))
        return
    print(json.dumps({**said, "available": True, "cuda": torch.version.cuda, "device": torch.cuda.get_device_name(0)}))


def load(folder, torch, device):
    import numpy as np

    with open(os.path.join(folder, "setup.json")) as file:
        setup = json.load(file)

    def array(name):
        entry = setup["arrays"][name]
        values = np.fromfile(os.path.join(folder, entry["file"]), dtype=entry["dtype"]).reshape(entry["shape"])
        return torch.from_numpy(values).to(device)

    inputs, targets = array("inputs"), array("targets")
    orders = array("orders").long()  # one row per epoch: that epoch's shuffle of the rows
    params = [array(f"{kind}{l}") for l in range(setup["layers"]) for kind in ("weights", "bias")]
    return setup["lr"], inputs, targets, orders, params


def make_step(torch, inputs, targets, params, lr):
    """One SGD step on the dataset's rows `idx`: the parameters updated in place."""

    def step(idx):
        act = inputs.index_select(0, idx)
        target = targets.index_select(0, idx)
        for l in range(0, len(params), 2):
            act = torch.sigmoid(torch.addmm(params[l + 1], act, params[l]))  # act @ weights + bias
        loss = 0.5 * (act - target).pow(2).sum() / idx.numel()  # the batch's mean of ½|a − t|²
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for param, grad in zip(params, grads):
                param.sub_(grad, alpha=lr)

    return step


def batches(orders, batch_size):
    """Each epoch's rows in batches of batch_size, the last partial one dropped."""
    steps = orders.shape[1] // batch_size
    for order in orders:
        for s in range(steps):
            yield order[s * batch_size : (s + 1) * batch_size]


def eager(step, orders, batch_size):
    """The timed run: one step after another."""
    for idx in itertools.islice(batches(orders, batch_size), WARM_UP_STEPS):  # first calls allocate and pick kernels
        step(idx)

    def run():
        for idx in batches(orders, batch_size):
            step(idx)

    return run


def graphs(torch, step, orders, batch_size):
    """The timed run: one step captured with a static index tensor, replayed after copying each batch's rows into it."""
    static_idx = orders[0, :batch_size].clone()
    side = torch.cuda.Stream()  # CUDA graphs need their warm-up on a side stream before capture
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(WARM_UP_STEPS):
            step(static_idx)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        step(static_idx)

    def run():
        for idx in batches(orders, batch_size):
            static_idx.copy_(idx)
            graph.replay()

    return run


def train(folder, batch_sizes):
    import torch

    lr, inputs, targets, orders, params = load(folder, torch, torch.device("cuda"))
    initial = [param.clone() for param in params]
    for param in params:
        param.requires_grad_(True)
    step = make_step(torch, inputs, targets, params, lr)

    def restart():  # in place: a captured graph holds the parameters' addresses
        with torch.no_grad():
            for param, start in zip(params, initial):
                param.copy_(start)

    for batch_size in batch_sizes:
        for mode in ("eager", "graphs"):
            said = {"batchSize": batch_size, "mode": mode}
            try:
                restart()
                run = eager(step, orders, batch_size) if mode == "eager" else graphs(torch, step, orders, batch_size)
                restart()  # the warm-up moved the weights
                torch.cuda.synchronize()
                started = time.perf_counter()
                run()
                torch.cuda.synchronize()
                said["seconds"] = time.perf_counter() - started
                final = torch.cat([param.detach().reshape(-1) for param in params]).cpu().numpy()
                final.astype("<f4").tofile(os.path.join(folder, f"final-{batch_size}-{mode}.f32"))
                said["samples"] = orders.shape[0] * (orders.shape[1] // batch_size) * batch_size
            except Exception as error:  # the other runs go on: a GPU machine's time is short
                said = {**said, "error": f"{type(error).__name__}: {error}"}
            print(json.dumps(said), flush=True)


def main(args):
    # First: importing torch takes seconds, and the bench may be gone by then.
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    if args == ["--probe"]:
        probe()
    elif len(args) == 2 and all(b.isdigit() and int(b) > 0 for b in args[1].split(",")):
        train(args[0], [int(b) for b in args[1].split(",")])
    else:
        sys.exit("usage: torch_train.py --probe | torch_train.py DIR B,B,...")


if __name__ == "__main__":
    main(sys.argv[1:])
