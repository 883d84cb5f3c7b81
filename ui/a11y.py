"""What a screen reader and a keyboard need from the page as a whole (called once, from the
shell): the page's language, and scrollable regions a keyboard can reach.

Streamlit writes neither itself. Its <html> always says lang="en", so a screen reader would
read the Korean lessons with English sounds; and a box that scrolls sideways on a phone (a
formula, a table, a row of columns) cannot be scrolled without a mouse unless it can take the
focus (axe-core's rule scrollable-region-focusable). A small script in the page does both:

- it sets <html lang> to the chosen language (the script's text changes with the language, so
  Streamlit runs it again after a switch);
- it gives each region that scrolls and holds nothing focusable tabindex="0", and takes it
  away again when it stops scrolling (a wider window). It looks CHECK_MS after the page
  changed, and never inside a chart (most of a page's nodes are Plotly's SVG); a change in a
  chart alone (a live chart redraws several times a second) is looked at after CHART_MS, and
  while a script runs (a live view training) once in RUNNING_GAP_MS at most.

The script is fixed text with one value put in, the language, which comes from the catalog's
list (ui.i18n.LANGS), never from the learner.
"""

from __future__ import annotations

import streamlit as st

from ui.i18n import LANGS, current_lang

CHECK_MS = 400  # after the page changed
CHART_MS = 1500  # after only a chart changed (a live chart redraws several times a second)
RUNNING_GAP_MS = 3000  # between two looks while a script runs (a live view that trains)

_SCRIPT = """<script>
(() => {
  document.documentElement.lang = "%(lang)s";
  if (window.__courseA11y) return;
  window.__courseA11y = true;
  const FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])';
  // charts: a live chart's box sees to its own focus (static/live_chart.js)
  const SKIP = '.js-plotly-plot, .live-chart, svg';
  const scrolls = (el) => {
    const cs = getComputedStyle(el);
    const x = /(auto|scroll)/.test(cs.overflowX) && el.scrollWidth > el.clientWidth + 1;
    const y = /(auto|scroll)/.test(cs.overflowY) && el.scrollHeight > el.clientHeight + 1;
    return x || y;
  };
  // focusable content a keyboard can reach: shown (Plotly's tool bar, hidden on a phone, is not)
  const reachable = (el) => [...el.querySelectorAll(FOCUSABLE)].some(
    (e) => e.getClientRects().length > 0);
  const check = () => {
    // the whole body: popovers and dialogs live in layers outside the app's own tree. A
    // walk that never goes into a chart (most of the page's nodes are Plotly's SVG).
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT, {
      acceptNode: (el) => el.matches(SKIP) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
    for (let el = walk.nextNode(); el; el = walk.nextNode()) {
      const marked = el.dataset.a11yScroll === '1';
      if (scrolls(el)) {
        if (!marked && !el.hasAttribute('tabindex') && !reachable(el)) {
          el.setAttribute('tabindex', '0');
          el.dataset.a11yScroll = '1';
        }
      } else if (marked) {
        el.removeAttribute('tabindex');
        delete el.dataset.a11yScroll;
      }
    }
  };
  // While a script runs (a live view trains, and redraws its part of the page every tick)
  // the page is looked at once in RUNNING_GAP_MS at most: a look walks the whole page.
  const running = () => !!document.querySelector(
    '[data-testid="stApp"][data-test-script-state="running"]');
  let timer = null, last = -Infinity;
  const later = (ms) => {
    if (timer !== null) return;
    const wait = running() ? Math.max(ms, last + %(running_gap_ms)d - performance.now()) : ms;
    timer = setTimeout(() => { timer = null; last = performance.now(); check(); }, wait);
  };
  // A change inside a chart matters only when the chart's size changed (a slide-size chart
  // drawn on a phone scrolls in its box): it is looked at less often.
  new MutationObserver((records) => {
    const outside = records.some((r) => !(r.target.closest && r.target.closest(SKIP)));
    later(outside ? %(check_ms)d : %(chart_ms)d);
  }).observe(document.body, {childList: true, subtree: true});
  window.addEventListener('resize', () => later(%(check_ms)d));
  window.__courseA11yIdle = () => timer === null;  // for the tests: nothing left to look at
  later(%(check_ms)d);
})();
</script>"""


def page_script() -> None:
    """Put the script into the page (at the sidebar's end, where its empty box goes unseen)."""
    lang = current_lang()
    if lang not in LANGS:  # current_lang only gives catalog languages; never put other text in
        raise ValueError(f"unknown language {lang!r}")
    with st.sidebar:
        st.html(_SCRIPT % {"lang": lang, "check_ms": CHECK_MS, "chart_ms": CHART_MS,
                           "running_gap_ms": RUNNING_GAP_MS},
                unsafe_allow_javascript=True)
