"""A fair, process-wide cap on the training that runs at one moment.

Every learner's training runs in its own script thread. Left alone, forty of them
would share two cores forty ways: each learner's network would crawl, the server would
answer clicks late, and the one process would hold forty half-finished chunks at once.
`TrainingSlots` lets at most `capacity` chunks of work run at the same time; the others
queue, first come first served, and their learners are told they are waiting. Each
chunk is short (a fraction of a second), and a chunk that ends goes to the back of the
queue, so every learner's network advances in turn.

    slots = TrainingSlots(2)
    if slots.acquire(timeout=30, on_wait=show):   # show(position, capacity) while queued
        try:
            work()
        finally:
            slots.release()

`on_wait` is called every `poll` seconds while the caller waits. In a Streamlit page it
draws the "please wait" note; drawing is also where Streamlit stops a script whose
learner clicked elsewhere or closed the tab, so a waiting thread never outlives its
session: the exception leaves the queue on its way out.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

DEFAULT_POLL_S = 0.25


class TrainingSlots:
    def __init__(self, capacity: int, *, poll: float = DEFAULT_POLL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """`clock` times the `timeout` of acquire() (a test may pass a clock of its own);
        the waits between two polls are real, at most `poll` seconds each."""
        if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
            raise ValueError(f"capacity must be a positive integer, got {capacity!r}")
        if not poll > 0:
            raise ValueError(f"poll must be positive, got {poll!r}")
        self.capacity = capacity
        self.poll = poll
        self.clock = clock
        self._cond = threading.Condition()
        self._running = 0
        self._queue: deque[object] = deque()  # tickets of the waiting callers, oldest first

    @property
    def running(self) -> int:
        """Chunks running now."""
        return self._running

    @property
    def waiting(self) -> int:
        """Callers queued now."""
        return len(self._queue)

    def _ready(self, ticket: object) -> bool:
        # the first (capacity - running) tickets in the queue may go
        free = self.capacity - self._running
        return free > 0 and self._queue.index(ticket) < free

    def acquire(self, timeout: float = 0.0,
                on_wait: Callable[[int, int], None] | None = None) -> bool:
        """Take a slot, waiting at most `timeout` seconds in line; True when one was taken.

        While waiting, `on_wait(position, capacity)` is called every `poll` seconds
        (position 1: next in line). An exception from it leaves the queue and propagates.
        """
        if timeout < 0:
            raise ValueError(f"timeout must not be negative, got {timeout!r}")
        ticket = object()
        deadline = self.clock() + timeout
        with self._cond:
            if not self._queue and self._running < self.capacity:
                self._running += 1
                return True
            if timeout == 0:
                return False
            self._queue.append(ticket)
        try:
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: self._ready(ticket),
                                        timeout=min(self.poll, max(deadline - self.clock(),
                                                                   0.0)))
                    if self._ready(ticket):
                        self._queue.remove(ticket)
                        self._running += 1
                        # a second free slot may let the next ticket go as well
                        self._cond.notify_all()
                        return True
                    position = self._queue.index(ticket) + 1
                if self.clock() >= deadline:
                    return False
                if on_wait is not None:
                    on_wait(position, self.capacity)
        finally:
            with self._cond:
                if ticket in self._queue:
                    self._queue.remove(ticket)
                    self._cond.notify_all()

    def release(self) -> None:
        with self._cond:
            if self._running == 0:
                raise RuntimeError("release() without a slot taken")
            self._running -= 1
            self._cond.notify_all()
