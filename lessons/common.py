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
