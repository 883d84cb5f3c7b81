"""Lesson 1 (perceptron) under AppTest, in both languages (LiveLoop itself: test_live.py).

The numbers the page shows are checked against the engine computed here, the way a
learner would reproduce them in a notebook.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine.datasets import GATE_NAMES, logic_gate, spiral
from engine.network import MultiLayerNet
from engine.optimizers import SGD
from engine.trainer import Trainer
from lessons.perceptron import Perceptron
from tests.app.helpers import link_notice_details, open_lesson
from ui.i18n import LANGS, tr

PAGE = "app_pages/perceptron.py"
XOR_STATE = "perceptron.xor.model"


def open_page(lang: str = "en", **params: str) -> AppTest:
    return open_lesson(PAGE, lang, **params)


def truth_table(at: AppTest):
    return at.table[0].value  # the first table on the page


def metric(at: AppTest, label: str, section: str = "xor") -> str:
    """The value of the metric `label` in the XOR section (first) or the spiral's (last)."""
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"{label!r} not among {[m.label for m in at.metric]}"
    return values[0] if section == "xor" else values[-1]


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def xor_trainer(h=2, lr=2.0, seed=0) -> Trainer:
    """The page's XOR network, built here as a learner would in a notebook."""
    x, t = logic_gate("XOR", np.float64)
    net = MultiLayerNet(2, [h], 1, activation="sigmoid", weight_init_std=1.0, output="sigmoid",
                        dtype=np.float64, seed=seed)
    return Trainer(net, SGD(lr=lr), x, t, batch_size=4, seed=seed, eval_samples=0)


def xor_loss(trainer: Trainer) -> str:
    x, t = logic_gate("XOR", np.float64)
    return f"{float(trainer.network.loss(x, t)):.5f}"


# ---------------------------------------------------------------- the perceptron


@pytest.mark.parametrize("lang", LANGS)
def test_page_opens_in_both_languages(lang):
    at = open_page(lang)
    assert at.title[0].value == tr(lang, "lesson.perceptron.title")
    headers = texts(at.header)
    for key in ("s1", "s2", "s3", "s4", "s5"):
        assert tr(lang, f"perceptron.{key}.header") in headers
    assert metric(at, tr(lang, "perceptron.s4.loss")) == xor_loss(xor_trainer())
    assert not at.warning  # no notices without a link
    other = next(x for x in LANGS if x != lang)
    assert tr(other, "perceptron.s1.header") not in headers


@pytest.mark.parametrize("lang", LANGS)
def test_nand_preset_sets_the_sliders_and_the_table(lang):
    at = open_page(lang)
    at.button(key="perceptron.preset.NAND").click().run()
    assert not at.exception
    assert [at.slider(key=f"perceptron.{k}").value for k in ("w1", "w2", "b")] == [-2, -2, 3]
    assert at.radio(key="perceptron.gate").value == "NAND"
    table = truth_table(at)
    rows = Perceptron(-2, -2, 3).truth_table()
    assert table["a"].tolist() == [r.a for r in rows] == [3, 1, 1, -1]
    assert table["y"].tolist() == [r.y for r in rows] == [1, 1, 1, 0]
    assert table[tr(lang, "perceptron.col_target", gate="NAND")].tolist() == [1, 1, 1, 0]
    assert tr(lang, "perceptron.match", gate="NAND") in texts(at.success)
    assert at.query_params["w1"] == "-2" and at.query_params["gate"] == "NAND"


def test_moving_a_slider_changes_the_table():
    at = open_page("en")
    before = truth_table(at)["a"].tolist()
    at.slider(key="perceptron.w1").set_value(-1.5).run()
    assert not at.exception
    table = truth_table(at)
    rows = Perceptron(-1.5, 0.5, -0.7).truth_table()
    assert table["a"].tolist() == pytest.approx([r.a for r in rows])
    assert table["a"].tolist() != before
    assert table["y"].tolist() == [r.y for r in rows]
    assert at.query_params["w1"] == "-1.5"


@pytest.mark.parametrize("lang", LANGS)
def test_xor_shows_that_no_line_works(lang):
    at = open_page(lang)
    assert not at.warning
    at.radio(key="perceptron.gate").set_value("XOR").run()
    assert not at.exception
    x, t = logic_gate("XOR")
    right = int((Perceptron(0.5, 0.5, -0.7).predict(x) == t).sum())
    assert tr(lang, "perceptron.xor_no_line", right=right) in texts(at.warning)
    # the engine's verdict for every gate: only XOR has no separating line
    verdicts = at.table[1].value
    separable = dict(zip(verdicts.iloc[:, 0], verdicts.iloc[:, 1], strict=True))
    assert separable == {"AND": "✓", "OR": "✓", "NAND": "✓", "XOR": "✗"}
    learn = dict(zip(verdicts.iloc[:, 0], verdicts.iloc[:, 3], strict=True))
    assert learn["XOR"].startswith(tr(lang, "perceptron.s2.not_converged", epochs=30,
                                      errors=0)[:3])


def test_two_layers_compute_xor():
    at = open_page("en")
    table = at.table[2].value
    assert table["s1 = NAND"].tolist() == [1, 1, 1, 0]
    assert table["s2 = OR"].tolist() == [0, 1, 1, 1]
    assert table["y = AND(s1, s2)"].tolist() == logic_gate("XOR")[1].tolist()


@pytest.mark.parametrize(("params", "name"), [({"w1": "abc"}, "w1"), ({"w1": "99"}, "w1"),
                                              ({"gate": "NOR"}, "gate"),
                                              ({"xor_h": "1000"}, "xor_h")])
def test_bad_link_values_give_a_notice(params, name):
    at = open_page("en", **params)
    assert len(at.warning) == 1 and f"`{name}`" in at.warning[0].value  # one notice, naming it
    notices = link_notice_details(at)  # its details
    assert len(notices) == 1 and f"{name}=`{params[name]}`" in notices[0]  # as code
    assert at.slider(key="perceptron.w1").value == 0.5  # the default
    assert at.radio(key="perceptron.gate").value == "AND"


def test_a_shared_link_restores_the_settings():
    at = open_page("ko", w1="-2", w2="-2", b="3", gate="NAND", xor_h="4", xor_seed="7")
    assert not at.warning
    assert truth_table(at)["y"].tolist() == [1, 1, 1, 0]
    assert at.slider(key="perceptron.xor_h").value == 4
    assert metric(at, tr("ko", "perceptron.s4.loss")) == xor_loss(xor_trainer(h=4, seed=7))


# ---------------------------------------------------------------- the XOR network


@pytest.mark.parametrize("lang", LANGS)
def test_step_trains_and_reset_restores_step_0(lang):
    at = open_page(lang)
    loss_label, epoch_label = tr(lang, "perceptron.s4.loss"), tr(lang, "perceptron.epoch")
    start = metric(at, loss_label)
    at.button(key="perceptron.xor.step").click().run()
    assert not at.exception
    trainer = xor_trainer()
    trainer.run(max_steps=100)
    assert metric(at, epoch_label) == "100"
    assert metric(at, loss_label) == xor_loss(trainer) != start
    at.button(key="perceptron.xor.reset").click().run()
    assert metric(at, epoch_label) == "0"
    assert metric(at, loss_label) == start


def test_start_and_pause():
    at = open_page("en")
    at.button(key="perceptron.xor.start").click().run()
    assert not at.exception
    assert at.button(key="perceptron.xor.start").disabled
    assert not at.button(key="perceptron.xor.pause").disabled
    assert metric(at, tr("en", "perceptron.epoch")) == "100"  # one chunk in this run
    at.button(key="perceptron.xor.pause").click().run()
    assert not at.button(key="perceptron.xor.start").disabled
    assert at.button(key="perceptron.xor.pause").disabled


def chart_specs(at: AppTest) -> list[dict]:
    """The figures on the page: the plotly charts', and the live charts' (ui.live_chart) as
    their component carries them, where it runs under AppTest (a whole-page run sends the
    whole figure)."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    for element in at.get("bidi_component"):
        if element.proto.component_name == "live_chart":
            figure = json.loads(element.proto.json).get("figure")
            if figure:
                specs.append(json.loads(figure))
    return specs


def chart_x_titles(at: AppTest) -> list[str | None]:
    return [spec["layout"].get("xaxis", {}).get("title", {}).get("text")
            for spec in chart_specs(at)]


def test_changing_the_settings_starts_a_new_network():
    at = open_page("en")
    assert "y_h1" in chart_x_titles(at)  # with H = 2, the network's own hidden space
    at.button(key="perceptron.xor.step").click().run()
    at.slider(key="perceptron.xor_h").set_value(5).run()
    assert not at.exception
    assert "y_h1" not in chart_x_titles(at)
    assert metric(at, tr("en", "perceptron.epoch")) == "0"
    assert metric(at, tr("en", "perceptron.s4.loss")) == xor_loss(xor_trainer(h=5))
    at.slider(key="perceptron.xor_lr").set_value(0.5).run()  # lr alone keeps the network
    assert at.session_state[XOR_STATE].model.trainer.optimizer.lr == 0.5


def test_a_new_network_pauses_the_running_loop():
    """H and the seed live in the XOR section's fragment with its buttons: a new network
    pauses the loop, and the buttons say so (LiveLoop.hold)."""
    at = open_page("en")
    at.button(key="perceptron.xor.start").click().run()
    assert at.session_state["perceptron.xor.running"]
    at.number_input(key="perceptron.xor_seed").set_value(3).run()
    assert not at.exception
    assert not at.session_state["perceptron.xor.running"]
    assert not at.button(key="perceptron.xor.start").disabled
    assert metric(at, tr("en", "perceptron.epoch")) == "0"
    assert metric(at, tr("en", "perceptron.s4.loss")) == xor_loss(xor_trainer(seed=3))


def test_learning_xor_stops_with_a_note():
    """Seed 0 learns XOR after about 2,200 epochs; the step that gets there says so."""
    at = open_page("en")
    at.session_state[XOR_STATE].model.trainer.run(max_steps=2150)
    at.button(key="perceptron.xor.step").click().run()
    notes = [s for s in texts(at.success) if s.startswith("Learned")]
    assert len(notes) == 1 and "2,250 epochs" in notes[0]
    assert metric(at, tr("en", "perceptron.s4.accuracy")) == "100%"


def test_a_stuck_seed_is_reported():
    """Seed 5 with two hidden units settles in a local minimum (loss ≈ 0.084)."""
    at = open_page("en", xor_seed="5")
    at.session_state[XOR_STATE].model.trainer.run(max_steps=3950)
    at.button(key="perceptron.xor.step").click().run()
    stuck = [w for w in texts(at.warning) if w.startswith("Stuck")]
    assert len(stuck) == 1 and "4,050 epochs" in stuck[0]


# ---------------------------------------------------------------- the spiral


@pytest.mark.parametrize("lang", LANGS)
def test_spiral_step_matches_the_engine(lang):
    at = open_page(lang)
    at.button(key="perceptron.spiral.step").click().run()
    assert not at.exception
    x, t = spiral()
    net = MultiLayerNet(2, [10], 3, activation="sigmoid", weight_init_std=0.01, seed=0)
    trainer = Trainer(net, SGD(lr=1.0), x, t, batch_size=30, seed=0, eval_samples=None)
    trainer.run(until_epoch=10)
    assert metric(at, tr(lang, "perceptron.epoch"), "spiral") == "10 / 300"
    assert metric(at, tr(lang, "perceptron.s5.accuracy"), "spiral") == f"{net.accuracy(x, t):.1%}"
    assert metric(at, tr(lang, "perceptron.s5.loss"), "spiral") == f"{float(net.loss(x, t)):.4f}"


def test_spiral_done_after_300_epochs():
    at = open_page("en")
    at.session_state["perceptron.spiral.model"].model.run(until_epoch=295)
    at.button(key="perceptron.spiral.step").click().run()
    done = [s for s in texts(at.success) if s.startswith("Done")]
    assert len(done) == 1
    assert metric(at, tr("en", "perceptron.epoch"), "spiral") == "300 / 300"
    acc = float(metric(at, tr("en", "perceptron.s5.accuracy"), "spiral").rstrip("%"))
    assert acc >= 90  # seed 003's network separates the three arms


def test_gate_names_are_the_choices():
    at = open_page("en")
    assert list(at.radio(key="perceptron.gate").options) == list(GATE_NAMES)


# ---------------------------------------------------------------- backprop into the hidden layer


def table_by_column(at: AppTest, column: str):
    """The one table on the page with `column` among its columns."""
    found = [tb.value for tb in at.table if column in tb.value.columns]
    assert len(found) == 1, [list(tb.value.columns) for tb in at.table]
    return found[0]


@pytest.mark.parametrize("lang", LANGS)
def test_the_hidden_deltas_and_gradients_are_the_networks(lang):
    """Seeds 001/004: after a step, the page's δʰ table and every weight's ∂loss/∂w are the
    notebook network's, the latter equal to its backprop gradient."""
    at = open_page(lang)
    at.button(key="perceptron.xor.step").click().run()
    assert not at.exception
    assert tr(lang, "perceptron.s4.bp_header") in texts(at.subheader)
    trainer = xor_trainer()
    trainer.run(max_steps=100)
    net = trainer.network
    x, t = logic_gate("XOR", np.float64)
    deltas = table_by_column(at, tr(lang, "perceptron.s4.col_quantity"))
    rows = dict(zip(deltas[tr(lang, "perceptron.s4.col_quantity")], deltas.index, strict=True))
    y_h = 1 / (1 + np.exp(-(x @ net.params["W1"] + net.params["b1"])))
    y_o = net.predict(x).ravel()
    delta_o = (y_o - t) * y_o * (1 - y_o)
    delta_h1 = y_h[:, 0] * (1 - y_h[:, 0]) * net.params["W2"][0, 0] * delta_o
    for i, name in enumerate(["(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)"]):
        assert deltas.loc[rows["δʰ₁"], name] == pytest.approx(delta_h1[i])
        assert deltas.loc[rows["δᵒ₁"], name] == pytest.approx(delta_o[i])
    grads = table_by_column(at, "∂C/∂w")
    engine = net.gradient(x, t)
    mean = grads[grads.columns[-1]]
    assert grads["w"].tolist()[:3] == ["w¹₁₁", "w¹₁₂", "bʰ₁"]
    assert mean.tolist() == pytest.approx([
        engine["W1"][0, 0], engine["W1"][1, 0], engine["b1"][0],
        engine["W1"][0, 1], engine["W1"][1, 1], engine["b1"][1],
        engine["W2"][0, 0], engine["W2"][1, 0], engine["b2"][0]], rel=1e-9)
    checks = [c for c in texts(at.caption) if "net.numerical_gradient" in c]
    assert len(checks) == 1


def test_the_page_writes_the_row_form():
    """One form everywhere: y_h·W2 + b2 (the code's rows), never W2·y_h."""
    at = open_page("ko")
    shown = texts(at.markdown) + texts(at.caption) + [e.value for e in at.latex]
    assert any("y_h·W2 + b2" in s for s in shown)
    assert not any("W2·y_h" in s or r"W_2 \cdot y_h" in s or "W_2 y_h" in s for s in shown)
    assert any(r"y_h \cdot W_2 + b_2" in e.value for e in at.latex)


def test_korean_captions_name_the_buttons_by_their_labels():
    at = open_page("ko")
    labels = {tr("ko", f"live.{k}") for k in ("start", "step", "reset")}
    assert labels <= {b.label for b in at.button}
    captions = [c for c in texts(at.caption) if "다시 그릴 때마다" in c]
    assert len(captions) == 2  # the XOR and the spiral loops
    for caption in captions:
        assert tr("ko", "live.start") in caption and tr("ko", "live.step") in caption


def test_no_learner_input_reaches_an_error_on_a_korean_page():
    """Every widget at its corners: the lesson raises nothing a learner could cause, so the
    page shows no error (the coded errors serve a notebook; see learner_errors/perceptron)."""
    at = open_page("ko", w1="0", w2="0", b="-3", gate="XOR")
    assert not at.exception and not at.error
    assert tr("ko", "perceptron.no_line", y=0) in texts(at.caption)
    for key, value in (("xor_h", 8), ("xor_lr", 10.0), ("spiral_h", 50), ("spiral_lr", 5.0)):
        at.slider(key=f"perceptron.{key}").set_value(value).run()
    at.number_input(key="perceptron.xor_seed").set_value(9999).run()
    at.button(key="perceptron.xor.step").click().run()
    at.button(key="perceptron.spiral.step").click().run()
    assert not at.exception and not at.error
    assert metric(at, tr("ko", "perceptron.epoch")) == "100"
    assert table_by_column(at, "∂C/∂w").shape[0] == 2 * 8 + 8 + 8 + 1
