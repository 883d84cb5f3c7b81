"""Lesson 5 (MNIST) under AppTest, in both languages: the page's own code trains, pauses,
stops, keeps its bounds, and reads a drawn digit.

AppTest runs no timers, so training is driven the way a test can: the Step button runs one
chunk of the page's own advance(), and Start runs one chunk in the rerun it causes. A chunk
is CHUNK_SECONDS of training on the tests' clock (tests/app/conftest.py), so it trains the
same STEPS_PER_CHUNK steps on any machine, idle or busy.

The expected numbers come from the data and from plain NumPy written here (a forward pass,
the gradient of a 784-h-10 network by hand), not from the engine functions the page calls.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine.datasets import load_mnist
from engine.network import MultiLayerNet
from tests.app.helpers import chunk_steps, link_notice_details, open_lesson, page_constant
from tests.app.learner_errors import assert_korean_error
from ui.i18n import LANGS, tr

PAGE = "app_pages/mnist.py"
STATE = "mnist.model"
DRAWN = "mnist.draw.image"
STEPS_PER_CHUNK = chunk_steps(page_constant(PAGE, "CHUNK_SECONDS"))
STEPS_PER_EPOCH = math.ceil(60_000 / 100)  # the default batch of 100 over 60,000 digits


def held_run(at: AppTest):
    """The lessons.mnist.MnistRun the page holds (ui.state.held keeps it with its config)."""
    return at.session_state[STATE].model


def open_page(lang: str = "en", **params: str) -> AppTest:
    return open_lesson(PAGE, lang, timeout=120, **params)


def steps_after(chunks: int, start: int = 0) -> int:
    """Steps done after `chunks` chunks from step `start`: a chunk trains STEPS_PER_CHUNK
    steps, but ends at the end of an epoch (each epoch gets its test score)."""
    step = start
    for _ in range(chunks):
        epoch_end = (step // STEPS_PER_EPOCH + 1) * STEPS_PER_EPOCH
        step = min(step + STEPS_PER_CHUNK, epoch_end)
    return step


def scores_by_hand(net: MultiLayerNet, x_uint8: np.ndarray) -> np.ndarray:
    """The class scores of a plain ReLU network, in float64 NumPy: x/255, then affine, ReLU,
    ..., affine."""
    assert net.activation == "relu" and not net.use_batchnorm and not net.use_dropout
    n = len(net.hidden_size_list) + 1
    h = x_uint8.reshape(len(x_uint8), -1).astype(np.float64) / 255
    for i in range(1, n + 1):
        h = h @ np.asarray(net.params[f"W{i}"], np.float64) + np.asarray(net.params[f"b{i}"],
                                                                           np.float64)
        if i < n:
            h = np.maximum(h, 0)
    return h


def softmax_by_hand(scores: np.ndarray) -> np.ndarray:
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def metric(at: AppTest, lang: str, key: str) -> str:
    label = tr(lang, key)
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"{label!r} not among {[m.label for m in at.metric]}"
    return values[0]


def percent(text: str) -> float:
    return float(text.rstrip("%")) / 100


def train_one_epoch(at: AppTest) -> None:
    """Step clicks until the first epoch ends: each click trains one chunk, exactly."""
    chunks = math.ceil(STEPS_PER_EPOCH / STEPS_PER_CHUNK)
    for k in range(1, chunks + 1):
        at.button(key="mnist.train.step").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert held_run(at).trainer.step_count == steps_after(k)
    assert held_run(at).trainer.epoch == 1


def drawn_digit(digit_image: np.ndarray, *, top: int, left: int, scale: int = 8) -> np.ndarray:
    """A 28×28 MNIST digit, enlarged `scale` times, as the canvas sends it: 280×280 RGBA,
    white ink on black, placed away from the centre."""
    big = np.kron(digit_image.reshape(28, 28), np.ones((scale, scale))).astype(np.uint8)
    canvas = np.zeros((280, 280, 4), dtype=np.uint8)
    canvas[..., 3] = 255
    h, w = big.shape
    for c in range(3):
        canvas[top:top + h, left:left + w, c] = big
    return canvas


@pytest.mark.parametrize("lang", LANGS)
def test_page_opens_with_every_step_and_the_datas_numbers(lang):
    at = open_page(lang)
    assert at.title[0].value == tr(lang, "lesson.mnist.title")
    headers = [h.value for h in at.header]
    for key in ("s1", "s2", "s3", "s6", "s7", "draw"):
        assert tr(lang, f"mnist.{key}.header") in headers
    # the default network has one hidden layer: two weight matrices in the chain
    assert tr(lang, "mnist.chain.header", chain="X·W1·W2") in headers
    (x, _), _ = load_mnist(keep_uint8=True)
    # all 47,040,000 training pixels, in [0, 1]
    assert metric(at, lang, "mnist.s2.px_mean") == f"{x.mean(dtype=np.float64) / 255:.3f}"
    assert metric(at, lang, "mnist.s2.px_zero") == f"{np.count_nonzero(x == 0) / x.size:.1%}"
    assert metric(at, lang, "mnist.s7.epoch") == "0 / 5"
    assert metric(at, lang, "mnist.s7.test_acc") == "—"
    assert not at.error and not at.warning


@pytest.mark.parametrize("lang", LANGS)
def test_a_short_run_through_the_page_beats_chance(lang):
    (_, _), (x_test, t_test) = load_mnist(keep_uint8=True)
    at = open_page(lang)
    train_one_epoch(at)
    acc = percent(metric(at, lang, "mnist.s7.test_acc"))
    assert acc > 0.5  # chance is 0.1; the default network passes 0.9 in one epoch
    model = held_run(at)
    # the shown accuracy is the trained network's on the 10,000 test digits, scored here by
    # a forward pass of our own (float64: a near tie may go the other way for a digit or two)
    hand = float((scores_by_hand(model.trainer.network, x_test).argmax(axis=1)
                  == t_test).mean())
    assert acc == pytest.approx(hand, abs=3e-4)
    assert model.test_acc[1] == pytest.approx(acc, abs=5e-5)
    # the confusion matrix is the test set's: 10,000 digits, its diagonal the hits
    cm = model.analysis.cm
    assert cm.sum() == 10_000 and np.trace(cm) / 10_000 == pytest.approx(acc, abs=5e-5)
    assert metric(at, lang, "mnist.s7.epoch") == "1 / 5"
    hidden = model.trainer.network.hidden_size_list[0]  # more neurons than tiles: say so
    assert tr(lang, "mnist.s7.weights_intro", n=16, total=hidden) in [m.value for m in at.markdown]


def test_pause_keeps_the_model_and_start_resumes_it():
    at = open_page("en")
    at.button(key="mnist.train.start").click().run()  # the rerun trains one chunk
    model = held_run(at)
    trainer = model.trainer
    assert trainer.step_count == steps_after(1) and at.session_state["mnist.train.running"]
    at.button(key="mnist.train.pause").click().run()
    assert not at.session_state["mnist.train.running"]
    at.run()
    assert held_run(at).trainer is trainer and trainer.step_count == steps_after(1)
    assert at.button(key="mnist.train.start").label == tr("en", "mnist.s7.resume")
    at.button(key="mnist.train.start").click().run()
    assert held_run(at).trainer is trainer and trainer.step_count == steps_after(2)


def test_stop_keeps_the_model_and_one_more_epoch_trains_on():
    # the rerun after "one more epoch" trains one chunk, which must not finish that epoch
    assert STEPS_PER_CHUNK < STEPS_PER_EPOCH, "a chunk trains a whole epoch: rethink this test"
    at = open_page("en")
    train_one_epoch(at)
    trainer = held_run(at).trainer
    at.button(key="mnist.train.stop").click().run()
    model = held_run(at)
    assert model.finished and model.trainer is trainer
    assert tr("en", "mnist.s7.stopped", epoch=1, step=STEPS_PER_EPOCH) in [i.value
                                                                         for i in at.info]
    at.button(key="mnist.train.one_more").click().run()
    model = held_run(at)
    assert model.trainer is trainer and model.target == 2 and not model.finished
    assert at.session_state["mnist.train.running"]
    assert (trainer.epoch, trainer.step_count) == (1, STEPS_PER_EPOCH + STEPS_PER_CHUNK)


def test_start_after_stop_and_apply_build_a_new_network():
    at = open_page("en")
    at.button(key="mnist.train.step").click().run()
    first = held_run(at)
    at.button(key="mnist.train.stop").click().run()
    assert held_run(at) is first and first.finished
    assert at.button(key="mnist.train.step").disabled  # nothing left to step
    assert at.button(key="mnist.train.start").label == tr("en", "mnist.s7.start")
    at.button(key="mnist.train.start").click().run()  # a finished run starts afresh
    second = held_run(at)
    assert second is not first and second.trainer.step_count == steps_after(1)
    assert at.session_state["mnist.train.running"]
    # "Build this network" with the settings unchanged: a new, untrained network, paused
    at.button(key="FormSubmitter:mnist.settings-" + tr("en", "mnist.s6.apply")).click().run()
    assert held_run(at) is not second and held_run(at).trainer.step_count == 0
    assert not at.session_state["mnist.train.running"] and not at.exception


def test_the_settings_build_the_network_they_describe():
    at = open_page("en")
    at.number_input(key="mnist.layers").set_value(2)
    at.select_slider(key="mnist.h1").set_value(64)
    at.select_slider(key="mnist.h2").set_value(32)
    at.selectbox(key="mnist.act").set_value("tanh")
    at.selectbox(key="mnist.opt").set_value("SGD")
    at.select_slider(key="mnist.lr").set_value(0.1)
    at.select_slider(key="mnist.batch").set_value(256)
    at.button(key="FormSubmitter:mnist.settings-" + tr("en", "mnist.s6.apply")).click().run()
    assert not at.exception
    net = held_run(at).trainer.network
    assert net.hidden_size_list == [64, 32] and net.activation == "tanh"
    trainer = held_run(at).trainer
    assert type(trainer.optimizer).__name__ == "SGD" and trainer.optimizer.lr == 0.1
    assert trainer.batch_size == 256
    assert at.query_params["h1"] == "64" and at.query_params["opt"] == "SGD"


@pytest.mark.parametrize("lang", LANGS)
def test_out_of_bounds_settings_in_the_link_fall_back_with_a_notice(lang):
    at = open_page(lang, layers="9", h1="100000", epochs="500", lr="1e9", batch="-5",
                   opt="eval", seed="x")
    assert len(at.warning) == 1  # one notice for the link; each value in its details
    notices = link_notice_details(at)
    for name in ("layers", "h1", "epochs", "lr", "batch", "opt", "seed"):
        assert any(f"{name}=" in n for n in notices), (name, notices)
    trainer = held_run(at).trainer
    assert trainer.network.hidden_size_list == [100] and trainer.batch_size == 100
    assert type(trainer.optimizer).__name__ == "Adam" and trainer.optimizer.lr == 0.001
    assert held_run(at).target == 5


def test_the_widgets_cannot_go_past_the_host_caps():
    at = open_page("en")
    layers = at.number_input(key="mnist.layers")
    epochs = at.number_input(key="mnist.epochs")
    assert (layers.min, layers.max) == (1, 3) and (epochs.min, epochs.max) == (1, 20)
    assert at.select_slider(key="mnist.h1").options[-1] == "256"


@pytest.mark.parametrize("lang", LANGS)
def test_a_drawn_digit_is_centred_and_read(lang):
    (_, _), (x_test, t_test) = load_mnist(keep_uint8=True)
    at = open_page(lang)
    train_one_epoch(at)
    # a real test digit, written large in the canvas's top-left corner
    index = int(np.flatnonzero(t_test == 3)[0])
    at.session_state[DRAWN] = drawn_digit(x_test[index], top=10, left=20)
    at.run()
    assert not at.exception
    assert metric(at, lang, "mnist.draw.guess") == "3"
    # the note the page shows: the ink's centre of mass moved to the middle of 28×28, where
    # MNIST's own digits have theirs
    head, tail = tr(lang, "mnist.draw.prep_note", before="\0", after="\0").split("\0")[::2]
    notes = [c.value for c in at.caption if c.value.startswith(head) and c.value.endswith(tail)]
    assert len(notes) == 1, "the preprocessing note is missing"
    points = re.findall(r"\((-?[\d.]+), (-?[\d.]+)\)", notes[0])
    assert len(points) == 2
    r, c = (float(v) for v in points[1])  # after
    assert abs(r - 14) <= 0.5 and abs(c - 14) <= 0.5


@pytest.mark.parametrize("lang", LANGS)
def test_an_empty_drawing_asks_for_ink_in_the_learners_language(lang):
    at = open_page(lang)
    blank = np.zeros((280, 280, 4), dtype=np.uint8)
    blank[..., 3] = 255
    at.session_state[DRAWN] = blank
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [tr(lang, "error.mnist_empty_drawing", threshold=0.1)]
    if lang == "ko":
        assert_korean_error(at)


@pytest.mark.parametrize(("image", "code"), [
    (np.zeros((0, 28), dtype=np.uint8), "mnist_image_empty"),
    (np.zeros((28, 28, 2), dtype=np.uint8), "mnist_image_shape"),
    (np.full((28, 28), np.nan), "mnist_image_nan"),
], ids=["empty", "two channels", "NaN"])
def test_a_picture_that_cannot_be_read_is_said_in_korean(image, code):
    """A picture that reaches the page (the canvas's slot in the session, where an uploaded
    photo would come too) and that lessons.mnist cannot read: one error, in Korean, from
    the catalog's error.<code>."""
    at = open_page("ko")
    at.session_state[DRAWN] = image
    at.run()
    assert not at.exception
    text = assert_korean_error(at)
    head = tr("ko", f"error.{code}", shape="\0").split("\0")[0]
    assert text.startswith(head), (text, head)


def test_a_diverged_run_is_said_in_korean():
    """TrainingDiverged on a Korean page: the live view pauses with the catalog's text.

    No learning rate the settings offer (up to 1.0, nor far beyond: 1e5 was tried) makes
    the MNIST loss non-finite, since SoftmaxWithLoss computes it from log-softmax, so the
    held network's weights are spoiled here, as a blown-up run leaves them."""
    at = open_page("ko")
    held_run(at).network.params["W1"][...] = np.nan
    at.button(key="mnist.train.step").click().run()
    assert not at.exception
    text = assert_korean_error(at)
    assert text == tr("ko", "error.diverged", step=1, loss=float("nan"), lr=0.001)
    assert not at.session_state["mnist.train.running"]
    # the chain cannot be drawn from such a network: the page says so instead of failing
    assert tr("ko", "mnist.not_finite") in [w.value for w in at.warning]


def notes_button(at: AppTest):
    return at.button(key="mnist.notes")


@pytest.mark.parametrize("lang", LANGS)
def test_the_notes_network_is_one_click_away_and_trains(lang):
    """Seed 001's 784-15-10 network: the button names it, fills the settings, builds it;
    the chain section follows its depth and its sigmoid; a short run trains it."""
    at = open_page(lang)
    button = notes_button(at)
    assert button.label == tr(lang, "mnist.s6.notes", sizes="784-15-10")
    button.click().run()
    assert not at.exception
    run = held_run(at)
    net = run.trainer.network
    assert net.hidden_size_list == [15] and net.activation == "sigmoid"
    assert run.trainer.step_count == 0 and not at.session_state["mnist.train.running"]
    assert at.number_input(key="mnist.layers").value == 1
    assert at.select_slider(key="mnist.h1").value == 15
    assert at.selectbox(key="mnist.act").value == "sigmoid"
    assert (at.query_params["layers"], at.query_params["h1"]) == ("1", "15")
    assert at.query_params["act"] == "sigmoid" and at.query_params["init"] == "xavier"
    assert tr(lang, "mnist.chain.header", chain="X·W1·W2") in [h.value for h in at.header]
    intro = tr(lang, "mnist.chain.intro", column="W2·W1·X", act=tr(lang, "mnist.act.sigmoid"))
    assert intro in [m.value for m in at.markdown]
    assert [x.value.strip("$\n") for x in at.latex if "softmax" in x.value] == [
        r"y = \operatorname{softmax}\!\left(\sigma\!\left(X \cdot W_{1} + b_{1}\right)"
        r" \cdot W_{2} + b_{2}\right)"]
    assert "784-15-10" in at.get("progress")[0].proto.text
    # a short run: two chunks, the loss falls
    for _ in range(2):
        at.button(key="mnist.train.step").click().run()
    assert not at.exception and run.trainer.step_count == steps_after(2)
    loss = run.trainer.history.loss.y
    assert np.isfinite(loss).all() and np.mean(loss[-10:]) < np.mean(loss[:5])
    # the weights' intro counts what it shows: all 15 hidden neurons, not "16"
    assert tr(lang, "mnist.s7.weights_intro_all", n=15) in [m.value for m in at.markdown]


def test_a_link_to_the_notes_network_builds_it_without_notices():
    at = open_page("ko", layers="1", h1="15", act="sigmoid", init="xavier")
    assert not at.warning
    net = held_run(at).trainer.network
    assert net.hidden_size_list == [15] and net.activation == "sigmoid"


def test_the_chain_section_follows_depth_and_activation():
    at = open_page("en")
    at.number_input(key="mnist.layers").set_value(3)
    at.selectbox(key="mnist.act").set_value("tanh")
    at.button(key="FormSubmitter:mnist.settings-" + tr("en", "mnist.s6.apply")).click().run()
    assert not at.exception
    headers = [h.value for h in at.header]
    assert tr("en", "mnist.chain.header", chain="X·W1·W2·W3·W4") in headers
    assert tr("en", "mnist.chain.header", chain="X·W1·W2") not in headers
    intro = tr("en", "mnist.chain.intro", column="W4·W3·W2·W1·X", act=tr("en", "mnist.act.tanh"))
    assert intro in [m.value for m in at.markdown]
    (formula,) = [x.value for x in at.latex if "softmax" in x.value]
    assert formula.count(r"\tanh") == 3 and "ReLU" not in formula and r"W_{4}" in formula


@pytest.mark.parametrize("lang", LANGS)
def test_the_chains_heatmaps_state_the_sign_convention_once(lang):
    import json

    at = open_page(lang)
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    chain = [s for s in specs if any(a.get("text") == "W1 (784×100)"
                                     for a in s["layout"].get("annotations", []))]
    assert len(chain) == 1
    keys = [a["text"] for a in chain[0]["layout"]["annotations"] if a.get("name") == "sign_key"]
    assert keys == [tr(lang, "viz.sign_key")]


def gradient_by_hand(net: MultiLayerNet, x_uint8: np.ndarray, labels: np.ndarray) -> dict:
    """d(mean cross-entropy)/d(parameters) of a 784-h-10 ReLU network, by the chain rule."""
    x = x_uint8.reshape(len(x_uint8), -1).astype(np.float64) / 255
    W1, b1, W2, b2 = (np.asarray(net.params[k], np.float64) for k in ("W1", "b1", "W2", "b2"))
    z = x @ W1 + b1
    h = np.maximum(z, 0)
    dy = softmax_by_hand(h @ W2 + b2)
    dy[np.arange(len(x)), labels] -= 1
    dy /= len(x)
    dz = (dy @ W2.T) * (z > 0)
    return {"W1": x.T @ dz, "b1": dz.sum(axis=0), "W2": h.T @ dy, "b2": dy.sum(axis=0)}


def test_the_gradient_check_agrees_and_times_both():
    (x_train, t_train), _ = load_mnist(keep_uint8=True)
    at = open_page("en")
    at.button(key="mnist.check.run").click().run()
    assert not at.exception
    hidden = at.select_slider(key="mnist.check.hidden").value
    batch = at.select_slider(key="mnist.check.batch").value
    # the page checks a float64 784-hidden-10 network (seed 0) on the first `batch` digits
    net = MultiLayerNet(784, [hidden], 10, dtype=np.float64, seed=0)
    grads = gradient_by_hand(net, x_train[:batch], t_train[:batch])
    table = at.dataframe[0].value
    col = {k: table[tr("en", f"mnist.s1.col_{k}")]
           for k in ("param", "shape", "backprop", "numerical", "error")}
    assert list(col["param"]) == ["W1", "b1", "W2", "b2"]
    assert list(col["shape"]) == [f"784×{hidden}", f"{hidden}", f"{hidden}×10", "10"]
    expected = [float(np.abs(grads[k]).mean()) for k in ("W1", "b1", "W2", "b2")]
    # mean |gradient| per parameter, shown with 4 significant digits
    assert col["backprop"].astype(float).tolist() == pytest.approx(expected, rel=1e-3)
    assert col["numerical"].astype(float).tolist() == pytest.approx(expected, rel=1e-3)
    assert (col["error"].astype(float) < 1e-6).all()
    # the times are measured, so only their display is checked: the speed-up shown is the
    # ratio of the two times measured (how large it is depends on the machine: bench/)
    result, n_params = at.session_state["mnist.check.result"]
    assert n_params == 784 * hidden + hidden + hidden * 10 + 10
    num, bp = result.numerical_seconds, result.backprop_seconds
    assert num > 0 and bp > 0
    assert metric(at, "en", "mnist.s1.numerical_time") == f"{num:.2f} s"
    assert metric(at, "en", "mnist.s1.backprop_time") == f"{bp * 1e3:.2f} ms"
    assert metric(at, "en", "mnist.s1.speedup") == f"{num / bp:,.0f}×"


def test_the_chain_follows_the_chosen_test_digit():
    (_, _), (x_test, t_test) = load_mnist(keep_uint8=True)
    at = open_page("en")
    at.number_input(key="mnist.digit").set_value(7).run()
    assert not at.exception
    # the untrained network's answer for test digit 7, by a forward pass of our own
    proba = softmax_by_hand(scores_by_hand(held_run(at).trainer.network,
                                           x_test[7:8]))[0]
    guess = int(proba.argmax())
    expected = tr("en", "mnist.chain.result", true=int(t_test[7]), guess=guess,
                  p=float(proba[guess]), step=0)
    assert expected in [m.value for m in at.markdown]
    assert at.query_params["digit"] == "7"


def test_every_chart_is_drawn_on_the_apps_theme(monkeypatch):
    """The shell installs the theme on every run: with Plotly's default template set to
    something else before (importing Streamlit sets its own), every chart still gets it."""
    import json

    import plotly.io as pio

    from viz.theme import TEMPLATE

    monkeypatch.setattr(pio.templates, "default", "plotly")
    at = open_page("en")
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert specs
    expected = pio.templates[TEMPLATE].layout.plot_bgcolor  # "white"; "plotly" has a blue-grey
    assert [s["layout"]["template"]["layout"]["plot_bgcolor"] for s in specs] == (
        [expected] * len(specs))
    assert pio.templates.default == TEMPLATE
