"""Every error a learner can cause, one module per area: CASES = {code: make}, where
make() raises the engine's or a lesson's InputError with that code, as a learner's input
would. tests/app/test_error_codes.py checks each against the catalogs' error.<code>.

A module per area keeps each lesson's cases beside nothing else's; add a case when you add
a code (the test fails on a code raised somewhere but listed nowhere). The helpers below
also serve the page tests that drive these errors on a Korean page.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
RAISED = re.compile(r"\b(?:InputError|TrainingDiverged)\(\s*\"([a-z0-9_]+)\"")
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,'-]+[A-Za-z]{2,}){2,}")
CODE_SPAN = re.compile(r"(`+).*?\1", re.S)
HANGUL = re.compile("[\uac00-\ud7a3]")


def raised_codes() -> dict[str, list[str]]:
    """{code: [file, ...]} for every InputError (or TrainingDiverged) raised with a
    literal code in engine/ and lessons/."""
    codes: dict[str, list[str]] = {}
    for package in ("engine", "lessons"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for code in RAISED.findall(path.read_text(encoding="utf-8")):
                codes.setdefault(code, []).append(path.relative_to(ROOT).as_posix())
    return codes


def all_cases() -> dict[str, Callable[[], object]]:
    found: dict[str, Callable[[], object]] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        twice = set(found) & set(module.CASES)
        assert not twice, f"{info.name} repeats {twice}"
        found.update(module.CASES)
    return found


def said_in_korean(text: str) -> bool:
    """Hangul, and no run of three English words outside code spans (values quoted as
    they are, such as a shape or a name the learner typed, may be anything)."""
    plain = CODE_SPAN.sub(" ", text)
    return bool(HANGUL.search(plain)) and not ENGLISH_SENTENCE.search(plain)


def assert_korean_error(at) -> str:
    """The AppTest page shows exactly one error, said in Korean; returns its text."""
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    assert said_in_korean(errors[0]), errors[0]
    return errors[0]
