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
    st.html(_CSS + (_SLIDES_CSS if slides else ""))
