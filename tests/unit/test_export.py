"""ui.export without a Streamlit run: the CSV a teaching table saves, the files' names, and
the graphs rendered by Graphviz's `dot` as SVG and PNG at slide size (Korean labels kept as
text in the SVG, the PNG 1920×1080, the DOT text handed to `dot` on stdin, never a shell).

The graph tests need Debian's graphviz package: they are skipped where `dot` is missing,
except under CI=true (scripts/test.sh installs it there), where they fail.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from PIL import Image

from lessons import graph as lg
from ui import export
from ui.i18n import LANGS, tr
from viz import graph as vg
from viz.theme import EXPORT_SIZE

HANGUL = re.compile("[\uac00-\ud7a3]")
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def dot():
    """Graphviz's dot, or a skip (a failure under CI=true) where it is not installed."""
    program = export.dot_program()
    if program is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Graphviz's dot is missing: scripts/test.sh installs the Debian "
                        "package graphviz in CI")
        pytest.skip("Graphviz's dot is not installed (apt-get install -y graphviz)")
    export._render.cache_clear()
    return program


def cafe_names(lang: str) -> dict[str, str]:
    """The café graph's node names in `lang`, from the catalog (as ui.graph_view does)."""
    items = {i: tr(lang, f"graph.cafe.{i}") for i in lg.CAFE_ITEMS}
    names = {"subtotal": tr(lang, "graph.cafe.subtotal"), "tax": tr(lang, "graph.cafe.tax"),
             "total": tr(lang, "graph.cafe.total")}
    for i, item in items.items():
        for part in ("count", "price", "cost"):
            names[f"{i}_{part}"] = tr(lang, f"graph.cafe.{part}_of", item=item)
    return names


def cafe_dot(lang: str) -> str:
    """The café bill after its backward pass, as the page's export builds it."""
    graph = lg.cafe_bill({"machine": 2, "table": 5, "chair": 15, "cup": 20},
                         {"machine": 1_000_000, "table": 50_000, "chair": 30_000,
                          "cup": 10_000}, 10.0)
    return vg.graph_dot(graph, graph.backward(), names=cafe_names(lang), max_columns=None,
                        slides=True)


def svg_texts(svg: bytes) -> list[str]:
    """Every <text> of an SVG file, as a viewer reads it (entities decoded)."""
    root = ET.fromstring(svg)
    return ["".join(el.itertext()) for el in root.iter(f"{SVG_NS}text")]


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# ---------------------------------------------------------------- names and CSV


def test_file_names_follow_the_camera_buttons_pattern():
    assert export.file_name("graph-cafe", "ko", "svg") == "graph-cafe-ko.svg"
    assert export.file_name("perceptron-truth-table-and", "en", "csv") == (
        "perceptron-truth-table-and-en.csv")


def test_csv_is_utf8_with_a_bom_and_keeps_korean():
    frame = pd.DataFrame({"잎 노드": ["커피머신 가격", "세금 계수"], "값": ["1,000,000", "1.1"]})
    data = export.csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads the file as UTF-8 only with it
    assert data.count(b"\xef\xbb\xbf") == 1
    assert read_csv(data) == [["잎 노드", "값"], ["커피머신 가격", "1,000,000"],
                              ["세금 계수", "1.1"]]
    assert data.endswith(b"\r\n") and b"\r\n" in data[:-2]  # RFC 4180's line ends


def test_csv_cells_read_as_the_table_shows_them():
    """st.table's cells are Markdown: the escapes escape_markdown adds are not shown, so the
    CSV leaves them out too; numbers keep ten significant digits, the index stays out."""
    frame = pd.DataFrame({r"x\_1": [r"\_\_import\_\_", r"a\*b"],
                          "a": [0.1 + 0.2, -0.19999999999999996]}, index=[7, 8])
    assert read_csv(export.csv_bytes(frame)) == [["x_1", "a"], ["__import__", "0.3"],
                                                 ["a*b", "-0.2"]]


def test_csv_quotes_what_needs_quoting():
    frame = pd.DataFrame({"edge": ['a, "b"'], "value": ["1\n2"]})
    assert read_csv(export.csv_bytes(frame)) == [["edge", "value"], ['a, "b"', "1\n2"]]


def test_plain_text_leaves_other_values_alone():
    assert export.plain_text(3.5) == 3.5
    assert export.plain_text("∂total/∂x") == "∂total/∂x"
    assert export.plain_text(r"1\.5 \+ 2") == "1.5 + 2"


# ---------------------------------------------------------------- graphs through dot


@pytest.mark.parametrize("lang", LANGS)
def test_svg_holds_the_graphs_labels_in_the_learners_language(dot, lang):
    svg = export.render(cafe_dot(lang), "svg")
    text = "\n".join(svg_texts(svg))
    for name in cafe_names(lang).values():
        assert name in text, name
    for number in ("3,190,000", "2,900,000", "1,000,000"):  # values and gradients
        assert number in text
    if lang == "ko":
        assert HANGUL.search(text)
    else:
        assert not HANGUL.search(text), "an English graph holds Korean"


def test_svg_is_slide_sized_with_its_drawing_scaled_inside(dot):
    root = ET.fromstring(export.render(cafe_dot("ko"), "svg"))
    assert (root.get("width"), root.get("height")) == ("1920px", "1080px")
    box = [float(v) for v in root.get("viewBox").split()]
    assert box[2] > 0 and box[3] > 0  # the viewBox keeps Graphviz's own units


@pytest.mark.parametrize("lang", LANGS)
def test_png_is_1920_by_1080_with_the_graph_filling_one_side(dot, lang):
    png = export.render(cafe_dot(lang), "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == EXPORT_SIZE
        rgb = image.convert("RGB")
    assert rgb.getpixel((0, 0)) == (255, 255, 255)  # white, as a slide
    left, top, right, bottom = Image.eval(rgb.convert("L"), lambda v: 255 - v).getbbox()
    # the café bill is wide: it spans the slide's width (less Graphviz's 4-point margin)
    assert right - left > EXPORT_SIZE[0] * 0.95
    assert bottom - top < EXPORT_SIZE[1]


def test_a_tall_graph_fills_the_slides_height(dot):
    chain = lg.sigmoid_graph(1.0)
    dot_text = vg.graph_dot(chain, chain.backward(), max_columns=1)  # top to bottom
    with Image.open(io.BytesIO(export.render(dot_text, "png"))) as image:
        assert image.size == EXPORT_SIZE
        gray = Image.eval(image.convert("L"), lambda v: 255 - v)
    left, top, right, bottom = gray.getbbox()
    assert bottom - top > EXPORT_SIZE[1] * 0.95
    assert right - left < EXPORT_SIZE[0] / 2


def test_dot_gets_the_text_on_stdin_and_an_argument_list(dot, monkeypatch):
    calls = []
    real = subprocess.run

    def spy(args, *a, **kw):
        calls.append((args, kw))
        return real(args, *a, **kw)

    monkeypatch.setattr(export.subprocess, "run", spy)
    text = cafe_dot("en")
    export.render(text, "svg")
    export.render(text, "png")
    assert len(calls) == 2
    for args, kw in calls:
        assert isinstance(args, list) and args[0] == dot
        assert not kw.get("shell")
        assert kw["input"] == text.encode("utf-8")
        assert kw["timeout"] == export.TIMEOUT_S
    assert calls[0][0][1] == "-Tsvg" and calls[1][0][1] == "-Tpng"


def test_shell_characters_in_a_label_are_only_text(dot, tmp_path):
    """A node named like a shell command is drawn, not run: nothing runs a shell."""
    marker = tmp_path / "ran"
    label = f"$(touch {marker}); `touch {marker}` | x"
    graph = lg.two_input_graph("add", 1.0, 2.0)
    svg = export.render(vg.graph_dot(graph, names={"f": label}), "svg")
    assert label in svg_texts(svg)
    assert not marker.exists()


def test_a_second_render_comes_from_the_cache(dot, monkeypatch):
    text = cafe_dot("ko")
    first = export.render(text, "svg")
    monkeypatch.setattr(export.subprocess, "run", lambda *a, **k: pytest.fail("dot ran again"))
    assert export.render(text, "svg") is first


def test_dot_refusing_the_text_is_an_error(dot):
    with pytest.raises(subprocess.CalledProcessError):
        export.render("digraph { this is not DOT", "svg")


def test_unknown_format_and_missing_graphviz(monkeypatch):
    with pytest.raises(ValueError, match="svg"):
        export.render("digraph {}", "jpg")
    export._render.cache_clear()
    monkeypatch.setattr(export, "dot_program", lambda: None)
    with pytest.raises(export.GraphvizMissing, match="graphviz"):
        export.render("digraph { a -> b }", "svg")
