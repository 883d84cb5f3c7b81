"""A limit on how often one learner's session runs the whole page.

A browser asks for a whole-page run on a click or a changed widget: a few a second at the
most, even while a slider is dragged. A client that sends rerun requests in a loop (50 a
second in tests/load/test_classroom.py) makes Streamlit start the page again on every one:
with `runner.fastReruns` (on by default) each request starts a new script thread at once,
and the one before it stops at its next element. Each of those runs draws part of the page
before the next request stops it: CPU time the other learners' runs wait for.

limit_whole_runs() is the shell's first call. A session may run BURST whole pages within
any WINDOW_S seconds; a run beyond that waits, drawing nothing, until the oldest of those
is WINDOW_S old. If a newer request comes while it waits (the flooder's next one, or the
learner's next click), it gives way at once: it returns, and Streamlit ends it at the
shell's first element. So a flooding session runs at most BURST pages per WINDOW_S, the
rest of its requests cost Streamlit's own bookkeeping only, and the last request of any
burst still runs, late, with the latest widget values. Fragment runs (a live view's ticks,
a fragment's own widgets) do not run the shell and are not counted.
"""

from __future__ import annotations

import time
from collections import deque

import streamlit as st

from ui.live import next_run_asked

WINDOW_S = 2.0
BURST = 10  # whole runs per WINDOW_S: far above a person's clicks, below a loop's requests
POLL_S = 0.05  # how often a waiting run looks for a newer request
KEY = "_throttle.runs"  # session-state key: when the session's recent runs began
clock = time.monotonic  # a test may set its own clock and sleep
sleep = time.sleep


def limit_whole_runs() -> bool:
    """Note this whole run, after waiting if the session is over its limit. False when a
    newer request came while it waited: the run is to end (Streamlit ends it at the next
    element), and is not counted."""
    runs: deque = st.session_state.setdefault(KEY, deque(maxlen=BURST))
    while len(runs) == BURST and (wait := runs[0] + WINDOW_S - clock()) > 0:
        if next_run_asked():
            return False
        sleep(min(POLL_S, wait))
    runs.append(clock())
    return True
