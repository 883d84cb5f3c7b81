"""The files the lecturer's kit offers, under AppTest in both languages: every graph of the
graph lesson as <figure>-<lang>.svg and .png at slide size, every table that teaches as
<table>-<lang>.csv, each file made (only) when its button is clicked, and a page that says
once that it cannot make graph files when the server has no Graphviz.

A download button's file is registered with Streamlit's media file manager, which AppTest
keeps only while a script runs: the `offered` fixture records what each button registered
(its file name, type and the callable that makes the file), keyed by the button's id.
"""

from __future__ import annotations

import csv
import io
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pytest
from PIL import Image
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from lessons import graph as lg
from tests.app.helpers import open_lesson
from ui import export
from ui.i18n import LANGS, tr
from viz.theme import EXPORT_SIZE

GRAPH, PERCEPTRON = "app_pages/graph.py", "app_pages/perceptron.py"
# one name per graph on the graph page, in the page's order
FIGURES = ["graph-cafe", "graph-add-node", "graph-mul-node", "graph-chain-rule",
           "graph-cafe-backward", "graph-sigmoid", "graph-softmax-loss", "graph-branch",
           "graph-repeat", "graph-sum", "graph-matmul", "graph-expression"]
GRAPH_TABLES = ["graph-cafe-gradients", "graph-sigmoid-walk", "graph-softmax-paths",
                "graph-expression-check", *(f"{f}-nodes" for f in FIGURES)]
PERCEPTRON_TABLES = ["perceptron-truth-table-and", "perceptron-gate-verdicts",
                     "perceptron-xor-from-gates", "perceptron-output-deltas",
                     "perceptron-hidden-deltas", "perceptron-weight-gradients"]
SVG_TEXT = "{http://www.w3.org/2000/svg}text"


@dataclass(frozen=True)
class Offered:
    name: str
    mime: str
    make: Callable[[], bytes]


@pytest.fixture
def offered(monkeypatch) -> dict[str, Offered]:
    """Button id -> the file it offers, for every download button a run drew."""
    found: dict[str, Offered] = {}
    real = MediaFileManager.add_deferred

    def add_deferred(self, data, mimetype, coordinates, file_name=None, *, element_id=""):
        found[element_id] = Offered(file_name, mimetype, data)
        return real(self, data, mimetype, coordinates, file_name=file_name,
                    element_id=element_id)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return found


@pytest.fixture
def dot() -> str:
    """Graphviz's dot, or a skip (a failure under CI=true) where it is not installed."""
    program = export.dot_program()
    if program is None:
        reason = "Graphviz's dot is missing (apt-get install -y graphviz)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + "; scripts/test.sh installs it in CI")
        pytest.skip(reason)
    return program


def files(at: AppTest, offered: dict[str, Offered]) -> dict[str, tuple[str, Offered]]:
    """File name -> (the button's label, the file) for the download buttons on the page."""
    shown = {}
    for button in at.get("download_button"):
        item = offered[button.id]
        assert item.name not in shown, f"two buttons save {item.name}"
        shown[item.name] = (button.label, item)
    return shown


def svg_text(svg: bytes) -> str:
    return "\n".join("".join(el.itertext()) for el in ET.fromstring(svg).iter(SVG_TEXT))


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "no byte-order mark: Excel misreads Hangul"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def unescape(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def shown_table(at: AppTest, column: str) -> pd.DataFrame:
    found = [t.value for t in at.table if column in t.value.columns]
    assert len(found) == 1, f"{len(found)} tables with a column {column!r}"
    return found[0]


@pytest.mark.parametrize("lang", LANGS)
def test_every_graph_is_offered_as_svg_and_png(offered, dot, lang):
    at = open_lesson(GRAPH, lang)
    assert len(at.get("graphviz_chart")) == len(FIGURES)  # a new graph needs its name here
    shown = files(at, offered)
    for figure in FIGURES:
        for fmt in ("svg", "png"):
            label, item = shown[f"{figure}-{lang}.{fmt}"]
            assert label == tr(lang, f"export.{fmt}")
            assert item.mime == export.MIME[fmt]
    graph_files = sorted(n for n in shown if n.endswith((".svg", ".png")))
    assert graph_files == sorted(f"{f}-{lang}.{x}" for f in FIGURES for x in ("svg", "png"))
    assert not [c for c in at.caption if c.value == tr(lang, "export.no_graphviz")]

    # the café bill's files: its node names in the page's language, the slide's size
    svg = shown[f"graph-cafe-{lang}.svg"][1].make()
    root = ET.fromstring(svg)
    assert (root.get("width"), root.get("height")) == ("1920px", "1080px")
    text = svg_text(svg)
    item = tr(lang, "graph.cafe.machine")
    for name in (tr(lang, "graph.cafe.price_of", item=item), tr(lang, "graph.cafe.subtotal"),
                 tr(lang, "graph.cafe.total"), "3,190,000"):
        assert name in text, name
    assert bool(re.search("[\uac00-\ud7a3]", text)) == (lang == "ko")
    with Image.open(io.BytesIO(shown[f"graph-cafe-{lang}.png"][1].make())) as png:
        assert png.format == "PNG" and png.size == EXPORT_SIZE


def test_a_stepper_saves_the_step_it_shows(offered, dot):
    at = open_lesson(GRAPH, "en")
    before = svg_text(files(at, offered)["graph-cafe-backward-en.svg"][1].make())
    at.button(key="graph.cafe_step.next").click().run()
    after = svg_text(files(at, offered)["graph-cafe-backward-en.svg"][1].make())
    # backward's first step: total = subtotal × tax, upstream 1 times each local gradient
    for product in ("1 × 1.1 = 1.1", "1 × 2,900,000 = 2,900,000"):
        assert product not in before and product in after


@pytest.mark.parametrize("lang", LANGS)
def test_the_graph_pages_tables_save_as_the_csv_they_show(offered, lang):
    at = open_lesson(GRAPH, lang)
    shown = files(at, offered)
    tables = sorted(n.removesuffix(f"-{lang}.csv") for n in shown if n.endswith(".csv"))
    assert tables == sorted(GRAPH_TABLES)
    for name in tables:
        label, item = shown[f"{name}-{lang}.csv"]
        assert (label, item.mime) == (tr(lang, "export.csv"), "text/csv")

    # the café's gradients: the very cells of the table on the page, one row per leaf
    frame = shown_table(at, tr(lang, "graph.col.grad_total"))
    rows = csv_rows(shown[f"graph-cafe-gradients-{lang}.csv"][1].make())
    assert rows[0] == list(frame.columns)
    assert rows[1:] == frame.astype(str).values.tolist()
    assert len(rows) - 1 == 2 * len(lg.CAFE_ITEMS) + 1  # a price and a count each, the tax

    # a graph's nodes (a popover's table): names as the learner reads them, no Markdown
    rows = csv_rows(shown[f"graph-cafe-nodes-{lang}.csv"][1].make())
    assert rows[0][0] == tr(lang, "graph.text.col_node")
    assert tr(lang, "graph.cafe.total") in [r[0] for r in rows[1:]]
    assert not any("\\" in cell for r in rows for cell in r)


@pytest.mark.parametrize("lang", LANGS)
def test_the_perceptrons_tables_save_as_csv(offered, lang):
    at = open_lesson(PERCEPTRON, lang)
    shown = files(at, offered)
    tables = sorted(n.removesuffix(f"-{lang}.csv") for n in shown if n.endswith(".csv"))
    assert tables == sorted(PERCEPTRON_TABLES)
    assert {label for label, _ in shown.values()} == {tr(lang, "export.csv")}

    # the truth table: the numbers on the page (unrounded), the target column in its language
    table = shown_table(at, tr(lang, "perceptron.col_target", gate="AND"))
    data = shown["perceptron-truth-table-and-" + lang + ".csv"][1].make()
    saved = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(saved.columns) == list(table.columns)
    pd.testing.assert_frame_equal(saved, table.reset_index(drop=True), check_dtype=False,
                                  rtol=1e-9)


@pytest.mark.parametrize("lang", LANGS)
def test_without_graphviz_the_page_says_so_once_and_keeps_working(offered, monkeypatch, lang):
    monkeypatch.setattr(export, "dot_program", lambda: None)
    at = open_lesson(GRAPH, lang)
    notice = tr(lang, "export.no_graphviz")
    assert [c.value for c in at.caption].count(notice) == 1
    assert len(at.get("graphviz_chart")) == len(FIGURES)  # drawn by the browser all the same
    names = files(at, offered)
    assert not [n for n in names if n.endswith((".svg", ".png"))]
    assert f"graph-cafe-gradients-{lang}.csv" in names
    at.button(key="graph.cafe_step.next").click().run()  # a section rerun: still one notice
    assert not at.exception
    assert [c.value for c in at.caption].count(notice) == 1


@pytest.mark.parametrize(("page", "table", "column"), [
    ("app_pages/optimizers.py", "optimizers-nesterov-forms", "optimizers.s2.col_ahead"),
    ("app_pages/playground.py", "playground-neuron-weights", "playground.inspect.grad"),
])
def test_the_other_lessons_number_tables_save_as_csv(offered, page, table, column):
    at = open_lesson(page, "ko")
    frame = shown_table(at, tr("ko", column))
    rows = csv_rows(files(at, offered)[f"{table}-ko.csv"][1].make())
    assert rows == [list(frame.columns), *frame.astype(str).values.tolist()]
