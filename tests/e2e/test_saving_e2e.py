"""The MNIST page's network file in Chromium: the download button writes a file that
engine.load reads back as the page's network, a good file picked in the uploader (its
<input type=file>, through set_input_files) replaces the network and its settings, and a
file with NaN weights gets one message in the learner's language and changes nothing.
Screenshots of the section go to tests/e2e/screenshots/saving-<lang>-*.png.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

from engine import load
from engine.datasets import load_mnist
from lessons import mnist as lm
from tests.e2e.helpers import IDLE, IDLE_TIMEOUT_MS, metric_value, open_idle
from ui.i18n import tr

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

SECTION = ".st-key-mnist-saving-upload"  # the uploader, keyed mnist.saving.upload
CONFIG = lm.MnistConfig(hidden=(16,), activation="sigmoid", init="xavier", optimizer="Adam",
                        lr=0.003, batch=128, epochs=2, seed=5)


@pytest.fixture(scope="module")
def good_file() -> bytes:
    run = lm.build(CONFIG, load_mnist(keep_uint8=True))
    while not run.trainer.epoch:
        run.advance(steps=200)
    return lm.network_bytes(run), run.scores[-1].acc


def nan_file(data: bytes) -> bytes:
    with np.load(io.BytesIO(data)) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["param.W1"][0, 0] = np.nan
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


def pick(page, name: str, data: bytes) -> None:
    page.locator(f"{SECTION} input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "application/octet-stream", "buffer": data}])


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_download_then_bring_back_a_good_file_and_refuse_a_bad_one(app_url, page, lang,
                                                                   good_file, screenshots_dir):
    data, acc = good_file
    open_idle(page, f"{app_url}/mnist?lang={lang}")
    page.locator(SECTION).scroll_into_view_if_needed()
    # the download: the page's fresh network, as engine.load reads it
    with page.expect_download(timeout=IDLE_TIMEOUT_MS) as download:
        page.get_by_role("button", name=tr(lang, "saving.download")).click()
    assert download.value.suggested_filename == "mnist-network.npz"
    saved = load(download.value.path())
    assert saved.network.hidden_size_list == [100] and saved.settings["lesson"] == "mnist"
    # a good file: the network and the form follow it
    pick(page, "mnist-network.npz", data)
    loaded = page.locator("[data-testid=stAlert]").filter(
        has_text=tr(lang, "saving.loaded", name="mnist-network.npz"))
    loaded.wait_for(timeout=IDLE_TIMEOUT_MS)
    page.wait_for_selector(IDLE, timeout=IDLE_TIMEOUT_MS)
    assert metric_value(page, tr(lang, "mnist.s7.test_acc")) == f"{acc:.2%}"
    assert metric_value(page, tr(lang, "mnist.s7.epoch")) == "1 / 2"
    page.locator(SECTION).scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots_dir / f"saving-{lang}-loaded.png"))
    # a bad one: one message, in the learner's language; the network stays
    pick(page, "diverged.npz", nan_file(data))
    error = page.locator("[data-testid=stAlert]").filter(
        has_text=tr(lang, "error.saving_not_finite", name="param.W1"))
    error.wait_for(timeout=IDLE_TIMEOUT_MS)
    page.wait_for_selector(IDLE, timeout=IDLE_TIMEOUT_MS)
    assert error.count() == 1 and loaded.count() == 0
    assert metric_value(page, tr(lang, "mnist.s7.test_acc")) == f"{acc:.2%}"
    assert page.locator("[data-testid=stException]").count() == 0
    page.locator(SECTION).scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots_dir / f"saving-{lang}-refused.png"))


def test_the_playground_brings_a_network_back(app_url, page, screenshots_dir):
    """The same controls on the playground, in Korean: a spiral network trained off the page
    comes back with its epoch and its test accuracy."""
    import lessons.playground as lp

    run = lp.build(lp.PRESETS["spiral"])
    lp.advance(run, epochs=40)
    open_idle(page, f"{app_url}/playground?lang=ko")
    uploader = page.locator(".st-key-playground-saving-upload")
    uploader.scroll_into_view_if_needed()
    uploader.locator("input[type=file]").set_input_files(files=[{
        "name": "playground-network.npz", "mimeType": "application/octet-stream",
        "buffer": lp.network_bytes(run)}])
    page.locator("[data-testid=stAlert]").filter(
        has_text=tr("ko", "saving.loaded", name="playground-network.npz")).wait_for(
        timeout=IDLE_TIMEOUT_MS)
    page.wait_for_selector(IDLE, timeout=IDLE_TIMEOUT_MS)
    assert metric_value(page, tr("ko", "playground.live.epoch")) == "40"
    assert metric_value(page, tr("ko", "playground.live.test_acc")) == \
        f"{lp.test_accuracy(run):.1%}"
    assert page.locator("[data-testid=stException]").count() == 0
    uploader.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots_dir / "saving-ko-playground.png"))
