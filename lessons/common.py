"""What more than one lesson computes: the grid a surface or a decision boundary is drawn on."""

from __future__ import annotations

import numpy as np


def grid(x_range: tuple[float, float], y_range: tuple[float, float], n: int):
    """n × n points over a window: the axes xs, ys (n,) and the meshgrid X, Y (n, n).

    Row i of X and Y holds y = ys[i]: a function of (X, Y) gives the (n, n) values a heatmap
    or contour plot draws with xs across and ys up; np.column_stack([X.ravel(), Y.ravel()])
    gives the same points as an (n·n, 2) batch for a network.
    """
    if not isinstance(n, int) or not 2 <= n <= 300:
        raise ValueError(f"grid size must be an integer from 2 to 300, got {n!r}")
    xs = np.linspace(*x_range, n)
    ys = np.linspace(*y_range, n)
    X, Y = np.meshgrid(xs, ys)
    return xs, ys, X, Y


SAME_NETWORK_FIELDS = ("input_size", "hidden_size_list", "output_size", "activation", "output",
                       "use_batchnorm", "use_dropout", "weight_decay_lambda", "weight_decay_l1",
                       "dtype")


def check_saved_network(saved, network, optimizer: str, lr: float) -> None:
    """A network brought back from a file (engine.saving.load's Saved) must be the one its
    settings build, `network` (sizes, activation, output, regularisation, dtype), and its
    optimizer, when the file has one, the one they name: else ValueError."""
    same = [tuple(getattr(n, f) for f in SAME_NETWORK_FIELDS) for n in (saved.network, network)]
    opt = saved.optimizer
    if same[0] != same[1] or (opt is not None and (type(opt).__name__, opt.lr) != (optimizer, lr)):
        raise ValueError("the network is not the one its settings build")
