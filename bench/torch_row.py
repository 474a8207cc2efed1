"""Native PyTorch column of the cross-framework benchmark (`pnpm bench`).

Runs one row of bench/rows.mjs with PyTorch on one CPU thread and prints one JSON line, like
bench/row.mjs: the median and minimum milliseconds per step. The row's shapes come as JSON on the
command line (bench/torch.mjs passes them), so the two stay in step. Data are seeded uniform
values: timing does not depend on them.

    python3 bench/torch_row.py '<row json>' [--quick]
"""

import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

row = json.loads(sys.argv[1])
quick = "--quick" in sys.argv
torch.set_num_threads(1)
torch.manual_seed(0)

WARMUP, MIN, MAX, BUDGET_MS = (2, 3, 200, 600) if quick else (3, 7, 200, 3000)


def rand(*shape, scale=1.0):
    return (torch.rand(*shape) * 2 - 1) * scale


def lenet5(classes=10):
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, classes),
    )


def mlp(sizes):
    layers = []
    for i in range(1, len(sizes)):
        if i > 1:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(sizes[i - 1], sizes[i]))
    return nn.Sequential(*layers)


def prepare(row):
    kind = row["kind"]
    if kind == "matmul":
        a, b = rand(row["n"], row["n"]), rand(row["n"], row["n"])
        return lambda: torch.matmul(a, b), None
    if kind in ("conv-fwd", "conv-bwd"):
        n, c, h, o, k, pad = (row[key] for key in ("N", "C", "H", "O", "K", "pad"))
        x, w = rand(n, c, h, h), rand(o, c, k, k, scale=0.1)
        if kind == "conv-fwd":
            return lambda: F.conv2d(x, w, padding=pad), None
        oh = h + 2 * pad - k + 1
        dy = rand(n, o, oh, oh)

        def backward():
            torch.nn.grad.conv2d_input(x.shape, w, dy, padding=pad)
            torch.nn.grad.conv2d_weight(x, w.shape, dy, padding=pad)

        return backward, None
    batch, classes = row["batch"], 10
    if kind == "mlp":
        model = mlp(row["sizes"])
        x = rand(batch, row["sizes"][0])
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    else:
        model = lenet5(classes)
        x = rand(batch, 1, 28, 28)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    y = torch.randint(0, classes, (batch,))
    loss_fn = nn.CrossEntropyLoss()
    last = [float("nan")]

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        last[0] = loss.item()

    return step, lambda: last[0]


def main():
    with torch.no_grad() if row["kind"] != "mlp" and row["kind"] != "lenet" else torch.enable_grad():
        step, check = prepare(row)
        t0 = time.perf_counter()
        step()
        slow = time.perf_counter() - t0 > 1.0
        for _ in range(1, 1 if slow else WARMUP):
            step()
        times = []
        start = time.perf_counter()
        least = 3 if slow else MIN
        while len(times) < MAX and (len(times) < least or (time.perf_counter() - start) * 1000 < BUDGET_MS):
            t0 = time.perf_counter()
            step()
            times.append((time.perf_counter() - t0) * 1000)
    result = {
        "ok": True,
        "median": sorted(times)[len(times) // 2],
        "min": min(times),
        "samples": len(times),
        "info": f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread",
    }
    if check is not None:
        result["loss"] = check()
    print(json.dumps(result))


main()
