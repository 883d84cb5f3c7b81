"""Figure builders of the layer zoo: shapes drawn to scale, numbers in the cells, formulas."""

import numpy as np
import plotly.graph_objects as go
import pytest

from lessons import layers as ll
from lessons.layers import SEED_W1, SEED_X, linear_equations, matrix_chain
from viz import layers as vl
from viz.common import DIVERGING, LEGEND_TOP
from viz.layers import (
    DIM_COLORS,
    Block,
    activation_figure,
    cell_size,
    equation_figure,
    format_vector,
    gradcheck_figure,
    latex_matrix,
    latex_row_vector,
    number_text,
    softmax_figure,
    substituted_row,
    timing_figure,
    worked_equations,
)

SEED_CHAIN = [ll.SEED_W1, ll.SEED_W2, ll.SEED_W3]


def heatmaps(fig: go.Figure) -> dict[str, go.Heatmap]:
    return {tr.name: tr for tr in fig.data if isinstance(tr, go.Heatmap)}


def texts(fig: go.Figure) -> list[str]:
    return [a.text for a in fig.layout.annotations]


def affine_forward(n=4, d=2, h=3):
    rng = np.random.default_rng(0)
    x, W, b = rng.standard_normal((n, d)), rng.standard_normal((d, h)), rng.standard_normal(h)
    return [Block("X", x, "N", "D"), "·", Block("W", W, "D", "H"), "+",
            Block("B", b, None, "H", shape_text=f"({h},)"), "=",
            Block("Y", x @ W + b, "N", "H")]


def test_block_turns_vectors_and_scalars_into_rows():
    assert Block("b", np.arange(3)).values.shape == (1, 3)
    assert Block("s", np.float64(2.0)).values.shape == (1, 1)
    assert Block("c", np.arange(3).reshape(-1, 1)).values.shape == (3, 1)
    with pytest.raises(ValueError, match="2-D"):
        Block("t", np.zeros((2, 2, 2)))


@pytest.mark.parametrize(("value", "text"), [(0.0, "0"), (-3.0, "-3"), (2.0, "2"),
                                            (0.7366, "0.737"), (-1.2345, "-1.23"),
                                            (123456.0, "1.23e+05"), (float("nan"), "nan")])
def test_number_text(value, text):
    assert number_text(value) == text


def test_format_vector():
    assert format_vector(np.array([-3.0, 0.0, -2.0])) == "[-3, 0, -2]"


def test_each_block_is_a_heatmap_with_its_own_numbers():
    items = affine_forward()
    fig = equation_figure(items)
    maps = heatmaps(fig)
    assert list(maps) == ["X", "W", "B", "Y"]
    for block in (it for it in items if isinstance(it, Block)):
        np.testing.assert_array_equal(np.asarray(maps[block.name].z), block.values)
        assert maps[block.name].text[0][0] == number_text(block.values[0, 0])
    assert all(tr.coloraxis == "coloraxis" for tr in maps.values())
    zmax = max(np.abs(b.values).max() for b in items if isinstance(b, Block))
    assert fig.layout.coloraxis.cmin == -zmax and fig.layout.coloraxis.cmax == zmax
    assert fig.layout.coloraxis.cmid == 0


def test_cells_are_square_and_blocks_are_as_big_as_their_shapes():
    fig = equation_figure(affine_forward(n=5, d=2, h=3), cell_px=40)
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.scaleratio == 1
    maps = heatmaps(fig)
    assert (maps["X"].dx, maps["X"].dy) == (1, 1)
    outlines = [s for s in fig.layout.shapes if s.type == "rect" and s.fillcolor is None]
    sizes = sorted((round(s.x1 - s.x0), round(s.y1 - s.y0)) for s in outlines)
    assert sizes == sorted([(2, 5), (3, 2), (3, 1), (3, 5)])  # X, W, B, Y: (cols, rows)


def test_edges_are_coloured_and_labelled_by_their_size():
    fig = equation_figure([Block("dX", np.zeros((4, 2)), "N", "D"), "=",
                           Block("dY", np.ones((4, 3)), "N", "H"), "·",
                           Block("Wᵀ", np.ones((3, 2)), "H", "D")])
    labels = texts(fig)
    for label in ("N=4", "D=2", "H=3"):
        assert label in labels
    edge_colors = {s.line.color for s in fig.layout.shapes if s.type == "line"}
    assert edge_colors == set(DIM_COLORS.values())
    # dY's column edge and Wᵀ's row edge have the same colour: the inner size H.
    h_label = [a for a in fig.layout.annotations if a.text == "H=3"]
    assert len(h_label) == 2 and {a.font.color for a in h_label} == {DIM_COLORS["H"]}


def test_names_shapes_and_operators_are_written():
    joined = " ".join(texts(equation_figure(affine_forward())))
    for part in ("<b>X</b><br>4×2", "<b>B</b><br>(3,)", "·", "+", "="):
        assert part in joined


def test_hidden_blocks_are_frames_with_a_question_mark():
    fig = equation_figure([Block("X", np.ones((3, 1))), "→",
                           Block("L1", np.ones((3, 1)), hidden=True)])
    assert list(heatmaps(fig)) == ["X"]
    assert "?" in texts(fig)


def test_copied_cells_and_dimmed_blocks_are_faded():
    copied = np.array([[False, False], [True, True]])
    fig = equation_figure([Block("B", np.ones((2, 2)), copied=copied),
                           Block("D", np.ones((2, 2)), dimmed=True)])
    faded = [s for s in fig.layout.shapes if s.fillcolor and "255,255,255" in s.fillcolor]
    assert len(faded) == 2 + 1


def test_numbers_leave_the_cells_when_they_get_too_small():
    big = equation_figure([Block("A", np.ones((2, 2)))], cell_px=40)
    small = equation_figure([Block("A", np.ones((2, 2)))], cell_px=12)
    assert big.data[0].texttemplate == "%{text}"
    assert small.data[0].texttemplate is None
    assert "A[%{customdata[0]}, %{customdata[1]}]" in small.data[0].hovertemplate


def test_one_cell_size_for_a_group_fits_the_widest():
    wide = affine_forward(n=4, d=8, h=8)
    narrow = [Block("b", np.ones((1, 2)))]
    px = cell_size(wide, narrow)
    assert px == cell_size(wide) < cell_size(narrow)
    assert cell_size(narrow) == 64.0  # capped
    assert cell_size(wide, slides=True) > cell_size(wide)
    # The height follows the cell size.
    assert equation_figure(wide, cell_px=px * 2).layout.height > equation_figure(
        wide, cell_px=px).layout.height


def test_an_equation_needs_a_block():
    with pytest.raises(ValueError, match="at least one block"):
        equation_figure(["="])


def test_all_zero_values_keep_a_usable_colour_scale():
    fig = equation_figure([Block("Z", np.zeros((2, 2)))])
    assert fig.layout.coloraxis.cmax == 1.0


def test_activation_figure():
    xs = np.linspace(-1, 1, 5)
    fig = activation_figure(xs, xs**2, 2 * xs, [0.5], [0.25], f_label="f", df_label="df",
                            points_label="pts", x_title="x")
    assert [tr.name for tr in fig.data] == ["f", "df", "pts"]
    assert fig.data[1].line.dash == "dash"
    np.testing.assert_array_equal(fig.data[2].x, [0.5])


def test_softmax_figure():
    fig = softmax_figure(["c0", "c1", "c2"], [0.3, 2.9, 4.0], [0.1, 0.2, 0.7], [0, 0, 1],
                         [0.1, 0.2, -0.3], titles=["a", "y", "g"], prob_label="y",
                         target_label="t")
    assert len(fig.data) == 4 and all(isinstance(tr, go.Bar) for tr in fig.data)
    np.testing.assert_allclose(fig.data[2].y, [0, 0, 1])
    assert [a.text for a in fig.layout.annotations] == ["a", "y", "g"]
    # the sign convention: red +, blue −, the ends of DIVERGING
    assert list(fig.data[3].marker.color) == [vl.POSITIVE, vl.POSITIVE, vl.NEGATIVE]
    assert (DIVERGING[-1][1], DIVERGING[0][1]) == (vl.POSITIVE, vl.NEGATIVE)
    assert not [a for a in fig.layout.annotations if a.name == "sign_key"]
    keyed = softmax_figure(["c0"], [1.0], [1.0], [1], [0.0], titles=["a", "y", "g"],
                           prob_label="y", target_label="t", sign_label="red +, blue −")
    assert [a.text for a in keyed.layout.annotations if a.name == "sign_key"] == [
        "red +, blue −"]


def test_gradcheck_figure_has_a_diagonal():
    a = np.array([[1.0, -2.0]])
    fig = gradcheck_figure(["x", "W"], [a, a * 2], [a, a * 2], x_title="bp", y_title="num")
    assert [tr.name for tr in fig.data[:2]] == ["x", "W"]
    diag = fig.data[-1]
    assert list(diag.x) == list(diag.y) and diag.showlegend is False
    assert fig.layout.yaxis.scaleanchor == "x"


def test_timing_figure_is_logarithmic():
    fig = timing_figure(["Affine", "ReLU"], [0.05, 0.02], [0.5, 0.3], backprop_label="b",
                        numerical_label="n", x_title="ms")
    assert fig.layout.xaxis.type == "log"
    assert [tr.name for tr in fig.data] == ["b", "n"]


def test_latex_matrices():
    assert latex_matrix([[2, -1], [0, 1.5]]) == (
        r"\begin{bmatrix} 2 & -1 \\ 0 & 1.5 \end{bmatrix}")
    assert latex_matrix([1, 2]) == r"\begin{bmatrix} 1 \\ 2 \end{bmatrix}"
    assert latex_row_vector([0.1, -0.1]) == r"\begin{bmatrix} 0.1 & -0.1 \end{bmatrix}"


def test_substituted_row_leaves_out_zeros_and_brackets_negatives():
    assert substituted_row([2, 2, -1], [0, 0, 1]) == r"2\cdot 0 + 2\cdot 0 - 1\cdot 1"
    assert substituted_row([-1, 0, 0], [-1, 0, -1]) == r"-1\cdot (-1)"
    assert substituted_row([0, 0], [1, 2]) == "0"


def test_worked_equations_for_the_seeds_first_layer():
    names_in = ["X_{0}", "X_{1}", "X_{2}"]
    names_out = ["L_{10}", "L_{11}", "L_{12}"]
    eqs = linear_equations(SEED_W1, names_in, names_out)
    step = matrix_chain([SEED_W1], SEED_X)[0]
    lines = worked_equations(eqs, SEED_W1, SEED_X, step.pre_activation)
    assert lines[0] == r"L_{10} = 2X_{0} + 2X_{1} - X_{2} = 2\cdot 0 + 2\cdot 0 - 1\cdot 1 = -1"
    assert lines[2].endswith("= -1") and lines[1].endswith("= 0")


# --- the lesson's figures, formulas and tables, from lessons.layers' results ------------------

def test_the_palette_and_legends_are_the_shared_ones():
    assert vl.DIVERGING is DIVERGING  # viz.mnist draws its weights with the same scale
    xs = np.linspace(-1, 1, 3)
    fig = activation_figure(xs, xs, xs, [0], [0], f_label="f", df_label="d", points_label="p",
                            x_title="x")
    assert fig.layout.legend.to_plotly_json() == LEGEND_TOP
    fig = equation_figure([Block("A", np.ones((1, 1)))])
    assert [c for _, c in fig.layout.coloraxis.colorscale] == [c for _, c in DIVERGING]


def test_affine_figures_hold_forward_and_backward_at_one_cell_size():
    p = ll.affine_pass(4, 2, 3, seed=0)
    figs = vl.affine_figures(p)
    assert [list(heatmaps(f)) for f in figs] == [["X", "W", "B", "Y"], ["dX", "dY", "Wᵀ"],
                                                 ["dW", "Xᵀ", "dY"], ["dB", "dY"]]
    np.testing.assert_array_equal(np.asarray(heatmaps(figs[1])["dX"].z), p.dx)
    np.testing.assert_array_equal(np.asarray(heatmaps(figs[3])["dB"].z).ravel(), p.db)
    # one cell size for the four figures: pixels per cell from each figure's height
    px = [(f.layout.height - vl.MARGIN_Y) / abs(f.layout.yaxis.range[0] - f.layout.yaxis.range[1])
          for f in figs]
    assert max(px) - min(px) < 0.5
    assert "(3,)" in " ".join(texts(figs[0]))


def test_chain_figures_at_each_step():
    run = ll.run_chain(SEED_CHAIN, ll.SEED_X)
    flow, step, collapsed = vl.chain_figures(run, 2, "ReLU")
    assert list(heatmaps(flow)) == ["X", "L1", "L2"]  # Y is not computed yet: a frame with '?'
    assert "?" in texts(flow)
    assert list(heatmaps(step)) == ["W2", "L1", "L2"]
    np.testing.assert_array_equal(np.asarray(heatmaps(step)["L2"].z).ravel(), [-1, 1, -4])
    np.testing.assert_array_equal(np.asarray(heatmaps(collapsed)["Y"].z).ravel(), [-3, 0, -2])
    assert flow.layout.coloraxis.cmax == step.layout.coloraxis.cmax == run.zmax
    relu = ll.run_chain(SEED_CHAIN, ll.SEED_X, "relu")
    _, step, _ = vl.chain_figures(relu, 1, "ReLU")
    assert list(heatmaps(step)) == ["W1", "X", "W1·X", "L1"]
    assert "ReLU →" in texts(step)
    flow, _, _ = vl.chain_figures(relu, 3, "ReLU")
    assert "W<sub>1</sub>, ReLU →" in texts(flow) and "W<sub>3</sub> →" in texts(flow)


def test_chain_formulas():
    run = ll.run_chain(SEED_CHAIN, ll.SEED_X)
    eqs = vl.chain_equations(run)
    assert eqs[0][0] == "L_{10} = 2X_{0} + 2X_{1} - X_{2}"
    assert eqs[2][0].startswith("Y_{0} = ")
    assert vl.aligned(["a = b", "c = d = e"]) == (
        r"\begin{aligned} a &= b \\ c &= d = e \end{aligned}")
    assert vl.collapse_latex(run).endswith(r"\begin{bmatrix} -3 \\ 0 \\ -2 \end{bmatrix}")
    assert vl.latex_names("L2", 2) == ["L_{20}", "L_{21}"]
    assert vl.latex_names("X", 2) == ["X_{0}", "X_{1}"]
    p = ll.affine_pass(1, 2, 3, seed=0)
    assert vl.affine_sample_latex(p).startswith(r"\begin{aligned} x_0 \cdot W + B &= ")
    assert set(vl.ACTIVATION_LATEX) == set(ll.ACTIVATIONS)


def test_broadcast_figures():
    demo = ll.broadcast_demo((2, 3), (3,), "+")
    fig = vl.broadcast_figure(demo)
    assert list(heatmaps(fig)) == ["A", "B", "A + B"]
    assert "<b>B</b><br>(3,) → (2, 3)" in texts(fig)
    a, b = ll.case_operands(ll.find_case("bad_vector"))
    fig = vl.broadcast_failed_figure(a, b, "+")
    assert list(heatmaps(fig)) == ["A", "B"] and "= ✗" in texts(fig)


def test_tables():
    p = ll.activation_pass("relu", ll.ACTIVATION_INPUTS, [1.0] * 5)
    frame = vl.activation_table(p, "mask")
    assert list(frame.index) == ["x", "y", "mask", "dout", "dx"]
    assert list(frame.columns) == ["0", "1", "2", "3", "4"]
    r = ll.softmax_loss(ll.WORKED_LOGITS, ll.WORKED_TARGET)
    frame = vl.loss_table(r, ["c0", "c1", "c2"], ["a", "y", "t", "swl", "se", "se_a"])
    np.testing.assert_allclose(frame["swl"], r.y[0] - r.onehot[0])
    np.testing.assert_allclose(frame["se"], r.y[0] - r.onehot[0])  # with respect to y
    np.testing.assert_allclose(frame["se_a"], ll.softmax_jacobian(r.y[0]) @ r.dy[0])
    rows = ll.losses(ll.WORKED_LOGITS, ll.WORKED_TARGET)
    frame = vl.losses_table(rows, {"ce": "CE", "se": "SE", "mse": "MSE", "bce": "BCE"}, "L",
                            ["g0", "g1", "g2"])
    assert list(frame.index) == ["CE", "SE", "MSE", "BCE"]
    np.testing.assert_allclose(frame.loc["CE", ["g0", "g1", "g2"]], r.y[0] - r.onehot[0])
    rules = vl.rule_table(ll.broadcast_axes((2, 3), (2,)), ["axis", "out", "rule"],
                          {"new_b": "new", "mismatch": "no"})
    assert rules.to_dict("list") == {"axis": [-2, -1], "A": ["2", "3"], "B": ["–", "2"],
                                     "out": ["2", "✗"], "rule": ["new", "no"]}
    case = ll.gradcheck_case("affine", 2, 2, 3)
    result = ll.run_check(case)
    frame = vl.check_table(ll.array_names(case), result, ["array", "shape", "error", "ok"])
    assert list(frame["shape"]) == ["(2, 2)", "(2, 3)", "(3,)"] and set(frame["ok"]) == {"✓"}
    rows = ll.check_all(2, 2, 3)
    frame = vl.summary_table(rows, ll.CHECK_LABELS, list("lepbnN"), "skipped")
    assert list(frame["l"])[-1] == "BatchNormalization" and list(frame["N"])[-1] == "skipped"
    assert list(frame["p"])[-1] == "✗"


def test_equation_figures_state_the_sign_convention_when_asked():
    plain = equation_figure([Block("A", np.array([[1.0, -1.0]]))])
    assert not [a for a in plain.layout.annotations if a.name == "sign_key"]
    keyed = equation_figure([Block("A", np.array([[1.0, -1.0]]))], sign_label="+/-")
    assert [a.text for a in keyed.layout.annotations if a.name == "sign_key"] == ["+/-"]
    assert keyed.layout.coloraxis.cmid == 0
    p = ll.affine_pass(2, 2, 3)
    for fig in (*vl.affine_figures(p, sign_label="k"),
                *vl.chain_figures(ll.run_chain([ll.SEED_W1], ll.SEED_X), 1, "", sign_label="k"),
                vl.broadcast_figure(ll.broadcast_demo((2, 3), (3,)), sign_label="k"),
                vl.broadcast_failed_figure(np.ones((2, 3)), np.ones(2), "+", sign_label="k")):
        assert [a.text for a in fig.layout.annotations if a.name == "sign_key"] == ["k"]


def test_worked_latex():
    m = ll.matmul_worked()
    assert vl.matmul_entries_latex(m) == [
        "C_{11} = 1\\cdot 5 + 2\\cdot 7 = 19", "C_{12} = 1\\cdot 6 + 2\\cdot 8 = 22",
        "C_{21} = 3\\cdot 5 + 4\\cdot 7 = 43", "C_{22} = 3\\cdot 6 + 4\\cdot 8 = 50"]
    assert vl.latex_matrix([[19, 22], [43, 50]]) in vl.matmul_latex(m)
    d = ll.dx_derivation(0)
    lines = vl.dx_derivation_latex(d)
    assert len(lines) == 4 and "W_{11}" in lines[0] and "W_{22}" in lines[2]
    assert lines[1].endswith(vl.latex_number(d.dx[0]))
    assert lines[3].endswith(vl.latex_number(d.dx[1]))
    assert r"0.1\cdot 0.6 + (-1)\cdot 0.1 = -0.04" in lines[1]  # seed 0
    j = ll.softmax_jacobian_pass([0.3, 2.9, 4.0], 2)
    assert vl.fixed_matrix(j.J) in vl.jacobian_latex(j)
    assert vl.fixed_matrix(j.y_minus_t) in vl.jacobian_backward_latex(j)
    assert vl.fixed(-0.0001) == "0.000" and vl.fixed(-0.25) == "-0.250"
    assert r"2\sigma(2x) - 1" in vl.ACTIVATION_LATEX["tanh"][0]
