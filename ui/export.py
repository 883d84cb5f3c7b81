"""Files a lecturer takes into slides, offered beside what they show:

    graph_downloads(dot, figure)      # SVG and PNG buttons under a Graphviz graph
    graphviz_notice()                 # once per page: no Graphviz here, so no graph files
    show_table(frame, table)          # st.table and a CSV button under it
    csv_download(frame, table)        # the CSV button alone

and what makes the files, with no Streamlit in it:

    render(dot, "svg" | "png")        # Graphviz's `dot` on the server, at slide size
    csv_bytes(frame)                  # UTF-8 with a byte-order mark, as Excel wants it
    file_name(name, lang, ext)        # <name>-<lang>.<ext>, as the Plotly charts' camera button

Graphs are drawn in the browser (st.graphviz_chart), but a download button needs the file on
the server, so `dot` (Debian's graphviz package) renders it there: the DOT text goes to its
stdin, the arguments are a list (no shell). The SVG keeps every label as text (Korean too);
the PNG is drawn by cairo with the server's fonts (fonts-noto-cjk for Hangul). Both come at
the Plotly charts' export size, 1920×1080: the graph scaled to fit and centred.

Nothing is rendered while a page runs: each button holds a callable that Streamlit calls when
it is clicked, and `render` keeps its last files, so a second click costs nothing.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from functools import lru_cache, partial

import pandas as pd
import streamlit as st
from PIL import Image

from ui.i18n import current_lang, t
from viz.theme import EXPORT_FORMATS, EXPORT_SIZE

DPI = 96  # PNG pixels per inch: Graphviz's size is in inches
TIMEOUT_S = 30  # a graph of this course takes `dot` well under a second
MIME = {"svg": "image/svg+xml", "png": "image/png", "csv": "text/csv"}
FLOAT_FORMAT = "%.10g"  # a CSV cell: float noise past 10 digits left out
# the root element Graphviz writes: <svg width="1043pt" height="427pt"
_SVG_SIZE = re.compile(rb'<svg width="[0-9.]+pt" height="[0-9.]+pt"')
# CommonMark: a backslash before ASCII punctuation shows that character (st.table's cells
# are Markdown, and ui.messages.escape_markdown escapes engine labels that way)
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


class GraphvizMissing(RuntimeError):
    """No `dot` program on this server's PATH."""


def dot_program() -> str | None:
    """The path of Graphviz's `dot`, or None where it is not installed."""
    return shutil.which("dot")


def file_name(name: str, lang: str, ext: str) -> str:
    """'graph-cafe', 'ko', 'svg' -> 'graph-cafe-ko.svg'."""
    return f"{name}-{lang}.{ext}"


def render(dot: str, fmt: str) -> bytes:
    """The graph `dot` (DOT text) as an SVG or PNG file at slide size (EXPORT_SIZE) on a
    white background. Raises GraphvizMissing without `dot`, subprocess.CalledProcessError
    when `dot` refuses the text."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"export format must be one of {', '.join(EXPORT_FORMATS)}, got {fmt!r}")
    return _render(dot, fmt)


@lru_cache(maxsize=32)  # bytes, shared by every session; a PNG is ~100 kB
def _render(dot: str, fmt: str) -> bytes:
    program = dot_program()
    if program is None:
        raise GraphvizMissing("Graphviz's dot is not installed (apt-get install graphviz)")
    width, height = EXPORT_SIZE
    args = [program, f"-T{fmt}", "-Gbgcolor=white"]  # the page draws it on transparent
    if fmt == "png":  # '!' scales the drawing up or down until it touches the box
        args += [f"-Gdpi={DPI}", f"-Gsize={width / DPI:g},{height / DPI:g}!"]
    out = subprocess.run(args, input=dot.encode("utf-8"), capture_output=True, check=True,
                         timeout=TIMEOUT_S).stdout
    return _slide_png(out) if fmt == "png" else _slide_svg(out)


def _slide_svg(svg: bytes) -> bytes:
    """Graphviz's SVG sized 1920×1080 px: its viewBox stays, so the drawing is scaled to
    fit and centred (SVG's default preserveAspectRatio)."""
    width, height = EXPORT_SIZE
    return _SVG_SIZE.sub(f'<svg width="{width}px" height="{height}px"'.encode(), svg, count=1)


def _slide_png(png: bytes) -> bytes:
    """Graphviz's PNG (one side already 1920 or 1080 px) centred on a white 1920×1080."""
    size = EXPORT_SIZE
    with Image.open(io.BytesIO(png)) as drawn:
        image = drawn.convert("RGB")
    if image.width > size[0] or image.height > size[1]:  # Graphviz rounds up a pixel
        image.thumbnail(size, Image.Resampling.LANCZOS)
    slide = Image.new("RGB", size, "white")
    slide.paste(image, ((size[0] - image.width) // 2, (size[1] - image.height) // 2))
    buffer = io.BytesIO()
    slide.save(buffer, format="PNG", dpi=(DPI, DPI))
    return buffer.getvalue()


def plain_text(value: object) -> object:
    """A table cell as the learner reads it: Markdown's backslash escapes taken out."""
    return _ESCAPED.sub(r"\1", value) if isinstance(value, str) else value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """`frame` as CSV: a header row, no index, the cells as shown (Markdown escapes taken
    out), numbers to 10 significant digits (0.3, not 0.30000000000000004), in UTF-8 with a
    byte-order mark (Excel then reads the Hangul right) and CRLF line ends (RFC 4180)."""
    shown = frame.rename(columns=plain_text).map(plain_text)
    return shown.to_csv(index=False, lineterminator="\r\n", float_format=FLOAT_FORMAT
                        ).encode("utf-8-sig")


# ---------------------------------------------------------------- on the page


def graph_downloads(dot: str, figure: str) -> None:
    """Two buttons, SVG and PNG, that save the graph `dot` as <figure>-<lang>.svg/.png at
    slide size. Put them in a row beside the graph. Without Graphviz on the server, none
    (graphviz_notice says so once per page)."""
    if dot_program() is None:
        return
    lang, (width, height) = current_lang(), EXPORT_SIZE
    labels = {"svg": t("export.svg"), "png": t("export.png")}
    for fmt in ("svg", "png"):
        name = file_name(figure, lang, fmt)
        st.download_button(labels[fmt], data=partial(render, dot, fmt), file_name=name,
                           mime=MIME[fmt], key=f"export-{figure}-{fmt}", on_click="ignore",
                           type="tertiary", icon=":material/download:",
                           help=t("export.figure_help", file=name, width=width, height=height))


def graphviz_notice() -> None:
    """One caption for a page of graphs when the server has no Graphviz: the graphs are
    still drawn (in the browser), only their files cannot be made."""
    if dot_program() is None:
        st.caption(t("export.no_graphviz"))


def csv_download(frame: pd.DataFrame, table: str) -> None:
    """A button that saves `frame` as <table>-<lang>.csv (csv_bytes, made when clicked)."""
    name = file_name(table, current_lang(), "csv")
    st.download_button(t("export.csv"), data=partial(csv_bytes, frame), file_name=name,
                       mime=MIME["csv"], key=f"export-{table}-csv", on_click="ignore",
                       type="tertiary", icon=":material/download:",
                       help=t("export.csv_help", file=name))


def show_table(frame: pd.DataFrame, table: str, formats: dict[str, str] | None = None) -> None:
    """st.table(frame) without its index (its numbers shown with `formats`, column ->
    format string, where given), and under it a button that saves it as CSV."""
    st.table(frame.style.format(formats) if formats else frame, hide_index=True)
    csv_download(frame, table)
