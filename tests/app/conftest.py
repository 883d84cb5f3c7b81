"""Every app test starts from the same process-wide state, and none depends on how fast the
machine is.

- Training slots: a fresh, empty ui.live._SLOTS for every test (it is process-wide, so a
  slot left taken by one test would make the next one wait); a test that leaves one taken
  or a caller in line fails.
- Training time: a page trains in chunks bounded by wall time (trainer.run(max_seconds=...)):
  how far a chunk got depended on the machine's speed and load. Here every step takes
  SECONDS_PER_STEP on the tests' clock, so a chunk of s seconds trains chunk_steps(s) steps on
  any machine. The learner's app is unchanged; only Trainer.run is wrapped, for this test.
- Installed components: every new AppTest scans all installed packages' metadata for
  Components v2 manifests (Streamlit 1.67: about 0.4 s, more than most pages' run). The
  packages do not change during a test run, so the scan is made once per process and its
  result reused; the app declares its own component in code (ui/live_chart.py) either way.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import pytest
from streamlit.components.v2 import manifest_scanner

from engine.trainer import Trainer
from tests.app.helpers import chunk_steps
from ui import live
from ui.slots import TrainingSlots


@functools.cache
def _installed_component_manifests() -> tuple:
    return tuple(manifest_scanner.scan_component_manifests())


@pytest.fixture(autouse=True)
def scan_components_once(monkeypatch) -> None:
    monkeypatch.setattr(manifest_scanner, "scan_component_manifests",
                        lambda max_workers=None: list(_installed_component_manifests()))


@pytest.fixture(autouse=True)
def fresh_training_slots(monkeypatch) -> Iterator[TrainingSlots]:
    slots = TrainingSlots(live.MAX_CONCURRENT)
    monkeypatch.setattr(live, "_SLOTS", slots)
    yield slots
    assert (slots.running, slots.waiting) == (0, 0), "the test left training slots taken"


@pytest.fixture(autouse=True)
def training_by_steps(monkeypatch) -> None:
    real_run = Trainer.run

    def run(self, max_steps=None, max_seconds=None, **kwargs):
        if max_seconds is not None:  # the clock is read after each step, as in Trainer.run
            budget = chunk_steps(max_seconds)
            max_steps = budget if max_steps is None else min(max_steps, budget)
        return real_run(self, max_steps=max_steps, **kwargs)

    monkeypatch.setattr(Trainer, "run", run)
