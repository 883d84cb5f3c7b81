"""Page-wide CSS that every page shares (called once, from the shell)."""

import streamlit as st

# Korean wraps between words, not inside them (keep-all); a long token still wraps.
_CSS = """
<style>
[data-testid=stApp] :is(p, li, h1, h2, h3, h4, h5, h6) {
  word-break: keep-all;
  overflow-wrap: anywhere;
}
</style>
"""

# Contrast (issue 17): text colours that reach WCAG AA (4.5:1) on the page's white.
# Captions are the body text at 60 % opacity (3.8:1); at 75 % they reach 6:1 on white and
# 5.6:1 on the sidebar's grey, and stay as readable on a dark theme.
_CONTRAST_CSS = """
<style>
[data-testid=stCaptionContainer] { opacity: 0.75; }
</style>
"""

# Keyboard (issue 17): where the focus is, always visible. A 3 px ring of #1a56db (6.2:1 on
# white, 3.1:1 on the dark theme's background) with a white band inside it. Streamlit hides
# the real radio, checkbox and slider inputs and draws their look beside them: the ring goes
# on what is drawn (the option's label, the slider's thumb), and on the box of a text,
# number or select input. Tabs and scrolling regions have it inside their edge (the tab bar
# and the parents clip what is outside): tabs trade 12 px of their 16 px gap for room
# around their text. The charts' toolbars and the headings' links show only on hover:
# they show while they hold the focus too.
_FOCUS_CSS = """
<style>
[data-testid=stApp] :focus-visible:not(input),
[data-testid=stApp] [data-testid=stRadioOption]:has(input:focus-visible),
[data-testid=stApp] [data-testid=stCheckbox] label:has(input:focus-visible),
[data-testid=stApp] [data-testid=stSlider] div:has(> div > input[type=range]:focus-visible),
[data-testid=stApp] :is([data-testid=stNumberInputContainer],
  [data-testid=stTextInputRootElement], [role=group]):has(> input:focus-visible) {
  outline: 3px solid #1a56db !important;
  outline-offset: 2px !important;
  box-shadow: 0 0 0 2px #ffffff !important;
}
[data-testid=stApp] :is(main, [role=tab], .katex-display,
  [tabindex="0"]:not(a, button, summary, [role])):focus-visible {
  outline-offset: -3px !important;
  box-shadow: none !important;
}
[data-testid=stApp] [role=tablist] { gap: 4px; }
[data-testid=stApp] [role=tab] { padding: 0 6px; }
[data-testid=stApp] [data-testid=stHeaderActionElements] a:focus-visible,
[data-testid=stApp] [data-testid=stElementToolbar]:focus-within,
.js-plotly-plot .plotly .modebar--hover:focus-within > :not(.watermark) {
  opacity: 1 !important;
  transition: none !important;
}
</style>
"""

# Phone (issue 17): nothing scrolls sideways, charts fit, controls are big enough to touch.
# Table cells keep Korean words whole at every width (a cell holds its text directly, not in
# a <p>); break-word, unlike anywhere, does not let a narrow column cut words either. On a
# narrow screen every control a finger aims at is at least 44 px tall (WCAG 2.5.5): buttons,
# pills, tabs, expander headers, inputs, selects, the rows of checkboxes and radios, the
# sidebar's page links, and a slider's track (a touch anywhere on it moves the thumb there).
# The small ? help icons get a 44 px touch area around the same 16 px icon; the header's
# buttons a 44 px square. Plotly's tool bar goes: on a touch screen it stays shown over the
# charts' top legends, and its 20 px buttons are too small anyway (a double tap still resets
# a zoom; the element's own toolbar still offers full screen).
_PHONE_CSS = """
<style>
[data-testid=stApp] :is(label, button, summary, [data-testid=stMetricLabel]),
[data-testid=stApp] [data-testid=stTable] :is(td, th, td *, th *) {
  word-break: keep-all;
  overflow-wrap: break-word;
}
@media (max-width: 640px) {
  [data-testid=stApp] :is([data-testid^=stBaseButton-]:not([data-testid$=elementToolbar]),
      [data-testid=stPopoverButton], [data-testid^=stTabsScroll], button[data-variant=pills],
      [role=tab], details > summary,
      [data-testid=stNumberInputContainer], [data-testid=stSelectbox] [role=group],
      [data-testid=stTextInputRootElement],
      [data-testid=stCheckbox] > label, [data-testid=stRadioOption],
      [data-testid=stSidebarNavLink]) {
    min-height: 44px;
  }
  [data-testid=stApp] :is([data-testid=stCheckbox] > label, [data-testid=stRadioOption]) {
    align-items: center;
  }
  [data-testid=stApp] :is([data-testid=stNumberInputContainer], [data-testid=stSelectbox]
      [role=group], [data-testid=stTextInputRootElement]) :is(input, button) { min-height: 44px; }
  /* the class link builder's lists: the field, its chips' remove buttons, clear and open */
  [data-testid=stMultiSelect] :is(input, button) { min-height: 44px; }
  [data-testid=stMultiSelectTagsContainer] button { min-width: 44px; justify-content: center; }
  [data-testid=stSlider] [role=group] > [data-orientation] { padding: 22px 0; }
  [data-testid=stHeader] button { min-width: 44px; min-height: 44px; }
  [data-testid=stTooltipHoverTarget] > button { padding: 14px; margin: -14px; }
  .js-plotly-plot .modebar-container { display: none; }
}
</style>
"""

# Slide mode: a white page, large type, nothing distracting around the content.
_SLIDES_CSS = """
<style>
[data-testid=stApp], [data-testid=stHeader] { background: #ffffff; }
[data-testid=stMain] { font-size: 1.3rem; }
[data-testid=stMain] :is(p, li, td, th, label) { font-size: 1.3rem; line-height: 1.5; }
[data-testid=stMain] h1 { font-size: 3rem; }
[data-testid=stMain] h2 { font-size: 2.3rem; }
[data-testid=stMain] h3 { font-size: 1.9rem; }
[data-testid=stMain] [data-testid=stMetricValue] { font-size: 2.6rem; }
[data-testid=stMain] [data-testid=stMetricValue] p { font-size: 2.6rem; }
[data-testid=stMain] :is(input, textarea) { font-size: 1.3rem; }
</style>
"""


def apply_base_style(slides: bool = False) -> None:
    st.html(_CSS + _CONTRAST_CSS + _FOCUS_CSS + _PHONE_CSS + (_SLIDES_CSS if slides else ""))
