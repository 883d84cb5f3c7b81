"""Tests for lessons.expression: a learner's expression becomes a graph whose forward value
and gradients match a reference, and everything off the whitelist is refused with a clear
ExpressionError (never evaluated)."""

from __future__ import annotations

import ast
import builtins
import contextlib
import inspect
import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lessons import expression
from lessons.expression import (
    EXAMPLES,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NODES,
    ExpressionError,
    check,
    count_nodes,
    gradients,
    normalize,
    numerical_check,
    parse,
)

# ---------------------------------------------------------------- reference expressions


def _sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


Expr = tuple[str, object]  # (text, f(x, y) computed with math, for reference)

LEAVES = st.sampled_from([
    ("x", lambda x, y: x),
    ("y", lambda x, y: y),
    ("0.5", lambda x, y: 0.5),
    ("2", lambda x, y: 2.0),
    ("3", lambda x, y: 3.0),
])


def _extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    """One more operation on top of smaller expressions; every one stays finite for
    |x|, |y| ≤ 2 (denominators are 1 + b², logs take 1 + a², exp takes tanh)."""
    unary = [
        (lambda a: f"sigmoid({a})", _sigmoid),
        (lambda a: f"tanh({a})", math.tanh),
        (lambda a: f"relu({a})", lambda v: max(v, 0.0)),
        (lambda a: f"exp(tanh({a}))", lambda v: math.exp(math.tanh(v))),
        (lambda a: f"log(1 + ({a})^2)", lambda v: math.log(1 + v * v)),
        (lambda a: f"-({a})", lambda v: -v),
        (lambda a: f"({a})^2", lambda v: v * v),
    ]
    binary = [
        (lambda a, b: f"({a}) + ({b})", lambda u, v: u + v),
        (lambda a, b: f"({a}) - ({b})", lambda u, v: u - v),
        (lambda a, b: f"({a}) * ({b})", lambda u, v: u * v),
        (lambda a, b: f"({a}) / (1 + ({b})^2)", lambda u, v: u / (1 + v * v)),
    ]

    def apply_unary(pair, child):
        (text, fn), (g, f) = child, pair
        return g(text), lambda x, y: f(fn(x, y))

    def apply_binary(pair, left, right):
        (lt, lf), (rt, rf), (g, f) = left, right, pair
        return g(lt, rt), lambda x, y: f(lf(x, y), rf(x, y))

    return st.one_of(
        st.builds(apply_unary, st.sampled_from(unary), children),
        st.builds(apply_binary, st.sampled_from(binary), children, children),
    )


EXPRESSIONS = st.recursive(LEAVES, _extend, max_leaves=6)
VALUES = st.floats(-2.0, 2.0, allow_nan=False)


def central(f, x: float, y: float, h: float = 1e-6) -> tuple[float, float]:
    return ((f(x + h, y) - f(x - h, y)) / (2 * h), (f(x, y + h) - f(x, y - h)) / (2 * h))


def near_kink(graph) -> bool:
    """A relu whose input is (almost) 0: the derivative is not defined there."""
    return any(n.op == "relu" and abs(float(n.inputs[0].value)) < 1e-3 for n in graph.nodes)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS, VALUES, VALUES)
def test_random_expressions_match_a_reference_derivative(expr, x, y):
    text, f = expr
    try:
        graph = parse(text, x, y)
    except ExpressionError as err:
        assume(err.code != "too_many_nodes")  # long random expressions may pass 60 nodes
        raise
    assume(not near_kink(graph))
    assert count_nodes(check(text)) == len(graph.nodes)
    assert float(graph.output.value) == pytest.approx(f(x, y), rel=1e-9, abs=1e-12)
    grads = gradients(graph)
    ref_x, ref_y = central(f, x, y)
    for got, ref in ((grads["x"], ref_x), (grads["y"], ref_y)):
        assert abs(got - ref) <= 1e-5 * max(1.0, abs(ref)), (text, x, y, grads, ref_x, ref_y)


@pytest.mark.parametrize("text", EXAMPLES)
def test_examples_pass_their_own_numerical_check(text):
    graph = parse(text, 1.3, -0.7)
    checks = numerical_check(graph)
    assert [c.name for c in checks] == ["x", "y"]
    assert all(c.rel_error < 1e-6 for c in checks), checks
    assert count_nodes(check(text)) == len(graph.nodes)


def test_a_worked_example_value_gradients_and_labels():
    graph = parse("x*y + exp(x)", 1.0, 2.0)
    assert [n.label for n in graph.nodes] == ["x", "y", "x*y", "exp(x)", "x*y+exp(x)"]
    assert float(graph.output.value) == pytest.approx(2 + math.e)
    assert gradients(graph) == pytest.approx({"x": 2 + math.e, "y": 1.0})


def test_a_name_used_twice_is_one_leaf_whose_gradients_add_up():
    graph = parse("x*x + x", 3.0)
    assert sum(n.label == "x" for n in graph.nodes) == 1
    assert gradients(graph)["x"] == pytest.approx(7.0)
    assert gradients(graph)["y"] == 0.0  # y does not appear
    assert "y" not in graph


def test_constructs_become_the_books_nodes():
    ops = [n.op for n in parse("x - y / 2", 1.0, 1.0).nodes]
    assert ops.count("neg") == 1 and ops.count("recip") == 1  # a − b = a + (−b), a/b = a·(1/b)
    sig = parse("sigmoid(x)", 0.5)
    assert [n.op for n in sig.nodes] == ["input", "neg", "exp", "const", "add", "recip"]
    assert float(sig.output.value) == pytest.approx(_sigmoid(0.5))
    tanh = parse("tanh(x)", 0.5)
    assert len(tanh.nodes) == 12 and float(tanh.output.value) == pytest.approx(math.tanh(0.5))
    assert [n.op for n in parse("relu(x)", -1.0).nodes] == ["input", "relu"]
    assert [n.op for n in parse("-2*x").nodes] == ["const", "input", "mul"]  # -2 is a number
    assert parse("x^-1", 4.0).output.value == pytest.approx(0.25)
    assert parse("x^(1/2)", 4.0).output.value == pytest.approx(2.0)
    assert parse("+x", 4.0).output.value == 4.0


def test_caret_unicode_signs_and_spaces_are_understood():
    assert normalize("  x^2 − 3×y ÷ 2·x ") == "x**2 - 3*y / 2*x"
    assert float(parse("x^2 − 3×y", 2.0, 1.0).output.value) == pytest.approx(1.0)
    assert float(parse("x**2", 3.0).output.value) == 9.0
    # ^ binds tighter than +, as in math (not Python's xor)
    assert float(parse("x^2+1", 3.0).output.value) == 10.0


def test_relu_kink_shows_up_in_the_numerical_check():
    (cx, _) = numerical_check(parse("relu(x)", 0.0))
    assert cx.backprop == 0.0 and cx.numerical == pytest.approx(0.5)
    assert cx.rel_error == pytest.approx(1.0)
    assert not cx.agrees
    assert all(c.agrees for c in numerical_check(parse("relu(x)", 0.5)))


def test_the_limits_themselves_are_allowed():
    assert parse("x^10", 1.0).output.value == 1.0
    assert parse("1000000*x", 1.0).output.value == 1e6
    text = "+".join(["x"] * 30)  # 1 leaf + 29 adds = 30 nodes
    assert len(parse(text).nodes) == 30
    deep = "-(" * 9 + "x" + ")" * 9
    assert parse(deep, 1.0).output.value == -1.0


# ---------------------------------------------------------------- the whitelist's edges
#
# Each limit is tried exactly at the limit (allowed) and one step past it (refused, with its
# code), with real content: spaces around the text are stripped before it is counted.


def long_text(n: int) -> str:
    """x + 0.000…0: exactly n characters of expression, only 3 nodes and 2 levels deep."""
    text = "x + 0." + "0" * (n - 6)
    assert len(text) == n
    return text


def test_the_length_limit_allows_exactly_max_length_characters():
    assert MAX_LENGTH == 200
    graph = parse(long_text(MAX_LENGTH), 1.5)
    assert float(graph.output.value) == 1.5
    # spaces around the text are not part of it
    assert float(parse("   " + long_text(MAX_LENGTH) + "   ", 1.5).output.value) == 1.5


@pytest.mark.parametrize("padding", ["", "   "], ids=["bare", "padded with spaces"])
def test_the_length_limit_refuses_one_character_more(padding):
    with pytest.raises(ExpressionError) as info:
        check(padding + long_text(MAX_LENGTH + 1) + padding)
    assert info.value.code == "too_long"
    assert info.value.details == {"length": 201, "limit": 200}
    assert "201 characters" in str(info.value)


def nested(kind: str, levels: int) -> str:
    """x inside `levels` levels: the outermost node is level 1, so x itself is level levels + 1."""
    if kind == "minus":
        return "-" * levels + "x"
    return "relu(" * levels + "x" + ")" * levels


@pytest.mark.parametrize("kind", ["minus", "relu"])
def test_the_depth_limit_allows_exactly_max_depth_levels(kind):
    assert MAX_DEPTH == 20
    text = nested(kind, MAX_DEPTH - 1)  # x is at level 20
    graph = parse(text, 0.0)
    assert len(graph.nodes) == MAX_DEPTH  # x and 19 operations


@pytest.mark.parametrize("kind", ["minus", "relu"])
def test_the_depth_limit_refuses_one_level_more(kind):
    with pytest.raises(ExpressionError) as info:
        check(nested(kind, MAX_DEPTH))  # x is at level 21
    assert info.value.code == "too_deep"
    assert info.value.details == {"limit": 20}


# text: the code it must be refused with; each is a way to pass something other than exactly
# one plain argument, or to reach past the whitelist through an attribute
CALL_FORMS = {
    "exp(x=1)": "call_form",  # a keyword argument alone
    "exp(x, y=1)": "call_form",  # a keyword argument beside a positional one
    "sigmoid(x, k=2)": "call_form",
    "tanh(y, x=x)": "call_form",
    "exp(x, **y)": "call_form",  # keyword unpacking beside an argument
    "exp(**x)": "call_form",
    "exp(*x)": "call_form",  # a starred argument alone
    "exp(*[x])": "call_form",
    "relu(x, *y)": "call_form",  # a starred argument beside a positional one
    "x.real": "not_allowed",  # attribute access
    "exp(x).real": "not_allowed",
    "(x + 1).imag": "not_allowed",
    "x.conjugate()": "not_allowed",  # calling an attribute
    "exp.__call__(x)": "not_allowed",
}


@pytest.mark.parametrize("text", list(CALL_FORMS))
def test_keywords_stars_and_attributes_are_refused_with_their_code(text):
    with pytest.raises(ExpressionError) as info:
        check(text)
    assert info.value.code == CALL_FORMS[text]
    with pytest.raises(ExpressionError) as info:
        parse(text, 1.0, 2.0)
    assert info.value.code == CALL_FORMS[text]


def test_power_zero_and_one_through_the_parser():
    """x^0 is the constant 1 (derivative 0, even at x = 0); x^1 is x (derivative 1)."""
    assert gradients(parse("x^0", 5.0, 2.0)) == {"x": 0.0, "y": 0.0}
    assert gradients(parse("(x - 1)^0 * y", 1.0, 2.0)) == {"x": 0.0, "y": 1.0}
    assert gradients(parse("x^1 + y^1", 0.0, -3.0)) == {"x": 1.0, "y": 1.0}
    graph = parse("x^-2 + y^0.5", -2.0, 4.0)  # ¼ + 2; d/dx = −2·(−2)⁻³ = ¼, d/dy = ¼
    assert float(graph.output.value) == 2.25
    assert gradients(graph) == pytest.approx({"x": 0.25, "y": 0.25}, rel=1e-15)


# ---------------------------------------------------------------- refused


REJECTED = {
    # text: (code, a word the message must contain)
    "": ("empty", "type an expression"),
    "   ": ("empty", "type an expression"),
    "x" * (MAX_LENGTH + 1): ("too_long", "at most 200"),
    "x+": ("syntax", "not a complete expression"),
    "2x": ("syntax", "write products with *"),
    "exp(x": ("syntax", "never closed"),
    "import os": ("syntax", "not a complete"),
    "x; y": ("syntax", "not a complete"),
    "__import__('os')": ("unknown_function", "only x, y and exp, log, sigmoid, tanh, relu"),
    "__import__('os').system('ls')": ("not_allowed", "attribute access"),
    "eval('1')": ("unknown_function", "'eval'"),
    "open('/etc/passwd')": ("unknown_function", "'open'"),
    "f(x)": ("unknown_function", "'f'"),
    "z": ("unknown_name", "unknown name 'z'"),
    "os": ("unknown_name", "only x, y and exp"),
    "__builtins__": ("unknown_name", "__builtins__"),
    "exp": ("function_as_value", "exp(x)"),
    "x.real": ("not_allowed", "attribute access"),
    "x.__class__": ("not_allowed", "attribute access"),
    "exp.__globals__": ("not_allowed", "attribute access"),
    "x[0]": ("not_allowed", "indexing"),
    "lambda: x": ("not_allowed", "lambda"),
    "[x for x in y]": ("not_allowed", "comprehensions"),
    "(x for x in y)": ("not_allowed", "comprehensions"),
    "{x: y}": ("not_allowed", "dicts"),
    "[x, y]": ("not_allowed", "lists"),
    "{x}": ("not_allowed", "sets"),
    "x, y": ("not_allowed", "tuples"),
    "x if y else 1": ("not_allowed", "if/else"),
    "x < y": ("not_allowed", "comparisons"),
    "x and y": ("not_allowed", "and/or"),
    "(x := 1)": ("not_allowed", ":="),
    "'abc'": ("not_allowed", "text in quotes"),
    "b'abc'": ("not_allowed", "text in quotes"),
    "f'{x}'": ("not_allowed", "f-strings"),
    "True": ("not_allowed", "True"),
    "None": ("not_allowed", "None"),
    "...": ("not_allowed", "Ellipsis"),
    "1j": ("not_allowed", "1j"),
    "x % 2": ("operator", "%"),
    "x // 2": ("operator", "//"),
    "x @ y": ("operator", "@"),
    "x << 1": ("operator", "<<"),
    "x | y": ("operator", "|"),
    "x & y": ("operator", "&"),
    "~x": ("operator", "~"),
    "not x": ("operator", "not"),
    "exp(x, y)": ("call_form", "exactly one argument"),
    "exp()": ("call_form", "exactly one argument"),
    "exp(x=1)": ("call_form", "exactly one argument"),
    "exp(*x)": ("call_form", "exactly one argument"),
    "(x)(y)": ("unknown_function", "'x'"),
    "2(x+1)": ("call_form", "2*(x+1)"),
    "exp(x)(y)": ("call_form", "can be called"),
    "1e999": ("constant", "1e999"),
    "10000001*x": ("constant", "between -1,000,000 and 1,000,000"),
    "y**1000000": ("exponent_range", "between -10 and 10"),
    "x^11": ("exponent_range", "between -10 and 10"),
    "x^(1/0)": ("exponent_range", "out of range"),
    "x^y": ("exponent_not_number", "must be a number"),
    "2^x": ("exponent_not_number", "use exp"),
    "-" * 25 + "x": ("too_deep", "20 levels"),
    "exp(" * 21 + "x" + ")" * 21: ("too_deep", "20 levels"),
    "sigmoid(" * 12 + "x" + ")" * 12: ("too_many_nodes", "61 nodes"),
    "+".join(["tanh(x)"] * 6): ("too_many_nodes", "at most 60"),
}


@pytest.mark.parametrize("text", list(REJECTED), ids=[repr(t)[:40] for t in REJECTED])
def test_rejected_with_a_clear_message(text):
    code, words = REJECTED[text]
    with pytest.raises(ExpressionError) as info:
        parse(text, 1.0, 2.0)
    assert info.value.code == code
    assert words in str(info.value)
    assert isinstance(info.value, ValueError)  # a page's ValueError handler catches it
    # the same rules, without values: check() refuses the text too
    with pytest.raises(ExpressionError):
        check(text)


UNDEFINED = {
    ("log(x - 1)", 1.0, 2.0): ("log_domain", "log needs a positive input, but x-1 = 0"),
    ("log(x)", -1.0, 2.0): ("log_domain", "x = -1"),
    ("1/(x - 1)", 1.0, 2.0): ("div_zero", "division by zero: x-1 is 0 at x = 1, y = 2"),
    ("y / (x - y)", 2.0, 2.0): ("div_zero", "x-y is 0"),
    ("(x - 1)^-1", 1.0, 2.0): ("pow_zero", "negative power"),
    ("(x - 2)^0.5", 1.0, 2.0): ("pow_negative", "non-integer power"),
    ("exp(exp(exp(x)))", 2.0, 2.0): ("overflow", "overflow"),
    ("exp(1000*x)", 1.0, 2.0): ("overflow", "try smaller x and y"),
    ("x^0.5", 0.0, 2.0): ("infinite_slope", "0.5·x^(-0.5) is infinite"),
    ("(x - 1)^0.25 + y", 1.0, 2.0): ("infinite_slope", "(x-1)^0.25 is 0 at x = 1, y = 2"),
}


@pytest.mark.parametrize("case", list(UNDEFINED), ids=lambda c: c[0])
def test_undefined_at_the_given_values(case):
    code, words = UNDEFINED[case]
    text, x, y = case
    check(text)  # the text itself is fine
    with pytest.raises(ExpressionError) as info:
        parse(text, x, y)
    assert info.value.code == code
    assert words in str(info.value)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "abc", None])
def test_bad_values_of_x_and_y(bad):
    with pytest.raises(ExpressionError, match="finite number") as info:
        parse("x + y", bad, 1.0)
    assert info.value.code == "bad_value"


def test_not_text_is_refused():
    with pytest.raises(ExpressionError, match="must be text"):
        parse(123)  # type: ignore[arg-type]


def test_details_carry_the_pieces_of_the_message():
    with pytest.raises(ExpressionError) as info:
        parse("log(x - 1)", 1.0, 2.0)
    assert info.value.details == {"piece": "x-1", "at": "x = 1, y = 2", "value": "0"}
    with pytest.raises(ExpressionError) as info:
        parse("x % 2")
    assert info.value.details == {"operator": "%"}


def test_nothing_is_ever_evaluated(monkeypatch):
    """No eval or exec in the module, none called while parsing, and compile (which
    ast.parse uses) is only ever asked for a syntax tree, never for code."""
    source = inspect.getsource(expression)
    called = re.findall(r"(?<![\w.])(eval|exec|compile|__import__)\s*\(", source)
    assert called == [], called  # (re.compile, a regular expression, is fine)

    real_compile = builtins.compile
    asked = []

    def refuse(*args, **kwargs):
        raise AssertionError("the expression module must not evaluate code")

    def tree_only(source, filename, mode, flags=0, *args, **kwargs):
        assert flags & ast.PyCF_ONLY_AST, "compile was asked for code, not a syntax tree"
        asked.append(source)
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    monkeypatch.setattr(builtins, "compile", tree_only)
    for text in (*EXAMPLES, "__import__('os')", "exp(x).__globals__"):
        with contextlib.suppress(ExpressionError):
            parse(text, 0.5, 0.25)
    monkeypatch.undo()
    assert len(asked) == len(EXAMPLES) + 2


def test_max_nodes_is_the_limit_the_message_states():
    assert MAX_NODES == 60
    ok = "+".join(["sigmoid(x)"] * 10)  # 1 leaf + 10 × 5 + 9 adds = 60 nodes
    assert count_nodes(check(ok)) == 60
    assert len(parse(ok, 0.3).nodes) == 60


def test_values_are_float64_and_gradients_finite():
    graph = parse("x^10 * exp(y)", 2.0, 2.0)
    assert graph.output.value.dtype == np.float64
    assert all(math.isfinite(v) for v in gradients(graph).values())


def test_the_length_limit_counts_the_text_as_typed():
    text = " + ".join(["x ^ 2"] * 25)  # 197 characters as typed, 222 read as x ** 2
    assert len(text) == 197 and len(normalize(text)) == 222
    check(text)
    with pytest.raises(ExpressionError, match="201 characters"):
        check("x" * 201)


def test_a_root_at_zero_is_not_called_an_overflow():
    """x^0.5 at x = 0: the value 0 is fine; the derivative 0.5·x^(−0.5) is infinite."""
    with pytest.raises(ExpressionError) as info:
        parse("x^0.5", 0.0, 2.0)
    assert info.value.code == "infinite_slope"
    assert "overflow" not in str(info.value)
    assert info.value.details == {"piece": "x", "at": "x = 0, y = 2", "exponent": "0.5",
                                  "slope": "-0.5"}
    # away from 0, and for powers whose derivative is finite at 0, all is well
    assert numerical_check(parse("x^0.5", 0.25, 2.0))[0].agrees
    assert numerical_check(parse("x^2", 0.0, 2.0))[0].backprop == 0.0
    assert float(parse("0^0.5 + x", 1.0, 2.0).output.value) == 1.0  # a number, not x or y


@pytest.mark.parametrize("text", ["x^0.5", "log(x)", "x^1.5"])
def test_a_numerical_check_across_the_edge_of_the_domain_has_its_own_code(text):
    """Central differences step x by ±h; at x = 0.000001 (or 0 for x^1.5) that leaves the
    region where the expression is defined: said as such, not as the engine's words."""
    x = 0.0 if text == "x^1.5" else 1e-6
    graph = parse(text, x, 2.0)
    with pytest.raises(ExpressionError) as info:
        numerical_check(graph)
    assert info.value.code == "check_edge"
    assert info.value.details == {"name": "x", "value": x, "h": 1e-5}
