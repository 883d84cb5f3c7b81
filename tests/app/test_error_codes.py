"""Errors a learner can cause are said in the learner's language.

The engine and the lessons raise `engine.backend.InputError(code, message, **details)`;
ui.messages.error_text shows the catalog's `error.<code>` filled with the details. Here:
every code raised in engine/ or lessons/ has a case in tests/app/learner_errors/, a text in
both catalogs, and details that fill every placeholder of it; and the Korean text of each
holds Hangul and no English sentence. (The graph page's ExpressionError has its own texts,
graph.expr.err.<code>, checked in test_i18n.py.)
"""

from __future__ import annotations

import pytest

from engine.backend import InputError
from tests.app.learner_errors import all_cases, raised_codes, said_in_korean
from tests.app.test_i18n import catalog_placeholders
from ui.i18n import LANGS, load_catalog, tr

CASES = all_cases()


def test_the_scan_finds_the_codes():
    assert "diverged" in raised_codes()


def test_every_raised_code_has_a_case_and_every_case_a_raise():
    raised = raised_codes()
    assert sorted(set(raised) - set(CASES)) == [], "add a case in tests/app/learner_errors/"
    assert sorted(set(CASES) - set(raised)) == [], "a case for a code nothing raises"


@pytest.mark.parametrize("lang", LANGS)
def test_every_code_has_a_text_and_every_error_text_a_code(lang):
    texts = {k.removeprefix("error.") for k in load_catalog(lang) if k.startswith("error.")}
    assert sorted(set(CASES) - texts) == [], f"ui/locales/{lang}/ lacks error.<code>"
    assert sorted(texts - set(CASES) - {"bad_input"}) == [], "error texts no code uses"


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_error_fills_its_text_and_reads_in_korean(code):
    with pytest.raises(InputError) as info:
        CASES[code]()
    err = info.value
    assert err.code == code
    assert isinstance(err, ValueError)
    missing = catalog_placeholders(f"error.{code}") - set(err.details)
    assert missing == set(), f"{code}: the error does not give {sorted(missing)}"
    for lang in LANGS:
        shown = tr(lang, f"error.{code}", **err.details)
        assert "{" not in shown and "}" not in shown, shown
    assert said_in_korean(tr("ko", f"error.{code}", **err.details))


def test_said_in_korean_tells_the_two_apart():
    assert said_in_korean("행렬 `W2`의 열 수가 `(3, 2)`와 맞지 않습니다.")
    assert not said_in_korean("입력을 확인해 주세요: the arrays have shapes (2, 3)")
    assert not said_in_korean("the loss became inf")
