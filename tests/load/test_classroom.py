"""The browserless classroom (tests/load/classroom.py) in its short form, and the checks
that it is a fair stand-in for a browser. The long form: `python -m bench.classroom`.

- One learner's first run of the MNIST page brings the same messages, within 10 % in
  count and in bytes, as Chromium receives for the same link (read off Chromium's
  websocket through Playwright).
- A short round: 10 learners open the page at once, touch a control, start and train for
  3 s: no errors, every learner's step counter advanced, the server idle afterwards.
- A flooder (50 whole-page rerun requests a second) beside a class: ui/throttle.py holds
  it to its limit, and the class trains without errors. The issue's target, the others'
  p95 within 2x of a run without the flooder, is checked by the long form only
  (`pytest -m long`; `python -m bench.classroom --flood 50` prints the figures).

No assertion here is about speed; the numbers are printed (pytest -s).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.e2e.helpers import VIEWPORT
from tests.e2e.server import ServerError, free_port, streamlit_server
from tests.load.classroom import PAGE, flood, percentile, run_round, warm_up
from tests.load.loadtest import watch
from tests.load.wsclient import Session, run_async
from ui import throttle

pytestmark = pytest.mark.timeout(300)

SESSION_TTL_S = 3
MATCH = 0.10  # the bound: message count and bytes within 10 % of Chromium's


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, int]]:
    """(url, pid) of a fresh `streamlit run` with a short session TTL."""
    log = tmp_path_factory.mktemp("classroom") / "server.log"
    extra = ("--server.disconnectedSessionTTL", str(SESSION_TTL_S))
    try:
        with streamlit_server(log, extra_args=extra) as (url, proc):
            yield url, proc.pid
    except ServerError as err:
        pytest.fail(str(err))


def first_run_of(frames: list[tuple[float, str, bytes]]) -> list[tuple[ForwardMsg, int]]:
    """The messages Chromium received for its first rerun request, up to the run's
    `script_finished` (a run ended early for a rerun goes on)."""
    out, asked = [], False
    for _, direction, data in frames:
        if direction == "sent":
            msg = BackMsg()
            msg.ParseFromString(data)
            asked = asked or msg.WhichOneof("type") == "rerun_script"
            continue
        if not asked:
            continue
        fwd = ForwardMsg()
        fwd.ParseFromString(data)
        out.append((fwd, len(data)))
        if fwd.WhichOneof("type") == "script_finished" and fwd.script_finished != 2:
            return out
    raise AssertionError(f"no finished run in {len(frames)} frames")


def kinds(messages) -> Counter:
    return Counter(m.WhichOneof("type") for m in messages)


@pytest.mark.e2e
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_one_learner_receives_what_chromium_receives(server, browser, lang):
    url, _ = server
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    try:
        page = context.new_page()
        frames: list[tuple[float, str, bytes]] = []
        errors: list[str] = []
        watch(page, errors, frames)
        page.goto(f"{url}/{PAGE}?lang={lang}", wait_until="commit")
        page.locator("[data-testid=stMain] h1").first.wait_for(timeout=60_000)
        for _ in range(600):  # up to 60 s for the run's end
            try:
                chromium = first_run_of(list(frames))
                break
            except AssertionError:
                page.wait_for_timeout(100)
        else:
            chromium = first_run_of(list(frames))
    finally:
        context.close()

    async def one() -> tuple[int, int, Counter]:
        async with Session(url, browser_cache=True) as s:
            run = await s.open(PAGE, f"lang={lang}")
            assert not run.exceptions
            return len(run.messages), run.bytes, kinds(run.messages)

    count, size, ours = run_async(one())
    browser_count = len(chromium)
    browser_bytes = sum(n for _, n in chromium)
    print(f"\n{lang}: Chromium {browser_count} messages, {browser_bytes} bytes; "
          f"the client {count} messages, {size} bytes")
    print("  Chromium:", dict(kinds(m for m, _ in chromium)))
    print("  client:  ", dict(ours))
    assert errors == []
    assert abs(count - browser_count) <= MATCH * browser_count
    assert abs(size - browser_bytes) <= MATCH * browser_bytes


def test_a_short_round(server):
    """10 learners at once: no errors, everybody's training advanced, the server idle
    afterwards (a run still going would keep it busy)."""
    url, pid = server
    # 10 trainings take turns on the one slot, a chunk each: 6 s leaves every learner room
    # for a few turns even on a busy machine (3 s was once too few for the last in line)
    result = run_round(url, pid, 10, seconds=6, session_ttl=SESSION_TTL_S)
    print("\n", result.row())
    assert result.errors == []
    assert [x.trained for x in result.learners] == [True] * 10, [
        (x.ticks, x.steps) for x in result.learners]
    assert all(x.first_s and x.control_s for x in result.learners)
    assert result.busy_after < 0.15


def test_a_learner_that_cannot_connect_counts_an_error():
    """The client itself: a server that does not answer is an error, not a quiet zero."""
    from tests.load.classroom import learner

    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    result = run_async(learner(url, "en", seconds=1))
    assert result.errors and result.first_s is None


# ---------------------------------------------------------------- flooding


class FakeRun:
    """What limit_whole_runs reads of Streamlit: the session's state, the clock, and
    whether a newer request is waiting."""

    def __init__(self, monkeypatch):
        self.now = 0.0
        self.asked = False
        self.slept = 0.0
        self.state: dict = {}
        monkeypatch.setattr(throttle, "st", type("St", (), {"session_state": self.state}))
        monkeypatch.setattr(throttle, "clock", lambda: self.now)
        monkeypatch.setattr(throttle, "sleep", self._sleep)
        monkeypatch.setattr(throttle, "next_run_asked", lambda: self.asked)

    def _sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += seconds


def test_the_throttle_lets_a_person_through_and_holds_a_loop(monkeypatch):
    fake = FakeRun(monkeypatch)
    for _ in range(throttle.BURST):  # a burst of clicks, all at once: none waits
        assert throttle.limit_whole_runs()
    assert fake.slept == 0
    fake.now += 0.1
    assert throttle.limit_whole_runs()  # one more within the window waits for it
    assert fake.slept == pytest.approx(throttle.WINDOW_S - 0.1)
    for _ in range(throttle.BURST - 1):
        throttle.limit_whole_runs()
    fake.slept, fake.asked = 0.0, True
    assert not throttle.limit_whole_runs()  # a newer request came: it gives way at once
    assert fake.slept == 0
    fake.asked = False
    fake.now += throttle.WINDOW_S  # 4 clicks a second, for long: none waits
    for _ in range(4 * throttle.BURST):
        assert throttle.limit_whole_runs()
        fake.now += 0.25
    assert fake.slept == 0


FLOOD_RATE = 50


def test_a_flooder_is_held_to_its_limit_and_the_class_trains(server):
    """Alone, the flooder's requests get as far as the lesson's title at most as often as
    the limit allows (without it: 147 of 250 in 5 s, measured); beside a class of 5, the
    class trains without errors."""
    url, pid = server
    seconds = 3
    alone = run_async(flood(url, rate=FLOOD_RATE, seconds=seconds))
    print("\n", alone)
    assert alone.errors == []
    assert alone.sent >= FLOOD_RATE * seconds * 0.8
    allowed = throttle.BURST * (1 + seconds / throttle.WINDOW_S)
    assert alone.page_runs <= allowed, (alone.page_runs, allowed)
    result = run_round(url, pid, 5, seconds=seconds, session_ttl=SESSION_TTL_S,
                       flood_rate=FLOOD_RATE)
    print(result.row(), result.flood)
    assert result.flood.errors == [] and result.flood.sent >= FLOOD_RATE * seconds * 0.8
    assert result.errors == []
    assert all(x.trained for x in result.learners), [(x.ticks, x.steps)
                                                     for x in result.learners]
    assert result.busy_after < 0.15


@pytest.mark.long
@pytest.mark.timeout(900)
def test_a_flooder_leaves_the_class_within_twice_its_p95(server):
    """The issue's target, 10 learners training 10 s, without and then with a flooder."""
    url, pid = server
    warm_up(url)  # a cold server's first round would make the quiet one look slow
    quiet, flooded = (run_round(url, pid, 10, seconds=10, session_ttl=SESSION_TTL_S,
                                flood_rate=rate) for rate in (0, FLOOD_RATE))
    print("\n", quiet.row(), "\n", flooded.row(), flooded.flood)
    assert quiet.errors == [] and flooded.errors == []
    control = [percentile(r.values("control_s"), 95) for r in (quiet, flooded)]
    assert control[1] <= 2 * control[0], control
    assert percentile(flooded.gaps, 95) <= 2 * percentile(quiet.gaps, 95)
