"""The catalog: both languages complete, every key the code asks for present, every Korean
string in Korean, and every {placeholder} filled by the code that shows it."""

import ast
import re
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from lessons import expression as ex
from lessons.playground import DATASETS as PLAYGROUND_DATASETS
from tests.app.learner_errors import raised_codes
from ui.glossary import TERMS, term_key
from ui.i18n import LANGS, MissingKeyError, lang_from_tag, load_catalog, resolve_lang, tr
from ui.lessons import LESSONS, lesson_key
from ui.sections import LESSON_SECTIONS

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    ROOT / "streamlit_app.py",
    *sorted((ROOT / "app_pages").glob("*.py")),
    *sorted((ROOT / "ui").rglob("*.py")),
]
HANGUL = re.compile("[\uac00-\ud7a3]")

# Korean strings without Hangul: names, formulas and units that read the same in both
# languages. Each must be the same in en.json too; anything else in ko.json holds Hangul.
SAME_IN_BOTH = {
    "lang.en",  # "English": each language is named in its own script
    "graph.types.repeat", "graph.types.sum", "graph.types.matmul",  # the book's node names
    "perceptron.fig.target0", "perceptron.fig.target1",  # "{gate} = 0"
    "layers.ms",  # "{value} ms"
    "layers.chain.y_product", "layers.act.curve", "layers.loss.col_prob",  # formulas
    "layers.loss.col_swl",
    "optimizers.s3.beta1", "optimizers.s3.beta2", "optimizers.s3.loss",
    "mnist.s7.wrong_caption",  # "{true}→{pred}<br>{conf:.0%}"
}

# Keys whose placeholders are filled later, by the figure that shows the text:
# {key: (module, label name, placeholders)}, checked below against that module's code.
FILLED_BY_A_FIGURE = {
    "mnist.chain.averaged": ("viz/mnist.py", "averaged"),
    "mnist.chain.averaged_cols": ("viz/mnist.py", "averaged_cols"),
}

PLAYGROUND_LABELS = ("ui/playground_view.py", "t(f'playground.{kind}.{name}')")
# Calls whose key is computed: (file, call as written) -> the keys it can ask for. They pass
# no placeholders, so none of these keys may have any. A new computed key must be added here.
COMPUTED_KEYS = {
    ("streamlit_app.py", "t(lesson_key(lesson, 'title'))"):
        {lesson_key(lesson, "title") for lesson in LESSONS},
    ("app_pages/home.py", "t(lesson_key(lesson, 'title'))"):
        {lesson_key(lesson, "title") for lesson in LESSONS},
    ("app_pages/home.py", "t(lesson_key(lesson, 'summary'))"):
        {lesson_key(lesson, "summary") for lesson in LESSONS},
    ("ui/sidebar.py", "t(f'lang.{lang}')"): {f"lang.{lang}" for lang in LANGS},
    ("ui/glossary.py", "t(f'home.glossary.col_{lang}')"):
        {f"home.glossary.col_{lang}" for lang in LANGS},
    ("ui/glossary.py", "tr(lang, term_key(term))"): {term_key(term) for term, _ in TERMS},
    ("ui/glossary.py", "t(lesson_key(lesson, 'title'))"):
        {lesson_key(lesson, "title") for lesson in LESSONS},
    ("ui/i18n.py", "tr(current_lang(), key, **kwargs)"): set(),  # t() itself
    # the sections' headers (ui/sections.py), and the class link builder's lesson names
    ("ui/sections.py", "t(section.title)"):
        {s.title for sections in LESSON_SECTIONS.values() for s in sections},
    ("ui/class_link.py", "t(lesson_key(lesson, 'title'))"):
        {lesson_key(lesson, "title") for lesson in LESSONS},
    ("ui/class_link.py", "t(f'lang.{code}')"): {f"lang.{lang}" for lang in LANGS},
    PLAYGROUND_LABELS:
        {f"playground.{kind}.{name}" for kind, names in (
            ("dataset", (*PLAYGROUND_DATASETS, "custom")), ("activation", ("sigmoid", "linear")),
            ("reg", ("none",)))
         for name in names},
}
# say_error's tr(lang, f"error.{code}", **details): the keys of the codes the engine and the
# lessons raise, and their placeholders, are checked in test_error_codes.py.
ERROR_TEXT = ("ui/messages.py", "tr(lang, key, **details)")

# t(key, **details) with the details of the engine's ExpressionError: one expression per
# error code that raises it, so that the details it carries can be compared with the text.
EXPRESSION_ERRORS = {
    "too_long": "x+" * 150 + "x",
    "syntax": "x+",
    "not_allowed": "x if y else 1",
    "unknown_name": "z",
    "unknown_function": "foo(x)",
    "function_as_value": "exp",
    "call_form": "exp(x, y)",
    "operator": "x % y",
    "constant": "1e99",
    "exponent_not_number": "x^y",
    "exponent_range": "x^999",
    "too_deep": "-" * 40 + "x",
    "too_many_nodes": "+".join(["tanh(x)"] * 12),
    "div_zero": "1/(x-1)",
    "log_domain": "log(x-1)",
    "pow_zero": "(x-1)^-1",
    "pow_negative": "(x-2)^0.5",
    "infinite_slope": "(x-1)^0.5",
}


@dataclass(frozen=True)
class CallSite:
    """One t(...) / tr(lang, ...) call in the app's code."""

    file: str  # relative to the repository
    line: int
    source: str  # the call as written
    key: str | None  # None: computed at run time
    kwargs: frozenset[str]  # the placeholders it passes by name
    spread: bool  # it also passes **mapping, whose names are known only at run time


@cache
def call_sites() -> tuple[CallSite, ...]:
    sites = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            index = {"t": 0, "tr": 1}.get(node.func.id)
            if index is None or len(node.args) <= index:
                continue
            arg = node.args[index]
            literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            sites.append(CallSite(
                file=path.relative_to(ROOT).as_posix(), line=node.lineno,
                source=ast.unparse(node), key=arg.value if literal else None,
                kwargs=frozenset(k.arg for k in node.keywords if k.arg is not None),
                spread=any(k.arg is None for k in node.keywords)))
    return tuple(sites)


def literal_keys(path: Path) -> set[str]:
    """First arguments of every t("...") / tr(lang, "...") call with a literal key."""
    file = path.relative_to(ROOT).as_posix()
    return {s.key for s in call_sites() if s.file == file and s.key is not None}


def used_keys() -> set[str]:
    keys = {s.key for s in call_sites() if s.key is not None}
    # Keys built at run time: the lessons' and the language names.
    keys |= {lesson_key(lesson, f) for lesson in LESSONS for f in ("title", "summary")}
    keys |= {f"lang.{lang}" for lang in LANGS}
    keys |= {term_key(term) for term, _ in TERMS}
    keys |= {f"home.glossary.col_{lang}" for lang in LANGS}
    keys |= {f"error.{code}" for code in raised_codes()}
    keys |= COMPUTED_KEYS[PLAYGROUND_LABELS]
    keys |= COMPUTED_KEYS[("ui/sections.py", "t(section.title)")]
    return keys


def placeholders(text: str) -> set[str]:
    """The names of the {fields} in a str.format template ({p:.1%} and {x[0]} included)."""
    return {re.split(r"[.\[]", name, maxsplit=1)[0]
            for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def catalog_placeholders(key: str) -> set[str]:
    return set().union(*(placeholders(load_catalog(lang)[key]) for lang in LANGS))


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


def test_every_korean_value_is_in_korean():
    ko, en = load_catalog("ko"), load_catalog("en")
    untranslated = sorted(k for k, v in ko.items() if not HANGUL.search(v) and k not in
                          SAME_IN_BOTH)
    assert untranslated == [], "ui/locales/ko.json: no Korean in these values"
    # the exceptions stay few and true: present, the same in English, and without Hangul
    assert len(SAME_IN_BOTH) <= 20
    wrong = sorted(k for k in SAME_IN_BOTH if k not in ko or ko[k] != en.get(k)
                   or HANGUL.search(ko[k]))
    assert wrong == [], "SAME_IN_BOTH lists keys that are not the same in both languages"


def test_no_english_value_is_in_korean():
    en = load_catalog("en")
    bilingual = {"lang.ko", "sidebar.language"}  # "한국어"; "Language (언어)", to find the switch
    assert sorted(k for k, v in en.items() if HANGUL.search(v) and k not in bilingual) == []


def test_every_call_with_a_literal_key_fills_exactly_the_texts_placeholders():
    """A placeholder the call does not pass would raise KeyError on the page (or, with no
    arguments at all, show "{name}" as it is); a name the call passes that the text lacks is
    a placeholder dropped from the catalog. Calls spreading **details are checked below."""
    wrong = []
    for site in call_sites():
        if site.key is None or site.spread or site.key not in load_catalog("en"):
            continue  # the key's absence is test_every_key_used_in_the_code_exists's
        expected = catalog_placeholders(site.key)
        if site.key in FILLED_BY_A_FIGURE and not site.kwargs:
            continue
        if set(site.kwargs) != expected:
            wrong.append(f"{site.file}:{site.line} {site.key}: passes {sorted(site.kwargs)}, "
                         f"the text has {sorted(expected)}")
    assert wrong == []


def test_every_placeholder_in_the_catalog_is_filled_by_some_call():
    filled = {s.key for s in call_sites() if s.key is not None and not s.spread
              and set(s.kwargs) == catalog_placeholders(s.key)}
    # spread calls: checked against the engine's errors below
    filled |= {s.key for s in call_sites() if s.spread and s.key is not None}
    filled |= set(FILLED_BY_A_FIGURE)
    filled |= {f"error.{code}" for code in raised_codes()}
    unfilled = sorted(k for k in load_catalog("en") if catalog_placeholders(k)
                      and k not in filled)
    assert unfilled == []


def test_texts_filled_by_a_figure_get_their_placeholders_there():
    for key, (module, label) in FILLED_BY_A_FIGURE.items():
        tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
        passed = [{k.arg for k in node.keywords} for node in ast.walk(tree)
                  if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr == "format" and isinstance(node.func.value, ast.Subscript)
                  and isinstance(node.func.value.slice, ast.Constant)
                  and node.func.value.slice.value == label]
        assert passed, f"{module} never formats the label {label!r} ({key})"
        assert all(p == catalog_placeholders(key) for p in passed), (key, passed)


def test_computed_keys_are_the_listed_ones_and_need_no_placeholders():
    computed = {(s.file, s.source) for s in call_sites() if s.key is None} - {ERROR_TEXT}
    assert computed == set(COMPUTED_KEYS), "list a new computed key in COMPUTED_KEYS"
    for (file, source), keys in COMPUTED_KEYS.items():
        for key in keys:
            assert catalog_placeholders(key) == set(), (file, source, key)


def test_expression_errors_carry_every_placeholder_of_their_text():
    """graph.py shows an ExpressionError as t("graph.expr.err.<code>", **err.details)."""
    spread = {s.key for s in call_sites() if s.spread and s.key is not None}
    assert ERROR_TEXT in {(s.file, s.source) for s in call_sites() if s.spread}
    prefix = "graph.expr.err."
    assert spread and all(k.startswith(prefix) for k in spread), spread
    assert {k.removeprefix(prefix) for k in spread} == set(EXPRESSION_ERRORS)
    for code, text in EXPRESSION_ERRORS.items():
        with pytest.raises(ex.ExpressionError) as info:
            ex.parse(text)
        assert info.value.code == code, (text, info.value.code)
        missing = catalog_placeholders(prefix + code) - set(info.value.details)
        assert missing == set(), f"{code}: the engine does not give {sorted(missing)}"
        for lang in LANGS:  # and the text reads without a stray brace
            shown = tr(lang, prefix + code, **info.value.details)
            assert "{" not in shown and "}" not in shown, shown


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
