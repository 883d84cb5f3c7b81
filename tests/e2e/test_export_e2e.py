"""A graph saved from the browser: the café bill's SVG and PNG buttons in Chromium (Korean
page) give <figure>-ko.svg/.png files at slide size (1920×1080), the SVG holding the graph's
Korean labels as text. Graphviz renders them on the server when the button is clicked."""

from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from tests.e2e.helpers import IDLE_TIMEOUT_MS, open_idle
from ui import export
from ui.i18n import tr
from viz.theme import EXPORT_SIZE

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


def test_the_cafe_graph_downloads_as_slide_sized_svg_and_png(app_url, page, screenshots_dir):
    if export.dot_program() is None:  # the server runs here: without dot, no buttons
        reason = "Graphviz's dot is missing (apt-get install -y graphviz)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + "; scripts/test.sh installs it in CI")
        pytest.skip(reason)
    open_idle(page, f"{app_url}/graph?lang=ko")
    saved = {}
    for fmt in ("svg", "png"):
        button = page.locator(f".st-key-export-graph-cafe-{fmt} button:visible")
        button.scroll_into_view_if_needed()
        with page.expect_download(timeout=IDLE_TIMEOUT_MS) as download:
            button.click()
        assert download.value.suggested_filename == f"graph-cafe-ko.{fmt}"
        path = screenshots_dir / download.value.suggested_filename
        download.value.save_as(path)
        saved[fmt] = path.read_bytes()

    root = ET.fromstring(saved["svg"])
    assert (root.get("width"), root.get("height")) == ("1920px", "1080px")
    text = " ".join("".join(el.itertext())
                    for el in root.iter("{http://www.w3.org/2000/svg}text"))
    machine = tr("ko", "graph.cafe.machine")
    for label in (tr("ko", "graph.cafe.price_of", item=machine),
                  tr("ko", "graph.cafe.count_of", item=machine),
                  tr("ko", "graph.cafe.subtotal"), tr("ko", "graph.cafe.total"), "3,190,000"):
        assert label in text, label
    with Image.open(io.BytesIO(saved["png"])) as png:
        assert (png.format, png.size) == ("PNG", EXPORT_SIZE)
    assert page.locator("[data-testid=stException]").count() == 0
