"""Train the MNIST networks of tests/unit/test_mnist_learning.py in PyTorch and in the engine,
and store what each reached, per epoch, in tests/unit/data/mnist_reference.json.

    python scripts/mnist_reference.py              # both runs, a few minutes on 2 cores
    python scripts/mnist_reference.py --seeds 0 1  # fewer PyTorch seeds

The learning test reads its thresholds from that file, so every accuracy it asks of the
engine can be traced to a PyTorch run with the same settings: the same layer sizes, ReLU,
He-normal initial weights (standard deviation sqrt(2 / fan_in)) and zero biases, softmax with
cross-entropy (the mean over the batch), the same optimizer and learning rate, mini-batches of
100 drawn in a fresh random order every epoch, and pixels scaled to [0, 1]. PyTorch draws its
own weights and orders (torch.Generator with the seed); it is an independent implementation,
not a copy of the engine's numbers. Needs torch (CPU is enough); the test itself never imports it.

A threshold is set from the PyTorch runs, not from the engine's: the lowest, over the seeds, of
the best test accuracy reached within the epoch budget, less a margin (MARGIN), rounded down to
half a percentage point. The engine's own run is stored beside it for comparison.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import math
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.datasets import load_mnist  # noqa: E402
from engine.network import MultiLayerNet  # noqa: E402
from engine.optimizers import SGD, Adam  # noqa: E402
from engine.trainer import Trainer  # noqa: E402

OUT = ROOT / "tests" / "unit" / "data" / "mnist_reference.json"
MARGIN = 0.002  # accuracy points below the worst PyTorch seed, for seed-to-seed noise

# name: (layer sizes, optimizer, learning rate, epoch budget); the test uses the same names
RUNS = {
    "784-100-10 SGD": ([784, 100, 10], "SGD", 0.1, 10),
    "784-256-128-10 Adam": ([784, 256, 128, 10], "Adam", 0.001, 5),
}
BATCH_SIZE = 100


def torch_run(sizes, optimizer, lr, epochs, seed, data):
    """Test accuracy after every epoch, trained with torch.nn and torch.optim."""
    import torch
    from torch import nn

    x_train, t_train, x_test, t_test = data
    gen = torch.Generator().manual_seed(seed)
    layers: list = []
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        linear = nn.Linear(fan_in, fan_out, dtype=torch.float32)
        with torch.no_grad():
            linear.weight.normal_(0.0, math.sqrt(2.0 / fan_in), generator=gen)  # He normal
            linear.bias.zero_()
        layers.append(linear)
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    if optimizer == "SGD":
        opt = torch.optim.SGD(model.parameters(), lr=lr)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    loss_fn = nn.CrossEntropyLoss()  # softmax + cross-entropy, mean over the batch

    xt = torch.from_numpy(np.array(x_train.reshape(len(x_train), -1)))  # uint8, scaled per batch
    tt = torch.from_numpy(t_train.astype(np.int64))
    x_eval = torch.from_numpy(np.array(x_test.reshape(len(x_test), -1))).float() / 255.0
    t_eval = torch.from_numpy(t_test.astype(np.int64))
    accs = []
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(xt), generator=gen)
        for start in range(0, len(order), BATCH_SIZE):
            idx = order[start:start + BATCH_SIZE]
            xb = xt[idx].float() / 255.0
            opt.zero_grad()
            loss_fn(model(xb), tt[idx]).backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            accs.append(float((model(x_eval).argmax(dim=1) == t_eval).float().mean()))
    return accs


def engine_run(sizes, optimizer, lr, epochs, seed, data):
    """Test accuracy after every epoch, trained as tests/unit/test_mnist_learning.py does."""
    x_train, t_train, x_test, t_test = data
    net = MultiLayerNet(sizes[0], sizes[1:-1], sizes[-1], activation="relu",
                        weight_init_std="he", seed=seed)
    opt = SGD(lr=lr) if optimizer == "SGD" else Adam(lr=lr)
    trainer = Trainer(net, opt, x_train, t_train, x_test, t_test, batch_size=BATCH_SIZE,
                      seed=seed, eval_samples=10000)
    accs = []
    for _ in range(epochs):
        trainer.fit(epochs=1)
        accs.append(float(trainer.history.epochs[-1].test_acc))
    return accs


def threshold(torch_accs: dict[str, list[float]], epochs: int) -> float:
    """The lowest best-within-budget accuracy over the seeds, less MARGIN, rounded down to 0.5%."""
    worst = min(max(accs[:epochs]) for accs in torch_accs.values())
    return math.floor((worst - MARGIN) * 200) / 200


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                        help="PyTorch seeds (default: 0 1 2)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    import torch

    (x_train, t_train), (x_test, t_test) = load_mnist(keep_uint8=True)
    data = (x_train, t_train, x_test, t_test)
    result = {
        "made_by": "scripts/mnist_reference.py",
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "torch": torch.__version__,
            "machine": f"{platform.machine()}, {torch.get_num_threads()} torch threads",
        },
        "data": "MNIST from assets/mnist (SHA-256 checked by engine.datasets.load_mnist): "
                "60000 training and 10000 test images, pixels / 255",
        "settings": {
            "activation": "relu",
            "init": "He normal, std sqrt(2 / fan_in); biases 0",
            "loss": "softmax cross-entropy, mean over the batch",
            "batch_size": BATCH_SIZE,
            "order": "a new random permutation every epoch",
            "adam": "beta1 0.9, beta2 0.999, eps 1e-8",
            "accuracy": "on all 10000 test images after each epoch",
        },
        "threshold_rule": f"lowest best-within-budget PyTorch accuracy over the seeds, "
                          f"minus {MARGIN}, rounded down to 0.005",
        "runs": {},
    }
    for name, (sizes, optimizer, lr, epochs) in RUNS.items():
        torch_accs = {}
        for seed in args.seeds:
            start = time.perf_counter()
            torch_accs[str(seed)] = torch_run(sizes, optimizer, lr, epochs, seed, data)
            print(f"{name}  torch seed {seed}: {np.round(torch_accs[str(seed)], 4).tolist()} "
                  f"({time.perf_counter() - start:.0f} s)", flush=True)
        start = time.perf_counter()
        engine_accs = engine_run(sizes, optimizer, lr, epochs, 0, data)
        print(f"{name}  engine seed 0: {np.round(engine_accs, 4).tolist()} "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
        result["runs"][name] = {
            "sizes": sizes,
            "optimizer": optimizer,
            "lr": lr,
            "epochs": epochs,
            "torch_test_acc": {s: [round(a, 4) for a in accs] for s, accs in torch_accs.items()},
            "engine_test_acc": {"0": [round(a, 4) for a in engine_accs]},
            "threshold": threshold(torch_accs, epochs),
        }
        print(f"{name}  threshold: {result['runs'][name]['threshold']}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    # lists of numbers on one line each: one run's accuracies read as a row
    text = re.sub(r"\[\s+([-\d.,\s]+?)\s+\]",
                  lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]", text)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
