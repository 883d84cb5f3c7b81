"""Real MNIST, trained to the accuracies PyTorch reaches with the same settings.

These take tens of seconds each on two cores; they run in the README's test command.
"""

import numpy as np
import pytest

from engine.datasets import load_mnist
from engine.network import MultiLayerNet
from engine.optimizers import SGD, Adam
from engine.trainer import Trainer

pytestmark = pytest.mark.slow


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


def test_784_100_10_sgd_reaches_96_5_percent_within_10_epochs(mnist):
    net = MultiLayerNet(784, [100], 10, activation="relu", weight_init_std="he", seed=0)
    trainer, accs = train(mnist, net, SGD(lr=0.1), epochs=10, target=0.965)
    assert max(accs) >= 0.965, f"test accuracy per epoch: {np.round(accs, 4).tolist()}"
    assert trainer.history.epochs[0].loss > trainer.history.epochs[-1].loss
    assert mnist[0].dtype == np.uint8 and not mnist[0].flags.writeable


def test_784_256_128_10_adam_reaches_97_5_percent_within_5_epochs(mnist):
    net = MultiLayerNet(784, [256, 128], 10, activation="relu", weight_init_std="he", seed=0)
    _, accs = train(mnist, net, Adam(lr=0.001), epochs=5, target=0.975)
    assert max(accs) >= 0.975, f"test accuracy per epoch: {np.round(accs, 4).tolist()}"
