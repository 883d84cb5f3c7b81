"""A network saved from the MNIST page and brought back to it, under AppTest.

A good file replaces the page's network (the same weights, optimizer, history and progress),
its settings go into the form's widgets, and training goes on from there. Each bad file (cut
short, wrong shapes, a pickle inside, 100 MB, NaN weights, ...) gives exactly one error, in
the learner's language, and changes nothing: the same network, the same widgets.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

import lessons.playground as lp
from engine.backend import InputError
from engine.datasets import load_mnist
from lessons import mnist as lm
from tests.app.helpers import open_lesson
from tests.app.learner_errors import assert_korean_error
from tests.app.test_mnist_page import held_run, metric, open_page
from ui.i18n import tr
from ui.messages import say_error
from ui.saving_view import MAX_NETWORK_BYTES

UPLOAD = "mnist.saving.upload"
CONFIG = lm.MnistConfig(hidden=(32, 16), activation="tanh", init="xavier", optimizer="Momentum",
                        lr=0.03, batch=64, epochs=3, seed=7)


@pytest.fixture(scope="module")
def saved_run():
    """A run trained one epoch off the page, and its file."""
    run = lm.build(CONFIG, load_mnist(keep_uint8=True))
    while not run.trainer.epoch:
        run.advance(steps=400)
    return run, lm.network_bytes(run)


def upload(at, data: bytes, name: str = "mnist-network.npz"):
    at.file_uploader(key=UPLOAD).set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_file_fits_under_the_servers_upload_cap(saved_run):
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 2**20 >= MAX_NETWORK_BYTES
    assert len(saved_run[1]) < MAX_NETWORK_BYTES  # a mid-sized network with its momentum


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_saved_network_comes_back_with_its_settings_and_trains_on(saved_run, lang):
    run, data = saved_run
    at = upload(open_page(lang), data)
    back = held_run(at)
    assert back is not run and back.config == CONFIG
    for key, p in run.network.params.items():
        assert np.array_equal(back.network.params[key], p)
    opt = back.trainer.optimizer
    assert type(opt).__name__ == "Momentum" and set(opt.state) == set(run.trainer.optimizer.state)
    assert back.trainer.history.loss.y == run.trainer.history.loss.y
    assert (back.trainer.epoch, back.trainer.step_count) == (1, run.trainer.step_count)
    # the form shows the file's settings
    ss = at.session_state
    assert (ss["mnist.layers"], ss["mnist.h1"], ss["mnist.h2"], ss["mnist.act"], ss["mnist.init"],
            ss["mnist.opt"], ss["mnist.lr"], ss["mnist.batch"], ss["mnist.epochs"],
            ss["mnist.seed"]) == (2, 32, 16, "tanh", "xavier", "Momentum", 0.03, 64, 3, 7)
    # the page shows the network brought back: its epoch and its test accuracy, scored anew
    assert metric(at, lang, "mnist.s7.epoch") == "1 / 3"
    assert metric(at, lang, "mnist.s7.test_acc") == f"{run.scores[-1].acc:.2%}"
    assert back.analysis.acc == run.scores[-1].acc
    assert [s.value for s in at.success] == [tr(lang, "saving.loaded",
                                                 name="`mnist-network.npz`")]
    assert not at.error
    at.run()  # a rerun keeps it: its config is the form's
    assert held_run(at) is back
    at.button(key="mnist.train.step").click().run()
    assert held_run(at) is back and back.trainer.step_count > run.trainer.step_count


def spoiled(data: bytes, **changes) -> bytes:
    with np.load(io.BytesIO(data)) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays.update(changes)
    f = io.BytesIO()
    np.savez(f, allow_pickle=True, **arrays)
    return f.getvalue()


def nan_weights(data: bytes) -> bytes:
    with np.load(io.BytesIO(data)) as npz:
        w = npz["param.W2"].copy()
    w[3, 4] = np.nan
    return spoiled(data, **{"param.W2": w})


def other_settings(data: bytes) -> bytes:
    """The file's settings say 784-64-16-10: its weights are 784-32-16-10."""
    with np.load(io.BytesIO(data)) as npz:
        meta = json.loads(npz["meta"].tobytes())
    meta["settings"]["config"]["hidden"] = [64, 16]
    return spoiled(data, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))


BAD = {
    "truncated": (lambda d: d[: len(d) // 2], "saving_not_npz"),
    "wrong-shapes": (lambda d: spoiled(d, **{"param.W1": np.zeros((784, 16), np.float32)}),
                     "saving_shape"),
    "pickle-inside": (lambda d: spoiled(d, **{"param.b1": np.array([print] * 32, object)}),
                      "saving_pickle"),
    "100-mb": (lambda d: d.ljust(100 * 2**20, b"\0"), "saving_too_big"),  # one copy
    "nan-weights": (nan_weights, "saving_not_finite"),
    "not-a-zip": (lambda d: b"label,pixel0\n5,0\n" * 100, "saving_not_npz"),
    "settings-and-weights-disagree": (other_settings, "saving_settings"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_file_gets_one_error_in_korean_and_changes_nothing(saved_run, case):
    spoil, code = BAD[case]
    at = open_page("ko")
    at.button(key="mnist.train.step").click().run()
    before = held_run(at)
    steps, weights = before.trainer.step_count, before.network.params["W1"].copy()
    widgets = {k: at.session_state[k] for k in ("mnist.layers", "mnist.h1", "mnist.opt")}
    bad = spoil(saved_run[1])
    upload(at, bad, name=f"{case}.npz")
    text = assert_korean_error(at)
    with pytest.raises(InputError) as info:  # what the page was told, said by the catalog
        lm.from_file(bad, load_mnist(keep_uint8=True), max_bytes=MAX_NETWORK_BYTES)
    assert info.value.code == code and text == say_error("ko", info.value)
    assert held_run(at) is before and before.trainer.step_count == steps
    assert np.array_equal(before.network.params["W1"], weights)
    assert {k: at.session_state[k] for k in widgets} == widgets
    assert not at.success


def test_a_good_file_after_a_bad_one_clears_the_error(saved_run):
    at = open_page("en")
    upload(at, b"junk", name="junk.npz")
    assert len(at.error) == 1
    upload(at, saved_run[1])
    assert not at.error and len(at.success) == 1 and held_run(at).config == CONFIG


def test_a_network_too_big_to_bring_back_says_so_before_it_is_downloaded():
    """784-256-256-256-10 with Adam: 1.3 MB of weights, and after the first step twice that
    of Adam's state, over the 2 MB this page takes back."""
    at = open_page("en", layers="3", h1="256", h2="256", h3="256")
    over = [c.value for c in at.caption if "engine.load" in c.value]
    assert over == []  # no state yet: the weights alone fit
    at.button(key="mnist.train.step").click().run()
    run = held_run(at)
    size = sum(a.nbytes for a in (*run.network.params.values(),
                                  *run.trainer.optimizer.state.values()))
    assert size > MAX_NETWORK_BYTES
    over = [c.value for c in at.caption if "engine.load" in c.value]
    assert over == [tr("en", "saving.over_cap", mb=size / 2**20, cap=2)]


# ---------------------------------------------------------------- the playground

PLAYGROUND = "app_pages/playground.py"
PG_STATE = "playground.run"
PG_UPLOAD = "playground.saving.upload"


def playground_run(settings: lp.Settings, data: lp.Data | None = None) -> lp.Run:
    run = lp.build(settings, data)
    lp.advance(run, epochs=30)
    return run


def pg_upload(at, data: bytes, name: str = "playground-network.npz"):
    at.file_uploader(key=PG_UPLOAD).set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_playground_network_comes_back_with_its_settings():
    settings = lp.Settings("xor", noise=0.1, train_fraction=0.6, features=("x1", "x2", "x1x2"),
                           hidden=(6, 3), activation="relu", regularization="l2",
                           reg_rate=0.003, lr=0.1, batch=20, optimizer="RMSProp", seed=12)
    run = playground_run(settings)
    at = pg_upload(open_lesson(PLAYGROUND, "ko"), lp.network_bytes(run))
    back = at.session_state[PG_STATE].model
    assert back.settings == settings and back.trainer.epoch == 30
    assert np.array_equal(back.net.params["W2"], run.net.params["W2"])
    assert back.train_loss == run.train_loss and back.epochs == run.epochs
    assert lp.test_accuracy(back) == lp.test_accuracy(run)
    ss = at.session_state
    assert (ss["playground.data"], ss["playground.noise"], ss["playground.train"],
            ss["playground.x1x2"], ss["playground.x1sq"], ss["playground.layers"],
            ss["playground.n1"], ss["playground.n2"], ss["playground.act"], ss["playground.reg"],
            ss["playground.rate"], ss["playground.lr"], ss["playground.batch"],
            ss["playground.opt"], ss["playground.seed"]) == (
        "xor", 10, 60, True, False, 2, 6, 3, "relu", "l2", 0.003, 0.1, 20, "RMSProp", 12)
    assert len(at.success) == 1 and not at.error
    at.run()
    assert at.session_state[PG_STATE].model is back  # the page's settings build its key
    at.button(key="playground.train.step").click().run()
    assert at.session_state[PG_STATE].model is back and back.trainer.step_count > \
        run.trainer.step_count


def test_a_playground_network_on_own_points_brings_them_back():
    rng = np.random.default_rng(3)
    data = lp.custom_data(rng.uniform(-5, 5, (40, 2)), rng.integers(0, 3, 40))
    settings = lp.Settings("custom", hidden=(8, 8), optimizer="Adam", lr=0.01)
    run = playground_run(settings, data)
    at = pg_upload(open_lesson(PLAYGROUND, "en"), lp.network_bytes(run))
    back = at.session_state[PG_STATE].model
    assert np.array_equal(back.data.x, data.x) and np.array_equal(back.data.y, data.y)
    assert at.session_state["playground.pts"] == lp.encode_points(data)
    assert np.array_equal(back.net.params["W3"], run.net.params["W3"])


@pytest.mark.parametrize("case", ["truncated", "nan-weights", "another-lesson"])
def test_a_bad_playground_file_changes_nothing(saved_run, case):
    good = lp.network_bytes(playground_run(lp.PRESETS["circle"]))
    bad = {"truncated": good[:-100], "nan-weights": spoiled(
        good, **{"param.W1": np.full((2, 4), np.nan)}), "another-lesson": saved_run[1]}[case]
    at = open_lesson(PLAYGROUND, "ko")
    before = at.session_state[PG_STATE].model
    pg_upload(at, bad)
    assert_korean_error(at)
    assert at.session_state[PG_STATE].model is before and not at.success
