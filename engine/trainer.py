"""Mini-batch training that hands control back after every step or chunk.

    trainer = Trainer(net, Adam(lr=0.001), x_train, t_train, x_test, t_test, seed=0)
    for event in trainer.steps():        # one mini-batch per iteration
        ...                              # a page redraws here, or breaks to pause
    trainer.run(max_steps=50)            # or a bounded chunk, e.g. inside a fragment
    trainer.fit(epochs=5, callback=fn)   # or a whole run with a callback

The trainer never prints, plots or imports a UI. It keeps a bounded history of
what the pages show: the loss of every step (thinned evenly once it is long),
accuracy after every epoch, and the mean |gradient| per weight of each layer.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from .backend import InputError, positive_int, to_float
from .datasets import to_float_batch
from .network import MultiLayerNet
from .optimizers import Optimizer


class TrainingDiverged(InputError):
    """The loss became NaN or infinite: usually a learning rate that is too large."""


class BoundedSeries:
    """(x, y) points, never more than `limit`: when full, every other point is dropped
    and from then on only every `stride`-th new point is kept. The series always
    spans the whole run, evenly thinned, with bounded memory and redraw size.
    """

    def __init__(self, limit: int = 2000) -> None:
        if limit < 2:
            raise ValueError(f"limit must be at least 2, got {limit}")
        self.limit = limit
        self.stride = 1
        self._seen = 0
        self.x: list = []
        self.y: list = []

    def append(self, x, y) -> None:
        if self._seen % self.stride == 0:
            self.x.append(x)
            self.y.append(y)
            if len(self.x) >= self.limit:
                self.x = self.x[::2]
                self.y = self.y[::2]
                self.stride *= 2
        self._seen += 1

    def __len__(self) -> int:
        return len(self.x)


@dataclass
class EpochRecord:
    epoch: int
    step: int
    loss: float  # mean training loss over the epoch
    train_acc: float | None
    test_acc: float | None
    seconds: float  # training time so far (evaluation excluded)


@dataclass
class History:
    """What a run recorded: bounded, so a long run cannot fill memory."""

    loss: BoundedSeries = field(default_factory=BoundedSeries)
    grad_stats: dict[str, BoundedSeries] = field(default_factory=dict)
    epochs: list[EpochRecord] = field(default_factory=list)


@dataclass
class StepEvent:
    """What `steps()` yields after each mini-batch."""

    step: int
    epoch: int  # epochs completed so far
    loss: float
    epoch_end: EpochRecord | None  # set on the step that completed an epoch


def _check_data(x, t, name: str, input_size: int):
    if x is None or t is None:
        raise ValueError(f"{name} data and labels are both required")
    x = np.asarray(x) if not hasattr(x, "shape") else x
    if x.ndim < 2 or x[0].size != input_size:
        raise ValueError(f"x_{name} must have shape (N, {input_size}), got {tuple(x.shape)}")
    if len(t) != len(x):
        raise ValueError(f"x_{name} has {len(x)} samples but t_{name} has {len(t)}")
    if len(x) == 0:
        raise ValueError(f"x_{name} is empty")
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        raise ValueError(f"x_{name} contains NaN or infinite values")
    return x.reshape(len(x), -1), t


class Trainer:
    """Train `network` with `optimizer` on mini-batches of (x_train, t_train).

    x may be float, or uint8 pixels (0..255): uint8 batches are scaled to [0, 1]
    one batch at a time, so a dataset can stay uint8 in memory.
    Each epoch visits every sample once in an order drawn from `seed`.
    After each epoch, accuracy is measured on up to `eval_samples` training
    samples (None: all of them; 0: none) and on the whole test set (if given).
    """

    def __init__(self, network: MultiLayerNet, optimizer: Optimizer, x_train, t_train,
                 x_test=None, t_test=None, *, batch_size: int = 100, seed: int | None = 0,
                 eval_samples: int | None = 10000, stats_every: int = 10,
                 history_limit: int = 2000) -> None:
        self.network = network
        self.optimizer = optimizer
        self.x_train, self.t_train = _check_data(x_train, t_train, "train", network.input_size)
        self.has_test = x_test is not None or t_test is not None
        if self.has_test:
            self.x_test, self.t_test = _check_data(x_test, t_test, "test", network.input_size)
        self.batch_size = min(positive_int(batch_size, "batch_size"), len(self.x_train))
        self.eval_samples = eval_samples
        self.stats_every = positive_int(stats_every, "stats_every")
        self.rng = np.random.default_rng(seed)
        self.history = History(loss=BoundedSeries(history_limit))
        self.history_limit = history_limit
        self.step_count = 0
        self.epoch = 0  # completed epochs
        self.train_seconds = 0.0
        self._order = self.rng.permutation(len(self.x_train))
        self._pos = 0
        self._epoch_loss_sum = 0.0
        self._epoch_loss_n = 0

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(len(self.x_train) / self.batch_size)

    def next_batch(self):
        """The next mini-batch (x, t) of this epoch's shuffled order, ready for the network."""
        idx = self._order[self._pos:self._pos + self.batch_size]
        self._pos += len(idx)
        return self._to_network(self.x_train, self.t_train, idx)

    def _to_network(self, x, t, idx):
        """x[idx], t[idx] on the network's backend and dtype (uint8 pixels scaled to [0, 1])."""
        net = self.network
        xb, tb = net.xp.asarray(x[idx]), net.xp.asarray(t[idx])
        if xb.dtype == np.uint8:
            return to_float_batch(xb, net.dtype), tb
        return xb.astype(net.dtype, copy=False), tb

    def step(self) -> StepEvent:
        """One mini-batch: forward, backward, update. Ends an epoch when the data runs out."""
        start = time.perf_counter()
        x, t = self.next_batch()
        loss, grads = self.network.backprop(x, t)
        loss = to_float(loss)
        if not math.isfinite(loss):
            raise TrainingDiverged(
                "diverged",
                f"the loss became {loss} at step {self.step_count + 1}: training diverged. "
                f"Try a smaller learning rate (now {self.optimizer.lr}).",
                loss=loss, step=self.step_count + 1, lr=self.optimizer.lr)
        self.optimizer.update(self.network.params, grads)
        self.step_count += 1
        self._epoch_loss_sum += loss
        self._epoch_loss_n += 1
        self.history.loss.append(self.step_count, loss)
        if self.step_count % self.stats_every == 0 or self.step_count == 1:
            for key, value in self.network.grad_stats().items():
                series = self.history.grad_stats.setdefault(key, BoundedSeries(self.history_limit))
                series.append(self.step_count, value)
        self.train_seconds += time.perf_counter() - start
        record = self._end_epoch() if self._pos >= len(self.x_train) else None
        return StepEvent(self.step_count, self.epoch, loss, record)

    def _end_epoch(self) -> EpochRecord:
        self.epoch += 1
        record = EpochRecord(
            epoch=self.epoch, step=self.step_count,
            loss=self._epoch_loss_sum / max(self._epoch_loss_n, 1),
            train_acc=self.evaluate("train") if self.eval_samples != 0 else None,
            test_acc=self.evaluate("test") if self.has_test else None,
            seconds=self.train_seconds)
        self.history.epochs.append(record)
        self._order = self.rng.permutation(len(self.x_train))
        self._pos = 0
        self._epoch_loss_sum, self._epoch_loss_n = 0.0, 0
        return record

    def evaluate(self, which: str = "test") -> float:
        """Accuracy on the test set, or on up to eval_samples training samples."""
        if which == "test":
            if not self.has_test:
                raise ValueError("this trainer has no test data")
            x, t = self.x_test, self.t_test
        elif which == "train":
            x, t = self.x_train, self.t_train
            if self.eval_samples is not None and self.eval_samples < len(x):
                x, t = x[:self.eval_samples], t[:self.eval_samples]
        else:
            raise ValueError(f"which must be 'train' or 'test', got {which!r}")
        net, correct = self.network, 0
        for start in range(0, len(x), 1000):
            xb, tb = self._to_network(x, t, slice(start, start + 1000))
            correct += net.accuracy(xb, tb) * len(xb)
        return correct / len(x)

    def steps(self, max_steps: int | None = None) -> Iterator[StepEvent]:
        """Yield after every mini-batch, forever or for `max_steps` steps."""
        for _ in itertools.count() if max_steps is None else range(max_steps):
            yield self.step()

    def run(self, max_steps: int | None = None, max_seconds: float | None = None,
            until_epoch: int | None = None, stop: Callable | None = None) -> list[StepEvent]:
        """A bounded chunk: stop after max_steps, max_seconds, when `until_epoch` epochs are
        complete, or when stop() (asked after every step) is True. Returns the step events.
        """
        if max_steps is None and max_seconds is None and until_epoch is None:
            raise ValueError("give max_steps, max_seconds or until_epoch, or the run never ends")
        deadline = None if max_seconds is None else time.perf_counter() + max_seconds
        events = []
        for event in self.steps(max_steps):
            events.append(event)
            if (until_epoch is not None and self.epoch >= until_epoch) or (
                    deadline is not None and time.perf_counter() >= deadline) or (
                    stop is not None and stop()):
                break
        return events

    def fit(self, epochs: int, callback: Callable[[StepEvent], object] | None = None) -> History:
        """Train for `epochs` more epochs, calling `callback(event)` after every step;
        a callback that returns False stops the run early. Returns the history.
        """
        target = self.epoch + positive_int(epochs, "epochs")
        for event in self.steps():
            if callback is not None and callback(event) is False:
                break
            if self.epoch >= target:
                break
        return self.history


def measure_speed(trainer: Trainer, seconds: float = 1.0, warmup_steps: int = 5) -> float:
    """Samples per second of `trainer` over about `seconds` of plain training steps.

    It trains the trainer's network: measure on a throwaway copy. A few warm-up steps go
    first (a GPU compiles its kernels on first use), and on a GPU the clock is read only
    after the device has finished its queued work.
    """
    if not (isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"seconds must be a positive number, got {seconds!r}")
    xp = trainer.network.xp

    def synchronize() -> None:
        if xp is not np:
            xp.cuda.Device().synchronize()

    for _ in range(warmup_steps):
        trainer.step()
    synchronize()
    start, samples = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        trainer.step()
        samples += trainer.batch_size
    synchronize()
    return samples / (time.perf_counter() - start)
