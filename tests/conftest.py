"""Fixtures for every test: the same start whatever ran before, and one Chromium.

- Randomness is fixed per test: `rng` is a fresh generator with a fixed seed, and the
  global generators (`random`, `np.random`) are reseeded before every test, so no test's
  data depends on which tests ran first. Hypothesis runs the "repo" profile below:
  derandomized, no example database, a reproduction blob printed on failure, no deadline.
- The Plotly theme is installed before every test (viz.theme.install), as the app's
  shell does on every run: importing Streamlit resets Plotly's default template.
- The browser tests (tests/e2e) and the load tests (tests/load) share one Debian Chromium
  for the whole run, driven through Playwright's sync API. (Two sync Playwright instances
  cannot live in one thread, so there must be exactly one.)
- Tests under tests/load and tests/security are `serial`; tests marked `long` run only with
  `-m long` (pytest_collection_modifyitems, below).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS
from viz.theme import install

SCREENSHOTS = Path(__file__).resolve().parent / "e2e" / "screenshots"
SEED = 20_240_521  # the one seed a test starts from, whatever ran before it

# The same examples on every run and machine: derandomize seeds Hypothesis from each test's
# source, and without a database no earlier run's failures are replayed first. A failure
# prints the blob that reproduces it (@reproduce_failure). deadline=None: a slow or busy CI
# machine must not turn a correct test red. HYPOTHESIS_PROFILE=explore draws fresh examples.
settings.register_profile("repo", derandomize=True, database=None, print_blob=True,
                          deadline=None)
settings.register_profile("explore", parent=settings.get_profile("repo"), derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repo"))


@pytest.fixture(autouse=True)
def _fixed_start():
    """Before every test: the global random generators reseeded, the Plotly theme installed."""
    random.seed(SEED)
    np.random.seed(SEED)  # noqa: NPY002 - for code that still draws from the global one
    install()


@pytest.fixture
def rng() -> np.random.Generator:
    """A generator of its own for one test, always from the same seed."""
    return np.random.default_rng(SEED)


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium; the e2e tests are skipped without it (and fail under CI=true)."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason + "; browser tests skipped")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium):
    """Chromium launched headless through Playwright's sync API."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


SERIAL_DIRS = ("load", "security")  # tests that read the server's CPU time and memory


def pytest_collection_modifyitems(config, items):
    """Two rules for the whole suite:

    - Tests under tests/load and tests/security are marked `serial`: they read a server's CPU
      time and memory, so scripts/test.sh runs them alone on the cores, after the others,
      which run on several workers side by side (pytest-xdist). A test elsewhere that times
      the browser carries the mark itself.
    - Tests marked `long` (the full load rounds) run only when asked for by name:
      `pytest -m long`. The default run keeps their short forms, which check the same
      behaviour with fewer learners and shorter rounds.
    """
    here = Path(__file__).resolve().parent
    for item in items:
        parts = Path(item.path).resolve().relative_to(here).parts
        if parts and parts[0] in SERIAL_DIRS:
            item.add_marker(pytest.mark.serial)
    if "long" in (config.getoption("markexpr") or ""):
        return
    long = [item for item in items if item.get_closest_marker("long") is not None]
    if long:
        config.hook.pytest_deselected(items=long)
        items[:] = [item for item in items if item.get_closest_marker("long") is None]
