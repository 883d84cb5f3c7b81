"""The Korean catalog speaks as the lecture notes do: one term per concept.

The notes' own words (CURRICULUM.md, "Korean terms"), and the choice made where the app
once mixed two: 계층 for a layer (never 레이어, and 층 only inside 계층), 매개변수 (not
파라미터), 걸음 for one update (not 스텝), 히트맵 (not 열지도), 형상 for an array's
shape (not 모양), 간선 for an edge (not 에지), 강의 노트 for the notes (not 씨앗), and
no particle left for the reader to choose, such as 이(가) or 을(를). Checked file by file,
so that each lesson's texts can be fixed on their own.
"""

from __future__ import annotations

import json
import re

import pytest

from ui.i18n import LOCALES_DIR

# (pattern, what to write instead)
FORBIDDEN = [
    (r"레이어", "계층"),
    (r"(?<!계)층", "계층 (은닉 계층, 출력 계층, 첫 번째 계층)"),
    (r"파라미터", "매개변수"),
    (r"스텝", "걸음"),
    (r"열지도", "히트맵"),
    (r"모양", "형상 (an array's shape), or another word (꼴, 무늬, 생김새)"),
    (r"에지|엣지", "간선"),
    (r"씨앗", "강의 노트"),
    (r"[가-힣]?\((?:이|가|을|를|은|는|와|과|으|아|야)\)", "the particle the word takes"),
    (r"날아갔", "발산했습니다"),
    (r"찍기", "무작위 추측"),
    (r"미니배치\s*\d+\s*개씩", "크기 N인 미니배치로"),
]
FILES = sorted(p.name for p in (LOCALES_DIR / "ko").glob("*.json"))


@pytest.mark.parametrize("name", FILES)
def test_korean_uses_the_notes_terms(name):
    catalog = json.loads((LOCALES_DIR / "ko" / name).read_text(encoding="utf-8"))
    found = [f"{key}: {match.group(0)!r} -> {instead}"
             for key, text in catalog.items()
             for pattern, instead in FORBIDDEN
             for match in re.finditer(pattern, text)]
    assert found == []


@pytest.mark.parametrize(("text", "bad"), [
    ("에지를 따라", True), ("레이어", True), ("은닉층", True), ("계층", False),
    ("{name}이(가) 멈췄습니다", True), ("값을(를)", True), ("(으)로", True),
    ("상수 (0, 1)", False), ("크기 30인 미니배치로", False), ("미니배치 30개씩", True),
])
def test_the_patterns_find_what_they_should(text, bad):
    assert any(re.search(p, text) for p, _ in FORBIDDEN) == bad
