"""The trainer: seeded, bounded, yields control, stops clearly on divergence."""

import numpy as np
import pytest

from engine.datasets import spiral
from engine.network import MultiLayerNet
from engine.optimizers import SGD, Adam
from engine.trainer import BoundedSeries, Trainer, TrainingDiverged


def make(seed=0, lr=0.5, **kw):
    x, t = spiral(seed=1)
    net = MultiLayerNet(2, [10], 3, seed=seed)
    return Trainer(net, SGD(lr=lr), x, t, x[:60], t[:60], batch_size=30, seed=seed, **kw)


def test_same_seed_same_run():
    a, b = make(), make()
    a.run(max_steps=25)
    b.run(max_steps=25)
    assert a.history.loss.y == b.history.loss.y
    c = make(seed=1)
    c.run(max_steps=25)
    assert c.history.loss.y != a.history.loss.y


def plain_accuracy(net, x, t):
    """The fraction classified right, from the network's weights with plain numpy:
    ReLU hidden layers, then the argmax of the last affine layer's scores."""
    h = x.astype(np.float64)
    n_layers = len(net.hidden_size_list) + 1
    for i in range(1, n_layers + 1):
        h = h @ net.params[f"W{i}"].astype(np.float64) + net.params[f"b{i}"]
        if i < n_layers:
            h = np.maximum(h, 0.0)
    labels = t.argmax(axis=1) if t.ndim == 2 else t  # one-hot or labels
    return float((h.argmax(axis=1) == labels).mean())


def test_steps_yield_after_every_step_and_epochs_end():
    trainer = make()
    assert trainer.steps_per_epoch == 10
    events = list(trainer.steps(max_steps=20))
    assert [e.step for e in events] == list(range(1, 21))
    ends = [e for e in events if e.epoch_end is not None]
    assert [e.step for e in ends] == [10, 20]
    assert [e.epoch for e in events] == [0] * 9 + [1] * 10 + [2]
    assert trainer.epoch == 2 and len(trainer.history.epochs) == 2
    # the record of the last epoch: accuracies of the weights as they are now, and the mean
    # of the ten step losses of that epoch
    rec = trainer.history.epochs[-1]
    assert (rec.epoch, rec.step) == (2, 20)
    assert rec.loss == pytest.approx(np.mean([e.loss for e in events[10:]]), rel=1e-12)
    x, t = spiral(seed=1)
    assert rec.train_acc == pytest.approx(plain_accuracy(trainer.network, x, t), abs=1e-12)
    assert rec.test_acc == pytest.approx(plain_accuracy(trainer.network, x[:60], t[:60]),
                                         abs=1e-12)


def batches_seen(trainer, n_steps):
    """The sample indices of each mini-batch trained on, read from the batches themselves:
    column 0 of every training sample holds its own index."""
    seen = []
    backprop = trainer.network.backprop

    def spy(xb, tb):
        seen.append(np.asarray(xb)[:, 0].astype(int).tolist())
        return backprop(xb, tb)

    trainer.network.backprop = spy
    trainer.run(max_steps=n_steps)
    return seen


def test_every_epoch_is_a_new_permutation_of_the_training_set():
    """50 samples in batches of 16 (the last batch of an epoch has 2): each epoch visits every
    sample exactly once, in an order that is shuffled and different from the epoch before,
    and the same seed gives the same orders."""
    n = 50
    x = np.column_stack([np.arange(n), np.zeros(n)]).astype(np.float32)  # x[i, 0] = i
    t = np.arange(n) % 2

    def trainer(seed):
        net = MultiLayerNet(2, [3], 2, seed=0)
        return Trainer(net, SGD(lr=1e-4), x, t, batch_size=16, seed=seed, eval_samples=0)

    batches = batches_seen(trainer(seed=3), 12)  # three epochs of 4 steps
    assert [len(b) for b in batches] == [16, 16, 16, 2] * 3
    epochs = [[i for batch in batches[e:e + 4] for i in batch] for e in (0, 4, 8)]
    for order in epochs:
        assert sorted(order) == list(range(n)), "each epoch is a permutation of all samples"
    assert epochs[0] != list(range(n)), "the first epoch is shuffled"
    assert epochs[0] != epochs[1] and epochs[1] != epochs[2], "each epoch is reshuffled"
    assert batches_seen(trainer(seed=3), 12) == batches, "the same seed, the same orders"
    assert batches_seen(trainer(seed=4), 4) != batches[:4], "another seed, another order"


def test_run_is_bounded_and_resumable():
    trainer = make()
    assert len(trainer.run(max_steps=7)) == 7
    assert len(trainer.run(until_epoch=1)) == 3  # finishes the first epoch
    assert trainer.epoch == 1
    assert len(trainer.run(max_seconds=0.0)) == 1  # at least one step, then time is up
    with pytest.raises(ValueError, match="never ends"):
        trainer.run()


def test_run_stops_after_the_step_at_which_stop_says_so():
    trainer = make()
    asked = []

    def stop():
        asked.append(trainer.step_count)
        return trainer.step_count >= 5

    assert len(trainer.run(max_steps=100, stop=stop)) == 5
    assert asked == [1, 2, 3, 4, 5]  # asked after every step
    assert len(trainer.run(until_epoch=1, stop=lambda: False)) == 5  # the epoch, as without it


def test_fit_with_callback_can_stop_early():
    trainer = make()
    seen = []
    trainer.fit(epochs=5, callback=lambda e: seen.append(e.step) or e.step < 12)
    assert seen[-1] == 12 and trainer.step_count == 12


def test_fit_learns():
    trainer = make(lr=1.0)
    trainer.fit(epochs=100)
    first, last = trainer.history.epochs[0], trainer.history.epochs[-1]
    assert last.loss < first.loss and last.train_acc > 0.8


def test_grad_stats_per_layer_are_recorded():
    trainer = make(stats_every=5)
    trainer.run(max_steps=20)
    stats = trainer.history.grad_stats
    assert list(stats) == ["W1", "W2"]
    assert stats["W1"].x == [1, 5, 10, 15, 20]
    assert all(v > 0 for v in stats["W2"].y)


def test_history_is_bounded_but_spans_the_run():
    series = BoundedSeries(limit=100)
    for i in range(10_000):
        series.append(i, float(i))
    assert len(series) < 100
    assert series.x[0] == 0 and series.x[-1] > 9_000
    steps = np.diff(series.x)
    assert (steps == steps[0]).all(), "points stay evenly spaced"


def test_uint8_data_is_scaled_per_batch():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (50, 4), dtype=np.uint8)
    x[:, 0] = np.arange(50)  # each sample's index, to find it in a shuffled batch
    t = rng.integers(0, 2, 50)
    net = MultiLayerNet(4, [3], 2, seed=0)
    trainer = Trainer(net, SGD(0.1), x, t, batch_size=10)
    xb, tb = trainer.next_batch()
    assert xb.dtype == np.float32 and float(xb.max()) <= 1.0
    idx = np.rint(xb[:, 0] * 255).astype(int)
    np.testing.assert_allclose(xb, x[idx] / 255, rtol=1e-6)
    np.testing.assert_array_equal(tb, t[idx])
    trainer.run(max_steps=5)
    assert x.dtype == np.uint8  # the dataset itself is untouched


def test_divergence_raises_a_clear_error():
    x, t = spiral(seed=1)
    net = MultiLayerNet(2, [10], 3, seed=0, weight_init_std=10.0)
    trainer = Trainer(net, Adam(lr=1e30), x, t, batch_size=30)
    with pytest.raises(TrainingDiverged, match="smaller learning rate"), np.errstate(all="ignore"):
        trainer.run(max_steps=50)
    assert issubclass(TrainingDiverged, ValueError)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(batch_size=0), "batch_size must be a positive integer"),
        (dict(stats_every=0), "stats_every must be a positive integer"),
        (dict(x_train=np.ones((10, 3))), r"x_train must have shape \(N, 2\)"),
        (dict(t_train=np.zeros(7, dtype=int)), "300 samples but t_train has 7"),
        (dict(x_train=np.full((300, 2), np.nan)), "NaN"),
        (dict(x_test=np.ones((5, 2)), t_test=None), "test data and labels are both required"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, message):
    x, t = spiral(seed=1)
    args = dict(x_train=x, t_train=t, batch_size=30) | kwargs
    net = MultiLayerNet(2, [4], 3)
    with pytest.raises(ValueError, match=message):
        Trainer(net, SGD(0.1), **args)


def test_measure_speed_counts_the_samples_it_trains():
    from engine.trainer import measure_speed

    x, t = spiral()
    net = MultiLayerNet(2, [10], 3, seed=0)
    trainer = Trainer(net, SGD(lr=0.1), x, t, batch_size=30, seed=0, eval_samples=0)
    speed = measure_speed(trainer, seconds=0.2, warmup_steps=3)
    assert speed > 0
    # it trained: warm-up steps plus at least one timed step, each a batch of 30
    assert trainer.step_count >= 4
    with pytest.raises(ValueError, match="seconds"):
        measure_speed(trainer, seconds=0)
