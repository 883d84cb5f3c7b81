"""The catalog: both languages complete, and every key the code asks for present."""

import ast
import string
from pathlib import Path

import pytest

from ui.i18n import LANGS, MissingKeyError, lang_from_tag, load_catalog, resolve_lang, tr
from ui.lessons import LESSONS, lesson_key

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    ROOT / "streamlit_app.py",
    *sorted((ROOT / "app_pages").glob("*.py")),
    *sorted((ROOT / "ui").rglob("*.py")),
]


def literal_keys(path: Path) -> set[str]:
    """First arguments of every t("...") / tr(lang, "...") call with a literal key."""
    keys = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        index = {"t": 0, "tr": 1}.get(node.func.id)
        if index is None or len(node.args) <= index:
            continue
        arg = node.args[index]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            keys.add(arg.value)
    return keys


def used_keys() -> set[str]:
    keys = set().union(*(literal_keys(p) for p in SOURCES))
    # Keys built at run time: the lessons' and the language names.
    keys |= {lesson_key(lesson, f) for lesson in LESSONS for f in ("title", "summary")}
    keys |= {f"lang.{lang}" for lang in LANGS}
    return keys


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_scan_sees_the_sources():
    assert ROOT / "app_pages" / "home.py" in SOURCES
    assert "home.title" in used_keys()


def test_both_catalogs_have_the_same_keys():
    ko, en = load_catalog("ko"), load_catalog("en")
    assert sorted(set(ko) - set(en)) == [], "keys only in ko.json"
    assert sorted(set(en) - set(ko)) == [], "keys only in en.json"


@pytest.mark.parametrize("lang", LANGS)
def test_no_empty_values(lang):
    catalog = load_catalog(lang)
    bad = [k for k, v in catalog.items() if not isinstance(v, str) or not v.strip()]
    assert bad == []


@pytest.mark.parametrize("lang", LANGS)
def test_every_key_used_in_the_code_exists(lang):
    missing = sorted(used_keys() - set(load_catalog(lang)))
    assert missing == [], f"ui/locales/{lang}.json lacks {missing}"


def test_every_catalog_key_is_used():
    """Strings nobody shows rot; keys built at run time must be listed in used_keys()."""
    unused = sorted(set(load_catalog("en")) - used_keys())
    assert unused == []


def test_placeholders_match_between_languages():
    ko, en = load_catalog("ko"), load_catalog("en")
    differ = [k for k in ko if placeholders(ko[k]) != placeholders(en.get(k, ""))]
    assert differ == []


def test_missing_key_raises():
    with pytest.raises(MissingKeyError, match=r"no\.such\.key"):
        tr("ko", "no.such.key")
    with pytest.raises(KeyError):  # MissingKeyError is a KeyError
        tr("en", "no.such.key")


def test_placeholders_are_filled():
    assert "{" not in tr("en", "home.backend_error", error="boom")
    assert tr("en", "home.backend_error", error="boom").endswith("boom")


@pytest.mark.parametrize(
    ("tag", "lang"),
    [
        ("ko", "ko"),
        ("ko-KR", "ko"),
        ("ko_KR", "ko"),
        ("EN-us", "en"),
        ("en", "en"),
        ("de-DE", None),
        ("", None),
        (None, None),
    ],
)
def test_lang_from_tag(tag, lang):
    assert lang_from_tag(tag) == lang


def test_resolve_lang_order():
    assert resolve_lang("en", "ko-KR") == "en"
    assert resolve_lang("fr", "en-US") == "en"
    assert resolve_lang(None, "ja-JP") == "ko"
    assert resolve_lang(None, None) == "ko"
