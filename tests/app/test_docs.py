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


def notebook_snippets() -> list[str]:
    """The python blocks of the README's 'The engine in a notebook' section."""
    section = README.split("## The engine in a notebook", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_readme_notebook_snippets_run_and_print_what_their_comments_say(
        capsys, tmp_path, monkeypatch):
    """Run as a learner would paste them (our own README, never a visitor's text), in a
    folder of their own (the first saves net.npz)."""
    monkeypatch.chdir(tmp_path)
    snippets = notebook_snippets()
    assert len(snippets) == 2
    for code in snippets:
        exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert out[-3:] == ["3190000", "1100000.0", "[1 1 1 0]"]
    assert out[0].startswith("EpochRecord(epoch=1, step=600, loss=")  # one epoch of batch 100
    assert out[1] == "True"  # the network saved and loaded scores the same
    assert (tmp_path / "net.npz").is_file()


def test_the_layout_section_names_every_package_and_engine_module():
    layout = README.split("## Layout", 1)[1].split("\n## ", 1)[0]
    for package in ("app_pages/", "ui/", "viz/", "lessons/", "engine/"):
        assert package in layout
    for module in sorted(p.stem for p in (ROOT / "engine").glob("*.py") if p.stem != "__init__"):
        assert module in layout, f"the layout does not name engine/{module}.py"
