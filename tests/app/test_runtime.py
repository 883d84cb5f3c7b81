"""The server's process-wide settings (ui/runtime.py), each checked in a fresh interpreter:
BLAS threads are a per-process setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = ("from ui.runtime import limit_blas_threads; n = limit_blas_threads(); "
         "from threadpoolctl import threadpool_info; "
         "print(n, sorted({i['num_threads'] for i in threadpool_info() "
         "if i['user_api'] == 'blas'}))")


def probe(env_value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "ENGINE_BLAS_THREADS"}
    if env_value is not None:
        env["ENGINE_BLAS_THREADS"] = env_value
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True, timeout=60)
    return out.stdout.strip()


@pytest.mark.parametrize(("value", "expected"), [
    (None, "1 [1]"),  # the default: one thread per training, the cores go to the learners
    ("2", "2 [2]"),
    ("0", "1 [1]"),  # at least one
    ("many", "1 [1]"),  # not a number: the default
])
def test_blas_threads_follow_the_environment(value, expected):
    assert probe(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (None, "cores"),  # the default: one chunk of training per usable core
    ("3", "3"),
    ("0", "1"),  # at least one
    ("-4", "1"),
    ("lots", "cores"),  # not a number: the default
])
def test_training_slots_follow_the_environment(value, expected, monkeypatch):
    from ui.runtime import TRAINING_SLOTS_ENV, training_slot_count

    monkeypatch.delenv(TRAINING_SLOTS_ENV, raising=False)
    if value is not None:
        monkeypatch.setenv(TRAINING_SLOTS_ENV, value)
    cores = len(os.sched_getaffinity(0))
    assert training_slot_count() == (cores if expected == "cores" else int(expected))


def test_the_upload_store_keeps_the_newest_files_of_each_session():
    """60 uploads from one session leave its last MAX_UPLOADS_PER_SESSION files (and the
    byte count that /_stcore/metrics reports matches); another session keeps its own."""
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    from ui.runtime import MAX_UPLOADS_PER_SESSION, CappedUploadedFileManager

    store = CappedUploadedFileManager("/_stcore/upload_file")
    store.add_file("other", UploadedFileRec("keep", "keep.png", "image/png", b"k" * 10))
    for i in range(60):
        store.add_file("flood", UploadedFileRec(f"f{i}", "x.png", "image/png", b"x" * 1000))
    kept = store.get_files("flood", [f"f{i}" for i in range(60)])
    assert [f.file_id for f in kept] == [f"f{i}" for i in range(60 - MAX_UPLOADS_PER_SESSION,
                                                                60)]
    assert store.get_files("other", ["keep"])[0].data == b"k" * 10
    assert store._total_bytes == MAX_UPLOADS_PER_SESSION * 1000 + 10
    assert store._file_count == MAX_UPLOADS_PER_SESSION + 1
    store.remove_session_files("flood")
    assert store._total_bytes == 10 and store._file_count == 1


def test_pandas_is_whole_before_any_run_uses_plotly():
    """The shell imports ui.runtime before anything else draws, and ui.runtime imports pandas
    whole: on a fresh server, ten first runs at once otherwise met a half-imported pandas in
    Plotly's validators (tests/load/test_replicas.py found it on a restarted replica). Checked
    in a fresh interpreter, where nothing else has imported pandas yet; and the shell must
    import ui.runtime before its first call that draws (theme.install)."""
    code = ("import sys; import ui.runtime; m = sys.modules.get('pandas'); "
            "print(m is not None and hasattr(m, 'Series'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=60)
    assert out.stdout.strip() == "True"
    shell = (ROOT / "streamlit_app.py").read_text()
    assert shell.index("from ui.runtime import") < shell.index("theme.install()")
