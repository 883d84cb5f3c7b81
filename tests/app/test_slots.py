"""The fair, process-wide cap on training (ui/slots.py): at most `capacity` at once, the
others served first come first served, a waiter told its place, and nobody left in line."""

from __future__ import annotations

import threading
import time

import pytest

from ui.slots import TrainingSlots


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
    slots = TrainingSlots(1, poll=0.01)
    assert slots.acquire()
    places = []
    assert not slots.acquire(0.1, on_wait=lambda pos, cap: places.append((pos, cap)))
    assert places and set(places) == {(1, 1)}
    assert slots.waiting == 0  # gave up: out of the line
    slots.release()


def _waiter(slots, name, order, started, hold=0.02):
    started.set()
    assert slots.acquire(10)
    order.append(name)
    time.sleep(hold)
    slots.release()


def test_waiters_are_served_first_come_first_served():
    slots = TrainingSlots(1, poll=0.01)
    assert slots.acquire()
    order: list[int] = []
    threads = []
    for name in range(6):
        started = threading.Event()
        th = threading.Thread(target=_waiter, args=(slots, name, order, started))
        th.start()
        started.wait()
        deadline = time.monotonic() + 5
        while slots.waiting < name + 1 and time.monotonic() < deadline:
            time.sleep(0.005)  # the next thread joins the line only after this one
        threads.append(th)
    assert slots.waiting == 6
    slots.release()
    for th in threads:
        th.join(10)
    assert order == list(range(6))
    assert slots.running == 0 and slots.waiting == 0


def test_never_more_than_capacity_under_contention():
    slots = TrainingSlots(3, poll=0.005)
    lock = threading.Lock()
    now = [0]
    peak = [0]

    def work():
        for _ in range(20):
            assert slots.acquire(10)
            with lock:
                now[0] += 1
                peak[0] = max(peak[0], now[0])
            time.sleep(0.001)
            with lock:
                now[0] -= 1
            slots.release()

    threads = [threading.Thread(target=work) for _ in range(12)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert peak[0] == 3
    assert slots.running == 0 and slots.waiting == 0


class LearnerLeft(Exception):
    """Stands for Streamlit's StopException, raised while drawing when the tab closed."""


def test_a_waiter_whose_learner_left_leaves_the_line():
    slots = TrainingSlots(1, poll=0.01)
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
    got = []

    def wait_one():
        if slots.acquire(5):
            got.append(1)

    threads = [threading.Thread(target=wait_one) for _ in range(2)]
    for th in threads:
        th.start()
    deadline = time.monotonic() + 5
    while slots.waiting < 2 and time.monotonic() < deadline:
        time.sleep(0.005)
    slots.release()
    slots.release()
    for th in threads:
        th.join(5)
    assert got == [1, 1] and slots.running == 2


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


def test_a_learner_waiting_in_line_is_told_so_and_then_trains():
    """The slots are all taken (by this test) and freed 1.5 s later: the view says the
    learner is waiting, then the chunk runs; with a free slot the note goes away."""
    from streamlit.testing.v1 import AppTest

    from ui import live
    from ui.i18n import tr

    at = AppTest.from_function(_queued_script, default_timeout=30)
    at.query_params["lang"] = "en"
    taken = [live._SLOTS.acquire() for _ in range(live.MAX_CONCURRENT)]
    assert all(taken)
    timer = threading.Timer(1.5, lambda: [live._SLOTS.release() for _ in taken])
    timer.start()
    try:
        at.run()
    finally:
        timer.join()
    assert not at.exception
    note = tr("en", "live.waiting", position=1, n=live.MAX_CONCURRENT)
    assert [i.value for i in at.info] == [note]
    assert at.metric[0].value == "1"
    at.run()  # a slot is free at once: no note
    assert not at.exception
    assert [i.value for i in at.info] == []
    assert at.metric[0].value == "2"
