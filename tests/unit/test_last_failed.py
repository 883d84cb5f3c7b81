"""scripts/last_failed.py: which failed tests scripts/test.sh may run again alone."""

from __future__ import annotations

import json

import scripts.last_failed as last_failed_module
from scripts.last_failed import last_failed


def test_reads_the_failed_node_ids_in_order(tmp_path):
    cache = tmp_path / "lastfailed"
    cache.write_text(json.dumps({"tests/e2e/test_b.py::t[ko]": True,
                                 "tests/e2e/test_a.py::t": True,
                                 "tests/e2e/test_c.py::t": False}))
    assert last_failed(cache) == ["tests/e2e/test_a.py::t", "tests/e2e/test_b.py::t[ko]"]


def test_no_cache_or_a_broken_one_names_nothing(tmp_path):
    assert last_failed(tmp_path / "missing") == []
    (tmp_path / "bad").write_text("{not json")
    assert last_failed(tmp_path / "bad") == []


def test_the_first_line_says_whether_only_browser_tests_failed(tmp_path, monkeypatch, capsys):
    for failed, first in [({"tests/e2e/test_a.py::t": True}, "e2e-only"),
                          ({"tests/e2e/test_a.py::t": True, "tests/unit/test_b.py::t": True},
                           "mixed")]:
        cache = tmp_path / "lastfailed"
        cache.write_text(json.dumps(failed))
        monkeypatch.setattr(last_failed_module, "CACHE", cache)
        assert last_failed_module.main() == 0
        out = capsys.readouterr().out.split()
        assert out[0] == first and out[1:] == sorted(failed)
