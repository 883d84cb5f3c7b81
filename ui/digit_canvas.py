"""A canvas to draw a digit on: our own Streamlit component (Components v2), small enough to read.

The browser side (ui/components/digit_canvas.js) keeps the drawing and sends it once per
stroke as a PNG of exactly CANVAS_PX × CANVAS_PX pixels, as a one-run trigger value, so
Streamlit keeps nothing of it after that run. What arrives is untrusted: the page passes
it to `ui.images.decode_drawing`, which checks its size and format before decoding it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

CANVAS_PX = 280  # 10 screen pixels per MNIST pixel
STROKE_PX = 20  # about two MNIST pixels wide, like a pen stroke in the dataset
_JS = (Path(__file__).parent / "components" / "digit_canvas.js").read_text(encoding="utf-8")
_HTML = (f'<div class="digit-canvas"><canvas width="{CANVAS_PX}" height="{CANVAS_PX}" '
         'tabindex="0" role="img"></canvas><button type="button"></button></div>')
_CSS = f"""
.digit-canvas {{ display: flex; flex-direction: column; gap: 0.5rem; align-items: flex-start; }}
.digit-canvas canvas {{ width: {CANVAS_PX}px; max-width: 100%; aspect-ratio: 1;
  touch-action: none; cursor: crosshair; border-radius: 0.5rem; }}
.digit-canvas canvas:focus-visible {{ outline: 3px solid #1c7ed6; outline-offset: 2px; }}
.digit-canvas button {{ font: inherit; padding: 0.25rem 0.75rem; border-radius: 0.5rem;
  border: 1px solid rgba(49, 51, 63, 0.3); background: transparent; color: inherit;
  cursor: pointer; min-height: 44px; }}
.digit-canvas button:focus-visible {{ outline: 3px solid #1c7ed6; outline-offset: 2px; }}
"""

_component = st.components.v2.component("digit_canvas", html=_HTML, css=_CSS, js=_JS)


@dataclass(frozen=True)
class CanvasEvent:
    """What the learner did since the last run: drew a stroke (`drawing` holds the PNG
    data URL, unchecked) or cleared the canvas."""

    cleared: bool = False
    drawing: object = None


def _ignore() -> None:
    """Trigger callbacks: the page reads the values from the result instead."""


def digit_canvas(key: str, *, label: str, clear_label: str) -> CanvasEvent | None:
    """Draw the canvas; the learner's last action, or None when there was none this run."""
    result = _component(key=key, data={"label": label, "clear_label": clear_label,
                                       "stroke": STROKE_PX},
                        on_drawing_change=_ignore, on_cleared_change=_ignore,
                        width="stretch", height=CANVAS_PX + 56)  # + gap + 44 px button
    if result.get("cleared"):
        return CanvasEvent(cleared=True)
    if result.get("drawing") is not None:
        return CanvasEvent(drawing=result["drawing"])
    return None
