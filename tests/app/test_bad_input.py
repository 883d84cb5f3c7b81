"""The bad input sweep: every hostile value a learner (or a link) can hand a page gets a clear,
translated message, and the page keeps working.

* URL parameters. Each page's parameters are discovered, not listed here: the page is opened
  once without any, and the names it writes back into the URL (save_params mirrors every
  widget) are its parameters; the Param objects behind them (with their bounds and their own
  parse) are caught on their way through ui.params.load_params. Then every page is opened with
  ALL of its parameters set to one hostile value at once, and each rejected one must produce a
  notice naming it, while every widget stays within its bounds.
* The shell's own parameters, ?lang= and ?slides=, fall back without an error.
* The graph lesson's expression box: code, huge, deep, overflowing and undefined expressions
  are an st.error in the learner's language (typed or in ?expr=), and a valid expression
  afterwards draws the graph again. The engine refuses each of them at once (a generous
  pytest-timeout guards against a hang; nothing here measures wall-clock time).
* The layers lesson's typed broadcast shapes, the app's other free-text box, likewise.

The picture upload on the MNIST page is swept in a real browser: tests/e2e/test_uploads_e2e.py.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import NumberInput, Slider, Widget

import ui.params
from engine.backend import InputError
from lessons import expression as ex
from lessons.layers import parse_shape
from tests.app.helpers import link_notice_details, open_lesson
from tests.markdown_spans import code_spans
from ui.i18n import LANGS, tr
from ui.lessons import LESSONS, lesson_key
from ui.messages import say_error
from ui.params import BoolParam, ChoiceParam, FloatParam, IntParam, Param, TextParam
from ui.settings import SLIDES_KEY
from viz.common import format_number

SHELL = {"lang", "slides"}  # the shell's parameters, swept separately below
PAGES = LESSONS
TIMEOUT = 120  # seconds per AppTest run: the MNIST page loads its data on the first open

HOSTILE = {
    "huge": "1e9",
    "negative": "-5",
    "most-negative": "-1e308",
    "overflow": "1e999",
    "nan": "nan",
    "inf": "inf",
    "minus-inf": "-inf",
    "word": "abc",
    "empty": "",
    "space": " ",
    "hex": "0x10",
    "400-nines": "9" * 400,
    "5000-digits": "1" * 5000,  # past Python's 4,300-digit limit for int(): a ValueError too
    "5000-chars": "ab" * 2500,
    "script": "<script>alert(1)</script>",
    "code": "__import__('os')",
    "percent-nul": "%00",
    "nul": "\x00",
    "emoji": "🙂",
}


# ---------------------------------------------------------------- discovery


@dataclass(frozen=True)
class Discovered:
    names: tuple[str, ...]  # from the URL the page wrote back
    params: dict[str, Param]  # name -> the page's Param object


@functools.cache
def discover(page: str) -> Discovered:
    """Open `page` with no parameters; its parameters are the names it writes into the URL.

    The Param objects are caught as the page hands them to ui.params.load_params (the page
    imports the function afresh on every run, so a wrapper put in its place sees them)."""
    seen: dict[str, Param] = {}
    original = ui.params.load_params

    def recording(params: list[Param]) -> list[str]:
        for p in params:
            seen.setdefault(p.name, p)
        return original(params)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ui.params, "load_params", recording)
        at = open_lesson(page_file(page), "en", timeout=TIMEOUT)
    names = tuple(sorted(set(at.query_params) - SHELL))
    return Discovered(names, seen)


def page_file(page: str) -> str:
    return f"app_pages/{page}.py"


def open_page(page: str, lang: str = "en", **params: str) -> AppTest:
    return open_lesson(page_file(page), lang, timeout=TIMEOUT, **params)


# What each kind of setting accepts from a link, written out here rather than taken from the
# page's own Param.parse: whole numbers in decimal for IntParam, finite decimal numbers for
# FloatParam (both within the bounds), the exact text of a choice for ChoiceParam.
INTEGER = re.compile(r"\s*[+-]?\d+\s*")
DECIMAL = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")
# The expressions among HOSTILE that the graph page's whitelist takes: plain numbers in range
# (Python's 0x10 is the number 16). The engine's own tests hold its rules; this list is what
# a lecturer would expect of it.
EXPRESSIONS_ACCEPTED = {HOSTILE["negative"], HOSTILE["hex"]}


def expected_value(p: Param, raw: str):
    """The value the page should use for ?name=raw, or None when it should refuse it."""
    if isinstance(p, IntParam):
        if not INTEGER.fullmatch(raw) or len(raw.strip().lstrip("+-")) > 4000:
            return None
        value = int(raw)
        return value if p.lo <= value <= p.hi else None
    if isinstance(p, FloatParam):
        if not DECIMAL.fullmatch(raw):
            return None
        value = float(raw)
        return value if math.isfinite(value) and p.lo <= value <= p.hi else None
    if isinstance(p, ChoiceParam):
        return next((c for c in p.choices if str(c) == raw), None)
    if isinstance(p, BoolParam):
        return {"0": False, "1": True}.get(raw)
    if isinstance(p, TextParam):  # the playground's drawn points: the lesson's decoder decides
        if len(raw) > p.limit:
            return None
        try:
            return raw if not raw or p.decode(raw) is not None else None
        except ValueError:
            return None
    if raw in HOSTILE.values():  # the graph page's expression
        return raw if raw in EXPRESSIONS_ACCEPTED else None
    try:  # a named case's expression: the engine's whitelist decides
        ex.check(raw)
    except ex.ExpressionError:
        return None
    return raw


def rejects(p: Param, raw: str) -> bool:
    return expected_value(p, raw) is None


def visible(raw: str) -> str:
    """What a code span of the link's value shows: its first 40 characters, control
    characters as '\ufffd', and one space for an empty one."""
    shown = "".join("\ufffd" if ord(c) < 32 or ord(c) == 127 else c for c in raw[:40])
    return shown or " "


def notice_for(notices: list[str], lang: str, name: str, raw: str) -> str | None:
    """The 'params.ignored' notice for ?name=raw among `notices`: it starts with the
    catalog's words up to the value, and the value follows as one code span that shows it
    literally (never as a link, emphasis or HTML)."""
    head = tr(lang, "params.ignored").split("{value}")[0].format(name=name)
    for notice in notices:
        if not notice.startswith(head):
            continue
        spans = code_spans(notice)
        if spans and spans[0][0] == len(head) and spans[0][2] == visible(raw):
            return notice
    return None


def ignored_notices(at: AppTest, lang: str) -> list[str]:
    """The 'params.ignored' notices: the details under the page's one notice for its link
    (ui.params.show_notices), which is checked to be the only one."""
    head = tr(lang, "params.ignored").split("{name}")[0]
    found = [n for n in link_notice_details(at) if n.startswith(head)]
    summary = tr(lang, "classlink.notice.summary").split("{count}")[0]
    assert len([w for w in at.warning if w.value.startswith(summary)]) == (1 if found else 0)
    return found


def walk(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def widgets(at: AppTest) -> dict[str, Widget]:
    return {n.key: n for n in walk(at._tree) if isinstance(n, Widget) and n.key}


def url_means(p: Param, text: str | None):
    """The value a URL's text stands for, read as a learner would read it."""
    if isinstance(p, IntParam):
        return int(text)
    if isinstance(p, FloatParam):
        return float(text)
    if isinstance(p, ChoiceParam):
        return next(c for c in p.choices if str(c) == text)
    if isinstance(p, BoolParam):
        return text == "1"
    if isinstance(p, TextParam):  # an empty text stays out of the URL
        return text or ""
    return text


def url_value(at: AppTest, name: str) -> str | None:
    """The value of ?name= after the run (AppTest keeps a list for a repeated name)."""
    value = at.query_params.get(name)
    return value[-1] if isinstance(value, list) else value


def assert_in_bounds(p: Param, value: object) -> None:
    """A parameter's state is one its page can use: a finite number within [lo, hi], one of
    the choices, or an expression the engine's whitelist accepts."""
    if isinstance(p, IntParam):
        assert isinstance(value, int) and p.lo <= value <= p.hi, (p.name, value)
    elif isinstance(p, FloatParam):
        assert math.isfinite(float(value)) and p.lo <= float(value) <= p.hi, (p.name, value)
    elif isinstance(p, ChoiceParam):
        assert value in p.choices, (p.name, value)
    elif isinstance(p, BoolParam):
        assert isinstance(value, bool), (p.name, value)
    elif isinstance(p, TextParam):
        assert not value or p.decode(value) is not None, (p.name, value)
    else:  # the graph page's expression
        ex.check(value)


def assert_page_works(at: AppTest, page: str, lang: str) -> None:
    """No exception, and the page's title (its first element) in the page's language."""
    assert not at.exception, [e.value for e in at.exception]
    key = "home.title" if page == "home" else lesson_key(page, "title")
    assert at.title and at.title[0].value == tr(lang, key)


# ---------------------------------------------------------------- discovery itself


@pytest.mark.parametrize("page", PAGES)
def test_discovery_finds_every_url_parameter_and_its_param(page):
    found = discover(page)
    assert found.names, f"{page} wrote no parameters into its URL"
    # every name in the URL belongs to a Param, and every Param the page loads is in the URL,
    # but a text with nothing in it (the playground's drawn points, none yet)
    empty = {name for name, p in found.params.items() if isinstance(p, TextParam)}
    assert set(found.params) - empty <= set(found.names) <= set(found.params), \
        (found.names, sorted(found.params))


# ---------------------------------------------------------------- the sweep


def sweep(page: str, lang: str, value: str):
    """Open `page` with every one of its parameters set to `value`: (what was discovered,
    the AppTest, the 'ignored' notices shown, the params that refuse the value)."""
    found = discover(page)
    at = open_page(page, lang, **dict.fromkeys(found.params, value))
    assert_page_works(at, page, lang)
    rejected = [p for p in found.params.values() if rejects(p, value)]
    return found, at, ignored_notices(at, lang), rejected


@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
@pytest.mark.parametrize("page", PAGES)
def test_every_parameter_set_to_a_hostile_value(page, value):
    found, at, notices, rejected = sweep(page, "en", value)
    assert not at.error, [e.value for e in at.error]  # a refused value is a notice, not an error
    # one notice for each refused value, naming it, and none for a value that was used
    assert len(notices) == len(rejected), (notices, [p.name for p in rejected])
    for p in rejected:
        assert notice_for(notices, "en", p.name, value), (p.name, notices)
    state = widgets(at)
    for p in found.params.values():
        current = at.session_state[p.state_key]
        assert_in_bounds(p, current)
        if p in rejected:
            assert current == p.default, (p.name, current)
            # the link is repaired: the URL shows the value the page really uses
            assert url_means(p, url_value(at, p.name)) == current
        else:  # a value the page accepts is the one it uses
            assert current == expected_value(p, value), (p.name, current)
        widget = state.get(p.state_key)
        if widget is None:  # a step counter, driven by buttons
            continue
        if isinstance(widget, NumberInput | Slider):  # (a select_slider's min/max are indexes)
            assert widget.min <= widget.value <= widget.max, (p.name, widget.value)
        assert widget.value == current or str(widget.value) != value


SWEEP_KO = {k: HOSTILE[k] for k in ("word", "overflow", "script")}


@pytest.mark.parametrize("value", list(SWEEP_KO.values()), ids=list(SWEEP_KO))
@pytest.mark.parametrize("page", PAGES)
def test_the_notices_are_translated(page, value):
    _found, at, notices, rejected = sweep(page, "ko", value)
    assert rejected and len(notices) == len(rejected)
    for p in rejected:
        assert notice_for(notices, "ko", p.name, value), (p.name, notices)
    assert not ignored_notices(at, "en")


# ---------------------------------------------------------------- named cases from the issue

# (page, the link's query string): a learning rate of a billion, hidden layers of -5 units,
# a name the page does not know (?hidden=), and several bad values in one link
NAMED = [
    ("mnist", "?lr=1e9"),
    ("perceptron", "?xor_lr=1e9&spiral_lr=1e9"),
    ("optimizers", "?mnist_lr_sgd=1e9&batch_lr=1e9"),
    ("mnist", "?h1=-5&h2=-5&h3=-5&layers=3"),
    ("perceptron", "?xor_h=-5&spiral_h=-5"),
    ("layers", "?H=-5&N=-5&D=1e999"),
    ("mnist", "?hidden=-5"),  # no parameter of that name: ignored, no notice
    ("mnist", "?h1=" + "9" * 400 + "&lr=abc&epochs=1e9"),
    ("graph", "?chairs=1e999&tax=-1e308&expr=" + "x" * 5000),
]


@pytest.mark.parametrize(("page", "query"), NAMED, ids=[q[:40] for _, q in NAMED])
def test_named_bad_links(page, query):
    found = discover(page)
    params = dict(parse_qsl(query[1:], keep_blank_values=True))
    at = open_page(page, "en", **params)
    assert_page_works(at, page, "en")
    notices = ignored_notices(at, "en")
    known = {name: raw for name, raw in params.items() if name in found.params}
    expected = [name for name, raw in known.items() if rejects(found.params[name], raw)]
    assert len(notices) == len(expected), notices
    for name in expected:
        assert notice_for(notices, "en", name, known[name]), (name, notices)
        p = found.params[name]
        assert at.session_state[p.state_key] == p.default
    for name in set(params) - set(known):
        assert not any(f"{name}=" in n for n in notices)


def test_the_mnist_network_keeps_its_defaults_after_lr_1e9_and_hidden_minus_5():
    """?lr=1e9&h1=-5: the network the page builds is the default one, not a broken one."""
    at = open_page("mnist", "en", lr="1e9", h1="-5")
    trainer = at.session_state["mnist.model"].model.trainer
    assert trainer.optimizer.lr == 0.001 and trainer.network.hidden_size_list == [100]


def test_a_repeated_parameter_uses_its_last_value():
    """?lr=0.1&lr=1e9: Streamlit reads the last value of a repeated name; it is refused."""
    at = open_page("mnist", "en", lr=["0.1", "1e9"])
    assert_page_works(at, "mnist", "en")
    notices = ignored_notices(at, "en")
    assert len(notices) == 1 and notice_for(notices, "en", "lr", "1e9")
    assert url_value(at, "lr") == "0.001"


# ---------------------------------------------------------------- the shell: ?lang= and ?slides=

LANG_VALUES = {
    "?lang=xx": ("xx", None),
    "?lang=": ("", None),
    "?lang=<very long>": ("en" + "x" * 5000, None),
    "?lang=<script>": ("<script>alert(1)</script>", None),
    "?lang=NUL": ("\x00", None),
    "?lang=EN": ("EN", "en"),
    "?lang=en-US": ("en-US", "en"),
    "?lang=ko_KR": ("ko_KR", "ko"),
}


@pytest.mark.parametrize("page", ["home", "graph"])
@pytest.mark.parametrize("raw", [v[0] for v in LANG_VALUES.values()], ids=list(LANG_VALUES))
def test_an_unknown_language_falls_back_to_a_real_one(raw, page):
    expected = dict(LANG_VALUES.values())[raw]
    at = open_page(page, raw)
    assert not at.exception
    lang = url_value(at, "lang")
    assert lang in LANGS and (expected is None or lang == expected)
    assert_page_works(at, page, lang)  # the whole page in that language, without an error


def test_an_unknown_language_later_keeps_the_sessions_language():
    """?lang=xx after the learner chose English: the session's language stays, and the URL
    is repaired to say so."""
    at = open_page("graph", "en")
    at.query_params["lang"] = "xx"
    at.run()
    assert_page_works(at, "graph", "en")
    assert url_value(at, "lang") == "en"


SLIDES_VALUES = {"maybe": False, "": False, " ": False, "0": False, "yes": True, "TRUE": True,
                 " 1 ": True, "1" * 5000: False, "<script>alert(1)</script>": False}


@pytest.mark.parametrize("raw", list(SLIDES_VALUES), ids=[r[:10] or "empty" for r in SLIDES_VALUES])
def test_slides_values_never_crash(raw):
    at = open_page("perceptron", "en", slides=raw)
    assert_page_works(at, "perceptron", "en")
    on = SLIDES_VALUES[raw]
    assert at.session_state[SLIDES_KEY] is on
    assert url_value(at, "slides") == ("1" if on else None)


# ---------------------------------------------------------------- the graph's expression box

GRAPH = "graph"
EXPR_KEY = "graph.expr"
VALID = "x*y + exp(x)"
HOSTILE_EXPRESSIONS = {
    "import": "__import__('os')",
    "import-system": "__import__('os').system('id')",
    "open-file": "open('/etc/passwd').read()",
    "dunder-class": "x.__class__",
    "lambda": "lambda: 1",
    "comprehension": "[x for x in y]",
    "tower-9**9**9": "9**9**9",
    "x**99999": "x**99999",
    "x^x": "x^x",
    "10000-chars": "x+" * 5000,
    "1000-parens": "(" * 1000 + "x" + ")" * 1000,
    "50-deep-exp": "exp(" * 50 + "x" + ")" * 50,
    "25-deep-exp": "exp(" * 25 + "x" + ")" * 25,  # under 200 characters, over 20 levels
    "150-minus": "-" * 150 + "x",
    "exp-overflow": "exp(1000*x)",
    "exp-tower-overflow": "exp(exp(exp(exp(x))))",
    "log-domain": "log(-x)",
    "div-zero": "1/(x-x)",
    "emoji": "x + 😀",
    "unicode-name": "é*x",
    "nul": "x\x00",
    "huge-constant": "1e999*x",
    "empty": "",
    "whitespace": "   ",
}


def expression_error(text: str) -> ex.ExpressionError:
    with pytest.raises(ex.ExpressionError) as err:
        graph = ex.parse(text, 1.0, 2.0)
        ex.numerical_check(graph)
    return err.value


def message_pattern(lang: str, code: str) -> re.Pattern:
    """The catalog text of an expression error, its {placeholders} matching anything."""
    template = tr(lang, f"graph.expr.err.{code}")
    parts = re.split(r"\{[^}]*\}", template)
    return re.compile(".*".join(re.escape(p) for p in parts), re.DOTALL)


def expression_graph_drawn(at: AppTest, text: str) -> None:
    """The expression's own metrics and graph are on the page, with no error."""
    assert not at.exception and not at.error, [e.value for e in at.error]
    graph = ex.parse(text, 1.0, 2.0)
    values = {m.label: m.value for m in at.metric}
    assert values.get("f(x, y)") == format_number(graph.output.value)
    specs = [el.proto.spec for el in at.get("graphviz_chart")]
    assert any("exp(x)" in s for s in specs)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("text", list(HOSTILE_EXPRESSIONS.values()),
                         ids=list(HOSTILE_EXPRESSIONS))
def test_the_engine_refuses_each_hostile_expression_at_once(text):
    # pytest-timeout, not a stopwatch: each case takes a millisecond or so; a hang would fail
    err = expression_error(text)
    assert err.code in {"empty", "too_long", "syntax", "not_allowed", "unknown_name",
                        "unknown_function", "exponent_not_number", "exponent_range",
                        "too_deep", "overflow", "log_domain", "div_zero", "constant"}
    assert tr("en", f"graph.expr.err.{err.code}") and tr("ko", f"graph.expr.err.{err.code}")


@pytest.mark.timeout(30)
@pytest.mark.parametrize("size", [10_000, 1_000_000])
def test_the_engine_refuses_megabytes_of_expression_at_once(size):
    assert expression_error("x*" * (size // 2) + "x").code == "too_long"
    assert expression_error("(" * size + "x" + ")" * size).code == "too_long"


KO_EXPRESSIONS = ("import-system", "x**99999", "25-deep-exp", "log-domain", "emoji", "empty")
TYPED = [("en", case) for case in HOSTILE_EXPRESSIONS] + [("ko", case) for case in KO_EXPRESSIONS]


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("lang", "case"), TYPED, ids=[f"{lang}-{case}" for lang, case in TYPED])
def test_a_hostile_expression_typed_in_is_an_error_and_the_page_recovers(lang, case):
    text = HOSTILE_EXPRESSIONS[case]
    at = open_page(GRAPH, lang)  # a page of its own: no test depends on another's
    at.text_input(key=EXPR_KEY).set_value(text).run()
    assert_page_works(at, GRAPH, lang)
    # the box keeps the first 200 characters (max_chars, in the browser as in AppTest), so a
    # longer paste is cut off there and reaches the engine unfinished
    typed = text[:ex.MAX_LENGTH]
    assert at.text_input(key=EXPR_KEY).value == typed
    err = expression_error(typed)
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    # the catalog's message for the engine's code, in the page's language
    assert message_pattern(lang, err.code).match(errors[0]), (err.code, errors[0])
    other = "ko" if lang == "en" else "en"
    assert not message_pattern(other, err.code).match(errors[0])
    assert "Traceback" not in errors[0] and "ExpressionError" not in errors[0]
    assert tr(lang, "graph.expr.header") in [h.value for h in at.header]
    # a valid expression afterwards draws the graph again
    at.text_input(key=EXPR_KEY).set_value(VALID).run()
    expression_graph_drawn(at, VALID)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("text", list(HOSTILE_EXPRESSIONS.values()),
                         ids=list(HOSTILE_EXPRESSIONS))
def test_a_hostile_expression_in_the_link(text):
    """?expr=<hostile>: refused on load with a notice naming expr (the default expression is
    drawn), or, when only its values are undefined (log(-x)), loaded and shown as an error."""
    err = expression_error(text)
    at = open_page(GRAPH, "en", expr=text)
    assert_page_works(at, GRAPH, "en")
    notices = ignored_notices(at, "en")
    try:
        ex.check(text)
    except ex.ExpressionError:
        assert len(notices) == 1 and notice_for(notices, "en", "expr", text)
        assert at.text_input(key=EXPR_KEY).value == VALID
        assert url_value(at, "expr") == VALID
        expression_graph_drawn(at, VALID)
    else:  # well-formed, undefined at x = 1, y = 2
        assert not notices
        assert at.text_input(key=EXPR_KEY).value == text
        (shown,) = [e.value for e in at.error]
        assert message_pattern("en", err.code).match(shown), shown
        at.text_input(key=EXPR_KEY).set_value(VALID).run()
        expression_graph_drawn(at, VALID)


# ---------------------------------------------------------------- the layers page's shape boxes

BAD_SHAPES = ["__import__('os')", "9999,9999", "1," * 50, "²", "-1", "", "(", "🙂", "8,8,8,8",
              "1" * 20, "(2,3)]", "%00", "<script>alert(1)</script>"]


@pytest.mark.parametrize("lang", LANGS)
def test_hostile_broadcast_shapes_are_errors_and_a_good_one_works_again(lang):
    """The broadcasting tab's own shapes (?bcase=custom): typed text is read by the lesson's
    parse_shape, never eval'd; anything it refuses is its coded error, said in the page's
    language (the typed text quoted as it is)."""
    at = open_page("layers", lang, bcase="custom")
    works = tr(lang, "layers.bc.works").split("{shape}")[0]
    for text in BAD_SHAPES if lang == "en" else BAD_SHAPES[:3]:
        at.text_input(key="layers.bc.shape_a").set_value(text).run()
        assert_page_works(at, "layers", lang)
        errors = [e.value for e in at.error]
        held = at.text_input(key="layers.bc.shape_a").value  # cut at the box's max_chars
        with pytest.raises(InputError) as refused:
            parse_shape(held)
        assert errors == [say_error(lang, refused.value)], text
        assert not any(s.value.startswith(works) for s in at.success)
    at.text_input(key="layers.bc.shape_a").set_value("(2, 3)").run()
    assert not at.error and any(s.value.startswith(works) for s in at.success)
