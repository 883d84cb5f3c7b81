"""Opening a lesson under AppTest the way a learner arrives: the shell first, then the page.
And the tests' clock for training: a live chunk trains a fixed number of steps.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.i18n import LANGS, tr

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "streamlit_app.py"

# On the tests' clock every training step takes this long, whatever the machine: a page's
# Trainer.run(max_seconds=s) trains chunk_steps(s) steps (tests/app/conftest.py).
SECONDS_PER_STEP = 0.001


def chunk_steps(max_seconds: float) -> int:
    """Steps that Trainer.run(max_seconds=...) trains on the tests' clock: the clock is read
    after each step, so at least one, then until `max_seconds` have passed."""
    return max(1, math.ceil(round(max_seconds / SECONDS_PER_STEP, 9)))


def page_constant(page: str, name: str):
    """The literal value of a page's module-level constant (e.g. CHUNK_SECONDS), read from
    its source: a page is a script and cannot be imported outside a Streamlit run."""
    tree = ast.parse((ROOT / page).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    return ast.literal_eval(node.value)
    raise LookupError(f"{page} sets no constant {name}")


def open_lesson(page: str, lang: str = "en", timeout: float = 90, **params: str) -> AppTest:
    """Run the app with ?lang=<lang>&<params>, switch to `page` (e.g. 'app_pages/graph.py'),
    and check that no exception was raised on the way. A new AppTest every time."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.query_params["lang"] = lang
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def link_notice_details(at: AppTest) -> list[str]:
    """The details of a page's one notice for its link (ui.params.show_notices): one line per
    setting of the link that was ignored, in the expander under the notice."""
    labels = {tr(lang, "classlink.notice.details") for lang in LANGS}
    return [m.value for e in at.expander if e.label in labels for m in e.markdown]
