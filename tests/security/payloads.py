"""What the hostile-client tests and bench.hostile send: pictures as the canvas would send
them (or worse), and data editor states as the browser sends them."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
from PIL import Image


def png(image: Image.Image, **save) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", **save)
    return out.getvalue()


def data_url(data: bytes) -> str:
    """A drawing as the canvas sends it (whatever `data` holds)."""
    return "data:image/png;base64," + base64.b64encode(data).decode()


def drawn_one() -> bytes:
    """What the canvas sends for a '1': a white stroke on black, 280 × 280 RGBA."""
    pixels = np.zeros((280, 280, 4), np.uint8)
    pixels[..., 3] = 255
    pixels[50:230, 130:150, :3] = 255
    return png(Image.fromarray(pixels, "RGBA"))


def bomb_png(side: int = 8000) -> bytes:
    """A PNG of about 250 KB that decodes to side × side RGBA (256 MB at 8000)."""
    return png(Image.new("RGBA", (side, side)), compress_level=9)


def editor_state(**edits) -> tuple[str, str]:
    """A data editor's widget value: its edits as JSON text."""
    state = {"edited_rows": {}, "added_rows": [], "deleted_rows": []}
    state.update(edits)
    return "string_value", json.dumps(state)
