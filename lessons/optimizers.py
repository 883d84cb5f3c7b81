"""Two-dimensional loss surfaces for racing optimizers, with their analytic gradients.

    bowl = SURFACES["bowl"]                    # the book's f(x, y) = x²/20 + y²
    paths = race(bowl, {"SGD": SGD(lr=0.95), "Adam": Adam(lr=0.3)}, start=bowl.start, steps=40)

Every optimizer runs the engine's own `update(params, grads)` on a 2-vector
p = (x, y), so what a page animates is exactly what trains a network.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from engine.optimizers import Optimizer

DIVERGE_LIMIT = 1e6  # a coordinate beyond this counts as flown off


@dataclass(frozen=True)
class Surface:
    """f(x, y), its gradient, a window to draw, a start point and where the minimum is."""

    name: str
    formula: str  # LaTeX
    f: Callable[[np.ndarray, np.ndarray], np.ndarray]
    grad: Callable[[float, float], tuple[float, float]]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    start: tuple[float, float]
    minimum: tuple[float, float]
    log_scale: bool = False  # contours on log(1 + f) for surfaces with huge walls

    def value(self, x: float, y: float) -> float:
        return float(self.f(np.float64(x), np.float64(y)))

    def gradient(self, x: float, y: float) -> np.ndarray:
        return np.array(self.grad(float(x), float(y)), dtype=np.float64)

    def grid(self, n: int = 80) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(xs, ys, Z) over the window, Z[i, j] = f(xs[j], ys[i]); n ≤ 300 points a side."""
        if not isinstance(n, int) or not 2 <= n <= 300:
            raise ValueError(f"grid size must be an integer from 2 to 300, got {n!r}")
        xs = np.linspace(*self.x_range, n)
        ys = np.linspace(*self.y_range, n)
        X, Y = np.meshgrid(xs, ys)
        return xs, ys, self.f(X, Y)


def _bowl(x, y):
    return x**2 / 20 + y**2


def _bowl_grad(x, y):
    return x / 10, 2 * y


def _saddle(x, y):
    return x**2 - y**2


def _saddle_grad(x, y):
    return 2 * x, -2 * y


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosenbrock_grad(x, y):
    return -2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)


def _two_wells(x, y):
    return (x**2 - 1) ** 2 + 0.3 * x + y**2


def _two_wells_grad(x, y):
    return 4 * x * (x**2 - 1) + 0.3, 2 * y


SURFACES: dict[str, Surface] = {
    "bowl": Surface("bowl", r"f(x, y) = \frac{x^2}{20} + y^2", _bowl, _bowl_grad,
                    (-10.0, 10.0), (-5.0, 5.0), (-7.0, 2.0), (0.0, 0.0)),
    "saddle": Surface("saddle", r"f(x, y) = x^2 - y^2", _saddle, _saddle_grad,
                      (-2.0, 2.0), (-2.0, 2.0), (-1.8, 0.05), (math.nan, math.nan)),
    "rosenbrock": Surface("rosenbrock", r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2", _rosenbrock,
                          _rosenbrock_grad, (-2.0, 2.0), (-1.0, 3.0), (-1.5, 2.0), (1.0, 1.0),
                          log_scale=True),
    "two_wells": Surface("two_wells", r"f(x, y) = (x^2 - 1)^2 + 0.3\,x + y^2", _two_wells,
                         _two_wells_grad, (-2.0, 2.0), (-1.5, 1.5), (1.8, 1.2),
                         (-1.0356, 0.0)),
}


@dataclass
class RacePath:
    """Where one optimizer went: points[k] is the position after k steps (points[0] = start)."""

    name: str
    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    diverged_at: int | None = None  # the step at which it flew off (NaN, inf or too far)

    @property
    def steps_taken(self) -> int:
        return len(self.xs) - 1


def race(surface: Surface, optimizers: dict[str, Optimizer], start: tuple[float, float],
         steps: int) -> dict[str, RacePath]:
    """Run every optimizer from `start` for `steps` updates on the surface's gradient.

    An optimizer whose position turns NaN/inf or leaves |x|, |y| ≤ 1e6 stops there,
    with `diverged_at` set: a page shows it as flown off, never as a crash.
    """
    if not isinstance(steps, int) or not 0 <= steps <= 10_000:
        raise ValueError(f"steps must be an integer from 0 to 10000, got {steps!r}")
    x0, y0 = (float(v) for v in start)
    if not (math.isfinite(x0) and math.isfinite(y0)):
        raise ValueError(f"the start point must be finite, got {start!r}")
    paths = {}
    for name, opt in optimizers.items():
        p = np.array([x0, y0], dtype=np.float64)
        path = RacePath(name, [x0], [y0], [surface.value(x0, y0)])
        with np.errstate(over="ignore", invalid="ignore"):
            for k in range(1, steps + 1):
                opt.update([p], [surface.gradient(*p)])
                loss = surface.value(*p)
                if not (np.isfinite(p).all() and np.abs(p).max() <= DIVERGE_LIMIT
                        and math.isfinite(loss)):
                    path.diverged_at = k
                    break
                path.xs.append(float(p[0]))
                path.ys.append(float(p[1]))
                path.losses.append(loss)
        paths[name] = path
    return paths
