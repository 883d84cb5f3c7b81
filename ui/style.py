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


def apply_base_style() -> None:
    st.html(_CSS)
