"""lessons.mnist's training run without Streamlit: the page's default network built, trained
by a fixed number of steps on the real MNIST, and every number the page shows of it
reproduced: the confusion matrix, the accuracy, the 97 % mark and the samples per second.

Time is the test's own: the run reads an injected clock, which moves only when the test
(or its stand-in for a training chunk) says so. Nothing here asserts on wall-clock time.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from engine.datasets import load_mnist
from engine.optimizers import Adam
from lessons import mnist as lm

STEPS_PER_EPOCH = 600  # 60,000 training digits in batches of 100, the page's default


class ManualClock:
    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def data():
    return load_mnist(keep_uint8=True)


DEFAULTS = lm.MnistConfig()  # the page's settings


def timed_run(data, config: lm.MnistConfig = DEFAULTS, seconds_per_step: float = 0.01):
    """A run whose clock moves `seconds_per_step` for every step its trainer takes."""
    run = lm.build(config, data)
    clock = run.clock = ManualClock()
    real_run = run.trainer.run

    def trainer_run(*args, **kwargs):
        events = real_run(*args, **kwargs)
        clock.now += seconds_per_step * len(events)
        return events

    run.trainer.run = trainer_run
    return run, clock


def test_the_default_config_is_the_pages_network(data):
    run = lm.build(lm.MnistConfig(), data)
    net, trainer = run.network, run.trainer
    assert run.config.sizes == "784-100-10"
    assert net.hidden_size_list == [100] and net.activation == "relu"
    assert isinstance(trainer.optimizer, Adam) and trainer.optimizer.lr == 0.001
    assert trainer.batch_size == 100 and trainer.steps_per_epoch == STEPS_PER_EPOCH
    assert (run.target, run.finished, run.analysis, run.reached) == (5, False, None, None)
    assert run.progress == 0.0 and run.train_acc is None and run.test_acc == {}


def test_configs_compare_by_value_and_build_the_same_network(data):
    a, b = lm.MnistConfig(hidden=(64, 32), seed=3), lm.MnistConfig(hidden=(64, 32), seed=3)
    assert a == b and hash(a) == hash(b) and a != lm.MnistConfig()
    first, second = lm.build(a, data), lm.build(b, data)
    assert first.uid != second.uid  # two networks, one per build
    for key in first.network.params:
        np.testing.assert_array_equal(first.network.params[key], second.network.params[key])


def test_a_chunk_of_steps_ends_before_the_epoch_and_scores_nothing(data):
    run, clock = timed_run(data)
    assert run.advance(steps=50) is False
    assert (run.trainer.step_count, run.trainer.epoch) == (50, 0)
    assert run.analysis is None and run.scores == []
    assert run.seconds == pytest.approx(0.5)
    assert run.marks[-1] == (clock.now, 50 * 100)
    assert run.progress == pytest.approx(50 / (5 * STEPS_PER_EPOCH))


def test_an_epoch_is_scored_on_the_whole_test_set(data):
    (_, _), (x_test, t_test) = data
    run, clock = timed_run(data, lm.MnistConfig(epochs=1))
    # steps beyond the epoch's end are not taken: a chunk ends where an epoch does
    assert run.advance(steps=STEPS_PER_EPOCH + 50) is True and run.finished
    assert (run.trainer.step_count, run.trainer.epoch) == (STEPS_PER_EPOCH, 1)
    analysis = run.analysis
    cm = analysis.cm
    assert cm.shape == (10, 10) and cm.sum() == len(t_test) == 10_000
    assert analysis.acc == np.trace(cm) / cm.sum()
    assert analysis.acc > 0.9  # the default network after one epoch
    assert (cm.sum(axis=1) == np.bincount(t_test, minlength=10)).all()  # rows: true digits
    pred = lm.predict_labels(run.network, x_test)
    assert analysis.acc == pytest.approx(float((pred == t_test).mean()), abs=2e-4)
    # the mistakes shown: wrong, most confident first, at most WRONG_SHOWN
    assert 0 < len(analysis.wrong) <= lm.WRONG_SHOWN
    assert all(t_test[w.index] == w.true != w.predicted for w in analysis.wrong)
    confidence = [w.confidence for w in analysis.wrong]
    assert confidence == sorted(confidence, reverse=True)
    # the score of the epoch, on the run's clock: 600 steps of 0.01 s
    assert run.scores == [lm.Score(epoch=1, step=STEPS_PER_EPOCH,
                                   seconds=pytest.approx(6.0), acc=analysis.acc)]
    assert run.test_acc == {1: analysis.acc} and run.seconds == pytest.approx(6.0)
    assert run.progress == 1.0 and 0 < run.train_acc <= 1
    true, predicted, n, wrong = lm.worst_confusion(cm)
    off = cm - np.diag(np.diag(cm))
    assert (n, wrong) == (off.max(), 10_000 - np.trace(cm)) and off[true, predicted] == n


def test_the_97_percent_mark_is_the_first_score_that_reaches_it():
    scores = [lm.Score(1, 600, 5.0, 0.95), lm.Score(2, 1200, 10.0, 0.9699),
              lm.Score(3, 1800, 15.0, 0.97), lm.Score(4, 2400, 20.0, 0.98),
              lm.Score(5, 3000, 25.0, 0.965)]
    assert lm.first_reaching(scores) == scores[2]
    assert lm.first_reaching(scores).step == 1800
    assert lm.first_reaching(scores[:2]) is None
    assert lm.first_reaching(scores, target=0.98).epoch == 4
    run = lm.MnistRun(config=lm.MnistConfig(), trainer=None, x_test=None, t_test=None,
                      target=5, scores=scores)
    assert run.reached == scores[2]
    assert run.test_acc == {1: 0.95, 2: 0.9699, 3: 0.97, 4: 0.98, 5: 0.965}


def test_samples_per_second_is_samples_over_seconds_in_the_window():
    marks = [(10.0, 0), (11.0, 1000), (12.0, 3000)]
    assert lm.samples_per_second(marks, now=12.0, window=3.0) == 1500.0
    assert lm.samples_per_second(marks, now=12.5, window=2.0) == 2000.0  # from 10.5 s on
    assert lm.samples_per_second(marks, now=14.5, window=3.0) is None  # one mark left
    assert lm.samples_per_second([], now=0.0) is None
    assert lm.samples_per_second([(1.0, 0), (1.0, 500)], now=1.0) is None  # no time passed


def test_a_runs_samples_per_second_on_its_own_clock(data):
    run, clock = timed_run(data, seconds_per_step=0.02)
    run.advance(steps=10)
    assert run.samples_per_second() is None  # one chunk: nothing to divide by yet
    run.advance(steps=30)
    # 30 steps of 100 samples in 0.6 s on the run's clock
    assert run.samples_per_second() == pytest.approx(30 * 100 / 0.6)
    clock.now += lm.RATE_WINDOW_S  # a pause: the marks fall out of the window
    assert run.samples_per_second() is None


def test_stop_and_one_more_epoch(data):
    run, _ = timed_run(data)
    run.advance(steps=20)
    run.stop()
    assert run.finished and run.target == 0
    run.one_more()
    assert not run.finished and run.target == 1
    run.trainer.epoch = lm.TOTAL_EPOCH_CAP  # as if it had trained that long
    run.one_more()
    assert run.target == lm.TOTAL_EPOCH_CAP


def test_the_weight_chain_ends_in_the_networks_probabilities(data):
    (_, _), (x_test, _) = data
    run = lm.build(lm.MnistConfig(hidden=(64, 32)), data)
    steps, proba = lm.weight_chain(run.network, x_test[7:8])
    assert [s["name"] for s in steps] == ["W1", "W2", "W3"]
    assert [s["W"].shape for s in steps] == [(784, 64), (64, 32), (32, 10)]
    np.testing.assert_allclose(steps[0]["x_in"], x_test[7] / 255, rtol=1e-6)
    for before, after in itertools.pairwise(steps):
        np.testing.assert_array_equal(before["a"], after["x_in"])
    np.testing.assert_allclose(steps[-1]["a"], proba)
    np.testing.assert_allclose(proba, lm.predict_proba(run.network, x_test[7:8])[0])
    assert proba.sum() == pytest.approx(1.0)


def test_the_gradient_check_agrees_on_mnist(data):
    (x_train, t_train), _ = data
    net = lm.gradcheck_network(5)
    assert net.n_params() == 784 * 5 + 5 + 5 * 10 + 10
    result = lm.gradient_check(net, x_train, t_train, batch=3)
    assert [c.name for c in result.checks] == ["W1", "b1", "W2", "b2"]
    assert result.max_rel_error < 1e-6


def test_data_stats_say_which_digit_is_commonest():
    t_train = np.array([0, 1, 1, 1, 2, 2], dtype=np.int64)
    x_train = np.zeros((6, 4), dtype=np.uint8)
    stats = lm.data_stats(x_train, t_train, np.array([0, 0, 1, 2], dtype=np.int64))
    assert stats.counts_note() == {"most": 1, "most_n": 3, "least": 3, "least_n": 0,
                                   "test_min": 0, "test_max": 2}
    assert stats.means.shape == (10, 2, 2) and stats.pixels["zero_fraction"] == 1.0


def test_the_notes_network_is_784_15_10_with_sigmoid_and_trains(data):
    """Seed 001's network: one hidden layer of 15 neurons between 784 inputs and 10
    outputs. The rest of the settings are the learner's; a short run beats chance."""
    base = lm.MnistConfig(optimizer="SGD", lr=0.1, batch=64, seed=3)
    config = lm.notes_config(base)
    assert config.sizes == "784-15-10" and config.hidden == lm.NOTES_HIDDEN == (15,)
    assert (config.activation, config.init) == ("sigmoid", "xavier")
    assert (config.optimizer, config.lr, config.batch, config.seed) == ("SGD", 0.1, 64, 3)
    assert config.hidden[0] in lm.HIDDEN_CHOICES  # the settings' widgets can show it
    run = lm.build(config, data)
    net = run.network
    assert net.hidden_size_list == [15] and net.activation == "sigmoid"
    assert net.n_params() == 784 * 15 + 15 + 15 * 10 + 10
    run.advance(steps=run.trainer.steps_per_epoch)  # one epoch, scored on the test set
    loss = run.trainer.history.loss.y
    assert np.mean(loss[-50:]) < np.mean(loss[:10]) and run.analysis.acc > 0.8


@pytest.mark.parametrize(("hidden", "activation", "row", "column", "h"), [
    ((15,), "sigmoid", "X·W1·W2", "W2·W1·X", r"\sigma"),
    ((64, 32), "relu", "X·W1·W2·W3", "W3·W2·W1·X", r"\operatorname{ReLU}"),
    ((16, 16, 16), "tanh", "X·W1·W2·W3·W4", "W4·W3·W2·W1·X", r"\tanh"),
])
def test_the_chain_is_written_from_the_network(data, hidden, activation, row, column, h):
    run = lm.build(lm.MnistConfig(hidden=hidden, activation=activation), data)
    forms = lm.chain_forms(run.network)
    assert (forms.depth, forms.activation, forms.row, forms.column) == (
        len(hidden) + 1, activation, row, column)
    # the row form, as the engine computes it: one activation per hidden layer, each
    # wrapping the product before it, and softmax around the last affine
    latex = forms.latex
    assert latex.count(h) == len(hidden) and latex.startswith(r"y = \operatorname{softmax}")
    for i in range(1, len(hidden) + 2):
        assert rf"\cdot W_{{{i}}} + b_{{{i}}}" in latex
    assert latex.index("X") < latex.index("W_{1}") < latex.index(f"W_{{{len(hidden) + 1}}}")
    assert latex.count(r"\left(") == latex.count(r"\right)") == len(hidden) + 1
    # and the chain the figure draws is the same one, in the same order
    steps, _ = lm.weight_chain(run.network, data[1][0][:1])
    assert "·".join(["X", *(s["name"] for s in steps)]) == forms.row


def test_all_finite_tells_a_diverged_network_apart(data):
    run = lm.build(lm.MnistConfig(hidden=(16,)), data)
    W1 = run.network.params["W1"]
    assert lm.all_finite(W1, np.zeros(3)) and lm.all_finite()
    W1[0, 0] = np.inf
    assert not lm.all_finite(W1) and not lm.all_finite(np.zeros(3), np.array([np.nan]))
