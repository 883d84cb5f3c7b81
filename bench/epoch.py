"""One MNIST epoch, engine against PyTorch, measured side by side in one run.

    python -m bench.epoch [--repeats 3] [--backend numpy|cupy] [--torch-device cpu|cuda]

For each network (784-100-10 and 784-256-128-64-10; ReLU, He init, SGD lr 0.1,
batch 100, float32, 60,000 samples) it alternates an engine epoch and a
PyTorch epoch (autograd + torch.optim.SGD) `repeats` times, so both see the
same machine load, and prints samples per second (median) and the time ratio
engine/torch (median of the per-round ratios: below 1 means the engine is faster).
Both sides do the same work per step: gather a shuffled batch of uint8 pixels,
scale it to [0, 1] in float32, forward, backward, update.

It also times the numerical gradient against backprop for 784-50-10 on 3
samples (STEP 1 of the MNIST lesson). PyTorch is optional:
`pip install torch==2.13.0` (CPU); without it only the engine is timed.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from engine.backend import get_backend
from engine.datasets import load_mnist
from engine.network import MultiLayerNet
from engine.optimizers import SGD
from engine.trainer import Trainer

NETS = {"784-100-10": [100], "784-256-128-64-10": [256, 128, 64]}
BATCH, LR = 100, 0.1


def engine_epoch(hidden, x, t, backend: str, seed: int) -> float:
    net = MultiLayerNet(784, hidden, 10, activation="relu", weight_init_std="he",
                        backend=backend, seed=seed)
    trainer = Trainer(net, SGD(lr=LR), x, t, batch_size=BATCH, seed=seed, eval_samples=0)
    start = time.perf_counter()
    trainer.run(until_epoch=1)
    if backend == "cupy":
        get_backend("cupy").cuda.Device().synchronize()
    return time.perf_counter() - start


def torch_epoch(hidden, x, t, seed: int, device: str = "cpu") -> float:
    import torch

    torch.manual_seed(seed)
    sizes = [784, *hidden, 10]
    mods = []
    for i in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1])
        torch.nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        torch.nn.init.zeros_(lin.bias)
        mods += [lin, torch.nn.ReLU()]
    model = torch.nn.Sequential(*mods[:-1]).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    # the data goes where the model is (as the engine keeps it), before the clock starts
    xt = torch.from_numpy(np.array(x)).to(device)
    tt = torch.from_numpy(t.astype(np.int64)).to(device)
    order = torch.from_numpy(np.random.default_rng(seed).permutation(len(x))).to(device)
    start = time.perf_counter()
    for i in range(0, len(x), BATCH):
        idx = order[i:i + BATCH]
        xb = xt[idx].float().div_(255.0)
        loss = loss_fn(model(xb), tt[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    if device != "cpu":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def numerical_vs_backprop() -> tuple[float, float, int]:
    """Seconds for one numerical gradient and one backprop gradient (784-50-10, 3 samples)."""
    (x, t), _ = load_mnist(dtype=np.float64)
    net = MultiLayerNet(784, [50], 10, dtype=np.float64, seed=0)
    xb, tb = x[:3], t[:3]
    times = []
    for _ in range(20):
        start = time.perf_counter()
        net.gradient(xb, tb)
        times.append(time.perf_counter() - start)
    backprop = statistics.median(times)
    start = time.perf_counter()
    net.numerical_gradient(xb, tb)
    numerical = time.perf_counter() - start
    return numerical, backprop, net.n_params()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backend", default="numpy", choices=["numpy", "cupy"])
    parser.add_argument("--torch-device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--skip-numerical", action="store_true")
    args = parser.parse_args(argv)

    try:
        import torch

        torch_version = torch.__version__
        threads = torch.get_num_threads()
    except ImportError:
        torch = None
        torch_version, threads = "not installed", 0
    (x, t), _ = load_mnist(keep_uint8=True)
    print(f"MNIST epoch: {len(x):,} samples, batch {BATCH}, SGD lr {LR}, float32; "
          f"engine on {args.backend}, torch {torch_version} on {args.torch_device} "
          f"({threads} CPU threads); "
          f"{args.repeats} alternating rounds")
    print("engine/torch time: engine epoch seconds / torch epoch seconds (below 1: engine faster)")
    print(f"{'network':<20}{'engine samples/s':>18}{'torch samples/s':>17}"
          f"{'engine/torch time':>19}")
    for name, hidden in NETS.items():
        eng, tor, ratios = [], [], []
        engine_epoch(hidden, x[:5000], t[:5000], args.backend, 99)  # warm up BLAS and caches
        if torch is not None:
            torch_epoch(hidden, x[:5000], t[:5000], 99, args.torch_device)
        for r in range(args.repeats):
            e = engine_epoch(hidden, x, t, args.backend, r)
            if torch is not None:
                tt = torch_epoch(hidden, x, t, r, args.torch_device)
                tor.append(tt)
                ratios.append(e / tt)
            eng.append(e)
        eng_sps = len(x) / statistics.median(eng)
        tor_sps = f"{len(x) / statistics.median(tor):>17,.0f}" if tor else f"{'-':>17}"
        ratio = f"{statistics.median(ratios):>19.2f}" if ratios else f"{'-':>19}"
        print(f"{name:<20}{eng_sps:>18,.0f}{tor_sps}{ratio}", flush=True)
    if not args.skip_numerical:
        numerical, backprop, n = numerical_vs_backprop()
        print(f"\nGradient of 784-50-10 ({n:,} parameters) on 3 samples, float64: "
              f"numerical {numerical:.2f} s, backprop {backprop * 1e3:.2f} ms (median of 20), "
              f"backprop {numerical / backprop:,.0f}x faster")


if __name__ == "__main__":
    main()
