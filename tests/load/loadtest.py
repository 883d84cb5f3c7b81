"""N learners at once against one `streamlit run`, each in its own browser context.

Each simulated learner opens every page of the app (home and the six lessons, each by its
link, as from a lecturer's slide) and then trains the MNIST lesson's default network for
one epoch (784-100-10, Adam, batch 100: 60,000 samples) by pressing Start. Measured:

- errors: an exception on a page, a console error, a failed request, a timeout;
- first render: from the link being opened until the lesson's title is on the screen;
- server time: from the browser asking for the page's first run until the server says the
  run is finished, read off the websocket (what the server costs, without the browser);
- training samples per second per learner: 60,000 / the seconds from the click on Start
  until the page shows the epoch done;
- the server's memory (resident set) before, at its peak, and after the learners have
  closed their tabs and the server has forgotten their sessions, and its CPU seconds.

Used in a short form by tests/load/test_load.py (the README's test command) and in the
long form by `python -m bench.load` (N = 1, 5, 10, 20).
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.e2e.helpers import IDLE, VIEWPORT, collect_errors
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS
from tests.load.wsclient import run_async
from ui.i18n import tr
from ui.lessons import LESSONS, lesson_key

TRAIN_PAGE = "mnist"
# "" is home; the training page last, where a learner who trains stays
PAGES = ["", *(lesson for lesson in LESSONS if lesson != TRAIN_PAGE), TRAIN_PAGE]
EPOCH_SAMPLES = 60_000
START = ".st-key-mnist-train-start button"


# --- the server's process, watched from outside ----------------------------------------------

def rss_mb(pid: int) -> float:
    """Resident memory of process `pid`, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds process `pid` has used so far."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Monitor:
    """Samples a process's memory every `every` s in a thread; `peak` since the last reset."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid = pid
        self.every = every
        self.peak = rss_mb(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except (OSError, RuntimeError):
                return  # the server is gone

    def reset_peak(self) -> None:
        self.peak = rss_mb(self.pid)

    def __enter__(self) -> Monitor:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(2)


def busy_cores(pid: int, seconds: float) -> float:
    """The cores process `pid` keeps busy over the next `seconds` (1.0: one core, all the
    time)."""
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds


# --- one learner ----------------------------------------------------------------------------

@dataclass
class Visit:
    path: str
    first_render_s: float | None = None
    server_s: float | None = None
    error: str | None = None


@dataclass
class Learner:
    visits: list[Visit] = field(default_factory=list)
    samples_per_s: float | None = None
    steps: int | None = None
    errors: list[str] = field(default_factory=list)  # console errors, failed requests


def watch(page, errors: list[str], frames: list[tuple[float, str, bytes]]) -> None:
    """Collect `page`'s errors (as the browser tests count them) and its websocket frames."""
    collect_errors(page, errors)

    def on_websocket(ws) -> None:
        def keep(direction):
            return lambda payload: frames.append(
                (time.perf_counter(), direction,
                 payload if isinstance(payload, bytes) else payload.encode()))
        ws.on("framesent", keep("sent"))
        ws.on("framereceived", keep("received"))

    page.on("websocket", on_websocket)


def server_seconds(frames: list[tuple[float, str, bytes]], since: float) -> float | None:
    """From the first rerun request sent after `since` to the next 'script finished'."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    asked = None
    for when, direction, data in list(frames):
        if when < since:
            continue
        try:
            if direction == "sent" and asked is None:
                msg = BackMsg()
                msg.ParseFromString(data)
                if msg.WhichOneof("type") == "rerun_script":
                    asked = when
            elif direction == "received" and asked is not None:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                if msg.WhichOneof("type") == "script_finished":
                    return when - asked
        except Exception:  # a frame that is not a message of ours
            continue
    return None


async def learner(browser, url: str, lang: str, *, train: bool, timeout_s: float) -> Learner:
    ms = timeout_s * 1000
    result = Learner()
    context = await browser.new_context(viewport=VIEWPORT, locale="en-US")
    try:
        page = await context.new_page()
        frames: list[tuple[float, str, bytes]] = []
        watch(page, result.errors, frames)
        for path in PAGES:
            visit = Visit(path)
            result.visits.append(visit)
            query = f"?lang={lang}" + ("&epochs=1" if path == TRAIN_PAGE else "")
            title = tr(lang, lesson_key(path, "title")) if path else tr(lang, "home.title")
            began = time.perf_counter()
            try:
                await page.goto(f"{url}/{path}{query}", wait_until="commit", timeout=ms)
                main = page.locator("[data-testid=stMain]")
                await main.get_by_role("heading", name=title).first.wait_for(timeout=ms)
                visit.first_render_s = time.perf_counter() - began
                await page.wait_for_selector(IDLE, timeout=ms)
                visit.server_s = server_seconds(frames, began)
                if await page.locator("[data-testid=stException]").count():
                    visit.error = "exception on the page"
            except Exception as err:  # a timeout or a crash is a result here
                visit.error = f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
        if train and not result.visits[-1].error:
            await train_one_epoch(page, lang, result, ms)
    finally:
        await context.close()
    return result


async def train_one_epoch(page, lang: str, result: Learner, ms: float) -> None:
    start = page.locator(START).first
    try:
        await start.scroll_into_view_if_needed(timeout=ms)
        clicked = time.perf_counter()
        await start.click(timeout=ms)
        await page.locator(f"{START}[disabled]").first.wait_for(timeout=ms)
        await page.locator(f"{START}:not([disabled])").first.wait_for(timeout=ms)
        result.samples_per_s = EPOCH_SAMPLES / (time.perf_counter() - clicked)
        label = tr(lang, "mnist.s7.step")
        metric = page.locator("[data-testid=stMetric]").filter(
            has=page.get_by_text(label, exact=True))
        text = await metric.locator("[data-testid=stMetricValue]").first.inner_text()
        result.steps = int(text.replace(",", ""))
    except Exception as err:  # a timeout is a result here
        result.errors.append(f"training: {type(err).__name__}: {str(err).splitlines()[0][:200]}")


# --- a round --------------------------------------------------------------------------------

@dataclass
class Round:
    n: int
    learners: list[Learner]
    wall_s: float
    rss_before_mb: float
    rss_peak_mb: float
    rss_after_mb: float
    cpu_s: float
    busy_after_close: float  # cores the server kept busy right after the tabs closed

    @property
    def errored_pages(self) -> int:
        return sum(v.error is not None for s in self.learners for v in s.visits)

    @property
    def other_errors(self) -> list[str]:
        return [e for s in self.learners for e in s.errors]

    def _values(self, name: str) -> list[float]:
        return [getattr(v, name) for s in self.learners for v in s.visits
                if getattr(v, name) is not None]

    @property
    def first_render(self) -> tuple[float, float]:
        values = self._values("first_render_s")
        return statistics.median(values), max(values)

    @property
    def server(self) -> tuple[float, float]:
        values = self._values("server_s")
        return (statistics.median(values), max(values)) if values else (float("nan"),) * 2

    @property
    def rates(self) -> list[float]:
        return sorted(s.samples_per_s for s in self.learners if s.samples_per_s is not None)

    def row(self) -> dict:
        med, worst = self.first_render
        smed, sworst = self.server
        rates = self.rates
        return {"N": self.n, "errored pages": self.errored_pages,
                "other errors": len(self.other_errors),
                "first render median s": round(med, 2), "first render worst s": round(worst, 2),
                "server median s": round(smed, 2), "server worst s": round(sworst, 2),
                "samples/s per learner (median)": round(statistics.median(rates)) if rates
                else None,
                "samples/s per learner (min)": round(rates[0]) if rates else None,
                "all learners, samples/s": round(sum(rates)) if rates else None,
                "RSS before MiB": round(self.rss_before_mb), "RSS peak MiB":
                round(self.rss_peak_mb), "RSS after MiB": round(self.rss_after_mb),
                "server CPU s": round(self.cpu_s, 1), "wall s": round(self.wall_s, 1),
                "busy cores after close": round(self.busy_after_close, 2)}


async def _learners(url: str, n: int, langs: tuple[str, ...], train: bool,
                    timeout_s: float) -> list[Learner]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                           args=CHROMIUM_ARGS)
        try:
            return list(await asyncio.gather(*(
                learner(browser, url, langs[i % len(langs)], train=train, timeout_s=timeout_s)
                for i in range(n))))
        finally:
            await browser.close()


async def _probe(url: str) -> None:
    """One short visit: its session's end makes the server drop the expired ones (Streamlit
    reaps them lazily, when the next session is stored)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                           args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport=VIEWPORT)
        page = await context.new_page()
        await page.goto(f"{url}/?lang=en", wait_until="commit")
        await page.wait_for_selector(IDLE, timeout=60_000)
        await context.close()
        await browser.close()


def run_round(url: str, pid: int, n: int, *, session_ttl: float, train: bool = True,
              langs: tuple[str, ...] = ("en", "ko"), timeout_s: float = 180) -> Round:
    """N learners at once; then wait out the server's session TTL and measure memory."""
    with Monitor(pid) as monitor:
        rss_before = rss_mb(pid)
        monitor.reset_peak()
        cpu_before = cpu_seconds(pid)
        began = time.perf_counter()
        learners = run_async(_learners(url, n, langs, train, timeout_s))
        wall = time.perf_counter() - began
        cpu = cpu_seconds(pid) - cpu_before
        time.sleep(2.0)  # the last tabs closed just now: give the server those seconds ...
        busy = busy_cores(pid, 2.0)  # ... and then it should be idle
        time.sleep(max(session_ttl - 4.0, 0) + 1.0)
        run_async(_probe(url))
        time.sleep(1.0)
        peak = monitor.peak
    return Round(n, learners, wall, rss_before, peak, rss_mb(pid), cpu, busy)
