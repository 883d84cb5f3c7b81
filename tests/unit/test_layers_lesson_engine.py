"""lessons.layers, what the layer zoo computes: broadcasting demos, worked examples,
gradient-check cases, and the collapse gap of the matrix chain."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.backend import InputError
from engine.layers import ACTIVATIONS, Affine
from lessons.layers import (
    CASES,
    CHECK_CASES,
    MAX_DIM,
    MAX_SIZE,
    SEED_W1,
    SEED_W2,
    SEED_W3,
    SEED_X,
    activation_pass,
    affine_example,
    array_names,
    broadcast_axes,
    broadcast_demo,
    check_all,
    collapse,
    collapse_gap,
    copied_cells,
    gradcheck_case,
    matrix_chain,
    parse_shape,
    random_chain,
    run_case,
    run_check,
    upstream,
)

SEED_CHAIN = [SEED_W1, SEED_W2, SEED_W3]
shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)


# --- broadcasting -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "shape"),
    [("(2, 3)", (2, 3)), ("2,3", (2, 3)), ("2 3", (2, 3)), ("(3,)", (3,)), ("[3]", (3,)),
     ("()", ()), (" ( 2 , 1 , 5 ) ", (2, 1, 5))],
)
def test_parse_shape_reads_the_usual_spellings(text, shape):
    assert parse_shape(text) == shape


@pytest.mark.parametrize(
    ("text", "why"),
    [("", "type a shape"), ("abc", "not a whole number"), ("2.5", "not a whole number"),
     ("(-1, 2)", "not a whole number"), ("(0, 2)", "between 1"), (f"({MAX_DIM + 1},)", "between 1"),
     ("1,2,3,4", "at most 3 axes"), ("__import__('os')", "not a whole number"),
     ("²", "not a whole number"), ("(٣, 2)", "not a whole number")],  # digits to str.isdigit
)
def test_parse_shape_rejects_with_a_reason(text, why):
    with pytest.raises(InputError, match=why):
        parse_shape(text)


def test_the_seeds_element_wise_examples():
    demo = broadcast_demo((2, 2), (2, 2), "+")
    assert demo.a.tolist() == [[1, 2], [3, 4]] and demo.b.tolist() == [[5, 6], [7, 8]]
    assert demo.result.tolist() == [[6, 8], [10, 12]]
    assert broadcast_demo((2, 2), (2, 2), "*").result.tolist() == [[5, 12], [21, 32]]
    scalar = run_case(next(c for c in CASES if c.id == "scalar"))
    assert scalar.result.tolist() == [[10, 20], [30, 40]]


def test_the_seeds_three_d_case_and_its_failure():
    ok = run_case(next(c for c in CASES if c.id == "three_d"))
    expected = np.arange(10).reshape(2, 1, 5) * np.arange(20).reshape(2, 2, 5)
    np.testing.assert_array_equal(ok.result, expected)
    assert ok.result[1, 1].tolist() == [75, 96, 119, 144, 171]
    with pytest.raises(ValueError, match=r"could not be broadcast together with shapes "
                                         r"\(2,5,1\) \(2,2,5\)"):
        run_case(next(c for c in CASES if c.id == "bad_three_d"))


def test_a_bad_shape_raises_numpys_own_message():
    with pytest.raises(ValueError) as caught:
        broadcast_demo((2, 3), (2,), "+")
    with pytest.raises(ValueError) as numpy_says:
        np.ones((2, 3)) + np.ones(2)
    assert str(caught.value) == str(numpy_says.value)


def test_bias_row_is_copied_down():
    demo = broadcast_demo((2, 3), (3,), "+")
    assert demo.result.tolist() == [[8, 10, 12], [11, 13, 15]]
    assert demo.b_stretched.tolist() == [[7, 8, 9], [7, 8, 9]]
    assert demo.b_copied.tolist() == [[False] * 3, [True] * 3]
    assert not demo.a_copied.any()
    assert [r.how for r in demo.rules] == ["new_b", "equal"]


def test_axis_rules():
    rules = broadcast_axes((3, 1), (1, 4))
    assert [(r.axis, r.a, r.b, r.out, r.how) for r in rules] == [
        (-2, 3, 1, 3, "stretch_b"), (-1, 1, 4, 4, "stretch_a")]
    bad = broadcast_axes((2, 3), (2,))
    assert [r.how for r in bad] == ["new_b", "mismatch"]
    assert bad[-1].out is None


def test_copied_cells_of_a_scalar_and_a_column():
    assert copied_cells((), (2, 2)).tolist() == [[False, True], [True, True]]
    assert copied_cells((2, 1), (2, 3)).tolist() == [[False, True, True]] * 2


@settings(max_examples=60, deadline=None)
@given(shapes, shapes, st.sampled_from(["+", "-", "*", "/"]))
def test_demo_agrees_with_numpy_and_with_its_own_rules(shape_a, shape_b, op):
    rules = broadcast_axes(shape_a, shape_b)
    fits = all(r.how != "mismatch" for r in rules)
    if not fits:
        with pytest.raises(ValueError, match="could not be broadcast"):
            broadcast_demo(shape_a, shape_b, op)
        return
    demo = broadcast_demo(shape_a, shape_b, op)
    assert demo.result.shape == np.broadcast_shapes(shape_a, shape_b)
    assert tuple(r.out for r in rules) == demo.result.shape
    # A's own values appear once in the stretched view; the copies repeat them.
    assert (~demo.a_copied).sum() == demo.a.size
    own = demo.a_stretched[~demo.a_copied]
    np.testing.assert_array_equal(np.sort(own), np.sort(demo.a.ravel()))


def test_unknown_operation():
    with pytest.raises(ValueError, match="unknown operation"):
        broadcast_demo((2,), (2,), "@")


# --- worked examples ------------------------------------------------------------------------

def test_affine_example_is_seeded_and_rounded():
    x, W, b = affine_example(4, 2, 3, seed=7)
    assert (x.shape, W.shape, b.shape) == ((4, 2), (2, 3), (3,))
    np.testing.assert_array_equal(x, np.round(x, 1))
    x2, W2, b2 = affine_example(4, 2, 3, seed=7)
    np.testing.assert_array_equal(W, W2)
    assert not np.array_equal(W, affine_example(4, 2, 3, seed=8)[1])
    with pytest.raises(ValueError, match="between 1 and"):
        affine_example(MAX_SIZE + 1, 2, 3)


def test_affine_backward_on_the_example_is_the_book_formulas():
    x, W, b = affine_example(3, 2, 4, seed=1)
    layer = Affine(W.copy(), b.copy())
    y = layer.forward(x)
    dy = upstream(y.shape, seed=1)
    dx = layer.backward(dy)
    np.testing.assert_allclose(y, x @ W + b)
    np.testing.assert_allclose(dx, dy @ W.T)
    np.testing.assert_allclose(layer.grads[0], x.T @ dy)
    np.testing.assert_allclose(layer.grads[1], dy.sum(axis=0))


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_pass(name):
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    dout = np.array([1.0, -1.0, 2.0, 0.5, 3.0])
    p = activation_pass(name, x, dout)
    np.testing.assert_allclose(p.dx, dout * p.local)
    if name == "relu":
        assert p.local.tolist() == [0, 0, 0, 1, 1]  # the mask x > 0
    elif name == "sigmoid":
        np.testing.assert_allclose(p.local, p.y * (1 - p.y))
    elif name == "tanh":
        np.testing.assert_allclose(p.local, 1 - p.y**2)
    else:
        assert p.y.tolist() == [0, 0, 0, 1, 1] and not p.dx.any()


def test_activation_pass_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown activation"):
        activation_pass("swish", [1.0], [1.0])
    with pytest.raises(ValueError, match="shape"):
        activation_pass("relu", [1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="finite"):
        activation_pass("relu", [np.nan], [1.0])


# --- gradient-check cases -------------------------------------------------------------------

SIZES = [(2, 2, 3), (4, 3, 5), (8, 8, 8), (3, 1, 1)]


@pytest.mark.parametrize(("name", "n", "d", "h"), [
    (name, *sizes) for name in CHECK_CASES for sizes in SIZES
    if not (name == "batchnorm" and sizes[0] < 3)  # it needs N >= 3: see its own test
])
def test_every_case_passes_its_gradient_check(name, n, d, h):
    case = gradcheck_case(name, n, d, h, seed=n + d + h)
    result = run_check(case)
    assert [c.name for c in result.checks] == ["x", *[f"param{i}" for i in
                                                     range(len(case.param_names))]]
    assert len(array_names(case)) == len(result.checks)
    assert result.max_rel_error < 1e-6, (name, result.max_rel_error)
    assert result.backprop_seconds > 0 and result.numerical_seconds > 0


@pytest.mark.parametrize("n", [1, 2])
def test_batchnorm_needs_three_samples(n):
    with pytest.raises(ValueError, match="N ≥ 3"):
        gradcheck_case("batchnorm", n, 2, 3)


def test_check_all_reports_every_layer_and_explains_what_it_cannot_check():
    rows = check_all(1, 2, 3, seed=0)
    assert [r.name for r in rows] == list(CHECK_CASES)
    by_name = {r.name: r for r in rows}
    assert by_name["batchnorm"].error and np.isnan(by_name["batchnorm"].max_rel_error)
    assert all(r.max_rel_error < 1e-6 for r in rows if r.error is None)


def test_unknown_case():
    with pytest.raises(ValueError, match="unknown layer"):
        gradcheck_case("conv", 2, 2, 2)


# --- the matrix chain's collapse ------------------------------------------------------------

def test_the_seeds_chain_collapses_without_an_activation():
    steps = matrix_chain(SEED_CHAIN, SEED_X)
    assert [s.out.tolist() for s in steps] == [[-1, 0, -1], [-1, 1, -4], [-3, 0, -2]]
    np.testing.assert_array_equal(collapse(SEED_CHAIN) @ SEED_X, [-3, 0, -2])
    assert collapse_gap(SEED_CHAIN, SEED_X) == 0.0


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_an_activation_breaks_the_collapse_for_the_seeds_x(activation):
    assert collapse_gap(SEED_CHAIN, SEED_X, activation) > 0.5


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=9, max_size=9),
       st.lists(st.integers(-3, 3), min_size=3, max_size=3))
def test_linear_chains_always_collapse(w, x):
    W = np.array(w).reshape(3, 3)
    assert collapse_gap([W, SEED_W2, W.T], x) < 1e-9


def test_random_chain_is_seeded_integer_and_bounded():
    mats, x = random_chain(seed=5)
    again, x2 = random_chain(seed=5)
    assert len(mats) == 3 and all(W.shape == (3, 3) for W in mats) and x.shape == (3,)
    assert all(np.array_equal(a, b) for a, b in zip(mats, again, strict=True))
    np.testing.assert_array_equal(x, x2)
    assert all(W.min() >= -2 and W.max() <= 2 for W in mats)
    assert matrix_chain(mats, x)[-1].out.shape == (3,)
    with pytest.raises(ValueError, match="low"):
        random_chain(low=3, high=1)
