"""The six lessons, in course order. Their titles and summaries live in the catalog
under `lesson.<id>.title` and `lesson.<id>.summary`; their URL paths never change."""

from __future__ import annotations

from pathlib import Path

LESSONS = ("perceptron", "graph", "layers", "optimizers", "mnist", "playground")
ICONS = {
    "perceptron": ":material/join_inner:",
    "graph": ":material/account_tree:",
    "layers": ":material/stacks:",
    "optimizers": ":material/trending_down:",
    "mnist": ":material/draw:",
    "playground": ":material/scatter_plot:",
}
PAGES_DIR = Path(__file__).resolve().parent.parent / "app_pages"


def lesson_key(lesson: str, field: str) -> str:
    """The catalog key of a lesson's `field` ('title' or 'summary')."""
    return f"lesson.{lesson}.{field}"


def lesson_file(lesson: str) -> Path:
    """Where a lesson's page script lives."""
    return PAGES_DIR / f"{lesson}.py"
