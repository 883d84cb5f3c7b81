"""Lesson 1 as a learner reproduces it in a notebook, without Streamlit: the worked NAND of
seed 001, the book's gate weights, XOR from gates, every gate's verdict, the XOR network of
seed 004 trained with the page's default settings (by steps, never by time), and seed 003's
spiral.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import lessons.perceptron as pl
from engine.backend import InputError
from engine.datasets import logic_gate, spiral
from engine.network import MultiLayerNet
from engine.optimizers import SGD
from engine.trainer import Trainer

# ---------------------------------------------------------------- the perceptron


def test_nand_of_the_lecture_worked_through():
    """Seed 001: w1 = w2 = -2, b = 3 gives the sums 3, 1, 1, -1 and NAND's 1, 1, 1, 0."""
    check = pl.check_gate(pl.Perceptron(*pl.GATES["NAND"]), "NAND")
    assert pl.GATES["NAND"] == (-2.0, -2.0, 3.0)
    assert [r.a for r in check.rows] == [3, 1, 1, -1]
    assert check.outputs.tolist() == check.targets.tolist() == [1, 1, 1, 0]
    assert check.right == 4 and check.ok == [True] * 4
    assert check.columns()["a"] == [3, 1, 1, -1]
    assert pl.worked_sums(pl.Perceptron(-2, -2, 3)) == [
        r"(-2)\cdot0 + (-2)\cdot0 + 3 = 3 \;>\; 0 \Rightarrow y = 1",
        r"(-2)\cdot0 + (-2)\cdot1 + 3 = 1 \;>\; 0 \Rightarrow y = 1",
        r"(-2)\cdot1 + (-2)\cdot0 + 3 = 1 \;>\; 0 \Rightarrow y = 1",
        r"(-2)\cdot1 + (-2)\cdot1 + 3 = -1 \;\le\; 0 \Rightarrow y = 0",
    ]


@pytest.mark.parametrize(("gate", "weights", "sums"), [
    ("AND", (0.5, 0.5, -0.7), [-0.7, -0.2, -0.2, 0.3]),   # the book, chapter 2
    ("OR", (0.5, 0.5, -0.2), [-0.2, 0.3, 0.3, 0.8]),
    ("NAND", (-0.5, -0.5, 0.7), [0.7, 0.2, 0.2, -0.3]),   # the book's NAND: AND's, negated
])
def test_the_books_weights_give_their_gates(gate, weights, sums):
    check = pl.check_gate(pl.Perceptron(*weights), gate)
    assert [r.a for r in check.rows] == pytest.approx(sums)
    assert check.right == 4


def test_a_gate_the_weights_do_not_make():
    check = pl.check_gate(pl.Perceptron(*pl.GATES["AND"]), "XOR")
    assert check.outputs.tolist() == [0, 0, 0, 1]
    assert check.right == 1 and check.ok == [True, False, False, False]
    assert pl.worked_sums(pl.Perceptron(0.5, 0.5, -0.7))[3] == (
        r"0.5\cdot1 + 0.5\cdot1 + (-0.7) = 0.3 \;>\; 0 \Rightarrow y = 1")


def test_every_gates_verdict():
    verdicts = pl.gate_verdicts()
    assert list(verdicts) == ["AND", "OR", "NAND", "XOR"]
    for name in ("AND", "OR", "NAND"):
        v = verdicts[name]
        x, t = logic_gate(name)
        assert v.line is not None and v.line(x).tolist() == t.tolist()
        assert v.learned.converged and len(v.learned.errors) <= pl.LEARN_EPOCHS
        assert v.line_text.count(", ") == 2
    xor = verdicts["XOR"]
    assert xor.line is None and xor.line_text == "—"
    assert not xor.learned.converged and len(xor.learned.errors) == pl.LEARN_EPOCHS == 30


def test_xor_from_gates():
    columns = pl.xor_gates_columns()
    assert columns["x1"].tolist() == [0, 0, 1, 1] and columns["x2"].tolist() == [0, 1, 0, 1]
    assert columns["s1 = NAND"].tolist() == [1, 1, 1, 0]
    assert columns["s2 = OR"].tolist() == [0, 1, 1, 1]
    assert columns["y = AND(s1, s2)"].tolist() == pl.XOR_T.tolist() == [0, 1, 1, 0]


def test_the_xor_points_are_read_only():
    with pytest.raises(ValueError):
        pl.XOR_X[0, 0] = 5


# ---------------------------------------------------------------- XOR learned (seed 004)


def page_xor_trainer(hidden=2, seed=0, lr=2.0) -> Trainer:
    """The network as the page built it before lessons.perceptron had build_xor."""
    x, t = logic_gate("XOR", np.float64)
    net = MultiLayerNet(2, [hidden], 1, activation="sigmoid", weight_init_std=1.0,
                        output="sigmoid", dtype=np.float64, seed=seed)
    return Trainer(net, SGD(lr=lr), x, t, batch_size=4, seed=seed, eval_samples=0)


def test_configs_compare_by_value_and_are_frozen():
    assert pl.XorConfig(2, 0) == pl.XorConfig() and pl.XorConfig(3, 0) != pl.XorConfig()
    assert pl.SpiralConfig(10) == pl.SpiralConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        pl.XorConfig().hidden = 4


def test_build_xor_is_the_pages_network():
    run = pl.build_xor(pl.XorConfig(hidden=3, seed=7), lr=0.5)
    ref = page_xor_trainer(hidden=3, seed=7, lr=0.5)
    assert run.network.hidden_size_list == [3] and run.trainer.optimizer.lr == 0.5
    for key in ref.network.params:
        np.testing.assert_array_equal(run.network.params[key], ref.network.params[key])
    pl.advance_xor(run, steps=100)
    ref.run(max_steps=100)
    assert pl.xor_loss(run.network) == float(ref.network.loss(*logic_gate("XOR", np.float64)))


def test_the_xor_network_learns_with_the_pages_settings():
    """H = 2, seed 0, lr 2, 100 epochs a call: learned after 2,200 epochs, said once."""
    run = pl.build_xor(pl.XorConfig())
    assert run.trainer.optimizer.lr == pl.XOR_LR == 2.0
    steps = []
    while not steps or steps[-1].event is None:
        steps.append(pl.advance_xor(run))
        assert len(steps) <= 100, "no note in 10,000 epochs"
    last = steps[-1]
    assert last.event == "learned" and last.epoch == run.trainer.epoch == 2200
    assert last.loss == pytest.approx(0.003965, abs=1e-6)
    assert pl.xor_learned(run.network) and run.network.accuracy(pl.XOR_X, pl.XOR_T) == 1.0
    y = run.network.predict(pl.XOR_X).ravel()
    assert np.all(np.abs(y - pl.XOR_T) < 0.1)
    assert [s.epoch for s in steps] == list(range(100, 2201, 100))
    assert pl.advance_xor(run).event is None  # said once: training goes on quietly


def test_a_stuck_seed_is_seen():
    """Seed 5 with two hidden units settles near loss 0.085: stalled at epoch 4,000."""
    run = pl.build_xor(pl.XorConfig(hidden=2, seed=5))
    step = pl.advance_xor(run)
    while step.event is None:
        step = pl.advance_xor(run)
    assert (step.event, step.epoch) == ("stalled", 4000)
    assert step.loss == pytest.approx(0.0847, abs=1e-3) and not pl.xor_learned(run.network)
    assert pl.xor_stalled(run.trainer)


def test_nothing_is_stalled_before_two_windows():
    run = pl.build_xor(pl.XorConfig(hidden=2, seed=5))
    run.trainer.run(max_steps=2 * pl.XOR_STALL_WINDOW - 1)
    assert not pl.xor_stalled(run.trainer)


def test_the_cap_stops_the_run():
    run = pl.build_xor(pl.XorConfig(hidden=2, seed=5), lr=0.1)
    assert pl.advance_xor(run, steps=100, cap=150).event is None
    step = pl.advance_xor(run, steps=100, cap=150)
    assert (step.event, step.epoch) == ("cap", 150)
    assert pl.advance_xor(run, steps=100, cap=150) == step  # no further training


def test_the_probability_map_is_the_network_on_the_grid():
    net = pl.build_xor(pl.XorConfig()).network
    xs, ys, z = pl.probability_map(net)
    assert z.shape == (pl.XOR_GRID, pl.XOR_GRID) == (81, 81)
    np.testing.assert_array_equal(xs, np.linspace(-0.5, 1.5, 81))
    np.testing.assert_array_equal(ys, xs)
    g1, g2 = np.meshgrid(xs, xs)  # the page's own grid, before lessons.common.grid
    expected = net.predict(np.column_stack([g1.ravel(), g2.ravel()])).reshape(81, 81)
    np.testing.assert_array_equal(z, expected)
    assert z[0, -1] == pytest.approx(float(net.predict(np.array([[1.5, -0.5]]))[0, 0]))


def test_the_output_unit_as_a_line_and_the_delta_rule():
    net = pl.build_xor(pl.XorConfig()).network
    w1, w2, b = pl.output_line(net)
    assert (w1, w2, b) == (net.params["W2"][0, 0], net.params["W2"][1, 0], net.params["b2"][0])
    assert pl.output_line(pl.build_xor(pl.XorConfig(hidden=3)).network) is None
    assert pl.delta_gap(net) < 1e-12
    d = pl.output_delta(net, pl.XOR_X, pl.XOR_T)
    columns = pl.delta_columns(d)
    assert list(columns) == ["x1", "x2", "y_t", "y_o", pl.DELTA_COLUMN, "δ / N"]
    y_o = net.predict(pl.XOR_X).ravel()
    np.testing.assert_allclose(columns[pl.DELTA_COLUMN], (y_o - pl.XOR_T) * y_o * (1 - y_o))
    np.testing.assert_allclose(columns["δ / N"], columns[pl.DELTA_COLUMN] / 4)
    assert columns["y_t"].tolist() == [0, 1, 1, 0]


# ------------------------------------------------- into the hidden layer (seeds 001 and 004)


def trained_xor(hidden: int = 2, seed: int = 0, epochs: int = 300):
    run = pl.build_xor(pl.XorConfig(hidden=hidden, seed=seed))
    run.trainer.run(max_steps=epochs)
    return run.network


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def test_hidden_deltas_by_the_notes_index_formula():
    """δʰⱼ = h′(aʰⱼ)·Σₖ w²ₖⱼ·δᵒₖ, written out with seed 001's wˡⱼₖ (unit k of layer l to
    unit j of layer l + 1; w²ₖⱼ = W2[j, k]) one sample, one unit and one term at a time."""
    net = trained_xor(hidden=3)
    bp = pl.hidden_backprop(net)
    W1, b1, W2, b2 = (net.params[k] for k in ("W1", "b1", "W2", "b2"))
    for n, (x, t) in enumerate(zip(pl.XOR_X, pl.XOR_T, strict=True)):
        a_h = [sum(W1[k, j] * x[k] for k in range(2)) + b1[j] for j in range(3)]  # w¹ⱼₖ
        y_h = [sigmoid(a) for a in a_h]
        y_o = sigmoid(sum(W2[j, 0] * y_h[j] for j in range(3)) + b2[0])
        delta_o = (y_o - t) * y_o * (1 - y_o)
        assert bp.delta_o[n, 0] == pytest.approx(delta_o, rel=1e-12)
        for j in range(3):
            h_prime = y_h[j] * (1 - y_h[j])
            delta_h = h_prime * W2[j, 0] * delta_o  # Σₖ over the one output unit
            assert bp.h_prime[n, j] == pytest.approx(h_prime, rel=1e-12)
            assert bp.back[n, j] == pytest.approx(W2[j, 0] * delta_o, rel=1e-12)
            assert bp.delta_h[n, j] == pytest.approx(delta_h, rel=1e-12)
            for k in range(2):  # ∂C/∂w¹ⱼₖ = xₖ·δʰⱼ
                assert bp.dW1[n, k, j] == pytest.approx(x[k] * delta_h, rel=1e-12, abs=0)
            assert bp.dW2[n, j, 0] == pytest.approx(y_h[j] * delta_o, rel=1e-12)  # y_hⱼ·δᵒ


@pytest.mark.parametrize(("hidden", "seed", "epochs"), [(2, 0, 0), (2, 0, 300), (2, 0, 2200),
                                                         (2, 5, 4000), (3, 7, 500),
                                                         (8, 1, 100)])
def test_hidden_delta_gradients_are_backprops_and_the_numerical_ones(hidden, seed, epochs):
    """For every weight and bias, hidden and output: the mean over the four inputs of
    (input of w)·(δ of the unit it feeds) is net.gradient's value and the central
    difference's."""
    net = trained_xor(hidden, seed, epochs)
    mine = pl.hidden_backprop(net).grads()
    engine = net.gradient(pl.XOR_X, pl.XOR_T)
    numeric = net.numerical_gradient(pl.XOR_X, pl.XOR_T, h=1e-5)
    assert set(mine) == set(net.params) == {"W1", "b1", "W2", "b2"}
    for key in mine:
        assert mine[key].shape == net.params[key].shape
        np.testing.assert_allclose(mine[key], engine[key], rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(mine[key], numeric[key], rtol=1e-5, atol=1e-10)
    gaps = pl.backprop_gaps(net)
    assert gaps.backprop < 1e-14 and gaps.numerical < 1e-8


def test_the_update_is_the_sum_over_the_four_inputs():
    """One SGD step moves every parameter by −lr·(1/N)·Σₓ (input)·δ: the tables' last column."""
    run = pl.build_xor(pl.XorConfig(hidden=2, seed=3))
    net = run.network
    before = {k: v.copy() for k, v in net.params.items()}
    rows = pl.gradient_rows(pl.hidden_backprop(net))
    run.trainer.run(max_steps=1)
    for row in rows:
        assert row.mean == pytest.approx(row.each.sum() / 4, rel=1e-12)
        moved = net.params[row.key][row.index] - before[row.key][row.index]
        assert moved == pytest.approx(-pl.XOR_LR * row.mean, rel=1e-9, abs=1e-15)


def test_the_gradient_rows_name_every_parameter_in_the_notes_notation():
    bp = pl.hidden_backprop(trained_xor())
    rows = pl.gradient_rows(bp)
    assert [r.name for r in rows] == ["w¹₁₁", "w¹₁₂", "bʰ₁", "w¹₂₁", "w¹₂₂", "bʰ₂",
                                      "w²₁₁", "w²₁₂", "bᵒ₁"]
    assert [r.formula for r in rows] == ["x₁·δʰ₁", "x₂·δʰ₁", "1·δʰ₁", "x₁·δʰ₂", "x₂·δʰ₂",
                                         "1·δʰ₂", "y_h₁·δᵒ₁", "y_h₂·δᵒ₁", "1·δᵒ₁"]
    assert [(r.key, r.index) for r in rows[:3]] == [("W1", (0, 0)), ("W1", (1, 0)), ("b1", (0,))]
    assert rows[6].index == (0, 0) and rows[7].index == (1, 0)  # w²₁ⱼ = W2[j, 0]
    # w¹₁₂ (input 2 to hidden unit 1) is zero for the inputs with x2 = 0, (0, 0) and (1, 0)
    assert rows[1].each[[0, 2]].tolist() == [0.0, 0.0]
    np.testing.assert_array_equal(rows[1].each[[1, 3]], bp.delta_h[[1, 3], 0])
    rows8 = pl.gradient_rows(pl.hidden_backprop(trained_xor(hidden=8)))
    assert len(rows8) == 2 * 8 + 8 + 8 + 1  # W1, b1, W2, b2


def test_the_pages_backprop_tables():
    net = trained_xor()
    bp = pl.hidden_backprop(net)
    names = ["(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)"]
    assert pl.input_names(pl.XOR_X) == names
    deltas = pl.hidden_delta_table(bp)
    assert list(deltas) == [pl.QUANTITY_COLUMN, *names]
    assert deltas[pl.QUANTITY_COLUMN] == [
        "δᵒ₁", "y_h₁", "h′(aʰ₁) = y_h₁·(1 − y_h₁)", "Σₖ w²ₖ₁·δᵒₖ", "δʰ₁",
        "y_h₂", "h′(aʰ₂) = y_h₂·(1 − y_h₂)", "Σₖ w²ₖ₂·δᵒₖ", "δʰ₂"]
    column = deltas["(1, 0)"]
    assert column[4] == pytest.approx(column[2] * column[3]) == bp.delta_h[2, 0]
    assert column[2] == pytest.approx(column[1] * (1 - column[1]))
    grads = pl.gradient_table(bp)
    assert list(grads) == ["w", "∂C/∂w", *names, pl.MEAN_COLUMN]
    engine = net.gradient(pl.XOR_X, pl.XOR_T)
    assert grads[pl.MEAN_COLUMN][0] == pytest.approx(engine["W1"][0, 0], rel=1e-12)
    assert grads[pl.MEAN_COLUMN][-1] == pytest.approx(engine["b2"][0], rel=1e-12)
    for i in range(len(grads["w"])):
        assert grads[pl.MEAN_COLUMN][i] == pytest.approx(sum(grads[n][i] for n in names) / 4)


def test_the_worked_lines_carry_the_live_numbers():
    bp = pl.hidden_backprop(trained_xor())
    lines = pl.hidden_delta_lines(bp)
    assert len(lines) == 8  # two per input
    h, w, d, result = bp.h_prime[2, 0], bp.W2[0, 0], bp.delta_o[2, 0], bp.delta_h[2, 0]
    assert lines[4] == (rf"\delta^h_{{1}}\,(1, 0) &= {pl.latex_sig(h)}\cdot "
                        rf"{pl.latex_sig(w)}\cdot {pl.latex_sig(d)}")
    assert lines[5] == f"&= {pl.latex_sig(result, paren=False)}"
    assert float(pl.latex_sig(result, paren=False)) == pytest.approx(result, rel=1e-3)
    grad = pl.gradient_lines(bp)
    assert len(grad) == 4
    assert grad[0].startswith(r"\frac{\partial\,\mathrm{loss}}{\partial w^1_{11}} &=")
    assert grad[1].startswith(r"&= \frac{1}{4}\big(0\cdot") and grad[2].endswith(r"\big)")
    assert r"1\cdot" in grad[2]  # x₁ of the four inputs: 0, 0, 1, 1
    assert grad[3] == f"&= {pl.latex_sig(bp.dW1[:, 0, 0].mean(), paren=False)}"


def test_latex_numbers_to_significant_digits():
    assert pl.latex_sig(0.012849) == "0.01285"
    assert pl.latex_sig(-0.4170) == "(-0.417)"
    assert pl.latex_sig(-0.4170, paren=False) == "-0.417"
    assert pl.latex_sig(1.23456e-5) == r"1.235\times 10^{-5}"
    assert pl.latex_sig(0.0) == "0"


def test_hidden_backprop_takes_only_the_xor_network():
    with pytest.raises(InputError) as info:
        pl.hidden_backprop(MultiLayerNet(2, [3, 3], 1, activation="sigmoid", output="sigmoid"))
    assert info.value.code == "perceptron_backprop_net"
    with pytest.raises(InputError) as info:
        pl.hidden_backprop(MultiLayerNet(2, [3], 1, activation="relu", output="sigmoid"))
    assert info.value.code == "perceptron_backprop_net"
    net = trained_xor()
    with pytest.raises(InputError) as info:
        pl.hidden_backprop(net, np.zeros((4, 3)), pl.XOR_T)
    assert (info.value.code, info.value.details["shape"]) == ("perceptron_points_shape", "(4, 3)")
    with pytest.raises(InputError) as info:
        pl.hidden_backprop(net, pl.XOR_X, np.zeros(3))
    assert info.value.code == "perceptron_target_shape"
    with pytest.raises(InputError) as info:
        pl.hidden_backprop(net, np.array([["a", "b"]]), pl.XOR_T)
    assert info.value.code == "perceptron_not_real"


def test_bad_input_raises_coded_input_errors():
    """A notebook user's bad values: InputError (a ValueError) with a code and its values."""
    cases = {
        "perceptron_not_finite": lambda: pl.Perceptron(1, float("nan"), 0),
        "perceptron_not_real": lambda: pl.Perceptron(None, 1, 0),
        "perceptron_unknown_gate": lambda: pl.Perceptron.gate("nor"),
        "perceptron_lr_not_positive": lambda: pl.perceptron_learn(pl.XOR_X, pl.XOR_T, lr=0),
        "perceptron_points_shape": lambda: pl.Perceptron(1, 1, 0).predict([1, 2, 3]),
        "perceptron_vertical_line": lambda: pl.Perceptron(2, 0, -1).x2_on_line(0),
    }
    for code, make in cases.items():
        with pytest.raises(InputError) as info:
            make()
        assert isinstance(info.value, ValueError) and info.value.code == code
    with pytest.raises(InputError) as info:
        pl.Perceptron.gate("nor")
    assert info.value.details == {"gate": "nor", "choices": "AND/OR/NAND"}
    with pytest.raises(InputError) as info:
        pl.Perceptron(2, 0, -1).x2_on_line(0)
    assert info.value.details == {"x1": 0.5}


# ---------------------------------------------------------------- the spiral (seed 003)


def test_the_spiral_network_matches_seed_003():
    trainer = pl.build_spiral(pl.SpiralConfig())
    x, t = spiral()
    net = MultiLayerNet(2, [10], 3, activation="sigmoid", weight_init_std=0.01, seed=0)
    ref = Trainer(net, SGD(lr=1.0), x, t, batch_size=30, seed=0, eval_samples=None)
    assert pl.advance_spiral(trainer) is None and trainer.epoch == 10
    ref.run(until_epoch=10)
    assert float(trainer.network.loss(x, t)) == float(net.loss(x, t))


def test_the_spiral_is_done_after_300_epochs():
    trainer = pl.build_spiral(pl.SpiralConfig(), data=spiral())
    calls, acc = 1, pl.advance_spiral(trainer)
    while acc is None:
        calls, acc = calls + 1, pl.advance_spiral(trainer)
    assert calls == 30 and trainer.epoch == pl.SPIRAL_EPOCHS == 300
    assert acc == trainer.network.accuracy(*spiral()) >= 0.9
    xs, ys, regions = pl.class_regions(trainer.network)
    assert regions.shape == (100, 100) and set(np.unique(regions)) == {0, 1, 2}
    assert xs[0] == -pl.SPIRAL_LIM and ys[-1] == pl.SPIRAL_LIM
