"""Lesson 4, optimizers: what the page computes, without the page.

- Batch, stochastic and mini-batch descent on the spiral: BatchConfig -> BatchRace.
- The six update rules, made by name: make_optimizer("Adam", 0.3, beta1=0.9).
- Two-dimensional loss surfaces with their analytic gradients, and the race on them:

      bowl = SURFACES["bowl"]                    # the book's f(x, y) = x²/20 + y²
      paths = race(bowl, {"SGD": SGD(lr=0.95), "Adam": Adam(lr=0.3)}, bowl.start, steps=40)
      shown = Race.build(RaceConfig("bowl"))     # the race the page shows first

- Nesterov's two forms, the look-ahead one and the code's, step by step: nesterov_two_forms.
- The same six optimizers on MNIST, one epoch each: MnistRaceConfig -> MnistRace, and the
  settings it actually runs with: MnistRace.settings().

Every optimizer runs the engine's own `update(params, grads)`, on a 2-vector p = (x, y) for
a surface, so what a page animates is exactly what trains a network. The formulas use the
code's names: p a parameter array, g = ∂L/∂p its gradient, v, h, m the per-parameter state.

A learner's value that cannot be used raises engine.backend.InputError with a code
(optimizers_*), which a page says in the learner's language.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Real

import numpy as np

from engine.backend import InputError
from engine.network import MultiLayerNet
from engine.optimizers import OPTIMIZERS, Adam, Nesterov, Optimizer
from engine.trainer import Trainer, TrainingDiverged
from lessons import common

NAMES = tuple(OPTIMIZERS)  # SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam
DIVERGE_LIMIT = 1e6  # a coordinate beyond this counts as flown off
SEED = 0  # every network of the lesson starts from the same weights


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
        xs, ys, X, Y = common.grid(self.x_range, self.y_range, n)
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


MAX_STEPS = 10_000  # the most steps race() and nesterov_two_forms() take


def _check_steps(steps) -> None:
    if isinstance(steps, bool) or not isinstance(steps, int) or not 0 <= steps <= MAX_STEPS:
        raise InputError("optimizers_steps",
                         f"steps must be an integer from 0 to {MAX_STEPS}, got {steps!r}",
                         steps=steps, most=MAX_STEPS)


def _check_start(start) -> tuple[float, float]:
    """(x0, y0) as floats, or an InputError when the start is not two finite numbers."""
    try:
        x0, y0 = (float(v) for v in start)
    except (TypeError, ValueError):
        x0 = y0 = math.nan
    if not (math.isfinite(x0) and math.isfinite(y0)):
        raise InputError("optimizers_start", f"the start point must be finite, got {start!r}",
                         start=repr(start))
    return x0, y0


def surface_named(name: str) -> Surface:
    """SURFACES[name], or an InputError naming the surfaces there are."""
    if not isinstance(name, str) or name not in SURFACES:
        raise InputError("optimizers_surface",
                         f"surface must be one of {', '.join(SURFACES)}, got {name!r}",
                         surface=str(name), choices=" / ".join(SURFACES))
    return SURFACES[name]


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
    _check_steps(steps)
    x0, y0 = _check_start(start)
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


# ---------------------------------------------------------------- the six update rules

# Each rule as its paper writes it, in the names of the code beside it: p is a parameter
# array (the notes' W or b), g = ∂L/∂p its gradient, v, h and m the state the optimizer
# keeps per parameter, η lr, α momentum, ρ decay_rate, β1 beta1, β2 beta2, ε eps.
UPDATE_RULES = {
    "SGD": r"p \leftarrow p - \eta\,g",
    "Momentum": r"\begin{aligned} v &\leftarrow \alpha\,v - \eta\,g \\ "
                r"p &\leftarrow p + v \end{aligned}",
    "Nesterov": r"\begin{aligned} v &\leftarrow \alpha\,v - \eta\,g \\ "
                r"p &\leftarrow p + \alpha\,v - \eta\,g \end{aligned}",
    "AdaGrad": r"\begin{aligned} h &\leftarrow h + g\odot g \\ "
               r"p &\leftarrow p - \eta\,\frac{g}{\sqrt{h} + \epsilon} \end{aligned}",
    "RMSProp": r"\begin{aligned} h &\leftarrow \rho\,h + (1 - \rho)\,g\odot g \\ "
               r"p &\leftarrow p - \eta\,\frac{g}{\sqrt{h} + \epsilon} \end{aligned}",
    "Adam": r"\begin{aligned} m &\leftarrow \beta_1 m + (1 - \beta_1)\,g \\ "
            r"v &\leftarrow \beta_2 v + (1 - \beta_2)\,g\odot g \\ "
            r"\hat m &= \frac{m}{1 - \beta_1^t} \qquad \hat v = \frac{v}{1 - \beta_2^t} \\ "
            r"p &\leftarrow p - \eta\,\frac{\hat m}{\sqrt{\hat v} + \epsilon} \end{aligned}",
}
# The one line that maps the notes' names (seed 003: W ← W − η ∂L/∂W) to the code's.
NAME_MAP = (r"p \;\leftrightarrow\; W,\ b \qquad g = \frac{\partial L}{\partial p}"
            r" \;\leftrightarrow\; \frac{\partial L}{\partial W},\ \frac{\partial L}{\partial b}")

# Nesterov as its idea reads (the gradient where the velocity is about to carry the point
# p̃) and how the code's form follows from it: the code keeps the look-ahead point itself.
NESTEROV_LOOKAHEAD = (r"v \leftarrow \alpha\,v - \eta\,\nabla L(\tilde p + \alpha\,v)"
                      r"\qquad \tilde p \leftarrow \tilde p + v")
NESTEROV_LINK = (r"\begin{aligned} p &= \tilde p + \alpha\,v \qquad v' = \alpha\,v - \eta\,g \\ "
                 r"p' &= \tilde p' + \alpha\,v' = (\tilde p + v') + \alpha\,v' \\ "
                 r"&= p + (v' - \alpha\,v) + \alpha\,v' = p + \alpha\,v' - \eta\,g"
                 r"\end{aligned}")


def _check_fraction(value, setting: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= value < 1:
        raise InputError("optimizers_setting", f"{setting} must be in [0, 1), got {value!r}",
                         setting=setting, value=value if isinstance(value, Real) else repr(value))
    return float(value)


def make_optimizer(name: str, lr: float, *, momentum: float = 0.9, beta1: float = 0.9,
                   beta2: float = 0.999) -> Optimizer:
    """The engine's optimizer `name` (one of NAMES) with learning rate lr. Momentum and
    Nesterov take the momentum α, Adam takes β1 and β2 (each in [0, 1)); the others need
    only lr (a finite number > 0). A value that cannot be used raises a coded InputError."""
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise InputError("optimizers_unknown",
                         f"optimizer must be one of {', '.join(NAMES)}, got {name!r}",
                         name=str(name), choices=" / ".join(NAMES))
    if (isinstance(lr, bool) or not isinstance(lr, Real) or not 0 < lr < math.inf):
        raise InputError("optimizers_lr",
                         f"the learning rate of {name} must be a finite number > 0, "
                         f"got {lr!r}", name=name, lr=lr if isinstance(lr, Real) else repr(lr))
    if name in ("Momentum", "Nesterov"):
        return OPTIMIZERS[name](lr=lr, momentum=_check_fraction(momentum, "momentum"))
    if name == "Adam":
        return Adam(lr=lr, beta1=_check_fraction(beta1, "beta1"),
                    beta2=_check_fraction(beta2, "beta2"))
    return OPTIMIZERS[name](lr=lr)


@dataclass(frozen=True)
class NesterovStep:
    """Step k of Nesterov both ways, from the same start: `p` where the engine's Nesterov
    (the code's form) is, `tilde_p` where the look-ahead form is, `v` the velocity (the same
    in both), and `lookahead` = p̃ + α·v, which is p again."""

    k: int
    p: tuple[float, float]
    tilde_p: tuple[float, float]
    v: tuple[float, float]
    lookahead: tuple[float, float]

    @property
    def gap(self) -> float:
        """The largest |p − (p̃ + αv)| over the coordinates: rounding only."""
        return max(abs(a - b) for a, b in zip(self.p, self.lookahead, strict=True))


def nesterov_two_forms(surface: Surface, lr: float, momentum: float,
                       start: tuple[float, float], steps: int) -> list[NesterovStep]:
    """Run the engine's Nesterov (p) and the look-ahead form (p̃, by the formula
    NESTEROV_LOOKAHEAD) side by side for `steps` steps on the surface; rows for k = 0..steps.
    Both start at `start` with v = 0, so p = p̃ + α·v holds at every step."""
    _check_steps(steps)
    x0, y0 = _check_start(start)
    opt = make_optimizer("Nesterov", lr, momentum=momentum)
    assert isinstance(opt, Nesterov)
    alpha = opt.momentum
    p = np.array([x0, y0])
    tilde_p, v = p.copy(), np.zeros(2)

    def row(k: int) -> NesterovStep:
        ahead = tilde_p + alpha * v
        return NesterovStep(k, _pair(p), _pair(tilde_p), _pair(v), _pair(ahead))

    rows = [row(0)]
    for k in range(1, steps + 1):
        opt.update([p], [surface.gradient(*p)])  # the code's form
        v = alpha * v - lr * surface.gradient(*(tilde_p + alpha * v))  # the look-ahead form
        tilde_p = tilde_p + v
        rows.append(row(k))
    return rows


def _pair(a: np.ndarray) -> tuple[float, float]:
    return float(a[0]), float(a[1])


# ---------------------------------------------------------------- the race the page plays

# Learning rates that make a good race on each surface (the bowl's are the book's).
SURFACE_LRS = {
    "bowl": dict(SGD=0.95, Momentum=0.1, Nesterov=0.1, AdaGrad=1.5, RMSProp=0.3, Adam=0.3),
    "saddle": dict(SGD=0.05, Momentum=0.02, Nesterov=0.02, AdaGrad=0.3, RMSProp=0.03,
                   Adam=0.05),
    "rosenbrock": dict(SGD=0.0015, Momentum=0.001, Nesterov=0.001, AdaGrad=1.0, RMSProp=0.02,
                       Adam=0.1),
    "two_wells": dict(SGD=0.05, Momentum=0.02, Nesterov=0.02, AdaGrad=0.3, RMSProp=0.05,
                      Adam=0.1),
}
LR_SCALES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
RACE_TICKS = 50  # a race of any length plays in about this many ticks
RACE_GRID = 120  # points a side of the contour map


@dataclass(frozen=True)
class RaceConfig:
    """One race: the surface, every racer's learning rate (the surface's, times lr_scale),
    the settings of Momentum/Nesterov (α) and Adam (β1, β2), the start, the steps, who runs."""

    surface: str = "bowl"
    lr_scale: float = 1.0
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    start: tuple[float, float] | None = None  # None: the surface's own start
    steps: int = 100
    racers: tuple[str, ...] = NAMES

    def lrs(self) -> dict[str, float]:
        return {n: SURFACE_LRS[self.surface][n] * self.lr_scale for n in self.racers}


@dataclass
class Race:
    """A race computed to the end at once and shown step by step: `k` steps are revealed."""

    config: RaceConfig
    surface: Surface
    lrs: dict[str, float]
    paths: dict[str, RacePath]
    grid: tuple[np.ndarray, np.ndarray, np.ndarray]  # (xs, ys, Z) for the contours
    k: int

    @classmethod
    def build(cls, config: RaceConfig) -> Race:
        """Run every racer; all `steps` are revealed, as a page shows a race first."""
        surface = surface_named(config.surface)
        lrs = config.lrs()
        optimizers = {n: make_optimizer(n, lr, momentum=config.momentum, beta1=config.beta1,
                                        beta2=config.beta2) for n, lr in lrs.items()}
        paths = race(surface, optimizers, config.start or surface.start, config.steps)
        return cls(config, surface, lrs, paths, surface.grid(RACE_GRID), config.steps)

    @property
    def start(self) -> tuple[float, float]:
        return self.config.start or self.surface.start

    def restart(self) -> None:
        self.k = 0

    def advance(self, ticks: int = RACE_TICKS) -> bool:
        """Reveal ⌈steps / ticks⌉ more steps (from the start again once at the end), so any
        race plays in about `ticks` ticks; True when the last step is shown."""
        steps = self.config.steps
        if self.k >= steps:
            self.k = 0
        self.k = min(steps, self.k + max(1, math.ceil(steps / ticks)))
        return self.k >= steps

    def gone(self, name: str) -> bool:
        """Whether `name` has flown off by the step shown."""
        at = self.paths[name].diverged_at
        return at is not None and self.k >= at

    def shown(self) -> dict[str, tuple[list[float], list[float], bool]]:
        """name -> (xs, ys, gone): the points revealed so far."""
        return {n: (p.xs[:self.k + 1], p.ys[:self.k + 1], self.gone(n))
                for n, p in self.paths.items()}

    def curves(self) -> dict[str, tuple[list[int], list[float]]]:
        """name -> (steps, f): the loss revealed so far."""
        return {n: (list(range(len(p.losses)))[:self.k + 1], p.losses[:self.k + 1])
                for n, p in self.paths.items()}

    def position(self, name: str) -> tuple[float, float, float]:
        """(x, y, f) of `name` at the step shown, or where it was last seen."""
        path = self.paths[name]
        i = min(self.k, path.steps_taken)
        return path.xs[i], path.ys[i], path.losses[i]

    def rows(self) -> list[tuple[str, float, float, float, float, int | None]]:
        """(name, lr, x, y, f, the step it flew off at or None) of every racer at the step
        shown; one that flew off stays where it was last seen."""
        return [(n, self.lrs[n], *self.position(n), p.diverged_at if self.gone(n) else None)
                for n, p in self.paths.items()]


# ---------------------------------------------------------------- batch, SGD, mini-batch

BATCH_EPOCHS = 50  # the three ways each see every spiral point this many times
BATCH_SIZES = {"full": None, "sgd": 1, "mini": 30}  # None: the whole set (N = 300)
BATCH_HIDDEN = (10,)  # one hidden layer of 10 sigmoid units: 2-10-3 on the spiral
# One update averages the gradients g_n = ∂L_n/∂p of a batch of B of the N points (p, g as
# in the code: a parameter and its gradient).
BATCH_RULES = (r"p \leftarrow p - \eta\,\frac{1}{B}\sum_{n \in \text{batch}} g_n"
               r"\qquad g_n = \frac{\partial L_n}{\partial p}",
               r"B = N\ (\text{batch}) \qquad B = 1\ (\text{SGD}) \qquad "
               r"1 < B < N\ (\text{mini-batch})")


@dataclass(frozen=True)
class BatchConfig:
    lr: float = 1.0  # the same learning rate for the three ways
    epochs: int = BATCH_EPOCHS


@dataclass
class BatchRun:
    """One way down: its trainer, and after each epoch the samples seen, the updates made
    and the loss on all the points."""

    trainer: Trainer
    samples: list[int]
    updates: list[int]
    loss: list[float]


@dataclass
class BatchRace:
    """Batch (B = N), stochastic (B = 1) and mini-batch (B = 30) descent on the same spiral,
    from the same weights (a 2-10-3 sigmoid network), with the same learning rate."""

    config: BatchConfig
    x: np.ndarray
    t: np.ndarray
    runs: dict[str, BatchRun]

    @classmethod
    def build(cls, config: BatchConfig, x, t) -> BatchRace:
        runs = {}
        classes = t.shape[1] if np.ndim(t) == 2 else int(np.max(t)) + 1  # one-hot or labels
        for kind, size in BATCH_SIZES.items():
            net = MultiLayerNet(x.shape[1], list(BATCH_HIDDEN), classes,
                                activation="sigmoid", weight_init_std=0.01, seed=SEED)
            trainer = Trainer(net, make_optimizer("SGD", config.lr), x, t,
                              batch_size=size or len(x), seed=SEED, eval_samples=0)
            runs[kind] = BatchRun(trainer, [0], [0], [float(net.loss(x, t))])
        return cls(config, x, t, runs)

    def advance(self, seconds: float) -> bool:
        """Train each way for its share of `seconds` (at least one step, however busy the
        host); after each whole epoch note the loss on all points. True once all are done."""
        budget = seconds / len(self.runs)
        for run in self.runs.values():
            trainer = run.trainer
            deadline = time.perf_counter() + budget
            while trainer.epoch < self.config.epochs:
                before = trainer.epoch
                trainer.run(until_epoch=before + 1,
                            max_seconds=max(deadline - time.perf_counter(), 0.0))
                if trainer.epoch > before:
                    run.samples.append(trainer.epoch * len(self.x))
                    run.updates.append(trainer.step_count)
                    run.loss.append(self.loss_of(run))
                if time.perf_counter() >= deadline:
                    break
        return self.done

    @property
    def done(self) -> bool:
        return all(r.trainer.epoch >= self.config.epochs for r in self.runs.values())

    @property
    def network(self) -> str:
        """The network's sizes as the page names them, '2-10-3', read from the network."""
        net = next(iter(self.runs.values())).trainer.network
        return "-".join(map(str, (net.input_size, *net.hidden_size_list, net.output_size)))

    @property
    def seed(self) -> int | None:
        return next(iter(self.runs.values())).trainer.network.seed

    def loss_of(self, run: BatchRun) -> float:
        return float(run.trainer.network.loss(self.x, self.t))

    def accuracy_of(self, run: BatchRun) -> float:
        return run.trainer.network.accuracy(self.x, self.t)


# ---------------------------------------------------------------- the race on MNIST

MNIST_LRS = dict(SGD=0.1, Momentum=0.05, Nesterov=0.05, AdaGrad=0.01, RMSProp=0.001, Adam=0.001)
MNIST_HIDDEN = (100, 100)  # two hidden layers; the engine's default activation (ReLU)
MNIST_CAP = 600  # steps per optimizer: one epoch of 60,000 images in batches of 100
MNIST_BATCH = 100
MNIST_STEPS_PER_TURN = 5
MNIST_TEST = 2000  # test images for the accuracy column
MNIST_EVAL_EVERY = 200


@dataclass(frozen=True)
class MnistRaceConfig:
    lrs: tuple[float, ...] = tuple(MNIST_LRS[n] for n in NAMES)  # in the order of NAMES
    cap: int = MNIST_CAP
    test: int = MNIST_TEST


@dataclass
class MnistRun:
    trainer: Trainer
    acc: float | None = None  # test accuracy, measured after step acc_step
    acc_step: int = 0
    diverged: int | None = None  # the step whose loss was not finite: this one stopped there


@dataclass
class MnistRace:
    """The six optimizers train the same 784-100-100-10 network from the same weights on the
    same batches, each with its own learning rate, `cap` steps each."""

    config: MnistRaceConfig
    runs: dict[str, MnistRun]
    # a new one per race, a reset's included: a page's live chart of it is drawn afresh
    uid: str = field(default_factory=lambda: uuid.uuid4().hex, compare=False)

    @classmethod
    def build(cls, config: MnistRaceConfig, train, test) -> MnistRace:
        """train, test: (x, t) pairs, uint8 pixels as stored; the first config.test test
        images measure the accuracy."""
        (x, t), (x_test, t_test) = train, test
        runs = {}
        for name, lr in zip(NAMES, config.lrs, strict=True):
            net = MultiLayerNet(x[0].size, list(MNIST_HIDDEN), 10, seed=SEED)
            runs[name] = MnistRun(Trainer(
                net, make_optimizer(name, lr), x, t, x_test[:config.test], t_test[:config.test],
                batch_size=MNIST_BATCH, seed=SEED, eval_samples=0, stats_every=10**9))
        return cls(config, runs)

    def is_live(self, run: MnistRun) -> bool:
        return run.diverged is None and run.trainer.step_count < self.config.cap

    def advance(self, seconds: float, steps: int = MNIST_STEPS_PER_TURN) -> bool:
        """Up to `steps` more steps each, sharing `seconds`; one whose loss is not finite
        stops (the others go on). The test accuracy is measured every MNIST_EVAL_EVERY steps
        and at the cap. True once every optimizer is at the cap or stopped."""
        live = [r for r in self.runs.values() if self.is_live(r)]
        for run in live:
            trainer = run.trainer
            try:
                trainer.run(max_steps=min(steps, self.config.cap - trainer.step_count),
                            max_seconds=seconds / len(live))
            except TrainingDiverged:
                run.diverged = trainer.step_count + 1
                continue
            n = trainer.step_count
            if n >= self.config.cap or n // MNIST_EVAL_EVERY > run.acc_step // MNIST_EVAL_EVERY:
                run.acc, run.acc_step = trainer.evaluate("test"), n
        return self.done

    @property
    def done(self) -> bool:
        return not any(self.is_live(r) for r in self.runs.values())

    @property
    def steps_done(self) -> int:
        return min(r.trainer.step_count for r in self.runs.values())

    def settings(self) -> MnistSettings:
        """The settings this race runs with, read from its own networks and trainers."""
        trainers = [r.trainer for r in self.runs.values()]
        first = trainers[0]
        net = first.network
        return MnistSettings(
            sizes=(net.input_size, *net.hidden_size_list, net.output_size),
            activation=net.activation, init=str(net.weight_init_std),
            batch=first.batch_size, train=len(first.x_train), cap=self.config.cap,
            epochs=self.config.cap * first.batch_size / len(first.x_train),
            seed=net.seed, test=len(first.x_test),
            lrs={n: r.trainer.optimizer.lr for n, r in self.runs.items()})


@dataclass(frozen=True)
class MnistSettings:
    """What the MNIST race trains and how: the layer sizes (input, hidden..., output), the
    hidden activation, the weight initialisation, the mini-batch size, the training images,
    the steps per optimizer and the epochs they make, the seed (the same weights and batches
    for all), the test images, and each optimizer's learning rate."""

    sizes: tuple[int, ...]
    activation: str
    init: str
    batch: int
    train: int
    cap: int
    epochs: float
    seed: int | None
    test: int
    lrs: dict[str, float]

    @property
    def network(self) -> str:
        """'784-100-100-10'."""
        return "-".join(map(str, self.sizes))
