"""A classroom without browsers: N simulated learners against one `streamlit run`, each
speaking Streamlit's websocket protocol (tests/load/wsclient.py) the way the browser does.

One learner:
1. opens the lesson's link (default the MNIST page, in Korean or English) and receives the
   page's messages to the end of the script run: "first page run", timed from the rerun
   request to `script_finished`;
2. touches one control: moves the settings form's learning-rate slider from 0.001 to 0.003
   and presses "Build this network" (the form sends both in one rerun request, as the
   browser does; the whole page runs and builds a new network): "control rerun";
3. presses Start (the button keyed mnist-train-start, a `trigger_value`);
4. follows the live view for `seconds` as the browser does: each `auto_rerun` message sets
   a timer of `interval` s for its fragment, and on every beat the timer sends a rerun
   request with that fragment's id, `is_auto_rerun` and the widget values the learner
   holds (those it changed: the browser sends all it has, the server keeps the rest, so
   the runs are the same and only the request is smaller); a whole-page run drops the
   timers, `stop_auto_rerun` drops one (the browser's
   App.handleAutoRerun uses setInterval: it does not wait for the previous tick, and the
   server folds a request that comes while a run is going into one pending rerun). Each
   fragment run that ends is a tick (Streamlit 1.67 ends most of them "early for rerun",
   as the next tick's request is already waiting); the training step counter ("Steps") is
   read off the ticks' metrics;
5. closes its socket.

An error is an exception element on the page, a run that ends in a compile error, a
timeout, a closed socket or a failed HTTP request.

A round (run_round): N learners connect, then all ask for the page at the same moment
(one event loop, which keeps up: 2 CPU seconds for 100 learners' 100 s round; the
client's own CPU use is reported so that a saturated client would show),
then each touches its control, starts and trains. Measured besides: the server's CPU
seconds, its resident memory before, at the peak (sampled every 0.2 s), and after the
sessions are gone (after the server's disconnectedSessionTTL and a margin, and one short
visit: Streamlit drops expired sessions when the next session is stored).

A flooder (flood) opens the page and then sends `rate` whole-page rerun requests a second,
each with a changed widget value (the sample grid's choice), without waiting for answers
(it reads them in the background, so that the server's send buffer does not fill). It
counts the runs the server started for it and those that got as far as the lesson's title
(ui/throttle.py lets a session run at most 10 whole pages in 2 s).

    round = run_round(url, pid, 10, seconds=3, session_ttl=3)
    print(round.row())
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from tests.load.loadtest import Monitor, busy_cores, cpu_seconds, rss_mb
from tests.load.wsclient import Run, Session, run_async
from ui.i18n import tr

PAGE = "mnist"
START = "mnist.train.start"
LR = "mnist.lr"
LR_TOUCHED = "0.003"  # the page's default is 0.001
FORM = "mnist.settings"
SAMPLES = "mnist.samples"  # the sample grid's choice (a radio), in the data section
SAMPLES_TOUCHED = "random"  # the page's default is "by_class"
CONTROLS = ("form", "section")
STEP_LABEL = "mnist.s7.step"  # the catalog key of the training step counter's label
SILENCE_S = 60.0  # no message for this long while a run is due: a timeout
LANGS = ("ko", "en")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Learner:
    lang: str
    first_s: float | None = None  # the first page run
    first_messages: int = 0
    first_bytes: int = 0
    control_s: float | None = None  # the control's rerun
    start_s: float | None = None  # the Start click's run
    ticks: int = 0  # runs of the live view that ended while following it
    # How long the learner waited for each new value of the step counter: from Start to
    # the first, between two, and (a lower bound) from the last to the end of following
    # when longer than any of these; a learner who saw none waited the whole time.
    tick_gaps: list[float] = field(default_factory=list)
    steps_at_start: int = 0  # the step counter as the Start click's run drew it
    steps: int | None = None  # the step counter as the live view drew it last
    whole_runs: int = 0  # whole-page runs while following (the loop's own, e.g. at the end)
    followed_s: float = 0.0  # how long it followed the live view
    received_bytes: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def trained(self) -> bool:
        """Whether the live view showed training beyond what the Start click's run did."""
        return self.steps is not None and self.steps > self.steps_at_start


def run_errors(run: Run, what: str) -> list[str]:
    """What went wrong in one run: exceptions on the page, a compile error."""
    found = [f"{what}: exception: {m.splitlines()[0][:200] if m else '(empty)'}"
             for m in run.exceptions]
    if run.status == "compile_error":
        found.append(f"{what}: compile error")
    return found


def steps_in(run: Run, label: str) -> int | None:
    """The training step counter as `run` drew it last (None: not drawn)."""
    found = [e.proto.body for e in run.of_kind("metric") if e.proto.label == label]
    return int(found[-1].replace(",", "")) if found else None


def control_values(s: Session) -> dict[str, tuple[str, object]]:
    """The settings form submitted with a new learning rate: the slider's value and the
    submit button's trigger (ids as the page drew them)."""
    lr = s.widget(LR)
    submit = next(w for w in s.widgets.values()
                  if w.kind == "button" and w.proto.is_form_submitter
                  and w.proto.form_id == FORM)
    return {lr.id: ("string_array_value", [LR_TOUCHED]), submit.id: ("trigger_value", True)}


def section_control(s: Session) -> tuple[dict[str, tuple[str, object]], str]:
    """The sample grid's choice set to random digits: (its value, the fragment it reruns)."""
    radio = s.widget(SAMPLES)
    return {radio.id: ("string_value", SAMPLES_TOUCHED)}, radio.fragment_id


async def learner(url: str, lang: str, *, seconds: float, page: str = PAGE,
                  go: asyncio.Event | None = None, ready: asyncio.Event | None = None,
                  connected: list | None = None, n: int = 1, control: str = "form",
                  ) -> Learner:
    """One learner from the link to the closed tab (see the module's docstring). With `go`,
    it connects, counts itself into `connected`, and waits for `go` before asking for the
    page (so that N learners ask at the same moment). control: "form", the settings form
    (a whole-page run that builds a new network), or "section", the sample grid's choice
    set to random digits (a run of that section's fragment only, as most of the course's
    controls)."""
    result = Learner(lang)
    try:
        async with Session(url, browser_cache=True) as s:
            if go is not None:
                connected.append(1)
                if len(connected) >= n:
                    ready.set()
                await go.wait()
            first = await s.open(page, f"lang={lang}")
            result.first_s, result.first_messages = first.seconds, len(first.messages)
            result.first_bytes = first.bytes
            result.errors += run_errors(first, "first run")
            if result.errors:
                return result
            if control == "form":
                held = {k: v for k, v in control_values(s).items()
                        if v[0] != "trigger_value"}
                touched = await s.rerun(control_values(s))
            else:
                held = {}
                values, fragment = section_control(s)
                touched = await s.rerun(values, fragment_id=fragment)
            result.control_s = touched.seconds
            result.errors += run_errors(touched, "control")
            start = await s.rerun({**held, s.widget(START).id: ("trigger_value", True)})
            result.start_s = start.seconds
            result.steps_at_start = steps_in(start, tr(lang, STEP_LABEL)) or 0
            result.errors += run_errors(start, "start")
            if not s.timers:
                result.errors.append("start: the live view asked for no ticks")
            if not result.errors:
                await follow(s, held, seconds, result, tr(lang, STEP_LABEL))
            result.received_bytes = s.received_bytes
    except Exception as err:  # a timeout, a closed socket, an HTTP error: a result here
        result.errors.append(f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
                             if str(err) else type(err).__name__)
    return result


async def follow(s: Session, held: dict, seconds: float, result: Learner,
                 step_label: str) -> None:
    """The browser's fragment timers for `seconds`: one setInterval per fragment the
    server asked for, reading every message meanwhile."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    timers: dict[str, tuple[float, asyncio.Task]] = {}

    async def beat(fragment_id: str, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            await s.send_rerun(held, fragment_id=fragment_id, auto=True)

    def sync_timers() -> None:
        for fid, (interval, task) in list(timers.items()):
            if s.timers.get(fid) != interval:
                task.cancel()
                del timers[fid]
        for fid, interval in s.timers.items():
            if fid not in timers:
                timers[fid] = (interval, asyncio.create_task(beat(fid, interval)))

    began = last_update = loop.time()
    try:
        sync_timers()
        while (left := end - loop.time()) > 0:
            try:
                async with asyncio.timeout(min(left, SILENCE_S)):
                    fwd, _ = await s.receive()
            except TimeoutError:
                if left > SILENCE_S:
                    result.errors.append(f"timeout: no message for {SILENCE_S:.0f} s")
                break
            sync_timers()
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                kind_el = el.WhichOneof("type")
                if kind_el == "exception":
                    result.errors.append(f"tick: exception: {el.exception.message[:200]}")
                elif kind_el == "metric" and el.metric.label == step_label:
                    steps = int(el.metric.body.replace(",", ""))
                    if steps != result.steps:
                        now = loop.time()
                        result.tick_gaps.append(now - last_update)
                        last_update = now
                    result.steps = steps
            elif kind == "script_finished":
                if fwd.script_finished == 1:
                    result.errors.append("tick: compile error")
                elif fwd.script_finished == 0:
                    result.whole_runs += 1
                else:  # 3, or 2: the run ended and the next tick's request was waiting
                    result.ticks += 1
        now = min(loop.time(), end)
        result.followed_s = now - began
        if now - last_update > max(result.tick_gaps, default=0.0):
            result.tick_gaps.append(now - last_update)  # still waiting, at least this long
    finally:
        for _, task in timers.values():
            task.cancel()


# --- the flooder ----------------------------------------------------------------------------

@dataclass
class Flood:
    sent: int = 0
    runs_started: int = 0  # whole runs the server began for it (a new request stops the
    runs_finished: int = 0  # one going at its next element; those it ran to the end)
    page_runs: int = 0  # runs that got as far as drawing the lesson's title
    messages: int = 0  # what the server sent it, all told
    bytes: int = 0
    errors: list[str] = field(default_factory=list)


async def flood(url: str, *, rate: float, seconds: float, lang: str = "en",
                page: str = PAGE) -> Flood:
    """Open the page, then send `rate` whole-page rerun requests a second for `seconds`,
    each with the sample grid's choice flipped, without waiting for the answers."""
    result = Flood()
    try:
        async with Session(url) as s:
            first = await s.open(page, f"lang={lang}")
            result.errors += run_errors(first, "flooder's first run")
            radio = s.widget("mnist.samples")
            title = tr(lang, f"lesson.{page}.title")
            loop = asyncio.get_running_loop()

            async def drain() -> None:
                while True:
                    fwd, _ = await s.receive()
                    kind = fwd.WhichOneof("type")
                    if kind == "new_session":
                        result.runs_started += 1
                    elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element" \
                            and fwd.delta.new_element.WhichOneof("type") == "heading" \
                            and fwd.delta.new_element.heading.body == title:
                        result.page_runs += 1
                    elif kind == "script_finished" and fwd.script_finished == 0:
                        result.runs_finished += 1

            reader = asyncio.create_task(drain())
            began = loop.time()
            try:
                while loop.time() - began < seconds:
                    value = ("random", "by_class")[result.sent % 2]
                    await s.send_rerun({radio.id: ("string_value", value)})
                    result.sent += 1
                    await asyncio.sleep(max(0.0, began + result.sent / rate - loop.time()))
                await asyncio.sleep(1.0)  # the last answers
            finally:
                reader.cancel()
                result.messages, result.bytes = s.received_messages, s.received_bytes
    except Exception as err:
        result.errors.append(f"{type(err).__name__}: {err}")
    return result


# --- a round --------------------------------------------------------------------------------

@dataclass
class Round:
    n: int
    learners: list[Learner]
    wall_s: float
    cpu_s: float  # the server's, from the first request to the last learner's close
    client_cpu_s: float  # this process's, over the same time
    rss_before_mb: float
    rss_peak_mb: float
    rss_after_mb: float
    busy_after: float  # cores the server kept busy once the learners were gone
    flood: Flood | None = None

    @property
    def errors(self) -> list[str]:
        return [e for learner in self.learners for e in learner.errors]

    def values(self, name: str) -> list[float]:
        return [getattr(x, name) for x in self.learners if getattr(x, name) is not None]

    @property
    def gaps(self) -> list[float]:
        return [g for x in self.learners for g in x.tick_gaps]

    def row(self) -> dict:
        first, control, gaps = self.values("first_s"), self.values("control_s"), self.gaps
        ticks = [x.ticks for x in self.learners]
        return {
            "N": self.n, "errors": len(self.errors),
            "first run p50 s": round(percentile(first, 50), 2),
            "first run p95 s": round(percentile(first, 95), 2),
            "control p50 s": round(percentile(control, 50), 2),
            "control p95 s": round(percentile(control, 95), 2),
            "update gap p50 s": round(percentile(gaps, 50), 2),
            "update gap p95 s": round(percentile(gaps, 95), 2),
            "ticks per learner": round(statistics.mean(ticks), 1) if ticks else 0,
            "fewest ticks": min(ticks, default=0),
            "learners trained": sum(x.trained for x in self.learners),
            "server CPU s per learner": round(self.cpu_s / self.n, 2),
            "RSS before MiB": round(self.rss_before_mb),
            "RSS peak MiB": round(self.rss_peak_mb),
            "RSS after MiB": round(self.rss_after_mb),
            "busy cores after": round(self.busy_after, 2),
            "client CPU s": round(self.client_cpu_s, 1), "wall s": round(self.wall_s, 1)}


def _own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _class(url: str, n: int, seconds: float, langs: tuple[str, ...],
                 flood_rate: float, control: str) -> tuple[list[Learner], Flood | None]:
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max(8, n)))  # the N page fetches at once
    go, ready, connected = asyncio.Event(), asyncio.Event(), []
    tasks = [asyncio.create_task(learner(url, langs[i % len(langs)], seconds=seconds, go=go,
                                         ready=ready, connected=connected, n=n,
                                         control=control))
             for i in range(n)]
    try:
        async with asyncio.timeout(120):
            await ready.wait()
    except TimeoutError:
        pass  # those that could not connect say so in their errors
    go.set()
    flooder = None
    if flood_rate:
        # from the moment the class asks for its pages, through the controls and training
        flooder = asyncio.create_task(flood(url, rate=flood_rate, seconds=seconds))
    learners = list(await asyncio.gather(*tasks))
    return learners, (await flooder if flooder else None)


async def _probe(url: str, page: str = "") -> None:
    async with Session(url) as s:
        await s.open(page, "lang=en")


def warm_up(url: str, page: str = PAGE) -> None:
    """One visit of `page`, as the lecturer's before class."""
    run_async(_probe(url, page))


def run_round(url: str, pid: int, n: int, *, seconds: float = 10.0, session_ttl: float = 3.0,
              langs: tuple[str, ...] = LANGS, flood_rate: float = 0.0,
              control: str = "form") -> Round:
    """N learners at once (see the module's docstring); then wait out the server's session
    TTL and measure its memory. flood_rate > 0: a flooder sends that many reruns a second
    while the class trains. control: which control each touches (learner())."""
    with Monitor(pid) as monitor:
        rss_before = rss_mb(pid)
        monitor.reset_peak()
        cpu_before, own_before = cpu_seconds(pid), _own_cpu_s()
        began = time.perf_counter()
        learners, flooder = run_async(_class(url, n, seconds, langs, flood_rate,
                                                     control))
        wall = time.perf_counter() - began
        cpu, own = cpu_seconds(pid) - cpu_before, _own_cpu_s() - own_before
        time.sleep(3.0)  # a run that was going when the socket closed ends (catch-up ≤ 2 s)
        busy = busy_cores(pid, 2.0)
        time.sleep(max(session_ttl - 3.0, 0) + 2.0)
        run_async(_probe(url))
        time.sleep(1.0)
        peak = monitor.peak
    return Round(n, learners, wall, cpu, own, rss_before, peak, rss_mb(pid), busy, flooder)


def pin_client(cpu: int) -> None:
    """Keep this process (the simulated class) on CPU `cpu`."""
    os.sched_setaffinity(0, {cpu})
