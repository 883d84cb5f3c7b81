"""Lesson 5 (MNIST) under AppTest, in both languages: the page's own code trains, pauses,
stops, keeps its bounds, and reads a drawn digit.

AppTest runs no timers, so training is driven the way a test can: the Step button runs one
chunk of the page's own advance(), and Start runs one chunk in the rerun it causes.
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine.datasets import load_mnist
from engine.digits import center_of_mass
from engine.mnist_stats import pixel_stats
from tests.app.helpers import open_lesson
from ui.i18n import LANGS, tr

PAGE = "app_pages/mnist.py"
STATE = "mnist.model"
DRAWN = "mnist.draw.image"
MAX_CHUNKS = 40  # Step clicks allowed to finish one epoch (each trains 0.4 s)


def open_page(lang: str = "en", **params: str) -> AppTest:
    return open_lesson(PAGE, lang, timeout=120, **params)


def metric(at: AppTest, lang: str, key: str) -> str:
    label = tr(lang, key)
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"{label!r} not among {[m.label for m in at.metric]}"
    return values[0]


def percent(text: str) -> float:
    return float(text.rstrip("%")) / 100


def train_one_epoch(at: AppTest) -> None:
    for _ in range(MAX_CHUNKS):
        at.button(key="mnist.train.step").click().run()
        assert not at.exception, [e.value for e in at.exception]
        if at.session_state[STATE]["trainer"].epoch >= 1:
            return
    pytest.fail(f"one epoch did not finish in {MAX_CHUNKS} chunks")


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
    for key in ("s1", "s2", "s3", "s6", "s7", "chain", "draw"):
        assert tr(lang, f"mnist.{key}.header") in headers
    (x, _), _ = load_mnist(keep_uint8=True)
    px = pixel_stats(x)
    assert metric(at, lang, "mnist.s2.px_mean") == f"{px['mean']:.3f}"
    assert metric(at, lang, "mnist.s2.px_zero") == f"{px['zero_fraction']:.1%}"
    assert metric(at, lang, "mnist.s7.epoch") == "0 / 5"
    assert metric(at, lang, "mnist.s7.test_acc") == "—"
    assert not at.error and not at.warning


@pytest.mark.parametrize("lang", LANGS)
def test_a_short_run_through_the_page_beats_chance(lang):
    at = open_page(lang)
    train_one_epoch(at)
    acc = percent(metric(at, lang, "mnist.s7.test_acc"))
    assert acc > 0.5  # chance is 0.1; the default network passes 0.9 in one epoch
    model = at.session_state[STATE]
    assert model["test_acc"][1] == pytest.approx(acc, abs=5e-5)
    # the confusion matrix is the test set's: 10,000 digits, its diagonal the hits
    cm = model["analysis"]["cm"]
    assert cm.sum() == 10_000 and np.trace(cm) / 10_000 == pytest.approx(acc, abs=5e-5)
    assert metric(at, lang, "mnist.s7.epoch") == "1 / 5"


def test_pause_keeps_the_model_and_start_resumes_it():
    at = open_page("en")
    at.button(key="mnist.train.start").click().run()  # the rerun trains one chunk
    model = at.session_state[STATE]
    trainer = model["trainer"]
    steps = trainer.step_count
    assert steps > 0 and at.session_state["mnist.train.running"]
    at.button(key="mnist.train.pause").click().run()
    assert not at.session_state["mnist.train.running"]
    at.run()
    assert at.session_state[STATE]["trainer"] is trainer and trainer.step_count == steps
    assert at.button(key="mnist.train.start").label == tr("en", "mnist.s7.resume")
    at.button(key="mnist.train.start").click().run()
    assert at.session_state[STATE]["trainer"] is trainer and trainer.step_count > steps


def test_stop_keeps_the_model_and_one_more_epoch_trains_on():
    at = open_page("en")
    train_one_epoch(at)
    trainer = at.session_state[STATE]["trainer"]
    at.button(key="mnist.train.stop").click().run()
    model = at.session_state[STATE]
    assert model["finished"] and model["trainer"] is trainer
    assert any(tr("en", "mnist.s7.stopped", epoch=1, step=trainer.step_count) == i.value
               for i in at.info)
    at.button(key="mnist.train.one_more").click().run()
    model = at.session_state[STATE]
    assert model["trainer"] is trainer and model["target"] == 2 and not model["finished"]
    assert at.session_state["mnist.train.running"]


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
    net = at.session_state[STATE]["trainer"].network
    assert net.hidden_size_list == [64, 32] and net.activation == "tanh"
    trainer = at.session_state[STATE]["trainer"]
    assert type(trainer.optimizer).__name__ == "SGD" and trainer.optimizer.lr == 0.1
    assert trainer.batch_size == 256
    assert at.query_params["h1"] == "64" and at.query_params["opt"] == "SGD"


@pytest.mark.parametrize("lang", LANGS)
def test_out_of_bounds_settings_in_the_link_fall_back_with_a_notice(lang):
    at = open_page(lang, layers="9", h1="100000", epochs="500", lr="1e9", batch="-5",
                   opt="eval", seed="x")
    notices = [w.value for w in at.warning]
    for name in ("layers", "h1", "epochs", "lr", "batch", "opt", "seed"):
        assert any(f"{name}=" in n for n in notices), (name, notices)
    trainer = at.session_state[STATE]["trainer"]
    assert trainer.network.hidden_size_list == [100] and trainer.batch_size == 100
    assert type(trainer.optimizer).__name__ == "Adam" and trainer.optimizer.lr == 0.001
    assert at.session_state[STATE]["target"] == 5


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
    prep_note = [c.value for c in at.caption
                 if c.value.startswith(tr(lang, "mnist.draw.prep_note", before="", after="")[:8])]
    assert prep_note, "the preprocessing note is missing"
    # the page's preprocessing moved the ink's centre of mass to the middle of 28×28
    from engine.digits import preprocess_digit

    final = preprocess_digit(at.session_state[DRAWN])
    r, c = center_of_mass(final)
    assert abs(r - 14) <= 0.5 and abs(c - 14) <= 0.5


@pytest.mark.parametrize("lang", LANGS)
def test_an_empty_drawing_asks_for_ink(lang):
    at = open_page(lang)
    blank = np.zeros((280, 280, 4), dtype=np.uint8)
    blank[..., 3] = 255
    at.session_state[DRAWN] = blank
    at.run()
    assert not at.exception
    assert any(i.value.startswith(tr(lang, "mnist.draw.no_ink", message="")[:10]) for i in at.info)


def test_the_gradient_check_agrees_and_times_both():
    at = open_page("en")
    at.button(key="mnist.check.run").click().run()
    assert not at.exception
    table = at.dataframe[0].value
    errors = table[tr("en", "mnist.s1.col_error")].astype(float)
    assert list(table[tr("en", "mnist.s1.col_param")]) == ["W1", "b1", "W2", "b2"]
    assert (errors < 1e-6).all()
    speedup = float(metric(at, "en", "mnist.s1.speedup").rstrip("×").replace(",", ""))
    assert speedup > 100


def test_the_chain_follows_the_chosen_test_digit():
    (_, _), (_, t_test) = load_mnist(keep_uint8=True)
    at = open_page("en")
    at.number_input(key="mnist.digit").set_value(7).run()
    assert not at.exception
    true = int(t_test[7])
    assert any(m.value.startswith(tr("en", "mnist.chain.result", true=true, guess=0, p=0.0,
                                     step=0)[:25]) for m in at.markdown)
    assert at.query_params["digit"] == "7"
