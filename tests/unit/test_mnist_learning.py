"""Real MNIST, trained to the accuracies PyTorch reaches with the same settings.

The thresholds and epoch budgets come from tests/unit/data/mnist_reference.json, written by
scripts/mnist_reference.py: it trains each network below in PyTorch (three seeds) with the same
sizes, initialization, optimizer, learning rate and batch size, and sets each threshold a little
under the worst PyTorch seed (the rule is stored in the file). Rerun that script to refresh them.

The two training tests take tens of seconds each on two cores (marked slow); they run in the
README's test command.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from engine.datasets import load_mnist
from engine.network import MultiLayerNet
from engine.optimizers import SGD, Adam
from engine.trainer import Trainer

REFERENCE = json.loads(
    (Path(__file__).parent / "data" / "mnist_reference.json").read_text(encoding="utf-8"))
RUNS = REFERENCE["runs"]


@pytest.fixture(scope="module")
def mnist():
    (x_train, t_train), (x_test, t_test) = load_mnist(keep_uint8=True)
    return x_train, t_train, x_test, t_test


def train(mnist, net, optimizer, epochs, target):
    x_train, t_train, x_test, t_test = mnist
    trainer = Trainer(net, optimizer, x_train, t_train, x_test, t_test, batch_size=100, seed=0,
                      eval_samples=10000)
    accs = []
    for _ in range(epochs):
        trainer.fit(epochs=1)
        accs.append(trainer.history.epochs[-1].test_acc)
        if accs[-1] >= target:
            break
    return trainer, accs


def reference(name: str) -> tuple[float, int]:
    """(threshold, epoch budget) for a run, checked against the PyTorch numbers beside them."""
    run = RUNS[name]
    threshold, epochs = run["threshold"], run["epochs"]
    best = [max(accs[:epochs]) for accs in run["torch_test_acc"].values()]
    assert len(best) >= 2, "the reference needs more than one PyTorch seed"
    assert threshold <= min(best), f"{name}: the threshold is above a PyTorch run {best}"
    assert threshold >= min(best) - 0.01, f"{name}: the threshold is far below PyTorch {best}"
    return threshold, epochs


def test_the_reference_file_records_how_it_was_made():
    """Fast: runs without the slow mark, so a broken reference file shows up in every run."""
    assert REFERENCE["made_by"] == "scripts/mnist_reference.py"
    assert REFERENCE["versions"]["torch"] and REFERENCE["date"]
    assert (Path(__file__).parents[2] / REFERENCE["made_by"]).exists()
    for name, run in RUNS.items():
        assert len(run["torch_test_acc"]["0"]) == run["epochs"], name
        reference(name)  # each threshold sits just under every PyTorch seed's best


@pytest.mark.slow
def test_784_100_10_sgd_reaches_the_pytorch_reference_accuracy(mnist):
    run = RUNS["784-100-10 SGD"]
    assert run["sizes"] == [784, 100, 10] and run["optimizer"] == "SGD"
    target, epochs = reference("784-100-10 SGD")
    net = MultiLayerNet(784, [100], 10, activation="relu", weight_init_std="he", seed=0)
    trainer, accs = train(mnist, net, SGD(lr=run["lr"]), epochs=epochs, target=target)
    assert max(accs) >= target, f"test accuracy per epoch: {np.round(accs, 4).tolist()}"
    assert trainer.history.epochs[0].loss > trainer.history.epochs[-1].loss
    assert mnist[0].dtype == np.uint8 and not mnist[0].flags.writeable


@pytest.mark.slow
def test_784_256_128_10_adam_reaches_the_pytorch_reference_accuracy(mnist):
    run = RUNS["784-256-128-10 Adam"]
    assert run["sizes"] == [784, 256, 128, 10] and run["optimizer"] == "Adam"
    target, epochs = reference("784-256-128-10 Adam")
    net = MultiLayerNet(784, [256, 128], 10, activation="relu", weight_init_std="he", seed=0)
    _, accs = train(mnist, net, Adam(lr=run["lr"]), epochs=epochs, target=target)
    assert max(accs) >= target, f"test accuracy per epoch: {np.round(accs, 4).tolist()}"
