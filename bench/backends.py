"""The MNIST lesson's "Compare numpy and cupy", from the command line.

    python -m bench.backends [--seconds 2]

For the lesson's default network (784-100-10, ReLU, He, Adam 0.001) and a bigger one
(784-256-256-256-10, the settings' largest), at batch 100 and 1000, it measures
engine.trainer.measure_speed on numpy and, where a CUDA GPU and cupy are there, on cupy,
one after the other in one run, and prints samples per second and cupy/numpy.
"""

from __future__ import annotations

import argparse

from engine.backend import cupy_available
from engine.datasets import load_mnist
from engine.network import MultiLayerNet
from engine.optimizers import Adam
from engine.trainer import Trainer, measure_speed

NETS = {"784-100-10": [100], "784-256-256-256-10": [256, 256, 256]}
BATCHES = (100, 1000)


def speed(hidden, batch: int, backend: str, seconds: float) -> float:
    (x, t), _ = load_mnist(keep_uint8=True)
    net = MultiLayerNet(784, hidden, 10, activation="relu", weight_init_std="he", seed=0,
                        backend=backend)
    trainer = Trainer(net, Adam(lr=0.001), x, t, batch_size=batch, seed=0, eval_samples=0)
    return measure_speed(trainer, seconds=seconds)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args(argv)
    backends = ("numpy", "cupy") if cupy_available() else ("numpy",)
    print(f"samples/s of Trainer.step, {args.seconds:g} s each; backends: {', '.join(backends)}")
    print(f"{'network':<22}{'batch':>6}" + "".join(f"{b:>12}" for b in backends)
          + (f"{'cupy/numpy':>12}" if len(backends) == 2 else ""))
    for name, hidden in NETS.items():
        for batch in BATCHES:
            values = [speed(hidden, batch, b, args.seconds) for b in backends]
            ratio = f"{values[1] / values[0]:>12.2f}" if len(values) == 2 else ""
            print(f"{name:<22}{batch:>6}" + "".join(f"{v:>12,.0f}" for v in values) + ratio,
                  flush=True)


if __name__ == "__main__":
    main()
