"""Computational graphs: every node remembers its forward value, every edge its gradients.

A graph is built from leaves (`variable`, `constant`) and small operation nodes
(add, mul, negate, reciprocal, exp, log, power, relu, matmul, sum_, repeat, copy);
`sigmoid`, `tanh` and `square` are made of those. Each node computes its value as
soon as it is built, as in micrograd.

Backpropagation walks the nodes in reverse topological order. At a node with
output y and upstream gradient dL/dy, each input edge x gets

    local gradient       ∂y/∂x
    downstream gradient  dL/dx = local × upstream   (elementwise ops)

and matrix ops use the matrix form instead (matmul: dx = dy · Wᵀ, dW = xᵀ · dy).
A value used by several consumers adds up their downstream gradients (the
branch node), which is micrograd's `+=`.

`Graph.backward_steps()` yields one `BackwardStep` per node, so a page can light up
the nodes one at a time; each `Edge` in a step holds the forward value on the edge
and its upstream, local and downstream gradient. Everything is float64.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from engine.backend import CHECK_DTYPE, to_numpy

Array = np.ndarray
# forward(*input_values) -> output value
ForwardFn = Callable[..., Array]
# backward(input_values, output_value, upstream) -> [(local, downstream) for each input]
BackwardFn = Callable[[tuple[Array, ...], Array, Array], list[tuple[Array, Array]]]

ELEMENTWISE_RULE = "downstream = local × upstream"

SYMBOLS = {
    "input": "", "const": "", "add": "+", "mul": "×", "neg": "×(−1)", "recip": "/",
    "exp": "exp", "log": "log", "pow": "**", "matmul": "MatMul", "sum": "Sum",
    "repeat": "Repeat", "copy": "Copy", "relu": "ReLU",
}
"""How a page can draw each op inside its circle (the book's node symbols)."""


# ---------------------------------------------------------------- helpers


def finite_array(x: ArrayLike, what: str) -> Array:
    """A fresh float64 copy of `x`; NaN, inf and non-numbers raise ValueError."""
    try:
        a = np.array(to_numpy(x), dtype=CHECK_DTYPE)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{what} must be a number or an array of numbers, got {x!r}") from err
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{what} contains NaN or inf; only finite numbers are allowed")
    return a


def parenthesized(label: str) -> str:
    """`label` ready to sit inside a bigger formula: parenthesized unless it is a plain
    name, a number, or one call such as 'exp(x+y)'."""
    if label.isidentifier() or label.replace(".", "", 1).isdigit():
        return label
    head, paren, _ = label.partition("(")
    if paren and head.isidentifier() and label.endswith(")"):
        depth = 0
        for i, ch in enumerate(label):
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if depth == 0 and i > len(head):
                return label if i == len(label) - 1 else f"({label})"
    return f"({label})"


def _short(a: Array) -> str:
    """Short text for a value in a repr: the number for scalars, the shape for big arrays."""
    a = np.asarray(a)
    if a.ndim == 0:
        return f"{float(a):.6g}"
    if a.size <= 6:
        return np.array2string(a, precision=4, separator=", ").replace("\n", "")
    return f"array{a.shape}"


def _same_shape(op: str, nodes: tuple[Node, ...]) -> None:
    shapes = [n.shape for n in nodes]
    if any(s != shapes[0] for s in shapes):
        raise ValueError(
            f"{op} needs inputs of the same shape, got {', '.join(map(str, shapes))}; "
            "use repeat() to copy a vector into the rows of a matrix"
        )


def _run_forward(op: str, forward: ForwardFn, inputs: tuple[Node, ...]) -> Array:
    """Compute a node's value from its inputs' values; NaN or inf raise ValueError."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        value = np.asarray(forward(*(x.value for x in inputs)), dtype=CHECK_DTYPE)
    if not np.all(np.isfinite(value)):
        raise ValueError(
            f"the {op} node produced NaN or inf (an overflow); use inputs of smaller magnitude"
        )
    return value


# ---------------------------------------------------------------- records


@dataclass(frozen=True, eq=False)
class Edge:
    """One edge source -> target, with everything a page draws on it.

    value       forward value on the edge (the source's output)
    upstream    dL/d(target output), arriving at the target from the right
    local       ∂(target output)/∂(source), e.g. Wᵀ for the x input of matmul
    downstream  dL/d(source) along this edge (local × upstream, or its matrix form)
    rule        how downstream was made from local and upstream, in words
    """

    source: Node
    target: Node
    value: Array
    upstream: Array
    local: Array
    downstream: Array
    rule: str = ELEMENTWISE_RULE

    def __repr__(self) -> str:
        return (
            f"Edge({self.source.label} -> {self.target.label}: value={_short(self.value)}, "
            f"upstream={_short(self.upstream)}, local={_short(self.local)}, "
            f"downstream={_short(self.downstream)})"
        )


@dataclass(frozen=True, eq=False)
class BackwardStep:
    """One node processed by backward: its full upstream gradient and its input edges.

    Leaves appear too, with no edges: by then their `grad` is final.
    """

    index: int
    node: Node
    upstream: Array
    edges: tuple[Edge, ...]

    def __repr__(self) -> str:
        return (
            f"BackwardStep({self.index}: {self.node.op} {self.node.label!r}, "
            f"upstream={_short(self.upstream)}, edges={len(self.edges)})"
        )


# ---------------------------------------------------------------- node


class Node:
    """A value in a computational graph, with the op that made it and its gradient.

    `value` is a float64 array (0-d for a scalar); `grad` has the same shape and
    holds dL/d(value) after a backward pass. Leaves have op 'input' or 'const'
    and no inputs.
    """

    __array_ufunc__ = None  # so `ndarray * node` defers to Node.__rmul__

    def __init__(
        self,
        value: Array,
        *,
        op: str = "input",
        inputs: tuple[Node, ...] = (),
        label: str = "",
        forward: ForwardFn | None = None,
        backward: BackwardFn | None = None,
        rules: tuple[str, ...] = (),
        attrs: dict | None = None,
    ) -> None:
        self.value = value
        self.grad = np.zeros_like(value)
        self.op = op
        self.inputs = inputs
        self.label = label or op
        self.attrs = attrs or {}
        self._forward = forward
        self._backward = backward
        self._rules = rules or (ELEMENTWISE_RULE,) * len(inputs)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def is_leaf(self) -> bool:
        return not self.inputs

    @property
    def symbol(self) -> str:
        """The op as drawn in the node's circle, e.g. '×', '/', '**2'."""
        if self.op == "pow":
            return f"**{self.attrs['p']:g}"
        return SYMBOLS.get(self.op, self.op)

    def recompute(self) -> None:
        """Recompute `value` from the inputs' current values (leaves keep theirs)."""
        if self._forward is not None:
            self.value = _run_forward(self.op, self._forward, self.inputs)

    def backprop(self) -> tuple[Edge, ...]:
        """Chain rule at this node: send `self.grad` (the upstream) to every input.

        Each input's grad grows by its downstream gradient (`+=`), so an input
        used by several nodes ends up with the sum of their contributions.
        """
        if self._backward is None:
            return ()
        upstream = self.grad.copy()
        pairs = self._backward(tuple(x.value for x in self.inputs), self.value, upstream)
        edges = []
        for source, (local, down), rule in zip(self.inputs, pairs, self._rules, strict=True):
            down = np.asarray(down, dtype=CHECK_DTYPE)
            source.grad = source.grad + down
            local = np.asarray(local, dtype=CHECK_DTYPE)
            edges.append(Edge(source, self, source.value.copy(), upstream, local, down, rule))
        return tuple(edges)

    def backward(self, dout: ArrayLike | None = None) -> list[BackwardStep]:
        """Backpropagate from this node (see `Graph.backward`)."""
        return Graph(self).backward(dout)

    # operators build graphs in one line; a - b is a + (-b), a / b is a × (1/b)
    def __add__(self, other: Node | ArrayLike) -> Node:
        return add(self, _lift(other, self))

    def __radd__(self, other: ArrayLike) -> Node:
        return add(_lift(other, self), self)

    def __mul__(self, other: Node | ArrayLike) -> Node:
        return mul(self, _lift(other, self))

    def __rmul__(self, other: ArrayLike) -> Node:
        return mul(_lift(other, self), self)

    def __neg__(self) -> Node:
        return negate(self)

    def __sub__(self, other: Node | ArrayLike) -> Node:
        return self + negate(_lift(other, self))

    def __rsub__(self, other: ArrayLike) -> Node:
        return _lift(other, self) + negate(self)

    def __truediv__(self, other: Node | ArrayLike) -> Node:
        return self * reciprocal(_lift(other, self))

    def __rtruediv__(self, other: ArrayLike) -> Node:
        return _lift(other, self) * reciprocal(self)

    def __pow__(self, p: float) -> Node:
        return power(self, p)

    def __matmul__(self, other: Node | ArrayLike) -> Node:
        return matmul(self, _lift(other, self))

    def __rmatmul__(self, other: ArrayLike) -> Node:
        return matmul(_lift(other, self), self)

    def exp(self) -> Node:
        return exp(self)

    def log(self) -> Node:
        return log(self)

    def sum(self, axis: int | None = None) -> Node:
        return sum_(self, axis)

    def repeat(self, n: int) -> Node:
        return repeat(self, n)

    def __repr__(self) -> str:
        return (
            f"Node(op={self.op!r}, label={self.label!r}, value={_short(self.value)}, "
            f"grad={_short(self.grad)})"
        )


# ---------------------------------------------------------------- leaves


def variable(value: ArrayLike, label: str = "x") -> Node:
    """An input leaf: a number or array we want the gradient for."""
    return Node(finite_array(value, f"input {label!r}"), op="input", label=label)


def constant(value: ArrayLike, label: str | None = None) -> Node:
    """A constant leaf (it gets a grad too, but nobody asks for it)."""
    a = finite_array(value, "constant")
    if label is None:
        label = f"{float(a):g}" if a.ndim == 0 else "const"
    return Node(a, op="const", label=label)


def _lift(other: Node | ArrayLike, like: Node) -> Node:
    """A node for an operand: plain numbers become constants shaped like `like`."""
    if isinstance(other, Node):
        return other
    a = finite_array(other, "operand")
    if a.ndim == 0:
        return constant(np.full(like.shape, a), label=f"{float(a):g}")
    return constant(a)


def _apply(op: str, inputs: tuple[Node, ...], forward: ForwardFn, backward: BackwardFn,
           label: str, rules: tuple[str, ...] = (), attrs: dict | None = None) -> Node:
    """A new op node: its value computed now, its forward and backward kept for later."""
    value = _run_forward(op, forward, inputs)
    return Node(value, op=op, inputs=inputs, label=label, forward=forward, backward=backward,
                rules=rules, attrs=attrs)


# ---------------------------------------------------------------- ops


def add(*xs: Node, label: str = "") -> Node:
    """Add node: y = x₁ + x₂ + …;  ∂y/∂xᵢ = 1, so each input gets the upstream as is."""
    if len(xs) < 2:
        raise ValueError(f"add needs at least 2 inputs, got {len(xs)}")
    _same_shape("add", xs)

    def forward(*vals: Array) -> Array:
        out = vals[0]
        for v in vals[1:]:
            out = out + v
        return out

    def backward(vals, y, dy):
        local = np.ones_like(dy)
        return [(local, local * dy) for _ in vals]

    return _apply("add", xs, forward, backward, label)


def mul(a: Node, b: Node, label: str = "") -> Node:
    """Multiply node: y = a·b;  ∂y/∂a = b, ∂y/∂b = a (each input gets the other one)."""
    _same_shape("mul", (a, b))

    def backward(vals, y, dy):
        av, bv = vals
        return [(bv, bv * dy), (av, av * dy)]

    return _apply("mul", (a, b), lambda av, bv: av * bv, backward, label)


def negate(x: Node, label: str = "") -> Node:
    """×(−1) node: y = −x;  ∂y/∂x = −1."""

    def backward(vals, y, dy):
        local = -np.ones_like(dy)
        return [(local, local * dy)]

    return _apply("neg", (x,), lambda v: -v, backward, label)


def reciprocal(x: Node, label: str = "") -> Node:
    """The book's '/' node: y = 1/x;  ∂y/∂x = −1/x² = −y²."""

    def forward(v: Array) -> Array:
        if np.any(v == 0):
            raise ValueError("1/x is undefined at x = 0; every input of '/' must be non-zero")
        return 1.0 / v

    def backward(vals, y, dy):
        local = -(y**2)
        return [(local, local * dy)]

    return _apply("recip", (x,), forward, backward, label)


def exp(x: Node, label: str = "") -> Node:
    """exp node: y = eˣ;  ∂y/∂x = eˣ = y."""

    def backward(vals, y, dy):
        return [(y, y * dy)]

    return _apply("exp", (x,), np.exp, backward, label)


def log(x: Node, label: str = "") -> Node:
    """log node (natural log): y = log x;  ∂y/∂x = 1/x. Needs x > 0."""

    def forward(v: Array) -> Array:
        if np.any(v <= 0):
            raise ValueError(
                f"log needs positive inputs (x > 0), got a smallest input of {float(v.min()):g}"
            )
        return np.log(v)

    def backward(vals, y, dy):
        local = 1.0 / vals[0]
        return [(local, local * dy)]

    return _apply("log", (x,), forward, backward, label)


def power(x: Node, p: float, label: str = "") -> Node:
    """Power node: y = xᵖ for a fixed real p;  ∂y/∂x = p·xᵖ⁻¹."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not np.isfinite(p):
        raise ValueError(f"the exponent p must be a finite real number, got {p!r}")
    p = float(p)

    def forward(v: Array) -> Array:
        if p < 0 and np.any(v == 0):
            raise ValueError(f"x**{p:g} is undefined at x = 0; use non-zero inputs")
        if not p.is_integer() and np.any(v < 0):
            raise ValueError(f"x**{p:g} with a non-integer exponent needs inputs x ≥ 0")
        return v**p

    def backward(vals, y, dy):
        local = p * vals[0] ** (p - 1) if p != 0 else np.zeros_like(dy)
        return [(local, local * dy)]

    return _apply("pow", (x,), forward, backward, label, attrs={"p": p})


def relu(x: Node, label: str = "") -> Node:
    """ReLU node: y = max(0, x);  ∂y/∂x = 1 where x > 0, else 0 (0 at the kink x = 0)."""

    def backward(vals, y, dy):
        local = (vals[0] > 0).astype(CHECK_DTYPE)
        return [(local, local * dy)]

    return _apply("relu", (x,), lambda v: np.maximum(v, 0.0), backward, label)


def matmul(x: Node, W: Node, label: str = "") -> Node:
    """MatMul node: y = x · W with x (N×D), W (D×H), y (N×H).

    dx = dy · Wᵀ  (N×H)·(H×D) -> N×D, local gradient Wᵀ
    dW = xᵀ · dy  (D×N)·(N×H) -> D×H, local gradient xᵀ
    """
    if x.value.ndim != 2 or W.value.ndim != 2:
        raise ValueError(
            f"matmul needs x of shape (N, D) and W of shape (D, H), got {x.shape} and {W.shape}"
        )
    if x.shape[1] != W.shape[0]:
        raise ValueError(
            f"matmul needs x (N, D) and W (D, H) with the same D, got x {x.shape} and "
            f"W {W.shape}: {x.shape[1]} ≠ {W.shape[0]}"
        )

    def backward(vals, y, dy):
        xv, Wv = vals
        return [(Wv.T, dy @ Wv.T), (xv.T, xv.T @ dy)]

    return _apply("matmul", (x, W), lambda xv, Wv: xv @ Wv, backward, label,
                  rules=("dx = dy · Wᵀ", "dW = xᵀ · dy"))


def sum_(x: Node, axis: int | None = None, label: str = "") -> Node:
    """Sum node: y = Σ x over `axis` (all elements when None);  ∂y/∂xᵢ = 1.

    Backward repeats: every element of x gets the upstream of the sum it fed.
    """
    ndim = x.value.ndim
    if axis is not None and (not isinstance(axis, int) or not -ndim <= axis < ndim):
        raise ValueError(f"axis must be None or an integer in [{-ndim}, {ndim}), got {axis!r}")

    def backward(vals, y, dy):
        local = np.ones_like(vals[0])
        up = dy if axis is None else np.expand_dims(dy, axis)
        return [(local, local * up)]

    where = "every element" if axis is None else f"axis {axis}"
    return _apply("sum", (x,), lambda v: np.sum(v, axis=axis), backward, label,
                  rules=(f"dx = dy repeated along {where}",), attrs={"axis": axis})


def repeat(x: Node, n: int, label: str = "") -> Node:
    """Repeat node: y = n copies of x stacked on a new axis 0, e.g. (D,) -> (N, D).

    ∂y_ij/∂x_j = 1, so backward sums the upstream over axis 0: dx = Σᵢ dy_i.
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"repeat needs a whole number of copies n ≥ 1, got {n!r}")
    n = int(n)

    def forward(v: Array) -> Array:
        return np.repeat(v[np.newaxis], n, axis=0)

    def backward(vals, y, dy):
        local = np.ones_like(y)
        return [(local, np.sum(local * dy, axis=0))]

    return _apply("repeat", (x,), forward, backward, label,
                  rules=("dx = dy summed over axis 0",), attrs={"n": n})


def copy(x: Node, label: str = "") -> Node:
    """Copy node: y = x;  ∂y/∂x = 1. One branch of a branch node."""

    def backward(vals, y, dy):
        local = np.ones_like(dy)
        return [(local, local * dy)]

    return _apply("copy", (x,), lambda v: v.copy(), backward, label)


def branch(x: Node, n: int = 2) -> tuple[Node, ...]:
    """Branch node: n copies of x for n consumers; backward adds their gradients at x."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 2:
        raise ValueError(f"a branch needs n ≥ 2 copies, got {n!r}")
    return tuple(copy(x, label=f"{x.label} copy {i + 1}") for i in range(n))


# ---------------------------------------------------------------- ops made of ops


def sigmoid(x: Node, label: str = "") -> Node:
    """σ(x) = 1/(1 + exp(−x)) from four nodes: ×(−1), exp, +1 and '/'.

    Backward through them gives y²·e^(−x) = y(1 − y) at x.
    The inner nodes are labelled from x's label: '-x', 'exp(-x)', '1', '1+exp(-x)'.
    """
    inner = parenthesized(x.label)
    neg = negate(x, label=f"-{inner}")
    e = exp(neg, label=f"exp(-{inner})")
    one = constant(np.ones_like(x.value), label="1")
    d = add(e, one, label=f"1+exp(-{inner})")
    return reciprocal(d, label=label or f"sigmoid({x.label})")


def tanh(x: Node, label: str = "") -> Node:
    """tanh(x) = 2·σ(2x) − 1, built from ×, the sigmoid nodes and +.

    ∂/∂x = 4·σ(2x)(1 − σ(2x)) = 1 − tanh²(x), which backward finds node by node.
    """
    two_x = mul(constant(np.full(x.shape, 2.0), label="2"), x,
                label=f"2*{parenthesized(x.label)}")
    s = sigmoid(two_x)
    doubled = mul(constant(np.full(x.shape, 2.0), label="2"), s,
                  label=f"2*{parenthesized(s.label)}")
    minus_one = constant(np.full(x.shape, -1.0), label="-1")
    return add(doubled, minus_one, label=label or f"tanh({x.label})")


def square(x: Node, label: str = "") -> Node:
    """y = x²;  ∂y/∂x = 2x."""
    return power(x, 2, label)


# ---------------------------------------------------------------- graph


def _topological_order(output: Node) -> list[Node]:
    """Every node reachable from `output`, each after all of its inputs."""
    order: list[Node] = []
    seen: set[int] = set()

    def visit(node: Node) -> None:
        if id(node) not in seen:
            seen.add(id(node))
            for x in node.inputs:
                visit(x)
            order.append(node)

    visit(output)
    return order


class Graph:
    """The nodes that lead to `output`, in topological order, with backward passes.

    `graph["label"]` finds a node by its label.
    """

    def __init__(self, output: Node) -> None:
        if not isinstance(output, Node):
            raise ValueError(f"a graph needs a Node as its output, got {type(output).__name__}")
        self.output = output
        self.nodes = _topological_order(output)

    def __getitem__(self, label: str) -> Node:
        found = [n for n in self.nodes if n.label == label]
        if len(found) != 1:
            known = ", ".join(repr(n.label) for n in self.nodes)
            why = "no node" if not found else f"{len(found)} nodes"
            raise KeyError(f"{why} labelled {label!r}; labels are {known}")
        return found[0]

    def __contains__(self, label: str) -> bool:
        return any(n.label == label for n in self.nodes)

    @property
    def leaves(self) -> list[Node]:
        return [n for n in self.nodes if n.is_leaf]

    def edges(self) -> list[tuple[Node, Node]]:
        """Every (source, target) pair, for drawing the forward graph."""
        return [(x, node) for node in self.nodes for x in node.inputs]

    def forward(self) -> Array:
        """Recompute every node from the leaves' current values; returns the output."""
        for node in self.nodes:
            node.recompute()
        return self.output.value

    def output_grad(self, dout: ArrayLike | None = None) -> Array:
        """dL/d(output) that backward starts from: `dout`, or ones shaped like the output."""
        if dout is None:
            return np.ones_like(self.output.value)
        d = finite_array(dout, "dout")
        if d.shape != self.output.shape:
            raise ValueError(
                f"dout must have the output's shape {self.output.shape}, got {d.shape}"
            )
        return d

    def backward_steps(self, dout: ArrayLike | None = None) -> Iterator[BackwardStep]:
        """Backward one node at a time, in reverse topological order (output first).

        The output's grad starts at `dout` (1, or ones for an array output);
        every other grad starts at 0 and fills up as the steps run.
        """
        start = self.output_grad(dout)
        for node in self.nodes:
            node.grad = np.zeros_like(node.value)
        self.output.grad = start
        for index, node in enumerate(reversed(self.nodes)):
            upstream = node.grad.copy()  # final: all consumers were processed before
            yield BackwardStep(index, node, upstream, node.backprop())

    def backward(self, dout: ArrayLike | None = None) -> list[BackwardStep]:
        """Run every step; afterwards each node's grad is d(Σ dout·output)/d(node)."""
        return list(self.backward_steps(dout))

    def gradients(self) -> dict[str, Array]:
        """Leaf label -> grad, from the last backward pass."""
        return {n.label: n.grad for n in self.leaves}

    def __repr__(self) -> str:
        return f"Graph(output={self.output.label!r}, nodes={len(self.nodes)})"


def central_difference(graph: Graph, leaf: Node | str, dout: ArrayLike | None = None,
                       h: float = 1e-5) -> Array:
    """d(Σ dout·output)/d(leaf) by central differences, to check what backward found.

    Each element x moves by ±h·max(1, |x|) (a relative step, so large numbers such
    as prices in won are not drowned by rounding), and the difference is divided by
    the distance actually moved. The leaf and every node value are restored afterwards.
    """
    if isinstance(leaf, str):
        leaf = graph[leaf]
    if not any(n is leaf for n in graph.nodes) or not leaf.is_leaf:
        raise ValueError(f"{leaf.label!r} is not a leaf of this graph; pick one of graph.leaves")
    if not h > 0:
        raise ValueError(f"the step h must be positive, got {h!r}")
    d = graph.output_grad(dout)
    original = leaf.value
    grad = np.zeros_like(original)
    try:
        for idx in np.ndindex(original.shape):
            step = h * max(1.0, abs(float(original[idx])))
            plus, minus = original.copy(), original.copy()
            plus[idx] += step
            minus[idx] -= step
            leaf.value = plus
            f_plus = np.sum(d * graph.forward())
            leaf.value = minus
            f_minus = np.sum(d * graph.forward())
            grad[idx] = (f_plus - f_minus) / (plus[idx] - minus[idx])
    finally:
        leaf.value = original
        graph.forward()
    return grad


__all__ = [
    "ELEMENTWISE_RULE",
    "SYMBOLS",
    "BackwardStep",
    "Edge",
    "Graph",
    "Node",
    "add",
    "branch",
    "central_difference",
    "constant",
    "copy",
    "exp",
    "finite_array",
    "log",
    "matmul",
    "mul",
    "negate",
    "parenthesized",
    "power",
    "reciprocal",
    "relu",
    "repeat",
    "sigmoid",
    "square",
    "sum_",
    "tanh",
    "variable",
]
