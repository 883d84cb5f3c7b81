"""The house's rules, checked: arrows one way, a readable engine, thin pages.

DESIGN.md's Layout: app_pages -> ui -> viz -> lessons -> engine. The engine and the
lessons never import Streamlit or Plotly; no page is longer than 300 lines; the engine
without its autograd module fits in 1,800 lines, and its docstring names its modules.
Besides autograd (the computational graph, a lesson of its own), the count leaves out
saving.py: the checks of a file a learner uploads (sizes, zip directory, array headers),
which a learner reading the maths skips, as they skip autograd's parser.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("engine", "lessons", "viz", "ui", "app_pages")  # lowest first
MAX_PAGE_LINES = 300
MAX_ENGINE_LINES = 1800
UI_LIBRARIES = ("streamlit", "plotly")


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).glob("*.py"))


def imported(path: Path) -> set[str]:
    """Top-level package names `path` imports, relative imports resolved to its package."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(path.parent.name if node.level else (node.module or "").split(".")[0])
    return names


@pytest.mark.parametrize("package", ["engine", "lessons"])
def test_engine_and_lessons_never_import_a_ui_library(package):
    for path in modules(package):
        found = imported(path) & set(UI_LIBRARIES)
        assert not found, f"{path.relative_to(ROOT)} imports {sorted(found)}"


def test_importing_every_engine_and_lesson_module_loads_no_ui_library():
    """What the source says, checked in a fresh interpreter: nothing pulls them in indirectly."""
    names = [f"{p.parent.name}.{p.stem}" for pkg in ("engine", "lessons") for p in modules(pkg)
             if p.stem != "__init__"]
    code = ("import importlib, sys\n"
            f"for n in {names!r}: importlib.import_module(n)\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {UI_LIBRARIES!r}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]", out


@pytest.mark.parametrize("package", LAYERS)
def test_arrows_go_one_way(package):
    """A package imports only the packages below it in LAYERS."""
    above = set(LAYERS[LAYERS.index(package) + 1:])
    for path in modules(package):
        found = imported(path) & above
        assert not found, f"{path.relative_to(ROOT)} imports {sorted(found)}, which sit above it"


def test_no_module_imports_another_modules_private_names():
    for package in LAYERS:
        for path in modules(package):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom):
                    private = [a.name for a in node.names if a.name.startswith("_")]
                    assert not private, f"{path.relative_to(ROOT)} imports {private}"


@pytest.mark.parametrize("page", modules("app_pages"), ids=lambda p: p.name)
def test_no_page_is_longer_than_300_lines(page):
    lines = len(page.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_PAGE_LINES, f"{page.name} has {lines} lines"


OUTSIDE_THE_SITTING = ("autograd", "saving")


def test_the_engine_without_autograd_is_readable_in_one_sitting():
    lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in modules("engine")
                if p.stem not in OUTSIDE_THE_SITTING)
    assert lines <= MAX_ENGINE_LINES, f"engine/ has {lines} lines without autograd and saving"


def test_the_engine_docstring_lists_its_modules_as_they_are():
    import engine

    doc = engine.__doc__
    listed = doc[doc.index("Modules:"):].split("\n\n")[0]
    for path in modules("engine"):
        if path.stem != "__init__":
            assert path.stem in listed, f"engine's docstring does not list {path.stem}"
    for word in ("graph", "perceptron", "chain", "digits", "mnist_stats", "zoo", "surfaces"):
        assert f" {word}" not in listed.replace("(", " "), f"it lists {word}, not in engine/"
