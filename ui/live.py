"""Live training in a page: start, pause, step and reset, and a view that redraws as it runs.

    loop = LiveLoop("perceptron.xor", advance=advance, draw=draw, reset=reset)
    loop.controls()      # the four buttons (a page may relabel Start and add its own)
    loop.view()          # a fragment: while running, advance() then draw() every `tick` s

The page keeps its model in st.session_state and hands the loop three callables:

- advance(): one bounded chunk of work, e.g. trainer.run(max_steps=100, max_seconds=0.15).
  It returns None to go on, or a Stop(message, kind) when the run is over (learned, stuck,
  step cap reached): the loop pauses itself and shows the message. A ValueError (the
  engine's TrainingDiverged among them) also pauses it, shown as an error, never a crash.
- draw(): draws the current state (metrics, charts). It runs inside the fragment, so only
  this part of the page is redrawn on every tick.
- reset(): rebuilds the model from the page's settings.

One chunk, one path: step_once() acquires a training slot, calls advance() and handles
its Stop (note, pause). The timer's tick and the Step button both go through it, and the
view's one body draws after it. "Step" calls it once, so a test (AppTest does not run
timers) can drive the loop through it.

A tick is one short chunk and one redraw. The browser's timer asks for the next tick every
`tick` seconds; a request that comes while a tick runs waits for it, so ticks follow each
other without a gap while the chunk plus the redraw take longer than `tick`. The charts are
live charts (ui.live_chart), which send only what changed: a redraw costs the server about
a millisecond and the browser a small update.

Each run of a fragment, however small, also costs the browser a pass over the whole page
(Streamlit marks the page's elements stale and fresh again): on the MNIST page about 75 ms
on a small laptop. So a loop made with `catch_up` does not ask for ticks faster than the
browser takes them: after its redraw it goes on training until the browser asks for the next
tick (or anything else). A browser slow to draw then slows the redraws, not the training.

The timer exists only while running, and only a whole-page run registers or drops it: a
fragment that reruns keeps the timer of a fragment nested in it (Streamlit 1.67). So the
loop's buttons may sit in a section's fragment: when a run of that fragment alone finds
that the loop started or stopped since the page last ran (start, pause, reset, a page's
own button, a settings change that pauses it), controls() and view() rerun the whole page
(st.rerun(scope="app")); a finished run does so from the view. Outside a fragment every
click reruns the page anyway, and nothing more happens. hold(key, config, build) holds the
loop's model (ui.state.held) and pauses the loop when it builds a new one.

A page with more to say than start, pause, step and reset keeps the loop's row and adds to
it: controls(start_label=..., on_start=..., step_disabled=..., extra=[Button(...), ...])
puts the page's own buttons (MNIST's Stop and "+1 epoch") between Step and Reset.

Many learners share one server: ui.slots.TrainingSlots lets at most MAX_CONCURRENT chunks
run at once (one per core by default, $ENGINE_TRAINING_SLOTS), the others queue first come
first served. A tick that has to wait says so in the view ("yours is 3rd in line") and
goes on by itself; a click or a closed tab ends the wait at once. A Step click or a
whole-page run never waits: with no free slot it draws, and says the server is busy.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType

from ui.handout import handout_on
from ui.i18n import t
from ui.messages import error_text
from ui.runtime import training_slot_count
from ui.slots import TrainingSlots
from ui.state import held, held_model

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


def next_run_asked() -> bool:
    """Whether the browser has asked the server for something since this run began: the
    view's next tick, or a click. Read from Streamlit's pending request for this session
    (ScriptRunContext.script_requests, Streamlit 1.67: tests/app/test_live.py checks that it
    is there); without it, False."""
    requests = getattr(get_script_run_ctx(), "script_requests", None)
    state = getattr(requests, "_state", None)
    return state is not None and state != ScriptRequestType.CONTINUE


def interrupted() -> bool:
    """For a chunk of training to ask after each step: whether it should end now, because
    the browser asked for something (a click, the next tick). Only in a browser's session:
    AppTest's own requests say nothing of the kind, and its chunks train whole."""
    return browser_session() and next_run_asked()


def browser_session() -> bool:
    """A browser's session on a running server. AppTest runs pages with a stand-in Runtime (a
    mock), without a browser: no component registry (ui.live_chart draws st.plotly_chart),
    and nobody to ask for a tick."""
    return Runtime.exists() and type(Runtime.instance()) is Runtime \
        and get_script_run_ctx() is not None


def in_fragment_run() -> bool:
    """Whether this run reruns fragments only (a click inside a fragment, a timer's tick),
    not the whole page."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


@dataclass(frozen=True)
class Button:
    """A page's own button in the loop's row: keyed <loop key>.<name>; a click reruns the
    page after on_click."""

    name: str
    label: str
    icon: str
    on_click: Callable[[], None]
    disabled: bool = False
    help: str | None = None


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
    <key>.busy, <key>.timed) and the buttons' keys (<key>.start, <key>.pause, <key>.step,
    <key>.reset).
    """

    def __init__(self, key: str, *, advance: Callable[[], Stop | None],
                 draw: Callable[[], None], reset: Callable[[], None],
                 tick: float = DEFAULT_TICK_S, step_help: str | None = None,
                 catch_up: float = 0.0) -> None:
        if tick <= 0:
            raise ValueError(f"tick must be positive, got {tick}")
        if catch_up < 0:
            raise ValueError(f"catch_up must not be negative, got {catch_up}")
        self.catch_up = catch_up
        self.key = key
        self.advance = advance
        self.draw = draw
        self.reset_model = reset
        self.tick = tick
        self.step_help = step_help
        self._inline = False  # the fragment is running inside a whole-page run
        self._wait_slot = None  # where the view says that it waits in line (a fragment run's)
        self._waited = False  # ... and whether it says so now
        self._shown_now = False  # ... because of the wait going on now
        self._wait_began = 0.0
        st.session_state.setdefault(self._k("running"), False)
        st.session_state.setdefault(self._k("note"), None)
        if handout_on():  # a handout is paper: the loop pauses, so no timer ticks
            self.pause()

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

    def hold(self, key: str, config, build: Callable):
        """The loop's model, held under `key` by ui.state.held(). A model built anew (new
        settings, or after reset) pauses the loop: called before controls(), the buttons
        and the view then show the new one, and the page reruns if the timer must go."""
        before = held_model(key)
        model = held(key, config, build)
        if model is not before:
            self.stop_with(None)
        return model

    def _follow_timer(self) -> None:
        """A whole-page run notes whether the view's timer is registered (<key>.timed). A
        run of a fragment alone that finds the loop started or stopped since then reruns the
        whole page, which registers the timer or drops it."""
        timed = self._k("timed")
        if not in_fragment_run():
            st.session_state[timed] = self.running
        elif st.session_state.get(timed, False) != self.running:
            st.rerun(scope="app")

    def step_once(self, wait: float = 0.0) -> bool:
        """Advance one chunk once a slot is free, waiting up to `wait` s in line for one
        (the view shows the place in line meanwhile). True when the run is over after it."""
        self._wait_began = clock()
        self._shown_now = False
        if not _SLOTS.acquire(wait, on_wait=self._show_wait if wait > 0 else None):
            st.session_state[self._k("busy")] = True
            return False
        try:  # drawing is where Streamlit ends a run (a click, a closed tab): release then
            st.session_state[self._k("busy")] = False
            if self._waited and not self._shown_now:  # the line is short again
                self._waited = False
                self._wait_slot.empty()
        except BaseException:
            _SLOTS.release()
            raise
        return self._chunk()

    def _chunk(self) -> bool:
        """advance() once, in the slot acquired for it; True when the run is over after it."""
        try:  # the slot is released whatever happens, a closed tab included
            stop = self.advance()
        except (ValueError, ArithmeticError) as err:  # TrainingDiverged among them
            stop = Stop(error_text(err), "error")
        finally:
            _SLOTS.release()
        if stop is not None:
            st.session_state[self._k("note")] = stop
            self.pause()
            return True
        return False

    def _train_until_asked(self) -> bool:
        """After a redraw, go on training until the browser asks for something (its next
        tick, or a click), for up to `catch_up` s: a browser busy drawing then slows the
        redraws, not the training. Only with a free slot and nobody in line; no drawing, so
        a click waits at most one chunk. True when the run is over."""
        deadline = time.perf_counter() + self.catch_up
        while self.running and not next_run_asked() and time.perf_counter() < deadline:
            if not _SLOTS.acquire(0):
                return False
            if self._chunk():
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

    def controls(self, *, start_label: str | None = None,
                 on_start: Callable[[], None] | None = None, step_disabled: bool = False,
                 extra: Sequence[Button] = ()) -> None:
        """Start, pause, step, the page's `extra` buttons, and reset, in one row. A click
        reruns the page, or the fragment they sit in (then the whole page as well when the
        loop started or stopped). start_label replaces "Start" (e.g. "Resume"); on_start
        runs before the loop starts (e.g. a finished run is rebuilt); step_disabled disables
        Step when there is nothing left to step (it is always disabled while running)."""
        self._follow_timer()
        running = self.running
        cols = iter(st.columns(4 + len(extra)))
        next(cols).button(start_label or t("live.start"), key=self._k("start"),
                          on_click=self.start if on_start is None else self._start_after,
                          args=() if on_start is None else (on_start,), disabled=running,
                          icon=":material/play_arrow:", width="stretch", type="primary")
        next(cols).button(t("live.pause"), key=self._k("pause"), on_click=self.pause,
                          disabled=not running, icon=":material/pause:", width="stretch")
        next(cols).button(t("live.step"), key=self._k("step"), on_click=self._step_clicked,
                          disabled=running or step_disabled, icon=":material/skip_next:",
                          width="stretch", help=self.step_help)
        for b in extra:
            next(cols).button(b.label, key=self._k(b.name), on_click=b.on_click,
                              disabled=b.disabled, icon=b.icon, width="stretch", help=b.help)
        next(cols).button(t("live.reset"), key=self._k("reset"), on_click=self.reset,
                          icon=":material/restart_alt:", width="stretch")

    def _start_after(self, on_start: Callable[[], None]) -> None:
        on_start()
        self.start()

    def view(self) -> None:
        """The fragment: while running it advances one chunk per tick, then draws."""
        self._follow_timer()
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
        """The view's one body: a chunk (while running), the notes, then draw()."""
        self._wait_slot = st.empty()
        if self.running and self.step_once(self._tick_wait()):
            st.rerun(scope="app")  # the whole page: it registers the view without a timer
        with st.container():  # one element whatever it holds: the view below keeps its place
            self._notes()
        self.draw()
        if self.running and not self._inline and self.catch_up > 0 \
                and self._train_until_asked():
            st.rerun(scope="app")

    def _notes(self) -> None:
        if st.session_state.get(self._k("busy")):
            st.caption(t("live.busy", n=MAX_CONCURRENT))
        note = self.note
        if note is not None:
            show = {"success": st.success, "info": st.info, "warning": st.warning,
                    "error": st.error}[note.kind]
            show(note.message)
