"""lessons.optimizers without Streamlit: the page's race, its batch comparison and its MNIST race
reproduce the update rules worked by hand or written out here in plain floats."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.backend import InputError
from engine.datasets import spiral
from engine.optimizers import OPTIMIZERS, Adam, Momentum, Nesterov
from lessons import optimizers as lo
from lessons.optimizers import NAMES, SURFACE_LRS, SURFACES

BOWL_START = (-7.0, 2.0)  # the book's start on f = x²/20 + y²


def by_the_rules(name: str, lr: float, steps: int, start=BOWL_START, momentum=0.9,
                 beta1=0.9, beta2=0.999) -> tuple[float, float]:
    """Where `name` stands after `steps` updates on the bowl, ∇f = (x/10, 2y): each rule as its
    paper writes it, one coordinate at a time in plain floats (with the engine's ε and ρ)."""
    p, v, h, m = list(start), [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]
    for step in range(1, steps + 1):
        g = (p[0] / 10, 2 * p[1])
        for i in range(2):
            if name == "SGD":
                p[i] -= lr * g[i]
            elif name == "Momentum":
                v[i] = momentum * v[i] - lr * g[i]
                p[i] += v[i]
            elif name == "Nesterov":
                v[i] = momentum * v[i] - lr * g[i]
                p[i] += momentum * v[i] - lr * g[i]
            elif name == "AdaGrad":
                h[i] += g[i] ** 2
                p[i] -= lr * g[i] / (math.sqrt(h[i]) + 1e-7)
            elif name == "RMSProp":
                h[i] = 0.99 * h[i] + 0.01 * g[i] ** 2
                p[i] -= lr * g[i] / (math.sqrt(h[i]) + 1e-7)
            else:  # Adam
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] ** 2
                m_hat, v_hat = m[i] / (1 - beta1**step), v[i] / (1 - beta2**step)
                p[i] -= lr * m_hat / (math.sqrt(v_hat) + 1e-8)
    return p[0], p[1]


# ---------------------------------------------------------------- make_optimizer


@pytest.mark.parametrize("name", NAMES)
def test_make_optimizer_builds_each_of_the_six_with_its_lr(name):
    opt = lo.make_optimizer(name, 0.123, momentum=0.5, beta1=0.8, beta2=0.99)
    assert type(opt) is OPTIMIZERS[name] and opt.lr == 0.123
    if isinstance(opt, Momentum):  # Nesterov is a Momentum too
        assert opt.momentum == 0.5
    if isinstance(opt, Adam):
        assert (opt.beta1, opt.beta2) == (0.8, 0.99)


def test_make_optimizer_defaults_and_unknown_names():
    assert isinstance(lo.make_optimizer("Nesterov", 0.1), Nesterov)
    assert lo.make_optimizer("Momentum", 0.1).momentum == 0.9
    adam = lo.make_optimizer("Adam", 0.1)
    assert (adam.beta1, adam.beta2) == (0.9, 0.999)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        lo.make_optimizer("Lion", 0.1)


def test_every_rule_has_its_formula():
    assert tuple(lo.UPDATE_RULES) == NAMES
    assert set(SURFACE_LRS) == set(SURFACES)
    assert all(tuple(lrs) == NAMES for lrs in SURFACE_LRS.values())


# ---------------------------------------------------------------- the race the page shows


def test_the_pages_race_starts_at_the_books_point_with_the_books_rates():
    race = lo.Race.build(lo.RaceConfig())  # the page's defaults: bowl, ×1, 100 steps, all six
    assert race.start == BOWL_START == SURFACES["bowl"].start
    assert race.lrs == SURFACE_LRS["bowl"]
    assert race.k == 100  # a race is shown to the end first
    assert set(race.paths) == set(NAMES)


def test_sgd_first_step_with_lr_095_by_hand():
    """∇f(−7, 2) = (−0.7, 4): x = −7 − 0.95·(−0.7) = −6.335, y = 2 − 0.95·4 = −1.8,
    f = 6.335²/20 + 1.8² = 2.00661… + 3.24 = 5.24661…"""
    path = lo.Race.build(lo.RaceConfig(steps=1)).paths["SGD"]
    assert (path.xs, path.ys) == (pytest.approx([-7.0, -6.335]), pytest.approx([2.0, -1.8]))
    assert path.losses[1] == pytest.approx(6.335**2 / 20 + 1.8**2)


def test_sgd_on_the_bowl_follows_its_closed_form():
    """SGD multiplies x by (1 − η/10) and y by (1 − 2η) each step: with η = 0.95,
    x_k = −7·0.905ᵏ and y_k = 2·(−0.9)ᵏ, so y flips sign every step (the zigzag)."""
    path = lo.Race.build(lo.RaceConfig()).paths["SGD"]
    k = np.arange(101)
    assert path.xs == pytest.approx(-7 * 0.905**k, rel=1e-9)
    assert path.ys == pytest.approx(2 * (-0.9) ** k, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_each_racer_ends_where_its_rule_takes_it(name):
    """The table's x, y and f(x, y) after 100 steps, against the rule written out in floats."""
    race = lo.Race.build(lo.RaceConfig())
    x, y = by_the_rules(name, SURFACE_LRS["bowl"][name], 100)
    row = next(r for r in race.rows() if r[0] == name)
    assert row[1] == SURFACE_LRS["bowl"][name]
    assert row[2:5] == pytest.approx((x, y, x**2 / 20 + y**2), rel=1e-9, abs=1e-12)
    assert row[5] is None  # nobody flies off at the book's rates


@pytest.mark.parametrize("name", NAMES)
def test_steps_to_converge_match_the_rule(name):
    """The first step at which f < 0.01, from the lesson's losses and from the rule."""
    losses = lo.Race.build(lo.RaceConfig()).paths[name].losses
    lr = SURFACE_LRS["bowl"][name]
    fs = [x**2 / 20 + y**2 for x, y in (by_the_rules(name, lr, k) for k in range(101))]
    first = next((k for k, f in enumerate(fs) if f < 0.01), None)
    assert next((k for k, f in enumerate(losses) if f < 0.01), None) == first


def test_the_settings_reach_the_racers():
    """Momentum and Adam's β1, β2, the start, the steps and who runs are the config's."""
    config = lo.RaceConfig("bowl", 0.5, momentum=0.5, beta1=0.8, beta2=0.99, start=(-5.0, 1.0),
                           steps=30, racers=("Momentum", "Adam"))
    race = lo.Race.build(config)
    assert set(race.paths) == {"Momentum", "Adam"} and race.k == 30
    for name in race.paths:
        lr = SURFACE_LRS["bowl"][name] * 0.5
        assert race.lrs[name] == lr
        x, y = by_the_rules(name, lr, 30, start=(-5.0, 1.0), momentum=0.5, beta1=0.8,
                            beta2=0.99)
        assert race.position(name)[:2] == pytest.approx((x, y), rel=1e-9)


def test_configs_compare_by_value():
    assert lo.RaceConfig(start=(-7.0, 2.0)) == lo.RaceConfig(start=(-7.0, 2.0))
    assert lo.RaceConfig(steps=50) != lo.RaceConfig()
    with pytest.raises(AttributeError):
        lo.RaceConfig().steps = 3  # frozen


def test_the_race_plays_in_fifty_ticks_and_again_from_the_start():
    race = lo.Race.build(lo.RaceConfig())
    race.restart()
    assert race.k == 0 and all(len(xs) == 1 for xs, _, _ in race.shown().values())
    assert not race.advance() and race.k == 2  # 100 steps in 50 ticks: 2 a tick
    ticks = 1
    while not race.advance():
        ticks += 1
    assert (ticks + 1, race.k) == (50, 100)
    race.advance()  # at the end: from the start again
    assert race.k == 2
    steps, losses = race.curves()["SGD"]
    assert steps == [0, 1, 2] and losses == race.paths["SGD"].losses[:3]


def test_a_hundred_times_the_rates_flies_off_and_the_row_says_where():
    """SGD at η = 95: y ← y − 95·2y = −189·y and x ← x − 95·x/10 = −8.5·x. |y| = 2·189ᵏ passes
    1e6 at step 3 (2·189² = 71,442; 2·189³ = 13,502,538), so the row keeps step 2's point:
    x = −7·8.5² = −505.75, y = 71,442."""
    race = lo.Race.build(lo.RaceConfig(lr_scale=100.0))
    race.restart()
    assert not race.gone("SGD")
    race.k = 100
    assert race.gone("SGD")
    row = next(r for r in race.rows() if r[0] == "SGD")
    assert row[2:4] == pytest.approx((-505.75, 71442.0)) and row[5] == 3
    assert race.shown()["SGD"][2] is True


# ---------------------------------------------------------------- batch, SGD, mini-batch


def test_the_three_ways_start_from_the_same_weights_and_count_their_cost():
    x, t = spiral()
    race = lo.BatchRace.build(lo.BatchConfig(lr=1.0, epochs=3), x, t)
    sizes = {kind: run.trainer.batch_size for kind, run in race.runs.items()}
    assert sizes == {"full": 300, "sgd": 1, "mini": 30}
    assert (race.network, race.seed) == ("2-10-3", lo.SEED)  # what the page names
    first = {run.loss[0] for run in race.runs.values()}
    assert len(first) == 1  # the same network: weights ~ N(0, 0.01²) give ≈ 1/3 to each class
    assert first.pop() == pytest.approx(math.log(3), abs=1e-3)
    while not race.advance(seconds=60.0):
        pass
    for kind, run in race.runs.items():
        per_epoch = 300 // sizes[kind]
        assert run.trainer.epoch == 3 and run.trainer.step_count == 3 * per_epoch
        assert run.samples == [0, 300, 600, 900]
        assert run.updates == [0, per_epoch, 2 * per_epoch, 3 * per_epoch]
        assert run.loss[-1] == race.loss_of(run) and len(run.loss) == 4
        assert 0 <= race.accuracy_of(run) <= 1
    # the same 900 samples: one update per sample goes much further than one per epoch
    assert race.runs["sgd"].loss[-1] < race.runs["full"].loss[-1]


# ---------------------------------------------------------------- the race on MNIST


def tiny_digits(rng, n: int = 300, pixels: int = 16):
    """Stand-ins for MNIST: uint8 pixels whose class shows in which pixel is brightest."""
    t = rng.integers(0, 10, n)
    x = rng.integers(0, 60, (n, pixels)).astype(np.uint8)
    x[np.arange(n), t] = 255
    return x, t


def test_the_mnist_race_stops_a_diverging_optimizer_and_not_the_others(rng):
    data = tiny_digits(rng), tiny_digits(rng, 100)
    lrs = (1e30, *lo.MnistRaceConfig().lrs[1:])  # SGD far too fast: its loss turns NaN
    race = lo.MnistRace.build(lo.MnistRaceConfig(lrs, cap=20, test=50), *data)
    assert [r.trainer.optimizer.lr for r in race.runs.values()] == list(lrs)
    with np.errstate(all="ignore"):
        for _ in range(3):
            race.advance(seconds=60.0, steps=5)
    sgd = race.runs["SGD"]
    assert sgd.diverged is not None and sgd.diverged == sgd.trainer.step_count + 1
    assert all(race.runs[n].trainer.step_count == 15 for n in NAMES if n != "SGD")
    assert race.steps_done == sgd.trainer.step_count and not race.done


def test_the_mnist_race_measures_accuracy_every_200_steps_and_at_the_cap(rng):
    data = tiny_digits(rng), tiny_digits(rng, 100)
    race = lo.MnistRace.build(lo.MnistRaceConfig(cap=205, test=50), *data)
    assert lo.MnistRaceConfig().lrs == tuple(lo.MNIST_LRS[n] for n in NAMES)
    turns = 0
    while not race.advance(seconds=60.0):
        turns += 1
        if race.steps_done == 200:
            assert all(r.acc_step == 200 and r.acc is not None for r in race.runs.values())
    assert turns + 1 == 41  # 205 steps, 5 a turn
    for run in race.runs.values():
        assert run.trainer.step_count == 205 and run.acc_step == 205
        assert run.acc == run.trainer.evaluate("test")


def test_the_mnist_race_names_its_own_settings(rng):
    """What the page names as the race's settings is read from its networks and trainers."""
    data = tiny_digits(rng), tiny_digits(rng, 100)
    lrs = (0.2, 0.05, 0.04, 0.01, 0.002, 0.003)
    race = lo.MnistRace.build(lo.MnistRaceConfig(lrs, cap=6, test=50), *data)
    s = race.settings()
    assert s.sizes == (16, *lo.MNIST_HIDDEN, 10) and s.network == "16-100-100-10"
    net = race.runs["Adam"].trainer.network
    assert (s.activation, s.init, s.seed) == (net.activation, str(net.weight_init_std), lo.SEED)
    assert (s.batch, s.train, s.cap, s.test) == (lo.MNIST_BATCH, 300, 6, 50)
    assert s.epochs == pytest.approx(6 * 100 / 300)
    assert s.lrs == dict(zip(NAMES, lrs, strict=True))


# ---------------------------------------------------------------- the formulas' names


def test_every_formula_uses_the_codes_names():
    """p and g as in `_update_one(self, key, p, g)`; W and ∂L/∂W only in the one line that
    maps the notes' names to them."""
    for formula in (*lo.UPDATE_RULES.values(), *lo.BATCH_RULES, lo.NESTEROV_LOOKAHEAD):
        assert "W" not in formula and r"\theta" not in formula, formula
    rules = {name: f.replace("&", "") for name, f in lo.UPDATE_RULES.items()}  # aligned rows
    for name, formula in rules.items():
        assert r"p \leftarrow p" in formula, name
        assert "g" in formula.replace(r"\begin{aligned}", "").replace(r"\end{aligned}", "")
    assert r"\partial p" in lo.NAME_MAP and r"\partial W" in lo.NAME_MAP
    for name in ("Momentum", "Nesterov"):
        assert r"v \leftarrow \alpha\,v - \eta\,g" in rules[name]
    for name in ("AdaGrad", "RMSProp"):
        assert r"h \leftarrow" in rules[name]
    assert r"\hat m" in lo.UPDATE_RULES["Adam"]


def test_nesterovs_look_ahead_form_is_the_codes_form_moved_by_alpha_v():
    """Step 1 from (-7, 2) on the bowl, η = 0.1, α = 0.9, by hand: v = −η∇f(−7, 2) =
    (0.07, −0.4); p̃ = (−6.93, 1.6); p = p̃ + αv = (−6.867, 1.24), which is the engine's
    p + αv − ηg with g = ∇f(−7, 2) = (−0.7, 4)."""
    rows = lo.nesterov_two_forms(SURFACES["bowl"], 0.1, 0.9, BOWL_START, 30)
    assert rows[0].p == rows[0].tilde_p == rows[0].lookahead == BOWL_START
    first = rows[1]
    assert first.v == pytest.approx((0.07, -0.4))
    assert first.tilde_p == pytest.approx((-6.93, 1.6))
    assert first.p == pytest.approx((-6.867, 1.24))
    assert [r.k for r in rows] == list(range(31))
    assert max(r.gap for r in rows) < 1e-12
    assert rows[5].p != pytest.approx(rows[5].tilde_p)  # two different points, one path
    # the code's p is where the page's Nesterov racer goes
    path = lo.race(SURFACES["bowl"], {"N": Nesterov(lr=0.1, momentum=0.9)}, BOWL_START, 30)["N"]
    assert [r.p for r in rows] == list(zip(path.xs, path.ys, strict=True))
    assert rows[30].p == pytest.approx(by_the_rules("Nesterov", 0.1, 30))


# ---------------------------------------------------------------- coded errors


@pytest.mark.parametrize(("make", "code", "details"), [
    (lambda: lo.make_optimizer("Lion", 0.1), "optimizers_unknown", {"name": "Lion"}),
    (lambda: lo.make_optimizer("SGD", 0.0), "optimizers_lr", {"name": "SGD", "lr": 0.0}),
    (lambda: lo.make_optimizer("Adam", math.inf), "optimizers_lr", {"lr": math.inf}),
    (lambda: lo.make_optimizer("Adam", "fast"), "optimizers_lr", {"lr": "'fast'"}),
    (lambda: lo.make_optimizer("Momentum", 0.1, momentum=1.0), "optimizers_setting",
     {"setting": "momentum", "value": 1.0}),
    (lambda: lo.make_optimizer("Adam", 0.1, beta2=-0.1), "optimizers_setting",
     {"setting": "beta2", "value": -0.1}),
    (lambda: lo.race(SURFACES["bowl"], {}, BOWL_START, 10_001), "optimizers_steps",
     {"steps": 10_001, "most": 10_000}),
    (lambda: lo.race(SURFACES["bowl"], {}, BOWL_START, True), "optimizers_steps", {}),
    (lambda: lo.race(SURFACES["bowl"], {}, (math.inf, 0.0), 3), "optimizers_start", {}),
    (lambda: lo.race(SURFACES["bowl"], {}, (1.0,), 3), "optimizers_start", {}),
    (lambda: lo.nesterov_two_forms(SURFACES["bowl"], 0.1, 0.9, BOWL_START, -1),
     "optimizers_steps", {}),
    (lambda: lo.Race.build(lo.RaceConfig("moon")), "optimizers_surface", {"surface": "moon"}),
])
def test_values_a_learner_could_pass_raise_coded_errors(make, code, details):
    with pytest.raises(InputError) as info:
        make()
    assert info.value.code == code
    assert details.items() <= info.value.details.items()
