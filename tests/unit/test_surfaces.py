"""Loss surfaces for the optimizer race: analytic gradients, first steps by hand, divergence."""

import math

import numpy as np
import pytest

from engine.functions import numerical_gradient
from engine.gradcheck import relative_error
from engine.optimizers import OPTIMIZERS, SGD, Adam, Momentum
from lessons.common import grid
from lessons.optimizers import SURFACES, race


@pytest.mark.parametrize("name", list(SURFACES))
def test_gradient_matches_central_differences(name):
    s = SURFACES[name]
    rng = np.random.default_rng(0)
    for _ in range(5):
        p = np.array([rng.uniform(*s.x_range), rng.uniform(*s.y_range)])
        numeric = numerical_gradient(lambda p=p: s.value(*p), p, h=1e-6)
        err = relative_error(s.gradient(*p), numeric)
        assert err < 1e-6, f"{name} at {p}: relative error {err:.2e}"


@pytest.mark.parametrize("name", [n for n in SURFACES if n != "saddle"])
def test_gradient_vanishes_at_the_minimum(name):
    s = SURFACES[name]
    assert np.abs(s.gradient(*s.minimum)).max() < 1e-3


def test_two_wells_has_a_lower_and_a_higher_minimum():
    s = SURFACES["two_wells"]
    roots = sorted(r.real for r in np.roots([4, 0, -4, 0.3]) if abs(r.imag) < 1e-12)
    left, right = roots[0], roots[2]
    assert s.value(left, 0) < s.value(right, 0)  # the left well is the global minimum
    assert s.minimum[0] == pytest.approx(left, abs=1e-3)


def test_sgd_first_steps_on_the_bowl_by_hand():
    """f = x²/20 + y², ∇f = (x/10, 2y), start (-7, 2), lr 0.9:
    step 1: (-7 + 0.9·0.7, 2 - 0.9·4) = (-6.37, -1.6)
    step 2: (-6.37 + 0.9·0.637, -1.6 + 0.9·3.2) = (-5.7967, 1.28)"""
    path = race(SURFACES["bowl"], {"SGD": SGD(lr=0.9)}, (-7.0, 2.0), steps=2)["SGD"]
    assert path.xs == pytest.approx([-7.0, -6.37, -5.7967])
    assert path.ys == pytest.approx([2.0, -1.6, 1.28])
    assert path.losses[0] == pytest.approx(49 / 20 + 4)


def test_momentum_and_adam_first_steps_on_the_bowl_by_hand():
    """Momentum lr 0.1, α 0.9: v1 = -0.1·(-0.7, 4) = (0.07, -0.4) -> (-6.93, 1.6);
    g2 = (-0.693, 3.2), v2 = 0.9·v1 - 0.1·g2 = (0.1323, -0.68) -> (-6.7977, 0.92).
    Adam lr 0.3: the first step moves every coordinate by lr against the gradient's sign
    (m̂/√v̂ = ±1): (-7 + 0.3, 2 - 0.3) = (-6.7, 1.7)."""
    paths = race(SURFACES["bowl"], {"M": Momentum(lr=0.1, momentum=0.9), "A": Adam(lr=0.3)},
                 (-7.0, 2.0), steps=2)
    assert paths["M"].xs == pytest.approx([-7.0, -6.93, -6.7977])
    assert paths["M"].ys == pytest.approx([2.0, 1.6, 0.92])
    assert paths["A"].xs[1] == pytest.approx(-6.7, abs=1e-6)
    assert paths["A"].ys[1] == pytest.approx(1.7, abs=1e-6)


def test_every_optimizer_races_from_the_same_start():
    s = SURFACES["bowl"]
    opts = {name: cls(lr=0.1) for name, cls in OPTIMIZERS.items()}
    paths = race(s, opts, s.start, steps=30)
    assert set(paths) == set(OPTIMIZERS)
    for path in paths.values():
        assert (path.xs[0], path.ys[0]) == s.start
        assert path.steps_taken == 30 and path.diverged_at is None


def test_a_huge_learning_rate_flies_off_and_stops():
    """SGD with η = 50 on x²/20 + y² from (−7, 2): y ← y − 50·2y = −99·y, so |y| = 2·99ᵏ, which
    first passes the 1e6 limit at step k = 3 (2·99² = 19,602; 2·99³ = 1,940,598). The path keeps
    the start and the two steps before that."""
    s = SURFACES["bowl"]
    path = race(s, {"SGD": SGD(lr=50.0)}, s.start, steps=100)["SGD"]
    assert path.diverged_at == 3 and path.steps_taken == 2
    assert path.ys == [2.0, -198.0, 19602.0]
    assert path.xs == [-7.0, 28.0, -112.0]  # x ← x − 50·x/10 = −4·x
    assert all(math.isfinite(v) for v in path.losses)


def test_a_surface_is_drawn_on_the_apps_one_grid():
    s = SURFACES["two_wells"]
    xs, ys, Z = s.grid(7)
    gx, gy, X, Y = grid(s.x_range, s.y_range, 7)
    assert (xs == gx).all() and (ys == gy).all()
    assert np.array_equal(Z, s.f(X, Y)) and Z[2, 5] == s.value(xs[5], ys[2])


def test_grid_and_bad_arguments():
    xs, ys, Z = SURFACES["rosenbrock"].grid(50)
    assert Z.shape == (50, 50) and Z.min() >= 0
    with pytest.raises(ValueError, match="grid size"):
        SURFACES["bowl"].grid(1000)
    with pytest.raises(ValueError, match="steps must be"):
        race(SURFACES["bowl"], {}, (0, 0), steps=-1)
    with pytest.raises(ValueError, match="start point must be finite"):
        race(SURFACES["bowl"], {}, (math.nan, 0), steps=1)
