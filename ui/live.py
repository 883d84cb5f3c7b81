"""Live training in a page: start, pause, step and reset, and a view that redraws as it runs.

    loop = LiveLoop("perceptron.xor", advance=advance, draw=draw, reset=reset)
    loop.controls()      # the four buttons
    loop.view()          # a fragment: while running, advance() then draw() every `tick` s

The page keeps its model in st.session_state and hands the loop three callables:

- advance(): one bounded chunk of work, e.g. trainer.run(max_steps=100, max_seconds=0.15).
  It returns None to go on, or a Stop(message, kind) when the run is over (learned, stuck,
  step cap reached): the loop pauses itself and shows the message. A ValueError (the
  engine's TrainingDiverged among them) also pauses it, shown as an error, never a crash.
- draw(): draws the current state (metrics, charts). It runs inside the fragment, so only
  this part of the page is redrawn on every tick.
- reset(): rebuilds the model from the page's settings.

"Step" calls the same advance() once, so a test (AppTest does not run timers) can drive the
loop through it. The timer exists only while running: start and pause rerun the whole page,
which registers the fragment with or without `run_every`.

Many learners share one server: ui.slots.TrainingSlots lets at most MAX_CONCURRENT chunks
run at once (one per core by default, $ENGINE_TRAINING_SLOTS), the others queue first come
first served. A tick that has to wait says so in the view ("yours is 3rd in line") and
goes on by itself; a click or a closed tab ends the wait at once. A Step click or a
whole-page run never waits: with no free slot it draws, and says the server is busy.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from engine.trainer import TrainingDiverged
from ui.i18n import t
from ui.runtime import training_slot_count
from ui.slots import TrainingSlots

# chunks of training running at the same moment, for the whole server
MAX_CONCURRENT = training_slot_count()
MAX_WAIT_S = 30.0  # in line for a slot, within one run of the view; then it tries again
SHOW_WAIT_AFTER_S = 0.5  # a shorter wait goes unmentioned
DEFAULT_TICK_S = 0.3
_SLOTS = TrainingSlots(MAX_CONCURRENT)
# The clock that times a wait in line against SHOW_WAIT_AFTER_S, read when it is called: a
# test sets its own (tests/app/test_slots.py) to say when the notice is due.
clock = time.monotonic
NOTE_KINDS = ("success", "info", "warning", "error")


@dataclass(frozen=True)
class Stop:
    """What advance() returns when the run is over: the note to show, and its kind."""

    message: str
    kind: str = "success"

    def __post_init__(self):
        if self.kind not in NOTE_KINDS:
            raise ValueError(f"kind must be one of {', '.join(NOTE_KINDS)}, got {self.kind!r}")


class LiveLoop:
    """Start / pause / step / reset buttons and a timed view for one live model.

    `key` prefixes every session-state key the loop uses (<key>.running, <key>.note,
    <key>.busy) and the buttons' keys (<key>.start, <key>.pause, <key>.step, <key>.reset).
    """

    def __init__(self, key: str, *, advance: Callable[[], Stop | None],
                 draw: Callable[[], None], reset: Callable[[], None],
                 tick: float = DEFAULT_TICK_S, step_help: str | None = None,
                 burst: float | None = None) -> None:
        if tick <= 0:
            raise ValueError(f"tick must be positive, got {tick}")
        if burst is not None and burst <= 0:
            raise ValueError(f"burst must be positive, got {burst}")
        self.key = key
        self.advance = advance
        self.draw = draw
        self.reset_model = reset
        self.tick = tick
        self.step_help = step_help
        self.burst = burst
        self.frame = 0  # in burst mode: which redraw of this fragment run draw() is making
        self._inline = False  # the fragment is running inside a whole-page run
        self._wait_slot = None  # where the view says that it waits in line (a fragment run's)
        self._waited = False  # ... and whether it says so now
        self._shown_now = False  # ... because of the wait going on now
        self._wait_began = 0.0
        st.session_state.setdefault(self._k("running"), False)
        st.session_state.setdefault(self._k("note"), None)

    def _k(self, name: str) -> str:
        return f"{self.key}.{name}"

    # --- state -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return bool(st.session_state.get(self._k("running"), False))

    @property
    def note(self) -> Stop | None:
        return st.session_state.get(self._k("note"))

    def pause(self) -> None:
        st.session_state[self._k("running")] = False

    def reset(self) -> None:
        """Pause, forget the note, rebuild the model (also for a page whose settings changed)."""
        self.pause()
        st.session_state[self._k("note")] = None
        self.reset_model()

    def start(self) -> None:
        """Run from the next tick on (a button callback: the rerun registers the timer)."""
        st.session_state[self._k("note")] = None
        st.session_state[self._k("running")] = True

    def stop_with(self, note: Stop | None) -> None:
        """Pause and show `note` (None: no note)."""
        self.pause()
        st.session_state[self._k("note")] = note

    def step_once(self, wait: float = 0.0) -> bool:
        """Advance one chunk once a slot is free, waiting up to `wait` s in line for one
        (the view shows the place in line meanwhile). True when the run is over after it."""
        self._wait_began = clock()
        self._shown_now = False
        if not _SLOTS.acquire(wait, on_wait=self._show_wait if wait > 0 else None):
            st.session_state[self._k("busy")] = True
            return False
        try:  # from here on the slot is released whatever happens, a closed tab included
            st.session_state[self._k("busy")] = False
            if self._waited and not self._shown_now:  # the line is short again
                self._waited = False
                self._wait_slot.empty()
            stop = self.advance()
        except TrainingDiverged as err:
            stop = Stop(t("live.diverged", message=str(err)), "error")
        except (ValueError, ArithmeticError) as err:
            stop = Stop(t("error.bad_input", message=str(err)), "error")
        finally:
            _SLOTS.release()
        if stop is not None:
            st.session_state[self._k("note")] = stop
            self.pause()
            return True
        return False

    def _show_wait(self, position: int, capacity: int) -> None:
        """Say so when the wait is long enough to notice. The note stays while the turns
        come slowly, so that it does not flicker, and goes once a turn comes quickly."""
        if clock() - self._wait_began < SHOW_WAIT_AFTER_S:
            return
        # drawing is also where Streamlit ends this run if the learner clicked or left
        self._wait_slot.info(t("live.waiting", position=position, n=capacity),
                             icon=":material/hourglass_top:")
        self._waited = self._shown_now = True

    def _tick_wait(self) -> float:
        """How long a tick may wait in line: never inside a whole-page run, which would
        hold back the rest of the page."""
        return 0.0 if self._inline else MAX_WAIT_S

    def _step_clicked(self) -> None:
        st.session_state[self._k("note")] = None
        self.step_once()

    # --- drawing ---------------------------------------------------------------------------

    def controls(self) -> None:
        """Start, pause, step and reset, in one row. Each click reruns the page."""
        running = self.running
        cols = st.columns(4)
        cols[0].button(t("live.start"), key=self._k("start"), on_click=self.start,
                       disabled=running, icon=":material/play_arrow:", width="stretch",
                       type="primary")
        cols[1].button(t("live.pause"), key=self._k("pause"), on_click=self.pause,
                       disabled=not running, icon=":material/pause:", width="stretch")
        cols[2].button(t("live.step"), key=self._k("step"), on_click=self._step_clicked,
                       disabled=running, icon=":material/skip_next:", width="stretch",
                       help=self.step_help)
        cols[3].button(t("live.reset"), key=self._k("reset"), on_click=self.reset,
                       icon=":material/restart_alt:", width="stretch")

    def view(self) -> None:
        """The fragment: while running it advances one chunk per tick, then draws."""
        running = self.running
        self._inline = True
        try:
            st.fragment(self._body, run_every=self.tick if running else None)()
        finally:
            self._inline = False

    def render(self) -> None:
        self.controls()
        self.view()

    def _body(self) -> None:
        if self.burst is not None:
            self._burst_body()
            return
        self._wait_slot = st.empty()
        if self.running and self.step_once(self._tick_wait()):
            st.rerun()  # the whole page: it registers the fragment again, without the timer
        self._notes()
        self.draw()

    def _notes(self) -> None:
        if st.session_state.get(self._k("busy")):
            st.caption(t("live.busy", n=MAX_CONCURRENT))
        note = self.note
        if note is not None:
            show = {"success": st.success, "info": st.info, "warning": st.warning,
                    "error": st.error}[note.kind]
            show(note.message)

    def _burst_body(self) -> None:
        """Burst mode: chunk, redraw, chunk, redraw ... for up to `burst` seconds in one run.

        Each redraw is streamed to the browser while the next chunk already trains, so the
        training does not wait for the browser's round trip between ticks. draw() is called
        with self.frame = 0, 1, 2, ... and may keep slots (st.empty) from frame 0 to redraw
        only what changed. A click elsewhere on the page interrupts the run at once.
        Inside a whole-page run it draws one frame only, so that the rest of the page below
        is not held back; the fragment's own runs, right after, do the bursts.
        """
        deadline = time.perf_counter() + (0.0 if self._inline else self.burst)
        self.frame = 0
        self._wait_slot = st.empty()
        while True:
            if self.running and self.step_once(self._tick_wait()):
                st.rerun()
            if self.frame == 0:
                self._notes()
            self.draw()
            self.frame += 1
            if (not self.running or st.session_state.get(self._k("busy"))
                    or time.perf_counter() >= deadline):
                break
