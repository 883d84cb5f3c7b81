"""The MNIST page's picture upload in Chromium: every bad file gets a clear message, and a
good picture uploaded afterwards is read as before.

The files are built in memory and handed to the uploader's <input type=file> with
set_input_files, exactly as a learner's file picker would: a text file renamed .png, a 3 MB
file (over the uploader's 2 MB cap), a truncated PNG, PNGs whose headers claim huge pictures
(a decompression bomb, and one just over the page's own pixel limit), and a real picture of
a digit.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from tests.e2e.helpers import IDLE_TIMEOUT_MS, open_idle
from ui.i18n import tr
from ui.images import MAX_PIXELS, MAX_UPLOAD_BYTES

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

UPLOAD = ".st-key-mnist-draw-upload"  # the uploader's key is mnist.draw.upload


# ---------------------------------------------------------------- the files


def png(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


def digit_one() -> bytes:
    """A dark '1' on white paper, as a photo of a handwritten digit shows it."""
    paper = np.full((200, 160), 235, dtype=np.uint8)
    paper[30:170, 72:90] = 20
    return png(paper)


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A PNG of a few dozen bytes whose header declares a width × height 1-bit picture: what
    a decompression bomb looks like before anything is decoded."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit gray
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b""))


GOOD = digit_one()
MAX_MP = MAX_PIXELS / 1e6
# id: (file name, bytes, catalog key of the message, its fields)
BAD = {
    "text-renamed-png": ("notes.png", b"These are my notes, not a picture.\n" * 20,
                         "images.not_image", {"reason": "UnidentifiedImageError"}),
    "truncated-png": ("cut.png", GOOD[: len(GOOD) // 2], "images.not_image",
                      {"reason": "OSError"}),
    "bomb-100000x100000": ("bomb.png", png_claiming(100_000, 100_000), "images.huge",
                           {"max_mp": MAX_MP}),
    "5000x4000": ("big.png", png_claiming(5000, 4000), "images.too_many_pixels",
                  {"w": 5000, "h": 4000, "max_mp": MAX_MP}),
}


# ---------------------------------------------------------------- the page


def open_draw_section(page, app_url: str, lang: str) -> None:
    open_idle(page, f"{app_url}/mnist?lang={lang}")
    page.locator(UPLOAD).scroll_into_view_if_needed()
    assert page.locator("[data-testid=stException]").count() == 0


def upload(page, name: str, data: bytes) -> None:
    page.locator(f"{UPLOAD} input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "image/png", "buffer": data}])


def alert(page, text: str):
    """The st.error/st.info/st.warning boxes that contain `text`."""
    return page.locator("[data-testid=stAlert]").filter(has_text=text)


def expected_error(lang: str, key: str, fields: dict) -> str:
    """What the page shows for a refused picture: the check's own words, in its language."""
    return tr(lang, key, **fields)


def assert_a_good_picture_is_read(page, lang: str, gone: str | None = None) -> None:
    """Uploading a real picture now gives the network's answer, and the error `gone` (the
    last refusal's message) is no longer shown."""
    upload(page, "one.png", GOOD)
    guess = page.locator("[data-testid=stMetric]").filter(
        has=page.get_by_text(tr(lang, "mnist.draw.guess"), exact=True))
    guess.first.wait_for(timeout=IDLE_TIMEOUT_MS)
    value = guess.first.locator("[data-testid=stMetricValue]").inner_text()
    assert value in [str(d) for d in range(10)]
    # the network is untrained here: the page says so beside its answer
    alert(page, tr(lang, "mnist.draw.untrained")).first.wait_for(timeout=IDLE_TIMEOUT_MS)
    if gone is not None:
        assert alert(page, gone).count() == 0
    assert page.locator("[data-testid=stException]").count() == 0


# ---------------------------------------------------------------- the tests


@pytest.mark.parametrize(("lang", "case"), [
    *[("en", case) for case in BAD],
    ("ko", "text-renamed-png"),
])
def test_a_bad_picture_gets_a_message_and_a_good_one_still_works(app_url, page, screenshots_dir,
                                                                 lang, case):
    name, data, key, fields = BAD[case]
    assert len(data) < MAX_UPLOAD_BYTES  # these reach the page: the page must refuse them
    open_draw_section(page, app_url, lang)
    upload(page, name, data)
    shown = expected_error(lang, key, fields)
    message = alert(page, shown)
    message.first.wait_for(timeout=IDLE_TIMEOUT_MS)
    assert message.count() == 1
    assert page.locator("[data-testid=stException]").count() == 0
    if case == "text-renamed-png":
        section = page.locator("[data-testid=stHorizontalBlock]").filter(
            has=page.locator(UPLOAD)).last
        section.screenshot(path=str(screenshots_dir / f"mnist-upload-error-{lang}.png"))
    assert_a_good_picture_is_read(page, lang, gone=shown)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_file_over_2_mb_is_refused_by_the_browser(app_url, page, lang):
    """Streamlit's uploader checks max_upload_size in the browser: the 3 MB file is marked
    with its own message and never sent. It logs no console error and makes no request, so
    the `page` fixture's checks stay on for it; that nothing is sent is asserted below."""
    open_draw_section(page, app_url, lang)
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if "/_stcore/upload_file/" in r.url else None)
    big = b"\x89PNG\r\n\x1a\n" + bytes(3 * 2**20)  # 3 MB behind a PNG signature
    upload(page, "photo.png", big)
    chip = page.locator(f"{UPLOAD} [data-testid=stFileChip][aria-invalid=true]")
    chip.wait_for(timeout=IDLE_TIMEOUT_MS)
    # Streamlit's own words, in English whatever the page's language (its frontend has no
    # translations); the uploader's label states the limit in the learner's language
    assert "photo.png" in chip.inner_text()
    assert chip.locator("[role=alert]").inner_text() == "Error: File must be 2.0MB or smaller."
    label = tr(lang, "mnist.draw.upload", mb=MAX_UPLOAD_BYTES // 2**20)
    assert page.locator(UPLOAD).get_by_text(label).count() == 1
    page.wait_for_timeout(1000)  # give a (wrong) upload request the time to show up
    assert sent == []
    # the page never saw the file: it still asks for a drawing
    assert alert(page, tr(lang, "mnist.draw.empty")).count() == 1
    assert page.locator("[data-testid=stException]").count() == 0
    assert_a_good_picture_is_read(page, lang)
    assert len(sent) == 1  # the good picture was sent, once


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_photo_of_blank_paper_is_said_to_hold_no_stroke(app_url, page, screenshots_dir, lang):
    """A real picture with nothing written on it: lessons.mnist finds no stroke and the page
    says so from the catalog (error.mnist_empty_drawing), in the learner's language."""
    open_draw_section(page, app_url, lang)
    upload(page, "blank.png", png(np.full((200, 160), 235, dtype=np.uint8)))
    shown = tr(lang, "error.mnist_empty_drawing", threshold=0.1)
    message = alert(page, shown)
    message.first.wait_for(timeout=IDLE_TIMEOUT_MS)
    assert message.count() == 1 and page.locator("[data-testid=stException]").count() == 0
    section = page.locator("[data-testid=stHorizontalBlock]").filter(
        has=page.locator(UPLOAD)).last
    section.screenshot(path=str(screenshots_dir / f"mnist-blank-photo-{lang}.png"))
    assert_a_good_picture_is_read(page, lang, gone=shown)
