"""What learners do to a shared server mid-training: close the tab, reload, press Start
twice, change the settings, switch the language, queue for the one training slot. None of
it may crash a page, lose another learner's network or leave work running on the server.

The server's CPU use, read from /proc, tells whether work is still running: a training
keeps about one core busy, an idle server almost none.
"""

from __future__ import annotations

import time

import pytest

from tests.e2e.helpers import IDLE, VIEWPORT, metric_value
from tests.load.loadtest import START, busy_cores, watch
from ui.i18n import tr

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

STEP = ".st-key-mnist-train-step button"
IDLE_BELOW = 0.15  # cores: an idle server (a websocket ping now and then)
TRAINING_ABOVE = 0.4  # cores: a training, even one sharing the machine with a browser
STOP_WITHIN_S = 8.0


class Learner:
    """One browser context on the MNIST page, with its errors collected."""

    def __init__(self, browser, url: str, lang: str = "en", epochs: int = 20) -> None:
        self.lang = lang
        self.context = browser.new_context(viewport=VIEWPORT, locale="en-US")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        watch(self.page, self.errors, [])
        self.page.goto(f"{url}/mnist?lang={lang}&epochs={epochs}", wait_until="commit")
        self.idle()

    def idle(self) -> None:
        self.page.wait_for_selector(IDLE, timeout=60_000)

    def steps(self) -> int:
        return int(metric_value(self.page, tr(self.lang, "mnist.s7.step")).replace(",", ""))

    def start(self) -> None:
        self.page.locator(START).first.click()
        self.page.locator(f"{START}[disabled]").first.wait_for(timeout=30_000)

    def wait_steps_above(self, n: int, seconds: float = 60) -> int:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            steps = self.steps()
            if steps > n:
                return steps
            self.page.wait_for_timeout(250)
        raise AssertionError(f"the training stayed at {n} steps for {seconds} s")

    def close(self) -> None:
        self.context.close()


def seconds_until_idle(pid: int, limit: float = 20) -> float:
    """Seconds from now until the server keeps less than IDLE_BELOW cores busy."""
    began = time.monotonic()
    while time.monotonic() - began < limit:
        if busy_cores(pid, 0.5) < IDLE_BELOW:
            return time.monotonic() - began
    return float("inf")


def seconds_until_busy(pid: int, limit: float = 20) -> float:
    """Seconds from now until the server keeps more than TRAINING_ABOVE cores busy for half
    a second (a training runs in chunks between the browser's redraws, so one window can
    fall between two chunks)."""
    began = time.monotonic()
    while time.monotonic() - began < limit:
        if busy_cores(pid, 0.5) > TRAINING_ABOVE:
            return time.monotonic() - began
    return float("inf")


def assert_clean(*learners: Learner) -> None:
    for learner in learners:
        assert learner.page.is_closed() or not learner.page.locator(
            "[data-testid=stException]").count()
        assert learner.errors == []


def test_closing_the_tab_stops_its_training_and_spares_the_others(browser, server):
    url, pid = server
    other = Learner(browser, url)
    other.page.locator(STEP).first.click()
    kept = other.wait_steps_above(0)
    assert seconds_until_idle(pid) < STOP_WITHIN_S  # the Step is over, nothing else runs

    leaver = Learner(browser, url)
    leaver.start()
    leaver.wait_steps_above(0)
    assert seconds_until_busy(pid) < STOP_WITHIN_S  # the server is training
    leaver.close()
    idle_after = seconds_until_idle(pid)
    print(f"the server was idle {idle_after:.1f} s after the tab closed")
    assert idle_after < STOP_WITHIN_S

    # the other learner's network is still theirs: one more Step goes on from it
    assert other.steps() == kept
    other.page.locator(STEP).first.click()
    assert other.wait_steps_above(kept) > kept
    assert_clean(other, leaver)
    other.close()


def test_a_reload_mid_training_gives_a_fresh_page_and_stops_the_old_work(browser, server):
    url, pid = server
    learner = Learner(browser, url)
    learner.start()
    learner.wait_steps_above(0)
    learner.page.reload(wait_until="commit")
    learner.idle()
    # a reload is a new session: a fresh network, ready to start, and no work left behind
    assert learner.steps() == 0
    assert learner.page.locator(f"{START}:not([disabled])").count() == 1
    assert seconds_until_idle(pid) < STOP_WITHIN_S
    assert_clean(learner)
    learner.close()


def test_pressing_start_twice_trains_one_network_once(browser, server):
    url, pid = server
    learner = Learner(browser, url, epochs=1)
    learner.page.locator(START).first.dblclick()
    learner.page.locator(f"{START}[disabled]").first.wait_for(timeout=30_000)
    learner.page.locator(f"{START}:not([disabled])").first.wait_for(timeout=120_000)
    learner.page.wait_for_timeout(500)
    assert learner.steps() == 600  # exactly one epoch of 60,000 / 100
    assert metric_value(learner.page, tr("en", "mnist.s7.epoch")) == "1 / 1"
    assert seconds_until_idle(pid) < STOP_WITHIN_S
    assert_clean(learner)
    learner.close()


def test_changing_the_settings_while_training(browser, server):
    url, pid = server
    learner = Learner(browser, url)
    learner.start()
    before = learner.wait_steps_above(0)
    seed = learner.page.locator(".st-key-mnist-seed input").first
    seed.fill("7")
    seed.press("Tab")  # in a form nothing happens until it is submitted (Enter would submit)
    learner.page.wait_for_timeout(1000)
    assert learner.wait_steps_above(before) > before  # still training the old network
    learner.page.get_by_role("button", name=tr("en", "mnist.s6.apply")).click()
    learner.page.locator(f"{START}:not([disabled])").first.wait_for(timeout=30_000)
    learner.idle()
    assert learner.steps() == 0  # the new network, not yet trained
    assert seconds_until_idle(pid) < STOP_WITHIN_S
    assert_clean(learner)
    learner.close()


def test_switching_language_mid_training_keeps_the_run(browser, server):
    url, pid = server
    learner = Learner(browser, url, lang="ko")
    learner.start()
    before = learner.wait_steps_above(0)
    sidebar = learner.page.locator("[data-testid=stSidebar]")
    sidebar.get_by_text(tr("ko", "lang.en"), exact=True).click()
    learner.lang = "en"
    learner.page.get_by_role("heading", name=tr("en", "mnist.s7.header")).first.wait_for(
        timeout=30_000)
    assert learner.wait_steps_above(before) > before  # the same network, still training
    learner.page.get_by_role("button", name=tr("en", "live.pause")).click()
    learner.page.locator(f"{START}:not([disabled])").first.wait_for(timeout=30_000)
    assert seconds_until_idle(pid) < STOP_WITHIN_S
    assert_clean(learner)
    learner.close()


def test_learners_take_turns_for_the_training_slot_and_all_finish(browser, server,
                                                                  screenshots_dir):
    """The server of these tests has one slot: three trainings take turns (all three are
    seen part-way at once), a learner who waits is told so (ui/live.py; the note itself is
    tested in tests/app/test_slots.py), and every one of them finishes.

    Twenty epochs each: three readings of the pages take over a second, and five epochs of
    the default network ran in a few seconds, so a run of five could end between two
    readings and "all three part-way" was a matter of luck."""
    url, _pid = server
    epochs = 20
    learners = [Learner(browser, url, epochs=epochs) for _ in range(3)]
    for learner in learners:
        learner.page.get_by_role("heading", name=tr("en", "mnist.s7.header")).first.evaluate(
            "e => e.scrollIntoView({block: 'start'})")
    for learner in learners:
        learner.page.locator(START).first.click()
    total = epochs * 600
    notes = [tr("en", "live.waiting", position=p, n=1) for p in (1, 2)]
    together = shot = False
    deadline = time.monotonic() + 120
    while not together and time.monotonic() < deadline:
        together = all(0 < learner.steps() < total for learner in learners)
        for learner in learners:
            if not shot and any(learner.page.get_by_text(n).count() for n in notes):
                learner.page.screenshot(path=str(screenshots_dir / "load-waiting-en.png"))
                shot = True
        learners[0].page.wait_for_timeout(200)
    assert together, "the three trainings did not run side by side"
    for learner in learners:
        learner.page.locator(f"{START}:not([disabled])").first.wait_for(timeout=180_000)
        assert metric_value(learner.page, tr("en", "mnist.s7.epoch")) == f"{epochs} / {epochs}"
        assert learner.steps() == total
    assert_clean(*learners)
    for learner in learners:
        learner.close()
