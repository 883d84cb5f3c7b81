"""Every page on a phone (390×844, touch): nothing scrolls sideways, charts fit the width,
controls are big enough for a finger, Korean wraps between words, and a digit can be drawn
on the canvas by touch. (That the sidebar starts closed there: tests/e2e/test_browser.py.)"""

from __future__ import annotations

import pytest

from tests.e2e.helpers import (
    IDLE_TIMEOUT_MS,
    collect_errors,
    metric_value,
    open_idle,
    settle,
    wait_for_change,
)
from tests.e2e.test_mnist_e2e import CANVAS, TRAIN
from ui.i18n import tr
from ui.lessons import LESSONS

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

PHONE = {"width": 390, "height": 844}
PAGES = ["", *LESSONS]  # "" is the home page
MIN_TOUCH_PX = 44

# What the page measures of itself, in CSS pixels. Controls: what a finger aims at, measured
# where the finger lands: every button (the ? help icons, the header's menu and sidebar
# buttons, number steppers, pills, tabs' scroll arrows), text, number and select inputs and
# their boxes, the whole label row of a checkbox or radio option, a slider's track (a touch
# on it moves the thumb there, so the 12 px thumb is not the target), expander headers, tabs
# link buttons and the sidebar's page links, wherever they are on the screen (the closed
# sidebar lies left of it). Not counted: the tables' and charts' own hover toolbars
# (shortcuts to full screen, download and search), Plotly's mode bar (hidden on a phone), and
# links inside running text (WCAG 2.5.8 exempts them).
MEASURE = """(minPx) => {
  const width = window.innerWidth, main = document.querySelector('[data-testid=stMain]');
  const root = document.documentElement;
  const name = (e) => { const owner = e.closest('[data-testid]');
    return `${e.tagName.toLowerCase()} in ${owner ? owner.dataset.testid : '?'}`; };
  const charts = [...document.querySelectorAll(
      '.js-plotly-plot, .live-chart-plot, [data-testid=stGraphVizChart] svg')]
    .filter((e) => { const r = e.getBoundingClientRect();
      return r.width && (r.left < -1 || r.right > width + 1); }).map(name);
  const controls = ['button', 'input:not([type=range]):not([type=checkbox]):not([type=radio])',
    'textarea', '[data-testid=stNumberInputContainer]', '[data-testid=stSelectbox] [role=group]',
    '[data-testid=stCheckbox] > label', '[data-testid=stRadioOption]',
    '[data-testid=stSlider] [role=group] > [data-orientation]', 'details > summary',
    '[role=tab]', 'a[data-testid^=stBaseLinkButton]', 'a[data-testid=stSidebarNavLink]'].join(',');
  const small = [...document.querySelectorAll(controls)].filter((e) => {
    if (e.closest('.modebar, [data-testid=stBaseButton-elementToolbar]')) return false;
    const r = e.getBoundingClientRect();
    return r.width && r.height && r.right > 0 && r.height < minPx; })
    .map((e) => `${name(e)}: ${Math.round(e.getBoundingClientRect().height)} px`);
  // Korean text that may wrap inside a word: not in SVG or KaTeX (neither ever wraps)
  const hangul = /[\\uac00-\\ud7a3]/;
  const breaks = [];
  for (const e of main.querySelectorAll('*')) {
    if (e.closest('svg, .katex') || getComputedStyle(e).wordBreak === 'keep-all') continue;
    const own = [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.data).join('');
    if (hangul.test(own)) breaks.push(`${name(e)}: ${own.trim().slice(0, 30)}`);
  }
  return {page: [root.scrollWidth, root.clientWidth], main: [main.scrollWidth, main.clientWidth],
          charts, small, breaks};
}"""


@pytest.fixture(scope="module")
def phone(browser):
    """One touch phone page for the whole module; console errors fail it at the end."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="ko-KR")
    page = context.new_page()
    errors: list[str] = []
    collect_errors(page, errors)
    yield page
    context.close()
    assert errors == [], "\n".join(errors)


def screenshot(page, path) -> None:
    """The whole page at the phone's width, at 1× (Streamlit scrolls inside its main
    section, so the viewport grows to the content first)."""
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": PHONE["width"], "height": height})
    page.wait_for_timeout(300)  # charts redraw at the new size
    page.wait_for_selector("[data-testid=stSkeleton]", state="detached", timeout=IDLE_TIMEOUT_MS)
    page.screenshot(path=str(path), scale="css")
    page.set_viewport_size(PHONE)


def docs_screenshot(page, path, heading: str, screens: float = 1.0) -> None:
    """`screens` phone screens from `heading` down, at 1×, for the README."""
    page.set_viewport_size({"width": PHONE["width"], "height": int(PHONE["height"] * screens)})
    page.get_by_role("heading", name=heading).first.evaluate(
        "e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)  # charts that came into view draw themselves
    page.wait_for_selector("[data-testid=stSkeleton]", state="detached", timeout=IDLE_TIMEOUT_MS)
    page.screenshot(path=str(path), scale="css")
    page.set_viewport_size(PHONE)


# README pictures: (page, heading key, screens); the MNIST one is taken after a touch drawing
DOCS = {"perceptron": ("perceptron.s3.header", 1.0),
        "playground": ("playground.live.header", 1.53)}


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_page_fits_a_phone(app_url, phone, screenshots_dir, docs_dir, lang):
    """No page scrolls sideways (a wide table or formula scrolls inside its own box only),
    every chart lies within the screen, every control is at least 44 px tall, and Korean
    text wraps only between words (keep-all). Korean pages are saved as screenshots."""
    found = {}
    for slug in PAGES:
        open_idle(phone, f"{app_url}/{slug}?lang={lang}")
        settle(phone)
        phone.wait_for_timeout(300)  # charts take their final width
        got = phone.evaluate(MEASURE, MIN_TOUCH_PX)
        problems = [f"{part} {w} wide in {c}" for part in ("page", "main")
                    for w, c in [got[part]] if w > c + 1]
        problems += [f"chart past the edge: {c}" for c in got["charts"]]
        problems += [f"under {MIN_TOUCH_PX} px: {c}" for c in got["small"]]
        problems += [f"Korean may break inside a word: {c}" for c in got["breaks"]]
        if lang == "ko":
            screenshot(phone, screenshots_dir / f"phone-{slug or 'home'}-ko.png")
            if slug in DOCS:
                key, screens = DOCS[slug]
                docs_screenshot(phone, docs_dir / f"phone-{slug}-ko.png", tr(lang, key), screens)
        if slug == "":  # and the sidebar, opened
            phone.locator("[data-testid=stExpandSidebarButton]").click()
            phone.locator("[data-testid=stSidebarNavLink]").first.wait_for()
            phone.wait_for_timeout(500)  # it slides in
            problems += [f"under {MIN_TOUCH_PX} px, sidebar open: {c}"
                         for c in phone.evaluate(MEASURE, MIN_TOUCH_PX)["small"]]
            # closed again: the browser keeps it open on the next pages otherwise
            phone.locator("[data-testid=stSidebar] [data-testid=stBaseButton-headerNoPadding]"
                          ).click()
            phone.locator("[data-testid=stExpandSidebarButton]").wait_for()
        if problems:
            found[slug or "home"] = problems
    assert found == {}


def touch_stroke(page, points: list[tuple[float, float]]) -> None:
    """One finger down at the first point, along the others, and up (Chrome's own touch
    input through CDP: Playwright's touchscreen only taps)."""
    cdp = page.context.new_cdp_session(page)
    kinds = ["touchStart"] + ["touchMove"] * (len(points) - 1)
    for kind, (x, y) in zip(kinds, points, strict=True):
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_a_digit_drawn_by_touch_is_read(app_url, phone, docs_dir):
    """A finger drawing on the canvas reaches Python: the network's guess appears; the page
    does not scroll under the finger meanwhile. (The canvas's Clear button, in a shadow root
    the page-wide measurement does not see, is big enough for a finger too.)"""
    open_idle(phone, f"{app_url}/mnist?lang=ko&epochs=1")
    settle(phone)
    # one epoch first, so that the guess (and the README's screenshot) is a trained network's
    phone.locator(f"{TRAIN}-start button").tap()
    wait_for_change(phone, tr("ko", "mnist.s7.epoch"), "0 / 1", seconds=60)
    phone.locator(f"{TRAIN}-start button:not([disabled])").wait_for(timeout=IDLE_TIMEOUT_MS)
    canvas = phone.locator(f"{CANVAS} canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None and box["width"] >= 200 and box["x"] + box["width"] <= PHONE["width"]
    clear = phone.locator(f"{CANVAS} button").bounding_box()  # in the component's shadow root
    assert clear is not None and clear["height"] >= MIN_TOUCH_PX
    scrolled = "() => document.querySelector('[data-testid=stMain]').scrollTop"
    before = phone.evaluate(scrolled)
    x, top, side = box["x"] + box["width"] * 0.55, box["y"], box["height"]
    touch_stroke(phone, [(x - i * 0.7, top + side * (0.2 + 0.05 * i)) for i in range(13)])
    assert phone.evaluate(scrolled) == before
    guess = tr("ko", "mnist.draw.guess")
    phone.locator("[data-testid=stMetric]").filter(
        has=phone.get_by_text(guess, exact=True)).first.wait_for(timeout=IDLE_TIMEOUT_MS)
    assert metric_value(phone, guess) in [str(d) for d in range(10)]
    assert phone.locator("[data-testid=stException]").count() == 0
    settle(phone)
    docs_screenshot(phone, docs_dir / "phone-mnist-ko.png", tr("ko", "mnist.draw.header"), 1.14)
