"""A server whose MNIST files are damaged: the two pages that need them say so on the page,
in the learner's language, and everything else keeps working. The damaged copies live in a
temporary folder that stands in for assets/mnist (with the real checksums)."""

from __future__ import annotations

import gzip
import shutil

import pytest

import engine.datasets as datasets
from tests.app.helpers import open_lesson
from ui.i18n import tr

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"


def flip_a_byte(folder):
    path = folder / TRAIN_IMAGES
    data = bytearray(gzip.decompress(path.read_bytes()))
    data[5000] ^= 0xFF
    # a valid gzip of the wrong bytes; level 1 because only the checksum is under test
    # (level 9 took most of this test's time)
    path.write_bytes(gzip.compress(bytes(data), compresslevel=1))


def truncate(folder):
    path = folder / TRAIN_IMAGES
    path.write_bytes(path.read_bytes()[:1000])


def not_gzip(folder):
    (folder / TRAIN_IMAGES).write_bytes(b"this is not a gzip file")


def missing(folder):
    (folder / TRAIN_IMAGES).unlink()


@pytest.fixture
def broken_mnist(tmp_path, monkeypatch, request):
    """assets/mnist copied, damaged by request.param, and put in place of the real one."""
    folder = tmp_path / "mnist"
    shutil.copytree(datasets.MNIST_DIR, folder)
    request.param(folder)
    from ui.data import mnist_data

    mnist_data.clear()
    monkeypatch.setattr(datasets, "MNIST_DIR", folder)
    yield request.param.__name__
    mnist_data.clear()  # the next test loads the real files again


DAMAGE = [flip_a_byte, truncate, not_gzip, missing]
WHY = {"flip_a_byte": "SHA-256", "truncate": "cannot decompress",
       "not_gzip": "cannot decompress", "missing": "not found"}


def lead(lang: str) -> str:
    return tr(lang, "data.mnist_broken", message="").strip()


@pytest.mark.parametrize("broken_mnist", DAMAGE, indirect=True, ids=lambda f: f.__name__)
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_mnist_page_says_the_data_is_broken(broken_mnist, lang):
    at = open_lesson("app_pages/mnist.py", lang, timeout=120)
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1
    assert errors[0].startswith(lead(lang))
    assert WHY[broken_mnist] in errors[0].replace("\\", "")  # as escaped for markdown
    assert at.title[0].value == tr(lang, "lesson.mnist.title")  # the page itself is there


@pytest.mark.parametrize("broken_mnist", [flip_a_byte], indirect=True, ids=["flip_a_byte"])
def test_the_optimizer_page_keeps_its_other_steps(broken_mnist):
    at = open_lesson("app_pages/optimizers.py", "en", timeout=120)
    assert not at.exception
    assert [e.value.startswith(lead("en")) for e in at.error] == [True]
    # the surfaces race above the MNIST race still draws
    assert len(at.get("plotly_chart")) > 0


@pytest.mark.parametrize("broken_mnist", [truncate], indirect=True, ids=["truncate"])
def test_pages_without_mnist_are_untouched(broken_mnist):
    for page in ("app_pages/perceptron.py", "app_pages/layers.py"):
        at = open_lesson(page, "en", timeout=120)
        assert not at.exception and not at.error


def test_repaired_files_are_read_again(tmp_path, monkeypatch):
    """Nothing broken is cached: once the files are right again, the page works."""
    from ui.data import mnist_data

    folder = tmp_path / "mnist"
    shutil.copytree(datasets.MNIST_DIR, folder)
    good = (folder / TRAIN_IMAGES).read_bytes()
    truncate(folder)
    mnist_data.clear()
    monkeypatch.setattr(datasets, "MNIST_DIR", folder)
    try:
        at = open_lesson("app_pages/mnist.py", "en", timeout=120)
        assert at.error
        (folder / TRAIN_IMAGES).write_bytes(good)
        at = open_lesson("app_pages/mnist.py", "en", timeout=120)
        assert not at.exception and not at.error
    finally:
        mnist_data.clear()
