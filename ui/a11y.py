"""What a screen reader and a keyboard need from the page as a whole (called once, from the
shell): the page's language, and scrollable regions a keyboard can reach.

Streamlit writes neither itself. Its <html> always says lang="en", so a screen reader would
read the Korean lessons with English sounds; and a box that scrolls sideways on a phone (a
formula, a table, a row of columns) cannot be scrolled without a mouse unless it can take the
focus (axe-core's rule scrollable-region-focusable). A small script in the page does these,
and keeps the keyboard's focus:

- it sets <html lang> to the chosen language (the script's text changes with the language, so
  Streamlit runs it again after a switch);
- it gives each region that scrolls and holds nothing focusable tabindex="0", and takes it
  away again when it stops scrolling (a wider window). It looks CHECK_MS after the page
  changed, and never inside a chart (most of a page's nodes are Plotly's SVG); a change in a
  chart alone (a live chart redraws several times a second) is looked at after CHART_MS, and
  while a script runs (a live view training) once in RUNNING_GAP_MS at most;
- it gives back the focus that a rerun took away: a button that its own press disables
  (Start, once the loop runs) or a widget drawn anew would leave it on the body, and the next
  Tab would start wherever the browser guesses (in a CI run, far from Pause). It goes to
  the same widget, or to the nearest enabled button in its row (Start and Pause hand it to
  each other).

The script is fixed text with one value put in, the language, which comes from the catalog's
list (ui.i18n.LANGS), never from the learner.
"""

from __future__ import annotations

import streamlit as st

from ui.i18n import LANGS, current_lang

CHECK_MS = 400  # after the page changed
CHART_MS = 1500  # after only a chart changed (a live chart redraws several times a second)
RUNNING_GAP_MS = 3000  # between two looks while a script runs (a live view that trains)
KEEP_MS = 5000  # how long a focus that a rerun took away is given back
SETTLE_MS = 1000  # ... waiting up to this long for the run that took it to finish

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

  // The focus a rerun takes away. A button that its own press disables (Start, while the
  // loop runs; Pause, once it stops), or that a rerun draws anew, drops the focus to the
  // body, and the next Tab starts wherever the browser guesses. The focus goes back to the
  // same widget as drawn now or, where that is disabled, to the nearest enabled button in
  // its row, before it first (Start and Pause hand it to each other). Only while nothing
  // else took it: a pointer press, or another window, ends the hold.
  const CONTROL = 'button, input, select, textarea';
  const boxOf = (el) => el.closest && el.closest('[class*="st-key-"]');
  const keyOf = (box) => [...box.classList].find((c) => c.startsWith('st-key-'));
  // the focused widget: its key class, and which of its controls (a slider's help or input)
  let held = null, lostAt = null;
  document.addEventListener('focusin', (e) => {
    const box = boxOf(e.target);
    held = box ? {key: keyOf(box), at: [...box.querySelectorAll(CONTROL)].indexOf(e.target)}
      : null;
    lostAt = null;
  }, true);
  document.addEventListener('pointerdown', () => { held = null; }, true);
  const usable = (b) => !b.disabled && b.getClientRects().length > 0;
  const heir = (box) => {
    const own = box.querySelectorAll(CONTROL)[Math.max(held.at, 0)];
    if (own && usable(own)) return own;
    const row = box.closest('[data-testid="stHorizontalBlock"]');
    if (!own || !row) return null;
    const buttons = [...row.querySelectorAll('button')].filter(usable);
    const before = buttons.filter(
      (b) => b.compareDocumentPosition(own) & Node.DOCUMENT_POSITION_FOLLOWING);
    return before.length ? before[before.length - 1]
      : buttons.find((b) => b.compareDocumentPosition(own) & Node.DOCUMENT_POSITION_PRECEDING);
  };
  const keep = () => {
    if (held === null || !document.hasFocus()) return;
    const now = document.activeElement;
    const lost = !now || now === document.body || (now.disabled && boxOf(now)
      && keyOf(boxOf(now)) === held.key);
    if (!lost) return;
    if (lostAt === null) lostAt = performance.now();
    const since = performance.now() - lostAt;
    if (since > %(keep_ms)d) { held = null; return; }
    // the run that disabled it may still be drawing the row (Start first, then Pause)
    if (running() && since < %(settle_ms)d) { keepLater(100); return; }
    const box = document.querySelector('.' + CSS.escape(held.key));
    const next = box && heir(box);
    if (next) next.focus();
  };
  // looked at once the events of the moment are over: between a focus's blur and the next
  // focus (a Tab) the body holds it, and a change then (a tooltip closing) is no loss
  let keeping = null;
  const keepLater = (ms) => {
    if (held !== null && keeping === null)
      keeping = setTimeout(() => { keeping = null; keep(); }, ms);
  };
  new MutationObserver(() => keepLater(0)).observe(document.body, {
    childList: true, subtree: true, attributes: true, attributeFilter: ['disabled']});
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
                           "running_gap_ms": RUNNING_GAP_MS, "keep_ms": KEEP_MS,
                           "settle_ms": SETTLE_MS},
                unsafe_allow_javascript=True)
