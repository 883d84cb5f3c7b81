"""lessons.layers without Streamlit: every worked number the layer-zoo page shows, rebuilt from
the module alone (the chain's Y = [-3, 0, -2], softmax with loss's y − t, Affine's shapes)."""

import numpy as np
import pytest

from engine.functions import softmax
from engine.layers import ACTIVATIONS, SoftmaxWithLoss
from lessons import layers as ll

SEED_CHAIN = [ll.SEED_W1, ll.SEED_W2, ll.SEED_W3]


# --- the matrix chain of seed 000 -------------------------------------------------------------

def test_the_seeds_chain_gives_y_minus_3_0_minus_2_both_ways():
    run = ll.run_chain(SEED_CHAIN, ll.SEED_X)
    assert [s.name for s in run.steps] == ["L1", "L2", "Y"] == list(ll.CHAIN_VALUES[1:])
    assert [s.out.tolist() for s in run.steps] == [[-1, 0, -1], [-1, 1, -4], [-3, 0, -2]]
    assert run.y.tolist() == run.direct.tolist() == [-3, 0, -2]
    np.testing.assert_array_equal(run.product, ll.SEED_W3 @ ll.SEED_W2 @ ll.SEED_W1)
    assert run.gap == 0.0 and run.activation is None


def test_the_step_figures_share_the_largest_value_of_the_steps():
    run = ll.run_chain(SEED_CHAIN, ll.SEED_X)
    assert run.zmax == 4.0  # L2 = W2·L1 = [-1, 1, -4]
    assert ll.run_chain([np.zeros((1, 1))], [0]).zmax == 1.0  # all zeros: a scale of ±1


@pytest.mark.parametrize("activation", ll.CHAIN_ACTIVATIONS)
def test_an_activation_between_the_layers_breaks_the_collapse(activation):
    run = ll.run_chain(SEED_CHAIN, ll.SEED_X, activation)
    assert run.direct.tolist() == [-3, 0, -2]  # the product knows nothing of the activation
    assert run.gap == pytest.approx(np.abs(run.y - run.direct).max()) and run.gap > 0.5
    f = ACTIVATIONS[activation].f
    np.testing.assert_allclose(run.steps[0].out, f(ll.SEED_W1 @ ll.SEED_X))
    np.testing.assert_allclose(run.y, run.steps[2].pre_activation)  # none after the last


def test_a_chain_whose_shapes_do_not_fit_is_a_value_error():
    with pytest.raises(ValueError, match="W1 has 3 columns but its input has 2"):
        ll.run_chain(SEED_CHAIN, [1, 2])


def test_the_editors_rows_round_trip():
    rows = ll.seed_chain_rows()
    assert list(rows) == list(ll.CHAIN_NAMES)
    assert rows["X"] == [0, 0, 1] and rows["W1"] == ll.SEED_W1.tolist()
    assert ll.chain_rows("W1", np.array([[2.0, np.nan], [-1.0, 0.0]])) == [[2, None], [-1, 0]]
    assert ll.chain_rows("X", np.array([[1.0], [np.nan]])) == [1, None]
    mats, x = ll.random_chain(seed=5)
    rows = ll.random_chain_rows(5)
    assert rows["X"] == x.tolist() and rows["W3"] == mats[2].tolist()
    assert {n: len(c) for n, c in ll.CHAIN_INPUTS.items()} == {"X": 1, "W1": 3, "W2": 3, "W3": 3}


# --- Affine ---------------------------------------------------------------------------------

def test_affine_pass_is_the_books_forward_and_backward():
    p = ll.affine_pass(4, 2, 3, seed=0)
    x, W, b = ll.affine_example(4, 2, 3, seed=0)
    np.testing.assert_array_equal(p.x, x)
    np.testing.assert_allclose(p.y, x @ W + b)
    np.testing.assert_array_equal(p.dy, ll.upstream((4, 3), seed=0))
    np.testing.assert_allclose(p.dx, p.dy @ W.T)
    np.testing.assert_allclose(p.dW, x.T @ p.dy)
    np.testing.assert_allclose(p.db, p.dy.sum(axis=0))
    assert (p.dx.shape, p.dW.shape, p.db.shape) == ((4, 2), (2, 3), (3,))


# --- softmax with loss ----------------------------------------------------------------------

def test_the_pages_worked_logits():
    r = ll.softmax_loss(ll.WORKED_LOGITS, ll.WORKED_TARGET)
    a = np.array([[0.3, 2.9, 4.0]])
    y = np.exp(a) / np.exp(a).sum()
    np.testing.assert_allclose(r.y, y)
    assert r.onehot.tolist() == [[0, 0, 1]]
    assert r.loss == pytest.approx(-np.log(y[0, 2]))
    # what the page's metrics and table show
    assert [f"{v:.4f}" for v in (r.y[0, 2], r.loss, r.se_loss)] == ["0.7366", "0.3057", "0.0649"]
    assert [f"{v:.4f}" for v in r.da[0]] == ["0.0182", "0.2452", "-0.2634"]
    assert r.ce == pytest.approx(r.loss, abs=1e-6)  # the book's delta, 1e-7, barely shows
    assert r.se_loss == pytest.approx(0.5 * ((y - r.onehot) ** 2).sum())


def test_softmax_with_loss_backward_is_y_minus_t():
    r = ll.softmax_loss(ll.WORKED_LOGITS, ll.WORKED_TARGET)
    np.testing.assert_allclose(r.da, r.y - r.onehot)  # one sample: N = 1
    np.testing.assert_allclose(r.da.sum(), 0.0, atol=1e-12)  # the probabilities sum to 1
    np.testing.assert_allclose(r.dy, r.y - r.onehot)  # squared error on y: the same y − t
    assert r.da[0, 2] < 0 < r.da[0, 0]  # the target pulled up, the others pushed down


def test_on_a_batch_y_minus_t_is_divided_by_the_batch_size():
    a = np.array([[0.3, 2.9, 4.0], [1.0, -1.0, 0.5], [2.0, 2.0, 2.0], [-3.0, 0.0, 3.0]])
    t = np.array([2, 0, 1, 1])
    r = ll.softmax_loss(a, t)
    np.testing.assert_allclose(r.da, (softmax(a) - np.eye(3)[t]) / len(a))
    layer = SoftmaxWithLoss()
    assert r.loss == pytest.approx(layer.forward(a, t))
    np.testing.assert_allclose(r.da, layer.backward())


# --- activations ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_curve_is_the_registrys(name):
    xs, ys, dys = ll.activation_curve(name)
    assert (xs[0], xs[-1], len(xs)) == (-6.0, 6.0, 481)
    np.testing.assert_allclose(ys, ACTIVATIONS[name].f(xs))
    np.testing.assert_allclose(dys, ACTIVATIONS[name].grad(xs))


def test_the_activation_tables_start():
    p = ll.activation_pass("sigmoid", ll.ACTIVATION_INPUTS, [1.0] * 5)
    assert p.y[2] == 0.5 and p.local[2] == 0.25  # sigmoid(0) and its slope y(1 − y)
    assert all(abs(v) <= ll.ACTIVATION_BOUND for v in ll.ACTIVATION_INPUTS)


# --- broadcasting ---------------------------------------------------------------------------

def test_shapes_as_python_writes_them():
    assert [ll.shape_text(s) for s in [(2, 3), (3,), ()]] == ["(2, 3)", "(3,)", "()"]
    assert ll.operation_text((2, 3), "+", (3,)) == "(2, 3) + (3,)"


def test_cases_are_found_by_id():
    assert ll.find_case("bias").shape_b == (3,)
    assert ll.find_case("custom") is None


def test_a_failing_cases_operands_are_numbered_as_the_demo_numbers_them():
    a, b = ll.case_operands(ll.find_case("bad_vector"))
    assert a.tolist() == [[1, 2, 3], [4, 5, 6]] and b.tolist() == [7, 8]
    a, b = ll.case_operands(ll.find_case("bad_three_d"))
    assert a.shape == (2, 5, 1) and a.ravel()[0] == 0 and b.ravel()[0] == 0  # both from 0
    ok = ll.run_case(ll.find_case("bias"))
    a, b = ll.case_operands(ll.find_case("bias"))
    np.testing.assert_array_equal(a, ok.a)
    np.testing.assert_array_equal(b, ok.b)


# --- the gradient check ---------------------------------------------------------------------

def test_every_case_has_a_label_and_the_summary_says_what_passed():
    assert set(ll.CHECK_LABELS) == set(ll.CHECK_CASES)
    rows = ll.check_all(2, 2, 3, seed=0)
    passed = {r.name: r.passed for r in rows}
    assert passed.pop("batchnorm") is False  # N = 2 is too small to check it
    assert all(passed.values())


def test_slowdown_is_numerical_over_backprop_time():
    result = ll.run_check(ll.gradcheck_case("affine", 4, 2, 3))
    assert ll.slowdown(result) == pytest.approx(
        result.numerical_seconds / result.backprop_seconds)


# --- seed 003's worked product, and where dx = dy·Wᵀ comes from --------------------------------

def numerical_grad(f, a):
    """∂f/∂a by central differences, f scalar."""
    return ll.numerical_jacobian(lambda v: np.array([f(v)]), a)[0]


def test_seed_003s_product_is_19_22_43_50_entry_by_entry():
    m = ll.matmul_worked()
    assert m.C.tolist() == [[19, 22], [43, 50]]
    np.testing.assert_array_equal(m.C, ll.SEED_A @ ll.SEED_B)
    assert m.terms[0][0] == ((1, 5), (2, 7))  # 19 = 1·5 + 2·7
    assert m.terms[1][0] == ((3, 5), (4, 7))  # 43 = 3·5 + 4·7
    assert m.terms[0][1] == ((1, 6), (2, 8))  # 22 = 1·6 + 2·8
    assert m.terms[1][1] == ((3, 6), (4, 8))  # 50 = 3·6 + 4·8
    assert [sum(a * b for a, b in e) for row in m.terms for e in row] == [19, 22, 43, 50]


def test_a_product_whose_shapes_do_not_meet_is_refused():
    with pytest.raises(ValueError, match="columns"):
        ll.matmul_worked(np.ones((2, 3)), np.ones((2, 2)))
    assert ll.matmul_worked(np.ones((1, 3)), np.ones((3, 2))).C.tolist() == [[3, 3]]


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_dx_element_by_element_is_dy_times_w_transposed(seed):
    d = ll.dx_derivation(seed)
    assert d.W.shape == (2, 2) and d.x.shape == d.dy.shape == (2,)
    for i in range(2):  # ∂L/∂x_i = Σ_j ∂L/∂y_j · W_ij
        assert d.terms[i] == tuple((d.dy[j], d.W[i, j]) for j in range(2))
        assert d.dx[i] == pytest.approx(d.dy[0] * d.W[i, 0] + d.dy[1] * d.W[i, 1])
    np.testing.assert_allclose(d.dx, d.matrix)
    np.testing.assert_allclose(d.dx, d.backward)
    # and numerically: L = Σ_j dy_j·y_j(x) has gradient dx
    num = numerical_grad(lambda x: float(d.dy @ (x @ d.W + d.b)), d.x)
    np.testing.assert_allclose(num, d.dx, atol=1e-8)


# --- the softmax Jacobian, and the losses side by side ----------------------------------------

@pytest.mark.parametrize(("logits", "target"), [((0.3, 2.9, 4.0), 2), ((1.0, -2.0, 0.5), 0),
                                                ((5.0, 5.0, -3.0, 0.0), 3)])
def test_softmax_jacobian_is_diag_y_minus_yyT_and_gives_y_minus_t(logits, target):
    j = ll.softmax_jacobian_pass(logits, target)
    np.testing.assert_allclose(j.J, np.diag(j.y) - np.outer(j.y, j.y))
    np.testing.assert_allclose(j.J, j.numerical, atol=1e-9)
    assert j.max_gap < 1e-9
    np.testing.assert_allclose(j.J.sum(axis=0), 0, atol=1e-12)  # Σ_i y_i = 1 whatever a is
    np.testing.assert_allclose(j.dL_da, j.y_minus_t, atol=1e-12)
    t = np.eye(len(logits))[target]
    np.testing.assert_allclose(j.y_minus_t, softmax(np.array([logits]))[0] - t)


def test_y_minus_t_also_for_a_soft_target_that_sums_to_1():
    j = ll.softmax_jacobian_pass([0.2, -1.0, 1.5], [0.2, 0.3, 0.5])
    np.testing.assert_allclose(j.dL_da, j.y - j.t, atol=1e-12)


@pytest.mark.parametrize(("logits", "target"), [((0.3, 2.9, 4.0), 2), ((0.3, 2.9, 4.0), 0),
                                                ((-1.0, 0.5, 0.2), 1)])
def test_every_loss_and_its_gradients_match_the_numbers(logits, target):
    rows = ll.losses(logits, target)
    assert [r.name for r in rows] == ["ce", "se", "mse", "bce"]
    a = np.array(logits)
    t = np.eye(3)[target]

    def y_of(v):
        return softmax(v[None, :])[0]

    value = {"ce": lambda y: -np.sum(t * np.log(y)), "se": lambda y: 0.5 * np.sum((y - t) ** 2),
             "mse": lambda y: np.mean((y - t) ** 2),
             "bce": lambda y: -np.mean(t * np.log(y) + (1 - t) * np.log(1 - y))}
    for r in rows:
        y = y_of(a)
        assert r.value == pytest.approx(value[r.name](y))
        np.testing.assert_allclose(r.dy, numerical_grad(value[r.name], y), rtol=1e-5,
                                   atol=1e-7)
        f = value[r.name]
        np.testing.assert_allclose(r.da, numerical_grad(lambda v, f=f: f(y_of(v)), a),
                                   rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ll.loss_row(rows, "ce").da, y_of(a) - t)
    assert ll.loss_row(rows, "mse").value == pytest.approx(2 / 3 * ll.loss_row(rows, "se").value)


def test_cross_entropy_keeps_a_large_gradient_when_confidently_wrong():
    """The page's claim, with its own numbers: the target's probability is small, and
    cross-entropy pushes the target's score far harder than squared error does."""
    rows = ll.losses((0.3, 2.9, 4.0), 0)
    ce, se = ll.loss_row(rows, "ce"), ll.loss_row(rows, "se")
    assert ce.da[0] < -0.9  # −(1 − y_0)
    assert abs(se.da[0]) < 0.05
    assert abs(ce.da[0]) > 10 * abs(se.da[0])
    assert np.linalg.norm(ce.da) > np.linalg.norm(se.da)


def test_the_loss_tables_two_squared_error_columns_differ():
    """With respect to y the squared error's gradient is (y − t)/N, equal to softmax with
    loss's; carried back to the scores it is J·(y − t)/N, which is not."""
    r = ll.softmax_loss([0.3, 2.9, 4.0], 0)
    np.testing.assert_allclose(r.dy, r.da)  # the old table's two equal columns
    np.testing.assert_allclose(r.se_da[0], ll.loss_row(ll.losses([0.3, 2.9, 4.0], 0),
                                                       "se").da)
    assert not np.allclose(r.se_da, r.da)
    batch = ll.softmax_loss([[0.3, 2.9, 4.0], [1.0, 0.0, -1.0]], [0, 2])
    for n in range(2):
        np.testing.assert_allclose(batch.se_da[n],
                                   ll.softmax_jacobian(batch.y[n]) @ batch.dy[n])


def test_tanh_is_a_stretched_and_squeezed_sigmoid():
    xs = np.linspace(-5, 5, 101)
    sigmoid = ACTIVATIONS["sigmoid"].f
    np.testing.assert_allclose(ACTIVATIONS["tanh"].f(xs), 2 * sigmoid(2 * xs) - 1, atol=1e-12)


def test_seed_003s_affine_example_fits_the_bounds():
    assert ll.MAX_SIZE >= 10
    p = ll.affine_pass(10, 2, 4)
    assert p.y.shape == (10, 4) and p.dx.shape == (10, 2) and p.dW.shape == (2, 4)
