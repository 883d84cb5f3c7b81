"""A small expression in x and y, typed by a learner, turned into a computational graph.

    graph = parse("x*y + exp(x)", x=1.0, y=2.0)
    graph.output.value          # the forward value, 4.718…
    gradients(graph)            # {'x': 4.718…, 'y': 1.0} from backward
    numerical_check(graph)      # backprop beside central differences

The text is read with Python's `ast` module and checked against a whitelist;
nothing is ever evaluated, executed or compiled. Allowed are the names x and y,
numbers, + - * / and ^ (or **, with a number as the exponent), unary minus, and
the functions exp, log, sigmoid, tanh and relu. Each construct becomes the
graph's own nodes: a − b is a + (−b), a / b is a × (1/b), sigmoid is ×(−1),
exp, +1 and '/', tanh(a) is 2·sigmoid(2a) − 1. Every node is labelled with the
piece of the expression it computes, and x and y are one leaf each, however
often they appear (their gradients add up, as at a branch node).

Anything else raises `ExpressionError`, a ValueError whose `code` says what
went wrong and whose `details` carry the pieces of the message, so a page can
say it in the learner's language.
"""

from __future__ import annotations

import ast
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.autograd import (
    Graph,
    Node,
    add,
    central_difference,
    constant,
    exp,
    log,
    mul,
    negate,
    parenthesized,
    power,
    reciprocal,
    relu,
    sigmoid,
    tanh,
    variable,
)
from engine.backend import InputError

# CPython 3.11 builds the ast module's objects with one recursion counter per interpreter, so
# two threads parsing at once can fail with "SystemError: AST constructor recursion depth
# mismatch" (python/cpython#106905). A server runs one thread per learner: every ast.parse
# in this process (here, and inspect.getsource in ui/code.py) takes this lock.
AST_LOCK = threading.Lock()

MAX_LENGTH = 200
MAX_NODES = 60
MAX_DEPTH = 20
MAX_EXPONENT = 10
MAX_CONSTANT = 1e6
AGREE_TOL = 1e-5  # relative error below which backprop and central differences agree
VARIABLES = ("x", "y")
FUNCTIONS = ("exp", "log", "sigmoid", "tanh", "relu")
ALLOWED = "only x, y and exp, log, sigmoid, tanh, relu are allowed"
EXAMPLES = (
    "x*y + exp(x)",
    "sigmoid(x*y)",
    "(x + y)^2",
    "log(1 + exp(x)) - tanh(y)",
    "relu(x - y) / (1 + x^2)",
)

# Characters learners paste from formulas, and what they mean here.
_REPLACE = {"^": "**", "−": "-", "×": "*", "·": "*", "÷": "/"}

_OPERATORS: dict[type, str] = {
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
    ast.Not: "not",
    ast.Invert: "~",
}

_CONSTRUCTS: dict[type, str] = {
    ast.Attribute: "attribute access (a.b)",
    ast.Subscript: "indexing (a[...])",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.Compare: "comparisons",
    ast.BoolOp: "and/or",
    ast.IfExp: "if/else",
    ast.Tuple: "tuples (commas)",
    ast.List: "lists",
    ast.Dict: "dicts",
    ast.Set: "sets",
    ast.NamedExpr: "assignment (:=)",
    ast.Starred: "unpacking (*)",
    ast.JoinedStr: "f-strings",
    ast.FormattedValue: "f-strings",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slices",
}


class ExpressionError(InputError):
    """A learner's expression that cannot become a graph.

    `code` names the problem (e.g. 'unknown_name', 'log_domain'); `details` holds the
    values its message mentions, for a page that words it in another language (the
    graph page's own texts, graph.expr.err.<code>).
    """


@dataclass(frozen=True)
class GradientCheck:
    """d output / d name both ways, and their relative error."""

    name: str
    backprop: float
    numerical: float
    rel_error: float

    @property
    def agrees(self) -> bool:
        """The two agree to within AGREE_TOL (near a kink of relu they need not)."""
        return self.rel_error < AGREE_TOL


# ---------------------------------------------------------------- reading the text


def normalize(text: str) -> str:
    """The text with ^ as ** and pasted math signs (−, ×, ·, ÷) as Python's, trimmed."""
    if not isinstance(text, str):
        raise ExpressionError("empty", "the expression must be text, such as 'x*y + exp(x)'")
    for old, new in _REPLACE.items():
        text = text.replace(old, new)
    return text.strip()


# 2x, 2(x+1), (x+1)(x-1), (x+1)y: a product written without *
_IMPLICIT_PRODUCT = re.compile(r"\d\s*[A-Za-z_(]|\)\s*[\w(]")
_COMPACT = re.compile(r"\s*([-+*/^(),])\s*")


def _source(node: ast.AST) -> str:
    """The piece of the expression a node stands for, written compactly with ^: 'x*y+1'."""
    return _COMPACT.sub(r"\1", ast.unparse(node).replace("**", "^"))


def _piece(node: ast.AST, src: str) -> str:
    """The piece of the learner's own text a node came from (at most 40 characters)."""
    text = ast.get_source_segment(src, node) if src else None
    return (text or ast.unparse(node))[:40]


def _reject(node: ast.AST, what: str, src: str = "") -> ExpressionError:
    piece = _piece(node, src)
    return ExpressionError(
        "not_allowed",
        f"{what} cannot be used here (in {piece!r}); use numbers, x, y, + - * / ^ and "
        "exp, log, sigmoid, tanh, relu",
        piece=piece,
    )


def _check_number(node: ast.Constant, src: str = "") -> float:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        if isinstance(value, str | bytes):
            raise _reject(node, "text in quotes", src)
        raise _reject(node, f"the constant {value!r}", src)
    if not math.isfinite(value) or abs(value) > MAX_CONSTANT:
        number = _piece(node, src)
        raise ExpressionError(
            "constant",
            f"the number {number} is out of range; use numbers between "
            f"-{MAX_CONSTANT:,.0f} and {MAX_CONSTANT:,.0f}",
            number=number,
            limit=f"{MAX_CONSTANT:,.0f}",
        )
    return float(value)


def _constant_value(node: ast.AST, src: str = "") -> float | None:
    """The number a constant-only piece stands for (an exponent such as 1/2 or -1), else None."""
    if isinstance(node, ast.Constant):
        return _check_number(node, src)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _constant_value(node.operand, src)
        if inner is None:
            return None
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
        a, b = _constant_value(node.left, src), _constant_value(node.right, src)
        if a is None or b is None:
            return None
        if isinstance(node.op, ast.Div):
            return a / b if b != 0 else math.inf
        return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}[type(node.op)]
    return None


def _check_node(node: ast.AST, depth: int, src: str) -> None:
    """Raise ExpressionError unless `node` and everything under it is on the whitelist."""
    if depth > MAX_DEPTH:
        raise ExpressionError(
            "too_deep",
            f"the expression is nested more than {MAX_DEPTH} levels deep; write a shorter one",
            limit=MAX_DEPTH,
        )
    if isinstance(node, ast.Constant):
        _check_number(node, src)
    elif isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise ExpressionError(
                "function_as_value",
                f"{node.id} is a function: give it one argument, as in {node.id}(x)",
                name=node.id,
            )
        if node.id not in VARIABLES:
            raise ExpressionError(
                "unknown_name", f"unknown name {node.id!r}: {ALLOWED}", name=node.id[:40]
            )
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise _operator_error(node.op)
        _check_node(node.operand, depth + 1, src)
    elif isinstance(node, ast.BinOp):
        if not isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.Pow):
            raise _operator_error(node.op)
        # a chain such as x+y+z-1 (left-nested, same precedence) is one level, not three
        same = isinstance(node.left, ast.BinOp) and _level(node.left.op) == _level(node.op)
        _check_node(node.left, depth if same else depth + 1, src)
        _check_node(node.right, depth + 1, src)
        if isinstance(node.op, ast.Pow):
            _check_exponent(node.right, src)
    elif isinstance(node, ast.Call):
        _check_call(node, depth, src)
    else:
        raise _reject(node, _CONSTRUCTS.get(type(node), type(node).__name__), src)


def _level(op: ast.operator) -> int:
    """Precedence level of an arithmetic operator: + - (0), * / (1), ** (2)."""
    if isinstance(op, ast.Add | ast.Sub):
        return 0
    return 1 if isinstance(op, ast.Mult | ast.Div) else 2


def _operator_error(op: ast.AST) -> ExpressionError:
    symbol = _OPERATORS.get(type(op), type(op).__name__)
    return ExpressionError(
        "operator",
        f"the operator {symbol} is not allowed; use + - * / and ^ (power)",
        operator=symbol,
    )


def _check_exponent(node: ast.AST, src: str = "") -> float:
    p = _constant_value(node, src)
    exponent = _piece(node, src) if src else _source(node)[:40]
    if p is None:
        raise ExpressionError(
            "exponent_not_number",
            f"the exponent {exponent!r} must be a number, as in x^2, x^-1 or x^0.5 "
            "(for e to a power, use exp)",
            exponent=exponent,
        )
    if not abs(p) <= MAX_EXPONENT:
        raise ExpressionError(
            "exponent_range",
            f"the exponent {exponent} is out of range; use exponents between "
            f"-{MAX_EXPONENT} and {MAX_EXPONENT}",
            exponent=exponent,
            limit=MAX_EXPONENT,
        )
    return p


def _check_call(node: ast.Call, depth: int, src: str) -> None:
    if type(node.func) in _CONSTRUCTS:  # os.system(...), f[0](...), (lambda: x)()
        raise _reject(node.func, _CONSTRUCTS[type(node.func)], src)
    if not isinstance(node.func, ast.Name):
        raise ExpressionError(
            "call_form",
            f"only exp, log, sigmoid, tanh and relu can be called, as in exp(x), and "
            f"{_piece(node.func, src)!r} cannot; to multiply, write *, as in 2*(x+1)",
            piece=_piece(node, src),
        )
    name = node.func.id
    if name not in FUNCTIONS:
        raise ExpressionError(
            "unknown_function", f"unknown function {name!r}: {ALLOWED}", name=name[:40]
        )
    if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
        raise ExpressionError(
            "call_form",
            f"{name} takes exactly one argument, as in {name}(x)",
            piece=_piece(node, src),
        )
    _check_node(node.args[0], depth + 1, src)


def check(text: str) -> ast.expr:
    """The expression's syntax tree, once the text passes every rule; no values needed.

    Raises ExpressionError for empty or long text, syntax errors, and anything off
    the whitelist. `parse` calls it first; a page can call it to validate a URL.
    """
    length = len(text.strip()) if isinstance(text, str) else 0
    text = normalize(text)
    if not text:
        raise ExpressionError("empty", "type an expression in x and y, such as x*y + exp(x)")
    if length > MAX_LENGTH:  # as typed: x^2 counts 3 characters, though it is read as x**2
        raise ExpressionError(
            "too_long",
            f"the expression has {length} characters; at most {MAX_LENGTH} are allowed",
            length=length,
            limit=MAX_LENGTH,
        )
    try:
        with AST_LOCK:
            tree = ast.parse(text, mode="eval")
    except SyntaxError as err:
        column = min(max(err.offset or len(text), 1), len(text))
        near = text[max(0, column - 20) : column]
        product = bool(_IMPLICIT_PRODUCT.search(text))
        raise ExpressionError(
            "syntax",
            f"this is not a complete expression (Python says: {err.msg}) at {near!r}"
            + ("; write products with *, as in 2*x" if product else ""),
            near=near,
            implicit_product=product,
        ) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError(
            "too_deep",
            f"the expression is nested more than {MAX_DEPTH} levels deep; write a shorter one",
            limit=MAX_DEPTH,
        ) from None
    _check_node(tree.body, 1, text)
    nodes = count_nodes(tree.body)
    if nodes > MAX_NODES:
        raise ExpressionError(
            "too_many_nodes",
            f"the graph would have {nodes} nodes; at most {MAX_NODES} are allowed "
            "(sigmoid adds 5 nodes, tanh 11)",
            count=nodes,
            limit=MAX_NODES,
        )
    return tree.body


# ---------------------------------------------------------------- building the graph


# nodes each construct adds to the graph (x and y are one leaf each, counted once)
_CALL_NODES = {"exp": 1, "log": 1, "relu": 1, "sigmoid": 5, "tanh": 11}


def count_nodes(tree: ast.expr) -> int:
    """How many nodes the graph of a checked tree has, worked out before building it."""
    names: set[str] = set()

    def count(node: ast.expr) -> int:
        if isinstance(node, ast.Name):
            names.add(node.id)
            return 0
        if isinstance(node, ast.Constant) or (
            isinstance(node, ast.UnaryOp) and _constant_value(node) is not None
        ):
            return 1  # a number, -2 included, is one constant leaf
        if isinstance(node, ast.UnaryOp):
            return count(node.operand) + (0 if isinstance(node.op, ast.UAdd) else 1)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow):  # the exponent is a number, not a node
                return count(node.left) + 1
            extra = 2 if isinstance(node.op, ast.Sub | ast.Div) else 1
            return count(node.left) + count(node.right) + extra
        if isinstance(node, ast.Call):
            return count(node.args[0]) + _CALL_NODES[node.func.id]
        raise _reject(node, type(node).__name__)  # unreachable after the whitelist

    return count(tree) + len(names)


class GraphBuilder:
    """Turns a checked syntax tree into engine nodes at the given x and y."""

    def __init__(self, values: dict[str, float]) -> None:
        self.values = values
        self.leaves: dict[str, Node] = {}

    def build(self, node: ast.expr) -> Node:
        text = _source(node)
        if isinstance(node, ast.Constant):
            value = _check_number(node)
            return constant(value, label=f"{value:g}")
        if isinstance(node, ast.Name):
            if node.id not in self.leaves:
                self.leaves[node.id] = variable(self.values[node.id], node.id)
            return self.leaves[node.id]
        if isinstance(node, ast.UnaryOp):
            value = _constant_value(node)
            if value is not None:  # -2 is a number, not ×(−1) of 2
                return constant(value, label=f"{value:g}")
            inner = self.build(node.operand)
            return inner if isinstance(node.op, ast.UAdd) else negate(inner, label=text)
        if isinstance(node, ast.BinOp):
            return self._binop(node, text)
        if isinstance(node, ast.Call):
            arg = self.build(node.args[0])
            return self._call(node.func.id, arg, _source(node.args[0]), text)
        raise _reject(node, type(node).__name__)  # unreachable after check()

    def _binop(self, node: ast.BinOp, text: str) -> Node:
        left = self.build(node.left)
        if isinstance(node.op, ast.Pow):
            p = _check_exponent(node.right)
            v = left.value
            if p < 0 and np.any(v == 0):
                raise _value_error("pow_zero", _source(node.left), self.values, exponent=f"{p:g}")
            if not float(p).is_integer() and np.any(v < 0):
                raise _value_error(
                    "pow_negative", _source(node.left), self.values, exponent=f"{p:g}"
                )
            if 0 < p < 1 and left.op != "const" and np.any(v == 0):
                # the value 0 is fine; the derivative p·u^(p−1) is infinite here
                raise _value_error("infinite_slope", parenthesized(_source(node.left)),
                                   self.values, exponent=f"{p:g}", slope=f"{p - 1:g}")
            return _guard(lambda: power(left, p, label=text))
        right = self.build(node.right)
        right_text = _source(node.right)
        if isinstance(node.op, ast.Add):
            return _guard(lambda: add(left, right, label=text))
        if isinstance(node.op, ast.Sub):
            neg = negate(right, label=f"-{parenthesized(right_text)}")
            return _guard(lambda: add(left, neg, label=text))
        if isinstance(node.op, ast.Mult):
            return _guard(lambda: mul(left, right, label=text))
        # division: a × (1/b), the book's '/' node
        if np.any(right.value == 0):
            raise _value_error("div_zero", right_text, self.values)
        inv = _guard(lambda: reciprocal(right, label=f"1/{parenthesized(right_text)}"))
        return _guard(lambda: mul(left, inv, label=text))

    def _call(self, name: str, arg: Node, arg_text: str, text: str) -> Node:
        if name == "log" and np.any(arg.value <= 0):
            raise _value_error("log_domain", arg_text, self.values, value=_short(arg.value))
        builders: dict[str, Callable[[], Node]] = {
            "exp": lambda: exp(arg, label=text),
            "log": lambda: log(arg, label=text),
            "sigmoid": lambda: sigmoid(arg, label=text),
            "tanh": lambda: tanh(arg, label=text),
            "relu": lambda: relu(arg, label=text),
        }
        return _guard(builders[name])


def _short(value: np.ndarray) -> str:
    return f"{float(np.min(value)):.4g}"


def _at(values: dict[str, float]) -> str:
    return ", ".join(f"{k} = {v:g}" for k, v in values.items())


def _value_error(code: str, piece: str, values: dict[str, float], **details) -> ExpressionError:
    at = _at(values)
    messages = {
        "div_zero": f"division by zero: {piece} is 0 at {at}",
        "log_domain": f"log needs a positive input, but {piece} = {details.get('value')} at {at}",
        "pow_zero": f"{piece} is 0 at {at}, and 0 to a negative power is undefined",
        "pow_negative": (
            f"{piece} is negative at {at}, and a negative number to a non-integer power "
            "is undefined"
        ),
        "infinite_slope": (
            f"{piece}^{details.get('exponent')} is 0 at {at}, which is fine, but its derivative "
            f"{details.get('exponent')}·{piece}^({details.get('slope')}) is infinite there: "
            "there is no gradient; move x or y a little"
        ),
    }
    return ExpressionError(code, messages[code], piece=piece[:40], at=at, **details)


def _guard(make: Callable[[], Node]) -> Node:
    """Build a node; the engine's overflow error becomes an ExpressionError."""
    try:
        return make()
    except ExpressionError:
        raise
    except ValueError as err:
        raise ExpressionError(
            "overflow",
            f"a value grew too large to compute (overflow): {err}; try smaller x and y",
        ) from None


def parse(text: str, x: float = 1.0, y: float = 2.0) -> Graph:
    """The computational graph of `text` at the given x and y, forward values computed.

    Leaves 'x' and 'y' (those that appear) are labelled by their names; every other
    node by the piece of the expression it computes. Raises ExpressionError (a
    ValueError) with a clear message for anything that is not allowed or not defined
    at these values.
    """
    values = {}
    for name, value in (("x", x), ("y", y)):
        try:
            v = float(value)
        except (TypeError, ValueError):
            v = math.nan
        if not math.isfinite(v):
            raise ExpressionError(
                "bad_value", f"{name} must be a finite number, got {value!r}", name=name
            )
        values[name] = v
    tree = check(text)
    return Graph(GraphBuilder(values).build(tree))


# ---------------------------------------------------------------- gradients


def gradients(graph: Graph) -> dict[str, float]:
    """d output / d x and d output / d y from one backward pass (0 for a name not used)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # checked below
        graph.backward()
    grads = {name: float(graph[name].grad) if name in graph else 0.0 for name in VARIABLES}
    if not all(math.isfinite(g) for g in grads.values()):
        raise ExpressionError(
            "overflow", "a gradient grew too large to compute (overflow); try smaller x and y"
        )
    return grads


def numerical_check(graph: Graph, h: float = 1e-5) -> list[GradientCheck]:
    """Backprop and central differences for x and y (a name not used has gradient 0).

    The relative error is |backprop − numerical| / max(|backprop| + |numerical|, 1e-8).
    Near a kink of relu the two may disagree: the derivative is not defined there.
    """
    grads = gradients(graph)
    checks = []
    for name in VARIABLES:
        try:
            numerical = float(central_difference(graph, name, h=h)) if name in graph else 0.0
        except ValueError:  # name ± h leaves the region where the expression is defined
            value = float(graph[name].value)
            raise ExpressionError(
                "check_edge",
                f"the numerical check moves {name} = {value:g} by ±{h:g}, and there the "
                "expression is not defined; move it further from the edge",
                name=name, value=value, h=h,
            ) from None
        back = grads[name]
        scale = max(abs(back) + abs(numerical), 1e-8)
        checks.append(GradientCheck(name, back, numerical, abs(back - numerical) / scale))
    graph.backward()  # leave the backprop gradients in place
    return checks


__all__ = [
    "AGREE_TOL",
    "EXAMPLES",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_NODES",
    "VARIABLES",
    "ExpressionError",
    "GradientCheck",
    "GraphBuilder",
    "check",
    "count_nodes",
    "gradients",
    "normalize",
    "numerical_check",
    "parse",
]
