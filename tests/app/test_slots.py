"""The fair, process-wide cap on training (ui/slots.py): at most `capacity` at once, the
others served first come first served, a waiter told its place, and nobody left in line.

Nothing here races a timer: worker threads hand their results (and any exception) back to
the test, which asserts them itself; threads line up one after the other by waiting for
the queue to grow; and the timeouts and the wait notice run on a clock the test moves.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from ui.slots import TrainingSlots

JOIN_S = 30  # generous: a thread that has not ended by then is a failure, not a slow machine


class ManualClock:
    """A clock that moves only when the test says so."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Workers:
    """Threads whose return values and exceptions come back to the test's own thread."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []
        self.results: list[object] = []
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()

    def start(self, target: Callable[[], object]) -> threading.Thread:
        def run():
            try:
                result = target()
            except BaseException as err:  # handed to the test, asserted in join()
                with self._lock:
                    self.errors.append(err)
            else:
                with self._lock:
                    self.results.append(result)

        th = threading.Thread(target=run, daemon=True)
        self.threads.append(th)
        th.start()
        return th

    def join(self) -> list[object]:
        for th in self.threads:
            th.join(JOIN_S)
        assert not [th for th in self.threads if th.is_alive()], "a worker never ended"
        if self.errors:
            raise self.errors[0]
        return self.results


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Wait for another thread to get somewhere (not for time to pass)."""
    deadline = time.monotonic() + JOIN_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"never happened: {what}")
        time.sleep(0.001)


def test_capacity_is_checked():
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="capacity must be a positive integer"):
            TrainingSlots(bad)
    with pytest.raises(ValueError, match="poll must be positive"):
        TrainingSlots(1, poll=0)
    with pytest.raises(ValueError, match="timeout must not be negative"):
        TrainingSlots(1).acquire(-1)


def test_at_most_capacity_at_once_and_no_wait_without_timeout():
    slots = TrainingSlots(2)
    assert slots.acquire() and slots.acquire()
    assert slots.running == 2
    assert not slots.acquire()  # timeout 0: no waiting, no place in line
    assert slots.waiting == 0
    slots.release()
    assert slots.acquire()
    slots.release()
    slots.release()
    assert slots.running == 0
    with pytest.raises(RuntimeError, match="without a slot"):
        slots.release()


def test_a_waiter_is_told_its_place_and_gives_up_at_its_timeout():
    """On the test's clock the timeout is 1 s and every poll takes 0.4 s: the waiter is
    told its place at 0, 0.4 and 0.8 s, and gives up at 1.2 s, however slow the machine."""
    clock = ManualClock()
    slots = TrainingSlots(1, poll=0.001, clock=clock)
    assert slots.acquire()
    seen = []

    def told(position, capacity):
        seen.append((clock.now, position, capacity))
        clock.now = round(clock.now + 0.4, 9)

    assert not slots.acquire(1.0, on_wait=told)
    assert seen == [(0.0, 1, 1), (0.4, 1, 1), (0.8, 1, 1)]
    assert clock.now == 1.2
    assert slots.waiting == 0  # gave up: out of the line
    slots.release()


def test_waiters_are_served_first_come_first_served():
    slots = TrainingSlots(1, poll=0.01)
    assert slots.acquire()
    order: list[int] = []
    workers = Workers()

    def waiter(name):
        got = slots.acquire(JOIN_S)
        if got:
            order.append(name)  # holding the only slot: nobody else appends meanwhile
            slots.release()
        return name, got

    for name in range(6):
        workers.start(lambda name=name: waiter(name))
        # the next thread starts only once this one stands in line
        wait_until(lambda name=name: slots.waiting == name + 1, f"waiter {name} in line")
    slots.release()
    results = workers.join()
    assert sorted(results) == [(name, True) for name in range(6)]
    assert order == list(range(6))
    assert slots.running == 0 and slots.waiting == 0


def test_never_more_than_capacity_under_contention():
    slots = TrainingSlots(3, poll=0.005)
    lock = threading.Lock()
    now = [0]
    peak = [0]
    workers = Workers()

    def work():
        done = 0
        for _ in range(20):
            if not slots.acquire(JOIN_S):
                return done
            with lock:
                now[0] += 1
                peak[0] = max(peak[0], now[0])
            time.sleep(0.001)
            with lock:
                now[0] -= 1
            slots.release()
            done += 1
        return done

    for _ in range(12):
        workers.start(work)
    assert workers.join() == [20] * 12  # every chunk got its turn
    # what the cap guarantees; how close to it the threads came depends on the scheduler
    assert 1 <= peak[0] <= 3
    assert slots.running == 0 and slots.waiting == 0


def test_every_slot_can_be_in_use_at_once():
    """Three holders meet at a barrier while each holds a slot: the cap is reached, and
    a fourth caller with no time to wait is turned away."""
    slots = TrainingSlots(3)
    together = threading.Barrier(4)
    workers = Workers()

    def hold():
        assert slots.acquire(JOIN_S)
        together.wait(JOIN_S)  # all three hold a slot now
        together.wait(JOIN_S)  # ... until the test has looked
        slots.release()
        return True

    for _ in range(3):
        workers.start(hold)
    together.wait(JOIN_S)
    running, refused = slots.running, not slots.acquire()
    together.wait(JOIN_S)
    assert workers.join() == [True] * 3
    assert running == 3 and refused
    assert slots.running == 0 and slots.waiting == 0


class LearnerLeft(Exception):
    """Stands for Streamlit's StopException, raised while drawing when the tab closed."""


def test_a_waiter_whose_learner_left_leaves_the_line():
    slots = TrainingSlots(1, poll=0.01, clock=ManualClock())  # never times out by itself
    assert slots.acquire()

    def leave(position, capacity):
        raise LearnerLeft

    with pytest.raises(LearnerLeft):
        slots.acquire(5, on_wait=leave)
    assert slots.waiting == 0
    slots.release()
    assert slots.acquire()  # the line is not blocked by the one who left
    slots.release()


def test_two_free_slots_let_two_waiters_go():
    slots = TrainingSlots(2, poll=0.01)
    assert slots.acquire() and slots.acquire()
    workers = Workers()
    for _ in range(2):
        workers.start(lambda: slots.acquire(JOIN_S))
    wait_until(lambda: slots.waiting == 2, "two waiters in line")
    slots.release()
    slots.release()
    assert workers.join() == [True, True]
    assert slots.running == 2 and slots.waiting == 0
    slots.release()
    slots.release()


# ---------------------------------------------------------------- the wait, as a learner sees it


def _queued_script():
    import streamlit as st

    from ui.live import LiveLoop

    st.session_state.setdefault("n", 0)

    def advance():
        st.session_state["n"] += 1

    loop = LiveLoop("queued", advance=advance, reset=lambda: None,
                    draw=lambda: st.metric("n", st.session_state["n"]))
    st.session_state["queued.running"] = True
    loop._body()  # what each timed run of the view does: wait in line, train, draw


def queued_learner(monkeypatch, clock: ManualClock, on_poll: Callable[[int], None]):
    """The script above, with every slot taken by the test, ui.live's clock set to `clock`,
    and `on_poll(k)` called after the view has handled its k-th poll in line (k = 1, 2, ...);
    it runs in the script's thread, between two polls. Returns the AppTest, the list of
    (clock, notice shown) of each poll so far, and the slots."""
    from streamlit.testing.v1 import AppTest

    from ui import live

    slots = TrainingSlots(live.MAX_CONCURRENT, poll=0.001)
    monkeypatch.setattr(live, "_SLOTS", slots)
    monkeypatch.setattr(live, "clock", clock)
    polls: list[tuple[float, bool]] = []
    real_show_wait = live.LiveLoop._show_wait

    def show_wait(loop, position, capacity):
        real_show_wait(loop, position, capacity)
        polls.append((clock.now, loop._shown_now))
        on_poll(len(polls))

    monkeypatch.setattr(live.LiveLoop, "_show_wait", show_wait)
    at = AppTest.from_function(_queued_script, default_timeout=JOIN_S)
    at.query_params["lang"] = "en"
    taken = [slots.acquire() for _ in range(live.MAX_CONCURRENT)]
    assert all(taken)
    return at, polls, slots


def test_a_learner_waiting_in_line_is_told_so_and_then_trains(monkeypatch):
    """The slots are all taken (by this test). The view waits in line; once it has waited
    SHOW_WAIT_AFTER_S on the test's clock it says so, then the slots come free and the chunk
    runs; the note stays for that run. With a free slot the next run shows no note."""
    from ui import live
    from ui.i18n import tr

    clock = ManualClock(100.0)
    slots = None

    def on_poll(k):
        if k == 1:
            clock.now += live.SHOW_WAIT_AFTER_S  # the threshold reached: the next poll says so
        elif k == 2:
            for _ in range(live.MAX_CONCURRENT):  # the others' chunks end
                slots.release()

    at, polls, slots = queued_learner(monkeypatch, clock, on_poll)
    at.run()
    assert not at.exception
    assert polls == [(100.0, False), (100.0 + live.SHOW_WAIT_AFTER_S, True)]
    note = tr("en", "live.waiting", position=1, n=live.MAX_CONCURRENT)
    assert [i.value for i in at.info] == [note]
    assert at.metric[0].value == "1"
    at.run()  # a slot is free at once: no note
    assert not at.exception
    assert [i.value for i in at.info] == []
    assert at.metric[0].value == "2"
    assert len(polls) == 2 and slots.running == 0 and slots.waiting == 0


def test_a_short_wait_in_line_goes_unmentioned(monkeypatch):
    """However long the wait takes in real time, a wait shorter than SHOW_WAIT_AFTER_S on
    the test's clock shows no note."""
    from ui import live

    clock = ManualClock(100.0)
    slots = None

    def on_poll(k):
        clock.now += live.SHOW_WAIT_AFTER_S / 4
        if k == 3:
            for _ in range(live.MAX_CONCURRENT):
                slots.release()

    at, polls, slots = queued_learner(monkeypatch, clock, on_poll)
    at.run()
    assert not at.exception
    assert [shown for _, shown in polls] == [False, False, False]
    assert [i.value for i in at.info] == []
    assert at.metric[0].value == "1"
    assert slots.running == 0 and slots.waiting == 0
