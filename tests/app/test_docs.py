"""The README and docs/ keep their promises: a committed screenshot of every page in both
languages (made by the browser tests, see tests/e2e/test_pages.py), each shown by the
README, and deploy notes with measured numbers in them, not placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from ui.i18n import LANGS
from ui.lessons import LESSONS

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DEPLOY = (ROOT / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
SHOTS = ROOT / "docs" / "screenshots"
NAMES = ["home", *LESSONS, "mnist-training"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", NAMES)
def test_every_page_has_a_committed_screenshot_the_readme_shows(name, lang):
    path = SHOTS / f"{name}-{lang}.png"
    assert path.is_file(), f"{path} is missing: DOCS_SCREENSHOTS=1 pytest tests/e2e/test_pages.py"
    with Image.open(path) as image:
        assert image.size == (1280, 800)
    assert f"docs/screenshots/{name}-{lang}.png" in README


def test_every_image_the_readme_links_exists():
    for link in re.findall(r"(?:src=\"|\]\()(docs/[^\")]+)", README):
        assert (ROOT / link).is_file(), link


def test_the_deploy_notes_are_filled_in():
    assert "LOAD_SUMMARY" not in DEPLOY
    assert "docs/DEPLOY.md" in README
    for topic in ("Community Cloud", "reverse proxy", "affinity", "ENGINE_TRAINING_SLOTS",
                  "bench.load"):
        assert topic in DEPLOY, topic
