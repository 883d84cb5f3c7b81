"""Errors of the engine that every training page can meet."""

import numpy as np

from engine import SGD, MultiLayerNet, Trainer


def _diverge() -> None:
    x = np.ones((4, 2), dtype=np.float32)
    net = MultiLayerNet(2, [3], 2, seed=0)
    net.params["W1"][...] = np.nan  # as the weights of a run that blew up
    Trainer(net, SGD(lr=0.1), x, np.array([0, 1, 0, 1]), x, np.array([0, 1, 0, 1]),
            batch_size=4).step()


CASES = {"diverged": _diverge}
