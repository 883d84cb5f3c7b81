"""Lesson 3, the layer zoo, in Chromium: every tab in both languages and in slide mode (with a
screenshot of each), editing the matrix chain, a shape error, the gradient check, and numpy's
broadcasting error."""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from engine.backend import InputError
from engine.gradcheck import check_layer
from lessons import layers as ll
from tests.e2e.helpers import (
    IDLE_TIMEOUT_MS,
    VIEWPORT,
    full_page_screenshot,
    open_idle,
    record_script_runs,
)
from ui.i18n import LANGS, tr
from viz.layers import format_vector
from viz.theme import SLIDE_SIZE

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

TABS = {  # tab -> the catalog key of its heading
    "affine": "layers.affine.heading",
    "chain": "layers.chain.heading",
    "activations": "layers.act.heading",
    "loss": "layers.loss.heading",
    "precision": "precision.title",  # ui/precision_view.py's own section
    "broadcast": "layers.bc.heading",
    "check": "layers.check.heading",
}
CELL = {"width": 46, "height": 35}  # the chain editors' column width and Glide's row height


def open_layers(page, app_url: str, lang: str, slides: bool = False, query: str = "") -> None:
    open_idle(page, f"{app_url}/layers?lang={lang}" + ("&slides=1" if slides else "") + query)
    page.locator("[data-testid=stMain]").get_by_role(
        "heading", name=tr(lang, "lesson.layers.title")).first.wait_for(timeout=IDLE_TIMEOUT_MS)


def open_tab(page, lang: str, tab: str):
    """Click a tab; returns its visible panel once its heading and charts have drawn."""
    page.get_by_role("tab", name=tr(lang, f"layers.tab.{tab}")).click()
    panel = page.locator("[role=tabpanel]:visible")
    panel.get_by_role("heading", name=tr(lang, TABS[tab])).wait_for(timeout=IDLE_TIMEOUT_MS)
    charts = panel.locator("[data-testid=stPlotlyChart]")
    for i in range(charts.count()):
        charts.nth(i).locator(".main-svg").first.wait_for(timeout=IDLE_TIMEOUT_MS)
    return panel


def wait_idle(page) -> None:
    page.wait_for_timeout(300)  # let the rerun start
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]",
                           timeout=IDLE_TIMEOUT_MS)


def metric(panel, label: str):
    """The value of the metric labelled `label` (a locator, for expect())."""
    box = panel.locator("[data-testid=stMetric]").filter(has_text=label).first
    return box.locator("[data-testid=stMetricValue]")


def edit_cell(page, key: str, row: int, column_from_right: int, value: str) -> None:
    """Type `value` into a cell of the data editor keyed `key` (Glide draws on a canvas)."""
    grid = page.locator(f".st-key-{key.replace('.', '-')} [data-testid=stDataFrame]")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    x = box["x"] + box["width"] - CELL["width"] * (column_from_right + 0.5) - 2
    y = box["y"] + CELL["height"] * (row + 1.5)
    page.mouse.click(x, y)  # focus this grid and select the cell
    page.wait_for_timeout(300)
    page.mouse.dblclick(x, y)  # open Glide's overlay editor
    overlay = page.locator(".gdg-input")
    overlay.wait_for(timeout=IDLE_TIMEOUT_MS)
    overlay.fill(value)
    page.wait_for_timeout(200)
    overlay.press("Enter")
    wait_idle(page)


@pytest.mark.parametrize("slides", [False, True], ids=["normal", "slides"])
@pytest.mark.parametrize("lang", LANGS)
def test_every_tab_draws(app_url, page, screenshots_dir, lang, slides):
    open_layers(page, app_url, lang, slides)
    for tab in TABS:
        panel = open_tab(page, lang, tab)
        assert page.locator("[data-testid=stException]").count() == 0, tab
        if slides:  # figures at the slide's fixed height
            chart = panel.locator("[data-testid=stPlotlyChart] .main-svg").first
            assert chart.bounding_box()["height"] == SLIDE_SIZE[1], tab
        full_page_screenshot(
            page, screenshots_dir / f"layers-{tab}-{lang}{'-slides' if slides else ''}.png")
        page.set_viewport_size(VIEWPORT)


@pytest.mark.parametrize("lang", LANGS)
def test_editing_a_chain_cell_changes_y(app_url, page, screenshots_dir, lang):
    open_layers(page, app_url, lang)
    panel = open_tab(page, lang, "chain")
    y_label = tr(lang, "layers.chain.y_steps")
    expect(metric(panel, y_label)).to_have_text("[-3, 0, -2]")
    edit_cell(page, "layers.chain.W1.v0", row=0, column_from_right=0, value="3")  # W1[0, 2] = 3
    W1 = ll.SEED_W1.copy()
    W1[0, 2] = 3
    expected = ll.matrix_chain([W1, ll.SEED_W2, ll.SEED_W3], ll.SEED_X)[-1].out
    expect(metric(panel, y_label)).to_have_text(format_vector(expected), timeout=IDLE_TIMEOUT_MS)
    expect(metric(panel, tr(lang, "layers.chain.y_product"))).to_have_text(
        format_vector(expected))
    # A value beyond the bound is held to it.
    edit_cell(page, "layers.chain.X.v0", row=0, column_from_right=0, value="50")
    x = np.array([9, 0, 1])  # the editors take whole numbers from -9 to 9
    expected = ll.matrix_chain([W1, ll.SEED_W2, ll.SEED_W3], x)[-1].out
    expect(metric(panel, y_label)).to_have_text(format_vector(expected), timeout=IDLE_TIMEOUT_MS)
    full_page_screenshot(page, screenshots_dir / f"layers-chain-edited-{lang}.png")


def test_adding_a_row_is_a_shape_error_message(app_url, page, screenshots_dir):
    open_layers(page, app_url, "en")
    panel = open_tab(page, "en", "chain")
    editor = page.locator(".st-key-layers-chain-W1-v0")
    editor.locator("[data-testid=stDataFrame]").hover()  # the toolbar shows on hover
    # The toolbar overlaps the narrow grid, which would take a mouse click: click the button.
    editor.get_by_role("button", name="Add row").dispatch_event("click")
    wait_idle(page)
    with pytest.raises(InputError) as engine_says:
        ll.matrix_chain([np.vstack([ll.SEED_W1, [0, 0, 0]]), ll.SEED_W2,
                         ll.SEED_W3], ll.SEED_X)
    said = tr("en", "error.layers_chain_shape", **engine_says.value.details)
    assert said.startswith("Matrix W2 has 3 columns but its input L1 has 4 entries")
    alert = panel.locator("[data-testid=stAlert]").filter(has_text=said[:60])
    alert.first.wait_for(timeout=IDLE_TIMEOUT_MS)
    assert page.locator("[data-testid=stException]").count() == 0
    panel.get_by_text(tr("en", "layers.chain.shape_hint")).wait_for(timeout=IDLE_TIMEOUT_MS)
    full_page_screenshot(page, screenshots_dir / "layers-chain-shape-error-en.png")
    page.set_viewport_size(VIEWPORT)
    panel.get_by_role("button", name=tr("en", "layers.chain.reset")).click()
    wait_idle(page)
    expect(metric(panel, tr("en", "layers.chain.y_steps"))).to_have_text(
        "[-3, 0, -2]", timeout=IDLE_TIMEOUT_MS)


@pytest.mark.parametrize("lang", LANGS)
def test_gradient_check_shows_errors_below_1e_6(app_url, page, lang):
    open_layers(page, app_url, lang, query="&N=5&D=3&H=4&seed=3")
    panel = open_tab(page, lang, "check")
    for layer in ("affine", "sigmoid", "softmax_with_loss"):
        if layer != "affine":
            label = {"sigmoid": "Sigmoid", "softmax_with_loss": "SoftmaxWithLoss"}[layer]
            box = page.locator(".st-key-layers-check").get_by_role("combobox")
            box.click()
            box.fill(label)  # typing filters the list, which opens it
            page.get_by_role("option", name=label, exact=True).click()
            wait_idle(page)
        ok = tr(lang, "layers.check.pass", error="XX").split("XX")[0]
        message = panel.locator("[data-testid=stAlert]").filter(has_text=ok).first
        message.wait_for(timeout=IDLE_TIMEOUT_MS)
        shown = float(re.search(r"\d\.\de-\d+", message.inner_text()).group())
        case = ll.gradcheck_case(layer, 5, 3, 4, seed=3)
        assert shown < 1e-6
        assert shown == pytest.approx(check_layer(case.layer, case.x, case.t).max_rel_error,
                                      rel=0.06)
    assert "check=softmax_with_loss" in page.url


@pytest.mark.parametrize("lang", LANGS)
def test_broadcasting_shows_numpys_error(app_url, page, lang):
    open_layers(page, app_url, lang, query="&bcase=bad_three_d")
    panel = open_tab(page, lang, "broadcast")
    code = panel.locator("[data-testid=stCode]").filter(has_text="ValueError").first
    code.wait_for(timeout=IDLE_TIMEOUT_MS)
    assert ("operands could not be broadcast together with shapes (2,5,1) (2,2,5)"
            in code.inner_text())
    panel.get_by_text(tr(lang, "layers.bc.fails")).wait_for(timeout=IDLE_TIMEOUT_MS)


def test_a_new_size_reaches_the_tabs_that_read_it_without_a_page_run(app_url, page):
    """N sits in its own fragment: moving it reruns that fragment and the Affine, chain and
    check tabs by name (st.rerun with their keys), not the page: the server reports a
    fragments-only run, and the tabs that read N show the new size."""
    runs = record_script_runs(page)
    open_layers(page, app_url, "en")
    open_tab(page, "en", "affine")
    wait_idle(page)
    before = len(runs)
    slider = page.locator("[data-testid=stSlider]").filter(
        has_text=tr("en", "layers.sizes.n")).get_by_role("slider")
    slider.focus()
    slider.press("ArrowRight")  # N 4 -> 5
    wait_idle(page)
    ran = runs[before:]  # (the callback's st.rerun ends the default run early: FINISHED_EARLY)
    assert "FINISHED_FRAGMENT_RUN_SUCCESSFULLY" in ran and "FINISHED_SUCCESSFULLY" not in ran, ran
    affine = open_tab(page, "en", "affine")
    expect(affine).to_contain_text("X is 5×2")
    check = open_tab(page, "en", "check")
    expect(check).to_contain_text("at N = 5, D = 2, H = 3")
    assert page.locator("[data-testid=stException]").count() == 0


def test_the_notes_sizes_button_draws_seed_003s_affine(app_url, page):
    """Seed 003's h = x·W1 + b1 with x (10, 2) and W1 (2, 4), one click away."""
    open_layers(page, app_url, "ko")
    open_tab(page, "ko", "affine")
    page.get_by_role("button", name=tr("ko", "layers.sizes.notes_example")).click()
    wait_idle(page)
    affine = open_tab(page, "ko", "affine")
    expect(affine).to_contain_text(tr("ko", "layers.affine.forward_caption", n=10, d=2, h=4))
    assert page.locator("[data-testid=stException]").count() == 0
    assert "N=10" in page.url and "H=4" in page.url
