"""What hostile links and careless hands do, in Chromium: a link's value is never a live
link on the page, the digit canvas draws by mouse and by keyboard and keeps its drawing when
the page runs again, and the matrix editor's ninth row is refused with a message."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import IDLE_TIMEOUT_MS, full_page_screenshot, metric_value, open_idle, settle
from tests.e2e.test_layers_e2e import metric, open_layers, open_tab, wait_idle
from tests.e2e.test_mnist_e2e import CANVAS, draw_a_one
from ui.i18n import tr

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

EVIL = "https://evil.example/phish"
LINKS = {
    "graph": f"expr=[click me]({EVIL})&tax={EVIL}",
    "perceptron": f"w1={EVIL}&gate=[x]({EVIL})",
    "layers": f"N={EVIL}&bcase=%3Chttps://evil.example%3E",
}


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("lesson", list(LINKS))
def test_a_links_values_never_become_links_on_the_page(app_url, page, screenshots_dir,
                                                       lesson, lang):
    open_idle(page, f"{app_url}/{lesson}?lang={lang}&{LINKS[lesson]}")
    settle(page)
    # the page's one notice names the settings; the expander under it quotes their values
    assert page.locator("[data-testid=stAlert]").filter(
        has_text=tr(lang, "classlink.notice.summary").split("{count}")[0]).count() == 1
    page.get_by_text(tr(lang, "classlink.notice.details")).click()
    notices = page.locator("[data-testid=stExpander]").filter(has_text="evil.example")
    assert notices.count() >= 1  # the values are quoted in the notices ...
    assert page.locator("a[href*='evil.example']").count() == 0  # ... and never linked
    assert notices.first.locator("code").filter(has_text="evil.example").count() >= 1
    assert page.locator("[data-testid=stException]").count() == 0
    if lesson == "graph":
        full_page_screenshot(page, screenshots_dir / f"hostile-link-graph-{lang}.png")


def canvas_ink(page) -> int:
    """How many of the canvas's pixels are inked (read from its shadow DOM)."""
    return page.locator(CANVAS).first.evaluate("""host => {
        const shadow = [host, ...host.querySelectorAll('*')].map(e => e.shadowRoot)
            .find(Boolean);
        const canvas = (shadow || host).querySelector('canvas');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] > 128) n++;
        return n;
    }""")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_canvas_draws_by_keyboard_and_keeps_its_drawing(app_url, page, screenshots_dir,
                                                            lang):
    open_idle(page, f"{app_url}/mnist?lang={lang}")
    settle(page)
    canvas = page.get_by_role("img", name=tr(lang, "mnist.draw.canvas_label", px=280))
    canvas.scroll_into_view_if_needed()
    canvas.focus()
    page.keyboard.press("Space")  # the pen goes down in the middle
    for _ in range(8):
        page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")  # and lifts: the stroke is sent
    guess = tr(lang, "mnist.draw.guess")
    page.locator("[data-testid=stMetric]").filter(
        has=page.get_by_text(guess, exact=True)).first.wait_for(timeout=IDLE_TIMEOUT_MS)
    assert metric_value(page, guess) in [str(d) for d in range(10)]
    inked = canvas_ink(page)
    assert inked > 500
    # a run of the whole page (the network built again) keeps what is on the canvas
    page.get_by_role("button", name=tr(lang, "mnist.s6.apply")).click()
    wait_idle(page)
    assert canvas_ink(page) == inked
    # Delete clears it, and the answer goes with it
    canvas.focus()
    page.keyboard.press("Delete")
    page.get_by_text(tr(lang, "mnist.draw.empty")).wait_for(timeout=IDLE_TIMEOUT_MS)
    assert canvas_ink(page) == 0
    draw_a_one(page)
    page.locator("[data-testid=stMetric]").filter(
        has=page.get_by_text(guess, exact=True)).first.wait_for(timeout=IDLE_TIMEOUT_MS)
    assert page.locator("[data-testid=stException]").count() == 0
    page.locator(CANVAS).first.scroll_into_view_if_needed()
    full_page_screenshot(page, screenshots_dir / f"mnist-canvas-keyboard-{lang}.png")


def test_a_ninth_row_in_the_matrix_editor_is_refused(app_url, page, screenshots_dir):
    open_layers(page, app_url, "en")
    panel = open_tab(page, "en", "chain")
    editor = page.locator(".st-key-layers-chain-W3-v0")
    for _ in range(6):  # W3 has 3 rows; the sixth new one is the ninth
        editor.locator("[data-testid=stDataFrame]").hover()
        editor.get_by_role("button", name="Add row").dispatch_event("click")
        wait_idle(page)
    reason = tr("en", "editor.too_many_rows", rows=9, max=8)
    panel.get_by_text(tr("en", "editor.refused", reason=reason)).wait_for(
        timeout=IDLE_TIMEOUT_MS)
    # the editors went back to the values they last accepted: W3 with 8 rows, Y with 8
    y = metric(panel, tr("en", "layers.chain.y_steps")).inner_text()
    assert y.count(",") == 7, y
    assert page.locator("[data-testid=stException]").count() == 0
    full_page_screenshot(page, screenshots_dir / "layers-chain-ninth-row-en.png")
