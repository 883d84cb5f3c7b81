"""Every sentence a learner reads comes from the catalog: no text literals in st.* calls."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "streamlit_app.py", *sorted((ROOT / "app_pages").glob("*.py")),
           *sorted((ROOT / "ui").glob("*.py"))]
# Streamlit calls whose first argument (or label/help/caption keyword) is shown to the learner.
TEXT_CALLS = {
    "title", "header", "subheader", "markdown", "caption", "write", "text", "info", "warning",
    "error", "success", "toast", "button", "slider", "select_slider", "selectbox", "radio",
    "toggle", "checkbox", "number_input", "text_input", "text_area", "expander", "metric",
    "page_link", "download_button", "multiselect", "popover", "status", "form_submit_button",
}
TEXT_KEYWORDS = {"label", "help", "placeholder", "caption"}
PATH_FIRST = {"page_link"}  # the first argument is a page, not text
WORD = re.compile(r"[A-Za-z\uac00-\ud7a3]{2,}")  # two letters in a row (Latin or Hangul)
# A logger's warning() goes to the server's log, for whoever runs it, not to a learner.
LOGGER = re.compile(r"_?(log|logger|LOGGER)")


def to_a_logger(call: ast.Call) -> bool:
    receiver = call.func.value
    return isinstance(receiver, ast.Name) and LOGGER.fullmatch(receiver.id) is not None


def literal_text(node: ast.AST) -> str:
    """The literal characters of a str constant or f-string (not the {expressions})."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values
                       if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return ""


def offending_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in TEXT_CALLS) or to_a_logger(node):
            continue
        first = [] if node.func.attr in PATH_FIRST else node.args[:1]
        shown = first + [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
        for arg in shown:
            text = literal_text(arg)
            # markdown badges like :green-badge[...] and ** are markup, not words
            words = WORD.findall(re.sub(r":[a-z-]+\[|\*\*|:material/[a-z_]+:", "", text))
            if words:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.func.attr}({text!r})")
    return found


def test_no_learner_text_outside_the_catalog():
    bad = [hit for path in SOURCES for hit in offending_calls(path)]
    assert bad == [], "put these strings in ui/locales/*.json and use t():\n" + "\n".join(bad)


def test_the_scan_catches_a_literal(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text('import streamlit as st\nst.button("Start")\nst.markdown(f"**{x}**")\n'
                      '_log.warning("janitor off")\nst.warning("Slow down")\n')
    assert [h.split(" ", 1)[1] for h in offending_calls_at(sample)] == [
        "button('Start')", "warning('Slow down')"]


def offending_calls_at(path: Path) -> list[str]:
    global ROOT
    saved, ROOT = ROOT, path.parent
    try:
        return offending_calls(path)
    finally:
        ROOT = saved
