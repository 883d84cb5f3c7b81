"""The computational-graph lesson's worked graphs, built from engine.autograd's nodes.

    graph = cafe_graph()          # the café bill: total 3,190,000 won
    graph.backward()
    graph["chair_count"].grad     # 33,000: one more chair costs 33,000 won with tax

Here: the café bill, the chain rule t = x + y, z = t², the sigmoid graph and the
edges its backward walk meets (−y², −y², −y²·e^(−x), y²·e^(−x)), softmax with
cross-entropy as seed 002 draws it (exp, S, '/', ×, log, × t, sum, ×(−1); backward y − t),
matmul's dx = dy·Wᵀ element by element, the affine, branch, repeat, sum and matmul graphs,
and the numbers the page feeds them. Everything is float64, computed by the engine's
forward and backward passes; nothing here knows about the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from engine.autograd import (
    BackwardStep,
    Graph,
    add,
    branch,
    constant,
    exp,
    finite_array,
    log,
    matmul,
    mul,
    negate,
    reciprocal,
    repeat,
    sigmoid,
    square,
    sum_,
    variable,
)
from engine.functions import softmax

CAFE_ITEMS = ("machine", "table", "chair", "cup")


def _scalar(value: ArrayLike, name: str) -> float:
    a = finite_array(value, name)
    if a.ndim != 0:
        raise ValueError(f"{name} must be a single number, got shape {a.shape}")
    return float(a)


# ---------------------------------------------------------------- the café bill


def cafe_graph(
    machine_price: float = 1_000_000,
    machine_count: float = 2,
    table_price: float = 50_000,
    table_count: float = 5,
    chair_price: float = 30_000,
    chair_count: float = 15,
    cup_price: float = 10_000,
    cup_count: float = 20,
    tax: float = 1.1,
) -> Graph:
    """Opening a café: total = tax × Σ price × count over machine, table, chair, cup.

    With the defaults, total = 1.1 × (2,000,000 + 250,000 + 450,000 + 200,000)
    = 3,190,000 won. Backward gives d total/d price = tax × count,
    d total/d count = tax × price and d total/d tax = subtotal.
    Labels: '<item>_price', '<item>_count', '<item>_cost', 'subtotal', 'tax', 'total'.
    """
    items = {
        "machine": (machine_price, machine_count),
        "table": (table_price, table_count),
        "chair": (chair_price, chair_count),
        "cup": (cup_price, cup_count),
    }
    costs = []
    for name, (price, count) in items.items():
        p = variable(_scalar(price, f"{name}_price"), f"{name}_price")
        c = variable(_scalar(count, f"{name}_count"), f"{name}_count")
        costs.append(mul(p, c, label=f"{name}_cost"))
    subtotal = add(*costs, label="subtotal")
    total = mul(subtotal, variable(_scalar(tax, "tax"), "tax"), label="total")
    return Graph(total)


def cafe_bill(counts: Mapping[str, float], prices: Mapping[str, float],
              tax_percent: float) -> Graph:
    """The café graph for counts and prices by item and a tax rate in percent (10 -> ×1.1)."""
    numbers = {f"{item}_{kind}": given[item] for item in CAFE_ITEMS
               for kind, given in (("count", counts), ("price", prices))}
    return cafe_graph(**numbers, tax=1 + tax_percent / 100)


@dataclass(frozen=True)
class CafeLeaf:
    """One number of the bill and d total / d number, after a backward pass."""

    label: str  # 'chair_price', 'chair_count' or 'tax'
    item: str | None  # 'chair'; None for the tax
    kind: str  # 'price', 'count' or 'tax'
    value: float
    grad: float


def cafe_leaves(graph: Graph) -> list[CafeLeaf]:
    """Price and count of each item, then the tax factor, with their gradients."""
    leaves = [CafeLeaf(f"{item}_{kind}", item, kind, float(graph[f"{item}_{kind}"].value),
                       float(graph[f"{item}_{kind}"].grad))
              for item in CAFE_ITEMS for kind in ("price", "count")]
    tax = graph["tax"]
    return [*leaves, CafeLeaf("tax", None, "tax", float(tax.value), float(tax.grad))]


# ---------------------------------------------------------------- add, multiply, chain rule


def two_input_graph(op: str, x: float, y: float) -> Graph:
    """f = x + y (op 'add') or f = x·y (op 'mul'): one node, two leaves 'x' and 'y'."""
    nodes = {"add": add, "mul": mul}
    if op not in nodes:
        raise ValueError(f"op must be 'add' or 'mul', got {op!r}")
    return Graph(nodes[op](variable(x, "x"), variable(y, "y"), label="f"))


def chain_rule_graph(x: ArrayLike = 1.0, y: ArrayLike = 2.0) -> Graph:
    """t = x + y, z = t²;  dz/dx = dz/dt · dt/dx = 2t · 1 = 2(x + y)."""
    xn, yn = variable(x, "x"), variable(y, "y")
    t = add(xn, yn, label="t")
    return Graph(square(t, label="z"))


# ---------------------------------------------------------------- sigmoid


def sigmoid_graph(x: ArrayLike = 1.0) -> Graph:
    """y = 1/(1 + exp(−x)) from the nodes ×(−1), exp, +1 and '/'.

    Gradients met walking back from y (upstream 1):
        at 1+exp(-x):  −y²             ('/' node: local −y²)
        at exp(-x):    −y²             ('+' node passes it on)
        at -x:         −y²·e^(−x)      (exp node: local e^(−x))
        at x:          y²·e^(−x)       (×(−1) node flips the sign)
    and y²·e^(−x) = y(1 − y).
    Labels: 'x', '-x', 'exp(-x)', '1', '1+exp(-x)', 'y'.
    """
    return Graph(sigmoid(variable(x, "x"), label="y"))


# (tag, source, target, the downstream gradient written with y) in the order backward meets them
SIGMOID_EDGES = (
    ("#1", "1+exp(-x)", "y", "−y²"),
    ("#2", "exp(-x)", "1+exp(-x)", "−y²"),
    ("#3", "-x", "exp(-x)", "−y²·e^(−x)"),
    ("#4", "x", "-x", "y²·e^(−x)"),
)
SIGMOID_TAGS = {(source, target): tag for tag, source, target, _ in SIGMOID_EDGES}


@dataclass(frozen=True)
class SigmoidEdge:
    """One edge of the sigmoid walk: backprop's downstream gradient and the same from y."""

    tag: str
    formula: str
    backprop: float
    from_y: float


def sigmoid_walk(graph: Graph, steps: list[BackwardStep]) -> list[SigmoidEdge]:
    """The four downstream gradients of a scalar sigmoid graph's backward, beside the
    formulas in y: −y², −y², −y²·e^(−x), y²·e^(−x) (the last is dy/dx = y(1 − y))."""
    y = float(graph.output.value)
    e = float(graph["exp(-x)"].value)
    from_y = {"#1": -(y**2), "#2": -(y**2), "#3": -(y**2) * e, "#4": y**2 * e}
    down = {(edge.source.label, edge.target.label): float(edge.downstream)
            for step in steps for edge in step.edges}
    return [SigmoidEdge(tag, formula, down[(source, target)], from_y[tag])
            for tag, source, target, formula in SIGMOID_EDGES]


# ---------------------------------------------------------------- softmax with cross-entropy


def one_hot(index: int, size: int) -> np.ndarray:
    """[0, …, 1, …, 0]: a target with class `index` (from 0) out of `size`."""
    return np.eye(size)[index]


# The largest score exp() takes in float64 before it overflows: log(1.797…e308) ≈ 709.78.
EXP_LIMIT = float(np.log(np.finfo(np.float64).max))


def softmax_cross_entropy_graph(a: ArrayLike, t: ArrayLike) -> Graph:
    """L = −Σₖ tₖ log yₖ with yₖ = exp(aₖ)/S, S = Σᵢ exp(aᵢ), drawn as seed 002 draws it.

    One lane per class k (from 1): the score aₖ goes into an exp node; the K exps go into
    one + node, S; the '/' node makes 1/S; a × node makes yₖ = exp(aₖ) · 1/S; then log,
    × tₖ, one + node for the sum over k, and ×(−1) gives L. Each exp(aₖ) feeds two nodes
    (S and yₖ), so backward adds two paths there:

        at exp(aₖ):  1/S (through S) − tₖ/exp(aₖ) (through yₖ)   [Σ t = 1]
        at aₖ:       (1/S − tₖ/exp(aₖ)) · exp(aₖ) = yₖ − tₖ

    Labels 'a1'…, 'exp(a1)'…, 'S', '1/S', 'y1'…, 'log y1'…, 't1'…, 't1 log y1'…,
    'sum', 'L'. Scores above EXP_LIMIT (≈ 709.78) overflow the exp nodes: that is why code
    computes softmax as exp(a − max a)/Σ exp(a − max a) (`shifted_softmax`).
    """
    av, tv = finite_array(a, "logits a"), finite_array(t, "target t")
    if av.ndim != 1 or av.size == 0:
        raise ValueError(f"logits a must be a non-empty vector of shape (K,), got {av.shape}")
    if tv.shape != av.shape:
        raise ValueError(f"target t must have the logits' shape {av.shape}, got {tv.shape}")
    if np.any(tv < 0) or abs(float(tv.sum()) - 1.0) > 1e-9:
        raise ValueError("target t must be one-hot (or probabilities ≥ 0 that sum to 1)")
    if av.size < 2:
        raise ValueError(f"softmax needs at least 2 classes, got {av.size}")
    ks = range(1, av.size + 1)
    exps = [exp(variable(av[k - 1], f"a{k}"), label=f"exp(a{k})") for k in ks]
    inv_s = reciprocal(add(*exps, label="S"), label="1/S")
    terms = []
    for k, e in zip(ks, exps, strict=True):
        y = mul(e, inv_s, label=f"y{k}")
        log_y = log(y, label=f"log y{k}")
        terms.append(mul(log_y, variable(tv[k - 1], f"t{k}"), label=f"t{k} log y{k}"))
    total = add(*terms, label="sum")
    return Graph(negate(total, label="L"))


@dataclass(frozen=True)
class SoftmaxLane:
    """One class k of the softmax-with-loss graph after backward: what reaches exp(aₖ)
    along its two paths, their sum, and that sum times exp(aₖ) at aₖ, beside y − t."""

    k: int
    a: float
    exp_a: float
    y: float
    t: float
    from_s: float  # downstream on exp(aₖ) -> S: 1/S
    from_y: float  # downstream on exp(aₖ) -> yₖ: −tₖ/exp(aₖ)
    upstream: float  # their sum, the upstream gradient at the exp node
    grad_a: float  # downstream at aₖ: upstream × exp(aₖ)

    @property
    def y_minus_t(self) -> float:
        return self.y - self.t


@dataclass(frozen=True, eq=False)
class SoftmaxCheck:
    """What backward found at the scores of a softmax-with-loss graph, beside y − t."""

    a: np.ndarray
    y: np.ndarray
    t: np.ndarray
    grad_a: np.ndarray
    loss: float
    s: float  # S = Σ exp(aₖ)
    lanes: tuple[SoftmaxLane, ...]

    @property
    def y_minus_t(self) -> np.ndarray:
        return self.y - self.t

    @property
    def max_error(self) -> float:
        """max |dL/da − (y − t)|: rounding only."""
        return float(np.max(np.abs(self.grad_a - self.y_minus_t)))


def softmax_check(graph: Graph, steps: list[BackwardStep]) -> SoftmaxCheck:
    """The scores, y, t, dL/da, L, S and each class's two paths into exp(aₖ), from a
    `softmax_cross_entropy_graph` and its backward `steps`."""
    down = {(e.source.label, e.target.label): float(e.downstream)
            for step in steps for e in step.edges}
    ks = range(1, sum(1 for n in graph.nodes if n.op == "exp") + 1)
    lanes = tuple(SoftmaxLane(
        k, float(graph[f"a{k}"].value), float(graph[f"exp(a{k})"].value),
        float(graph[f"y{k}"].value), float(graph[f"t{k}"].value),
        down[(f"exp(a{k})", "S")], down[(f"exp(a{k})", f"y{k}")],
        float(graph[f"exp(a{k})"].grad), float(graph[f"a{k}"].grad)) for k in ks)
    return SoftmaxCheck(np.array([lane.a for lane in lanes]), np.array([lane.y for lane in lanes]),
                        np.array([lane.t for lane in lanes]),
                        np.array([lane.grad_a for lane in lanes]), float(graph.output.value),
                        float(graph["S"].value), lanes)


@dataclass(frozen=True, eq=False)
class ShiftedSoftmax:
    """Softmax computed as code does, from a − max a, beside the seed's exp(a)/S."""

    shift: float  # max a, subtracted from every score
    y: np.ndarray  # exp(a − max a) / Σ exp(a − max a)
    difference: float  # max |y − the seed graph's y|: rounding only


def shifted_softmax(graph: Graph) -> ShiftedSoftmax:
    """y as the engine's softmax computes it, from a − max a, for the scores of a
    `softmax_cross_entropy_graph`: the same y, and no exp ever sees more than 0, so no score
    is too large."""
    labels = [n.label for n in graph.nodes if n.op == "input" and n.label.startswith("a")]
    a = np.array([float(graph[label].value) for label in labels])
    y = softmax(a)
    seed_y = np.array([float(graph[f"y{k}"].value) for k in range(1, a.size + 1)])
    return ShiftedSoftmax(float(a.max()), y, float(np.max(np.abs(y - seed_y))))


# ---------------------------------------------------------------- branch, repeat, sum, matmul


def matmul_graph(x: ArrayLike | None = None, W: ArrayLike | None = None) -> Graph:
    """y = x · W, x (N×D), W (D×H); default N, D, H = 2, 3, 2. Labels 'x', 'W', 'y'.

    With the default dout (ones), dx = 1 · Wᵀ and dW = xᵀ · 1; pass a dout
    to `backward` to send any upstream dy.
    """
    x = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]] if x is None else x
    W = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]] if W is None else W
    return Graph(matmul(variable(x, "x"), variable(W, "W"), label="y"))


@dataclass(frozen=True)
class MatmulTerm:
    """One term ∂L/∂y_nj · W_ij of the sum that gives ∂L/∂x_ni (indices from 1)."""

    j: int
    dy: float  # ∂L/∂y_nj
    w: float  # W_ij = ∂y_nj/∂x_ni


@dataclass(frozen=True)
class MatmulSum:
    """∂L/∂x_ni = Σⱼ ∂L/∂y_nj · W_ij written out: x_ni changes every y_nj by W_ij, so its
    gradient adds the paths through all of them (seed 002, for D = H = 2)."""

    n: int
    i: int
    terms: tuple[MatmulTerm, ...]

    @property
    def value(self) -> float:
        return float(sum(term.dy * term.w for term in self.terms))


def matmul_elementwise(graph: Graph, dy: ArrayLike, n: int = 1) -> list[MatmulSum]:
    """Every ∂L/∂x_ni of row `n` (from 1) of a `matmul_graph`, element by element from the
    upstream `dy`: Σⱼ dy_nj · W_ij. Stacked for every row they are dy · Wᵀ, the matrix form
    (whose shapes (N×H)·(H×D) = N×D are the check, not the derivation)."""
    W = graph["W"].value
    d = finite_array(dy, "dy")
    if d.shape != graph.output.shape:
        raise ValueError(f"dy must have y's shape {graph.output.shape}, got {d.shape}")
    if not 1 <= n <= d.shape[0]:
        raise ValueError(f"row n must be between 1 and {d.shape[0]}, got {n}")
    return dx_sums(d[n - 1], W, n)


def dx_sums(dy_row: np.ndarray, W: np.ndarray, n: int = 1) -> list[MatmulSum]:
    """∂L/∂x_ni = Σⱼ dy_nj · W_ij for each i, from one row of the upstream gradient and W
    (D×H): the element-wise derivation of dx = dy·Wᵀ, shared with the layer zoo's Affine."""
    return [MatmulSum(n, i, tuple(MatmulTerm(j, float(dy_row[j - 1]), float(W[i - 1, j - 1]))
                                  for j in range(1, W.shape[1] + 1)))
            for i in range(1, W.shape[0] + 1)]


def affine_graph(
    x: ArrayLike | None = None, W: ArrayLike | None = None, b: ArrayLike | None = None
) -> Graph:
    """y = x · W + repeat(b): MatMul, Repeat and add together (the Affine layer).

    Labels 'x', 'W', 'b', 'xW', 'repeat b', 'y'; db = dy summed over the batch.
    """
    xn = variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]] if x is None else x, "x")
    Wn = variable([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]] if W is None else W, "W")
    bn = variable([0.5, -0.5] if b is None else b, "b")
    xw = matmul(xn, Wn, label="xW")
    if bn.value.ndim != 1 or xw.value.ndim != 2 or bn.shape[0] != xw.shape[1]:
        raise ValueError(f"b must have shape (H,) = ({xw.shape[1]},), got {bn.shape}")
    return Graph(add(xw, repeat(bn, xw.shape[0], label="repeat b"), label="y"))


def branch_graph(x: ArrayLike = 2.0, weights: tuple[float, ...] = (2.0, 3.0)) -> Graph:
    """x branches into copies, z = Σᵢ wᵢ · copyᵢ;  dz/dx = Σᵢ wᵢ (the branches add up).

    Labels 'x', 'x copy i', 'wi' and 'wi*x' (i from 1), 'z'.
    """
    xn = variable(x, "x")
    copies = branch(xn, len(weights))
    terms = [
        mul(c, constant(np.full(xn.shape, _scalar(w, f"w{i}")), label=f"w{i}"), label=f"w{i}*x")
        for i, (c, w) in enumerate(zip(copies, weights, strict=True), start=1)
    ]
    return Graph(add(*terms, label="z"))


def repeat_graph(x: ArrayLike | None = None, n: int = 3) -> Graph:
    """y = repeat(x, n): (D,) -> (n, D). Backward: dx = Σ over axis 0 of dy.

    Labels 'x', 'y'; the default x is [1, 2, 3].
    """
    return Graph(repeat(variable([1.0, 2.0, 3.0] if x is None else x, "x"), n, label="y"))


def sum_graph(x: ArrayLike | None = None, axis: int | None = 0) -> Graph:
    """y = Σ x over `axis`: (N, D) -> (D,) for axis 0. Backward repeats dy.

    Labels 'x', 'y'; the default x is [[1, 2, 3], [4, 5, 6]].
    """
    xn = variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]] if x is None else x, "x")
    return Graph(sum_(xn, axis, label="y"))


def repeat_example(n: int) -> tuple[Graph, np.ndarray]:
    """The page's repeat: [1, 2, 3] copied n times, and the dout 1, 2, …, 3n in n rows."""
    return repeat_graph(np.array([1.0, 2.0, 3.0]), n), np.arange(1.0, 3 * n + 1).reshape(n, 3)


def sum_example(n: int) -> tuple[Graph, np.ndarray]:
    """The page's sum: 1, 2, …, 3n in n rows summed over axis 0, and the dout [1, −1, 2]."""
    return sum_graph(np.arange(1.0, 3 * n + 1).reshape(n, 3), axis=0), np.array([1.0, -1.0, 2.0])


def matmul_example(n: int, d: int, h: int) -> tuple[Graph, np.ndarray]:
    """The page's matmul: x (n×d) and W (d×h) of small whole numbers, and a dout dy (n×h),
    the same for the same shapes (generator seeded with 0)."""
    rng = np.random.default_rng(0)
    x = rng.integers(-3, 4, size=(n, d)).astype(np.float64)
    W = rng.integers(-3, 4, size=(d, h)).astype(np.float64)
    dy = rng.integers(-2, 3, size=(n, h)).astype(np.float64)
    return matmul_graph(x, W), dy


__all__ = [
    "CAFE_ITEMS",
    "EXP_LIMIT",
    "SIGMOID_EDGES",
    "SIGMOID_TAGS",
    "CafeLeaf",
    "MatmulSum",
    "MatmulTerm",
    "ShiftedSoftmax",
    "SigmoidEdge",
    "SoftmaxCheck",
    "SoftmaxLane",
    "affine_graph",
    "branch_graph",
    "cafe_bill",
    "cafe_graph",
    "cafe_leaves",
    "chain_rule_graph",
    "matmul_elementwise",
    "matmul_example",
    "matmul_graph",
    "one_hot",
    "repeat_example",
    "repeat_graph",
    "shifted_softmax",
    "sigmoid_graph",
    "sigmoid_walk",
    "softmax_check",
    "softmax_cross_entropy_graph",
    "sum_example",
    "sum_graph",
    "two_input_graph",
]
