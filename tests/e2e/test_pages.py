"""Every page of the navigation, in both languages and in slide mode: no exception, no
console error, a screenshot of each for a person to look at.

The README shows one screen of each page (docs/screenshots/<page>-<lang>.png), taken here
at the step that shows best what the lesson is about. They go to tests/e2e/screenshots/docs/
on every run, and to docs/screenshots/ with DOCS_SCREENSHOTS=1:

    DOCS_SCREENSHOTS=1 python -m pytest tests/e2e/test_pages.py tests/e2e/test_mnist_e2e.py \
        tests/e2e/test_playground_e2e.py
"""

from __future__ import annotations

import pytest

from tests.e2e.helpers import IDLE_TIMEOUT_MS, docs_screenshot, full_page_screenshot, open_idle
from ui.i18n import LANGS, tr
from ui.lessons import LESSONS, lesson_key

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

PAGES = ["", *LESSONS]  # "" is home
# the heading the README's screenshot of each page starts at (None: the top of the page); the
# playground's is taken after training, in test_playground_e2e.py
DOCS_ANCHORS = {"": None, "perceptron": "perceptron.s3.header", "graph": "graph.cafe.header",
                "layers": None, "optimizers": "optimizers.s3.header", "mnist": "mnist.s2.header"}


@pytest.mark.parametrize("slides", [False, True], ids=["normal", "slides"])
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES, ids=lambda p: p or "home")
def test_page_opens(app_url, page, screenshots_dir, docs_dir, path, lang, slides):
    query = f"?lang={lang}" + ("&slides=1" if slides else "")
    open_idle(page, f"{app_url}/{path}{query}")
    assert page.locator("[data-testid=stException]").count() == 0
    main = page.locator("[data-testid=stMain]")
    title = tr(lang, lesson_key(path, "title")) if path else tr(lang, "home.title")
    main.get_by_role("heading", name=title).first.wait_for(timeout=IDLE_TIMEOUT_MS)
    sidebar = page.locator("[data-testid=stSidebar]")
    sidebar.get_by_text(tr(lang, "sidebar.slides"), exact=True).wait_for(timeout=IDLE_TIMEOUT_MS)
    if slides:
        assert "slides=1" in page.url
    if not slides and path in DOCS_ANCHORS:
        anchor = DOCS_ANCHORS[path]
        docs_screenshot(page, docs_dir / f"{path or 'home'}-{lang}.png",
                        None if anchor is None else tr(lang, anchor))
    name = f"{path or 'home'}-{lang}{'-slides' if slides else ''}.png"
    full_page_screenshot(page, screenshots_dir / name)
