"""Lesson 4 (optimizers) under AppTest, in both languages: the numbers on the page are the
engine's, and the settings change what they should."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine.datasets import spiral
from engine.optimizers import OPTIMIZERS, Adam
from lessons import optimizers as lo
from lessons.optimizers import SURFACES, race
from tests.app.helpers import link_notice_details, open_lesson
from ui.i18n import LANGS, load_catalog, tr

PAGE = "app_pages/optimizers.py"
BOWL_LRS = dict(SGD=0.95, Momentum=0.1, Nesterov=0.1, AdaGrad=1.5, RMSProp=0.3, Adam=0.3)
RACE_TABLE, MNIST_TABLE = 3, 4  # batch costs, summary of rules, Nesterov, race, MNIST


def open_page(lang: str = "en", **params: str) -> AppTest:
    return open_lesson(PAGE, lang, **params)


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def engine_race(surface="bowl", scale=1.0, steps=100, start=None, momentum=0.9):
    s = SURFACES[surface]
    lrs = BOWL_LRS if surface == "bowl" else None
    assert lrs is not None
    opts = {n: (OPTIMIZERS[n](lr=lr * scale, momentum=momentum) if n in ("Momentum", "Nesterov")
                else Adam(lr=lr * scale) if n == "Adam" else OPTIMIZERS[n](lr=lr * scale))
            for n, lr in lrs.items()}
    return race(s, opts, start or s.start, steps)


def race_losses(at: AppTest) -> list[str]:
    return at.table[RACE_TABLE].value["f(x, y)"].tolist()


def race_step(at: AppTest) -> str:
    return at.metric[0].value


@pytest.mark.parametrize("lang", LANGS)
def test_page_opens_with_the_engines_race(lang):
    at = open_page(lang)
    assert at.title[0].value == tr(lang, "lesson.optimizers.title")
    headers = texts(at.header)
    for key in ("s1", "s2", "s3", "s4"):
        assert tr(lang, f"optimizers.{key}.header") in headers
    assert not at.warning
    paths = engine_race()
    assert race_step(at) == "100 / 100"
    assert race_losses(at) == [f"{p.losses[-1]:.6g}" for p in paths.values()]
    assert at.table[RACE_TABLE].value["x"].tolist() == [f"{p.xs[-1]:.4f}" for p in paths.values()]


@pytest.mark.parametrize("lang", LANGS)
def test_a_huge_learning_rate_shows_the_divergence_note(lang):
    at = open_page(lang)
    at.select_slider(key="optimizers.lr_scale").set_value(100.0).run()
    assert not at.exception
    paths = engine_race(scale=100.0)
    gone = {n: p.diverged_at for n, p in paths.items() if p.diverged_at is not None}
    assert set(gone) >= {"SGD", "Momentum", "Nesterov"}
    notes = texts(at.warning)
    for name, step in gone.items():
        assert any(n.startswith(tr(lang, "optimizers.s3.diverged", name=name, step=step,
                                   lr=BOWL_LRS[name] * 100, limit="1e+06")[:30])
                   for n in notes), (name, notes)
    status = at.table[RACE_TABLE].value.iloc[:, -1].tolist()
    assert status[0] == tr(lang, "optimizers.s3.status_gone", step=gone["SGD"])
    assert at.query_params["lr_scale"] == "100.0"


def test_changing_the_learning_rate_changes_the_paths():
    at = open_page("en")
    before = race_losses(at)
    at.select_slider(key="optimizers.lr_scale").set_value(0.1).run()
    assert not at.exception
    after = race_losses(at)
    assert after != before
    assert after == [f"{p.losses[-1]:.6g}" for p in engine_race(scale=0.1).values()]
    assert not at.warning


def test_momentum_steps_and_start_point_reach_the_race():
    at = open_page("en")
    at.slider(key="optimizers.momentum").set_value(0.5).run()
    at.slider(key="optimizers.steps").set_value(30).run()
    at.slider(key="optimizers.x0").set_value(-5.0).run()
    assert not at.exception
    paths = engine_race(steps=30, start=(-5.0, 2.0), momentum=0.5)
    assert race_step(at) == "30 / 30"
    assert race_losses(at) == [f"{p.losses[-1]:.6g}" for p in paths.values()]
    assert at.query_params["momentum"] == "0.5" and at.query_params["x0"] == "-5"


def test_step_and_reset_animate_the_race():
    at = open_page("en")
    at.button(key="optimizers.race.reset").click().run()
    assert race_step(at) == "0 / 100"
    at.button(key="optimizers.race.step").click().run()
    assert not at.exception
    assert race_step(at) == "2 / 100"  # 100 steps play in 50 ticks
    paths = engine_race()
    assert race_losses(at) == [f"{p.losses[2]:.6g}" for p in paths.values()]


def test_another_surface_starts_at_its_own_point():
    at = open_page("ko")
    at.selectbox(key="optimizers.surface").set_value("rosenbrock").run()
    assert not at.exception
    assert at.slider(key="optimizers.x0").value == -1.5
    assert at.slider(key="optimizers.y0").value == 2.0
    assert at.query_params["surface"] == "rosenbrock"


def test_a_shared_link_restores_the_race():
    at = open_page("en", surface="two_wells", steps="50", lr_scale="2.0")
    assert not at.warning
    assert at.slider(key="optimizers.x0").value == 1.8  # the surface's own start
    assert race_step(at) == "50 / 50"


@pytest.mark.parametrize(("name", "value"), [("surface", "moon"), ("steps", "9999"),
                                             ("lr_scale", "3")])
def test_bad_link_values_give_a_notice(name, value):
    at = open_page("en", **{name: value})
    assert len(at.warning) == 1 and f"`{name}`" in at.warning[0].value  # one notice, naming it
    notices = link_notice_details(at)  # its details
    assert len(notices) == 1 and f"{name}=`{value}`" in notices[0]  # the value as code


def test_no_optimizer_chosen_says_so():
    at = open_page("en")
    for name in OPTIMIZERS:
        at.checkbox(key=f"optimizers.race.on.{name}").uncheck()
    at.run()
    assert not at.exception
    assert tr("en", "optimizers.s3.none_chosen") in texts(at.info)


# ---------------------------------------------------------------- batch, SGD, mini-batch


@pytest.mark.parametrize("lang", LANGS)
def test_batch_comparison_steps_and_counts_the_cost(lang):
    at = open_page(lang)
    at.button(key="optimizers.batch.step").click().run()
    assert not at.exception
    model = at.session_state["optimizers.batch.model"].model
    assert model.runs["full"].trainer.epoch >= 1  # batch descent: one step per epoch
    x, t = spiral()
    table = at.table[0].value
    for i, (kind, size) in enumerate((("full", 300), ("sgd", 1), ("mini", 30))):
        trainer = model.runs[kind].trainer
        assert trainer.batch_size == size
        assert trainer.step_count >= 1
        row = table.iloc[i]
        assert row.iloc[3] == trainer.step_count and row.iloc[4] == trainer.step_count * size
        assert row.iloc[6] == f"{float(trainer.network.loss(x, t)):.4f}"


# ---------------------------------------------------------------- MNIST


def test_mnist_race_steps_and_a_divergence_stops_only_that_optimizer():
    at = open_page("en")
    assert tr("en", "optimizers.s4.no_loss_yet") in texts(at.info)
    runs = at.session_state["optimizers.mnist.model"].model.runs
    runs["SGD"].trainer.optimizer.lr = 1e30  # far too large: the loss turns NaN
    for _ in range(2):
        at.button(key="optimizers.mnist.step").click().run()
        assert not at.exception
    table = at.table[MNIST_TABLE].value
    steps = dict(zip(table.iloc[:, 0], table.iloc[:, 2], strict=True))
    assert all(steps[n] >= 1 for n in OPTIMIZERS if n != "SGD")
    assert runs["SGD"].diverged is not None
    notes = texts(at.warning)
    assert any(n.startswith("SGD: diverged and stopped at step") for n in notes)
    adam = runs["Adam"].trainer
    assert adam.step_count == steps["Adam"]
    assert np.isfinite(adam.history.loss.y).all()


def test_mnist_cap_ends_the_race_with_test_accuracy():
    at = open_page("en")
    runs = at.session_state["optimizers.mnist.model"].model.runs
    for run in runs.values():
        run.trainer.run(max_steps=598)
    at.button(key="optimizers.mnist.step").click().run()
    assert not at.exception
    assert tr("en", "optimizers.s4.done", cap=600) in texts(at.success)
    table = at.table[MNIST_TABLE].value
    assert table.iloc[:, 2].tolist() == [600] * 6
    acc = runs["Adam"].trainer.evaluate("test")
    assert table.iloc[5, 4] == f"{acc:.1%}"


# ---------------------------------------------------------------- the rules, in the code's names


def markdowns(at: AppTest) -> list[str]:
    return texts(at.markdown)


def formulas(at: AppTest) -> list[str]:
    """The st.latex bodies, without the $$ lines around them."""
    return [v.strip("$\n") for v in texts(at.latex)]


@pytest.mark.parametrize("lang", LANGS)
def test_the_formulas_use_the_codes_names_and_one_line_maps_the_notes(lang):
    at = open_page(lang)
    shown = formulas(at)
    assert all(lo.UPDATE_RULES[name] in shown for name in OPTIMIZERS)
    assert lo.NAME_MAP in shown and tr(lang, "optimizers.s2.names") in texts(at.caption)
    assert [f for f in shown if "W" in f or r"\theta" in f] == [lo.NAME_MAP]  # the one line


@pytest.mark.parametrize("lang", LANGS)
def test_nesterov_shows_the_look_ahead_form_and_both_forms_side_by_side(lang):
    at = open_page(lang)
    shown = formulas(at)
    assert lo.NESTEROV_LOOKAHEAD in shown and lo.NESTEROV_LINK in shown
    assert tr(lang, "optimizers.s2.nesterov_forms") in markdowns(at)
    bowl = SURFACES["bowl"]
    rows = lo.nesterov_two_forms(bowl, BOWL_LRS["Nesterov"], 0.9, bowl.start, 4)
    table = at.table[2].value

    def pairs(points):
        return [f"({x:.4f}, {y:.4f})" for x, y in points]

    assert table.iloc[:, 0].tolist() == [0, 1, 2, 3, 4]
    assert table.iloc[:, 1].tolist() == pairs(r.p for r in rows)
    assert table.iloc[:, 2].tolist() == pairs(r.tilde_p for r in rows)
    assert table.iloc[:, 3].tolist() == table.iloc[:, 1].tolist()  # p = p̃ + αv
    assert tr(lang, "optimizers.s2.nesterov_table", steps=4, lr=0.1, alpha=0.9,
              gap=max(r.gap for r in rows)) in texts(at.caption)


@pytest.mark.parametrize("lang", LANGS)
def test_the_summary_shows_the_notes_effects_and_what_they_mean_here(lang):
    at = open_page(lang)
    table = at.table[1].value
    assert table.columns.tolist() == [tr(lang, f"optimizers.s2.col_{c}")
                                      for c in ("name", "idea", "seed", "gain")]
    words = ("speed", "accuracy", "accuracy", "step", "step", "both")
    assert table.iloc[:, 2].tolist() == [tr(lang, f"optimizers.s2.seed_{w}") for w in words]
    gains = ("speed", "oscillation", "oscillation", "step", "step", "both")
    assert table.iloc[:, 3].tolist() == [tr(lang, f"optimizers.s2.gain_{g}") for g in gains]
    assert tr(lang, "optimizers.s2.seed_note") in markdowns(at)


def test_the_korean_effects_are_the_notes_words_and_adagrad_scales_by_gradients():
    """Seed 004's table, 효과 column (spacing as Korean writes it): 속도개선, 정확도 개선,
    보폭크기 개선, 정확도와 보폭크기 개선."""
    assert [tr("ko", f"optimizers.s2.seed_{w}") for w in ("speed", "accuracy", "step", "both")
            ] == ["속도 개선", "정확도 개선", "보폭 크기 개선", "정확도와 보폭 크기 개선"]
    assert "'정확도 개선'" in tr("ko", "optimizers.s2.seed_note")
    assert "기울기 제곱" in tr("ko", "optimizers.s2.idea_adagrad")
    assert "squared gradients" in tr("en", "optimizers.s2.idea_adagrad")
    for lang in LANGS:
        assert tr(lang, "optimizers.s2.adagrad_note") in markdowns(open_page(lang))


# ---------------------------------------------------------------- the MNIST race's settings


@pytest.mark.parametrize("lang", LANGS)
def test_the_mnist_race_names_its_settings_as_they_are(lang):
    at = open_page(lang)
    s = at.session_state["optimizers.mnist.model"].model.settings()
    assert (s.network, s.activation, s.batch, s.cap) == ("784-100-100-10", "relu", 100, 600)
    shown = [m for m in markdowns(at) if s.network in m]
    assert len(shown) == 1
    for part in ("ReLU", "He", f"{s.epochs:g}", "60,000", "2,000",
                 ", ".join(f"{n} {lr:g}" for n, lr in s.lrs.items())):
        assert part in shown[0], part
    assert "book" not in tr("en", "optimizers.s4.outro")
    assert "책" not in tr("ko", "optimizers.s4.outro")
    at.number_input(key="optimizers.mnist_lr_adam").set_value(0.002).run()
    assert not at.exception
    assert any("Adam 0.002" in m for m in markdowns(at))  # read from the race, not typed


# ---------------------------------------------------------------- Korean and the buttons


def test_korean_captions_name_the_buttons_by_their_labels():
    at = open_page("ko")
    labels = [tr("ko", f"live.{b}") for b in ("start", "step", "reset")]
    assert set(labels) <= {b.label for b in at.button}
    captions = texts(at.caption)
    race = tr("ko", "optimizers.s3.controls_caption", ticks=lo.RACE_TICKS)
    assert race in captions and all(f"**{label}**" in race for label in labels)
    for key in ("s1.controls_caption", "s4.controls_caption", "s1.no_loss_yet",
                "s4.no_loss_yet"):
        text = tr("ko", f"optimizers.{key}", n=1, epochs=1, seconds=1, cap=1, test=1, every=1)
        assert f"**{labels[0]}**" in text and f"**{labels[1]}**" in text, key
    assert not [k for k, v in load_catalog("ko").items()
                if k.startswith("optimizers.") and "한 단계" in v]


def test_korean_divergence_notes_say_diverged_with_no_particle_to_choose():
    at = open_page("ko")
    at.select_slider(key="optimizers.lr_scale").set_value(100.0).run()
    notes = texts(at.warning)
    assert notes and all(n.startswith(("SGD: ", "Momentum: ", "Nesterov: ", "AdaGrad: ",
                                       "RMSProp: ", "Adam: ")) for n in notes)
    assert all("발산했습니다" in n and "(가)" not in n and "(는)" not in n for n in notes)


# ---------------------------------------------------------------- errors a learner can cause


def test_no_widget_or_link_reaches_an_error_on_a_korean_page():
    """Every value the page's widgets and links allow is one the lesson accepts: the coded
    errors of lessons.optimizers (tests/app/learner_errors/optimizers.py) stay unreachable.
    The widgets at their extremes and a link past them give no error."""
    at = open_page("ko")
    at.slider(key="optimizers.momentum").set_value(0.99)
    at.slider(key="optimizers.beta1").set_value(0.99)
    at.slider(key="optimizers.beta2").set_value(0.9999)
    at.slider(key="optimizers.steps").set_value(500)
    at.slider(key="optimizers.batch_lr").set_value(5.0)
    at.select_slider(key="optimizers.lr_scale").set_value(0.01).run()
    for i, name in enumerate(OPTIMIZERS):
        at.number_input(key=f"optimizers.mnist_lr_{name.lower()}").set_value(
            (1e-5, 10.0)[i % 2])
    at.run()
    at.button(key="optimizers.mnist.step").click().run()
    at.button(key="optimizers.batch.step").click().run()
    assert not at.exception and not at.error
    at = open_page("ko", mnist_lr_sgd="0", momentum="1", beta2="1", steps="0", x0="nan")
    assert not at.exception and not at.error
    assert len(at.warning) == 1  # one notice for the link, its details one per value
    notices = link_notice_details(at)
    assert len(notices) == 5 and any("mnist_lr_sgd=`0`" in n for n in notices)
