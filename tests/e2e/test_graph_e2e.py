"""The computational-graph lesson in Chromium: Graphviz draws the engine's graphs as SVG
(offline, in the browser), 'Next node' moves the highlight, and a bad expression is a
message on a page that keeps working."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import IDLE_TIMEOUT_MS, full_page_screenshot, open_idle
from ui.i18n import tr
from viz.graph import CURRENT_FILL

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

CHARTS = "[data-testid=stGraphVizChart] svg"
LIT = f"{CHARTS} g.node:has([fill='{CURRENT_FILL}'])"  # the node backward is processing


def button(page, key: str):
    """A button by its widget key (Streamlit marks its container with st-key-<key>)."""
    return page.locator(f".st-key-{key.replace('.', '-')} button")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_graphs_render_and_next_node_moves_the_highlight(app_url, page, screenshots_dir, lang):
    open_idle(page, f"{app_url}/graph?lang={lang}")
    charts = page.locator(CHARTS)
    charts.first.wait_for(timeout=IDLE_TIMEOUT_MS)
    assert charts.count() >= 10
    # the café graph, drawn from the engine: its translated node names and values
    cafe_text = " ".join(charts.first.locator("text").all_text_contents())
    for word in (tr(lang, "graph.cafe.price_of", item=tr(lang, "graph.cafe.machine")),
                 tr(lang, "graph.cafe.subtotal"), "3,190,000", "1,000,000", "×", "+"):
        assert word in cafe_text, word
    assert page.locator(LIT).count() == 0  # nothing is being processed yet

    button(page, "graph.cafe_step.next").click()
    lit = page.locator(LIT)
    expect(lit).to_have_count(1, timeout=IDLE_TIMEOUT_MS)
    expect(lit).to_contain_text(tr(lang, "graph.cafe.total"), timeout=IDLE_TIMEOUT_MS)
    first_node = lit.locator("title").text_content()
    # the table of the current node's edges: upstream, local, downstream
    main = page.locator("[data-testid=stMain]")
    header = main.locator("table th").filter(has_text=tr(lang, "graph.col.downstream"))
    expect(header.first).to_be_visible(timeout=IDLE_TIMEOUT_MS)

    button(page, "graph.cafe_step.next").click()
    expect(lit).to_contain_text(tr(lang, "graph.cafe.tax"), timeout=IDLE_TIMEOUT_MS)
    assert lit.locator("title").text_content() != first_node
    # the gradient of the tax factor (the subtotal) is drawn in red on its edge
    stepper = page.locator(CHARTS).filter(has=page.locator(f"[fill='{CURRENT_FILL}']"))
    assert "2,900,000" in " ".join(stepper.locator("text").all_text_contents())
    assert page.locator("[data-testid=stException]").count() == 0
    stepper.screenshot(path=str(screenshots_dir / f"graph-stepped-{lang}.png"))
    full_page_screenshot(page, screenshots_dir / f"graph-stepped-{lang}-page.png")


def test_bad_expression_is_a_message_and_the_page_keeps_working(app_url, page):
    open_idle(page, f"{app_url}/graph?lang=en")
    box = page.locator(".st-key-graph-expr input")
    box.fill("__import__('os')")
    box.press("Enter")
    alert = page.locator("[data-testid=stAlertContentError]")
    expect(alert).to_contain_text("__import__", timeout=IDLE_TIMEOUT_MS)
    assert page.locator("[data-testid=stException]").count() == 0
    box.fill("x^2 * y")
    box.press("Enter")
    expect(alert).to_have_count(0, timeout=IDLE_TIMEOUT_MS)
    expect(page.locator(CHARTS).last).to_contain_text("**2", timeout=IDLE_TIMEOUT_MS)


def test_slide_mode_draws_the_graphs_with_bigger_type(app_url, page, screenshots_dir):
    open_idle(page, f"{app_url}/graph?lang=ko&slides=1")
    charts = page.locator(CHARTS)
    charts.first.wait_for(timeout=IDLE_TIMEOUT_MS)
    sizes = charts.first.locator("text").evaluate_all(
        "els => els.map(e => parseFloat(e.getAttribute('font-size')))")
    assert max(sizes) >= 17
    button(page, "graph.sig_step.all").click()
    expect(page.locator(LIT)).to_have_count(1, timeout=IDLE_TIMEOUT_MS)
    assert page.locator("[data-testid=stException]").count() == 0


def test_node_type_tabs_draw_their_graphs_and_the_shape_diagram(app_url, page, screenshots_dir):
    open_idle(page, f"{app_url}/graph?lang=en&mm_d=3")  # D = 3: the shapes tell x from W
    tabs = page.locator("[data-testid=stTabs]")
    for name, expected in (("Repeat", "Repeat"), ("Sum", "Sum"), ("MatMul", "MatMul")):
        tabs.get_by_role("tab", name=name, exact=True).click()
        panel = tabs.locator("[role=tabpanel]:visible")
        expect(panel.locator(CHARTS)).to_contain_text(expected, timeout=IDLE_TIMEOUT_MS)
    # the MatMul tab: shapes on the edges and the plotly shape diagram
    panel = tabs.locator("[role=tabpanel]:visible")
    graph_text = " ".join(panel.locator(f"{CHARTS} text").all_text_contents())
    assert "(2×3)" in graph_text and "(3×2)" in graph_text and "(2×2)" in graph_text
    plot = panel.locator("[data-testid=stPlotlyChart]")
    expect(plot.locator(".annotation-text").first).to_be_visible(timeout=IDLE_TIMEOUT_MS)
    captions = " ".join(plot.locator(".annotation-text").all_text_contents())
    assert "dx (2×3)" in captions and "dW (3×2)" in captions
    assert tr("en", "viz.sign_key") in captions  # red +, blue −, said once on the figure
    assert page.locator("[data-testid=stException]").count() == 0
    full_page_screenshot(page, screenshots_dir / "graph-matmul-en-page.png")


def test_a_cafe_number_reruns_both_sections_that_draw_the_bill(app_url, page):
    """The café inputs and the backward section are two fragments: a new count reruns both
    (the total and the gradient table agree), and the link follows."""
    open_idle(page, f"{app_url}/graph?lang=en")
    box = page.locator(".st-key-graph-chairs input")
    box.fill("16")
    box.press("Enter")
    metric = page.locator("[data-testid=stMetric]").first
    expect(metric).to_contain_text("3,223,000", timeout=IDLE_TIMEOUT_MS)
    # d total / d chair price = tax × chairs = 1.1 × 16, in the backward section's table
    grads = page.locator("[data-testid=stMain] table").filter(
        has_text=tr("en", "graph.col.grad_total"))
    expect(grads).to_contain_text("17.6", timeout=IDLE_TIMEOUT_MS)
    expect(page).to_have_url(re.compile(r"chairs=16"), timeout=IDLE_TIMEOUT_MS)
    assert page.locator("[data-testid=stException]").count() == 0
