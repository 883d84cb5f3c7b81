"""Lesson 3: the layer zoo. Affine with its shapes, the matrix chain of seed 000, activations,
softmax and the losses, broadcasting, and a live gradient check of every layer.

Seeds 000 (the chain X = [0, 0, 1] through W1, W2, W3; Affine's (2,)·(2,3)+(3,)),
003 (broadcasting, Affine/Sigmoid/SoftmaxWithLoss backward, the shape diagrams)
and 001 (squared error C = 1/(2n)·Σ‖y − ŷ‖²). Every number comes from the engine.
"""

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from engine.functions import cross_entropy_error, numerical_gradient, softmax
from engine.gradcheck import check_layer, relative_error
from engine.layers import ACTIVATIONS, Affine, SoftmaxWithLoss, SquaredErrorLoss
from lessons import broadcast, chain, zoo
from ui.chart import show_chart
from ui.code import show_code
from ui.editors import Limits, pending_problem, show_refused
from ui.i18n import t
from ui.messages import show_error
from ui.params import ChoiceParam, FloatParam, IntParam, load_params, save_params, show_notices
from ui.settings import slides_on
from viz import layers as vl
from viz.layers import Block

PAGE = "layers"
N = IntParam(PAGE, "N", 4, 1, zoo.MAX_SIZE)
D = IntParam(PAGE, "D", 2, 1, zoo.MAX_SIZE)
H = IntParam(PAGE, "H", 3, 1, zoo.MAX_SIZE)
SEED = IntParam(PAGE, "seed", 0, 0, 9999)
CHAIN_ACT = ChoiceParam(PAGE, "chain_act", "none", choices=("none", *chain.CHAIN_ACTIVATIONS))
CHAIN_STEP = ChoiceParam(PAGE, "step", 3, choices=(1, 2, 3))
ACT = ChoiceParam(PAGE, "act", "relu", choices=tuple(ACTIVATIONS))
LOGITS = [FloatParam(PAGE, f"a{k}", v, -10.0, 10.0) for k, v in enumerate((0.3, 2.9, 4.0))]
TARGET = ChoiceParam(PAGE, "target", 2, choices=(0, 1, 2))
BCASE = ChoiceParam(PAGE, "bcase", "bias",
                    choices=(*(c.id for c in broadcast.CASES), "custom"))
BOP = ChoiceParam(PAGE, "bop", "+", choices=tuple(broadcast.OPS))
CHECK = ChoiceParam(PAGE, "check", "affine", choices=tuple(zoo.CHECK_CASES))
PARAMS = [N, D, H, SEED, CHAIN_ACT, CHAIN_STEP, ACT, *LOGITS, TARGET, BCASE, BOP, CHECK]

CELL_BOUND = 9  # chain cells are integers in -9..9
CELL_WIDTH = 46  # pixels: four editors side by side fit the page
INPUT_BOUND = 10.0  # the activation inputs and upstream gradients
CHAIN_BASE = "layers.chain.base"  # {name: list of rows} the editors start from
CHAIN_VERSION = "layers.chain.version"  # bumped to give the editors fresh state
CHAIN_ACCEPTED = "layers.chain.accepted"  # the editors' values that passed the checks last
CHAIN_MAX_ROWS = 8  # rows of one matrix (or entries of X), checked on the server too
CHAIN_LIMITS = Limits(-CELL_BOUND, CELL_BOUND, whole=True, max_rows=CHAIN_MAX_ROWS)
CHAIN_INPUTS = {"X": ["X"], "W1": ["X0", "X1", "X2"], "W2": ["L10", "L11", "L12"],
                "W3": ["L20", "L21", "L22"]}
ACT_EDITOR = "layers.act.editor"
ACT_VERSION = "layers.act.version"  # bumped to give the editor fresh state
ACT_LIMITS = Limits(-INPUT_BOUND, INPUT_BOUND)
BC_SHAPE_A, BC_SHAPE_B = "layers.bc.shape_a", "layers.bc.shape_b"
CHAIN_NAMES = ("X", "W1", "W2", "W3")
TOL = 1e-6

slides = slides_on()


# --- state ------------------------------------------------------------------------------------

def seed_chain() -> dict:
    return {"X": chain.SEED_X.tolist(), "W1": chain.SEED_W1.tolist(),
            "W2": chain.SEED_W2.tolist(), "W3": chain.SEED_W3.tolist()}


def set_chain(base: dict) -> None:
    st.session_state[CHAIN_BASE] = base
    st.session_state[CHAIN_VERSION] = st.session_state.get(CHAIN_VERSION, 0) + 1


def reset_chain() -> None:
    set_chain(seed_chain())


def randomize_chain() -> None:
    mats, x = chain.random_chain(seed=int(st.session_state[SEED.state_key]))
    set_chain({"X": x.tolist(), **{f"W{i}": W.tolist() for i, W in enumerate(mats, start=1)}})


def case_changed() -> None:
    """A new broadcasting case brings its own operation."""
    case = next((c for c in broadcast.CASES if c.id == st.session_state[BCASE.state_key]), None)
    if case is not None:
        st.session_state[BOP.state_key] = case.op


if CHAIN_BASE not in st.session_state:
    st.session_state[CHAIN_BASE] = seed_chain()
    st.session_state[CHAIN_VERSION] = 0
st.session_state.setdefault(BC_SHAPE_A, "(2, 3)")
st.session_state.setdefault(BC_SHAPE_B, "(3,)")


# --- small helpers ----------------------------------------------------------------------------

def labels(param: ChoiceParam, label) -> Callable:
    """A format_func reading labels made now, in this run's language.

    (AppTest calls a widget's format_func again outside the script run, where the
    language cannot be read; a lookup in labels made during the run stays right.)
    """
    return {choice: label(choice) for choice in param.choices}.__getitem__


def ms(seconds: float) -> str:
    return t("layers.ms", value=f"{seconds * 1e3:.3g}")


def latex_names(prefix: str, count: int) -> list[str]:
    """X_0, X_1, ... or L_{10}, L_{11}, ... (the seed's names)."""
    if prefix in ("X", "Y"):
        return [f"{prefix}_{{{i}}}" for i in range(count)]
    return [f"{prefix[0]}_{{{prefix[1:]}{i}}}" for i in range(count)]


def aligned(lines: list[str]) -> str:
    body = r" \\ ".join(line.replace(" = ", " &= ", 1) for line in lines)
    return r"\begin{aligned} " + body + r" \end{aligned}"


def chain_frame(name: str, rows: list) -> pd.DataFrame:
    """The editor's table for one matrix of the chain (X: one column of entries)."""
    rows = [[v] for v in rows] if name == "X" else rows
    return pd.DataFrame(rows, columns=CHAIN_INPUTS[name], dtype="Int64")


def matrix_editor(name: str, frame: pd.DataFrame) -> np.ndarray:
    """A bounded integer data editor; returns its current values (NaN where a cell is empty)."""
    config = {c: st.column_config.NumberColumn(c, min_value=-CELL_BOUND, max_value=CELL_BOUND,
                                               step=1, default=0, required=True,
                                               width=CELL_WIDTH)
              for c in frame.columns}
    edited = st.data_editor(frame, key=chain_key(name), column_config=config,
                            num_rows="dynamic", hide_index=True, width="stretch")
    return edited.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)


def base_rows(name: str, values: np.ndarray) -> list:
    """An editor's values as the lists CHAIN_BASE holds (None for an empty cell)."""
    rows = [[None if math.isnan(v) else int(v) for v in row] for row in values]
    return [row[0] for row in rows] if name == "X" else rows


def chain_key(name: str) -> str:
    return f"layers.chain.{name}.v{st.session_state[CHAIN_VERSION]}"


# --- page -------------------------------------------------------------------------------------

st.title(t("lesson.layers.title"))
st.markdown(t("layers.intro"))
show_notices(load_params(PARAMS))

with st.container(border=True):
    st.markdown(t("layers.sizes.heading"))
    c_n, c_d, c_h, c_seed = st.columns(4)
    c_n.slider(t("layers.sizes.n"), N.lo, N.hi, key=N.state_key, help=t("layers.sizes.n_help"))
    c_d.slider(t("layers.sizes.d"), D.lo, D.hi, key=D.state_key, help=t("layers.sizes.d_help"))
    c_h.slider(t("layers.sizes.h"), H.lo, H.hi, key=H.state_key, help=t("layers.sizes.h_help"))
    c_seed.number_input(t("layers.sizes.seed"), SEED.lo, SEED.hi, step=1, key=SEED.state_key,
                        help=t("layers.sizes.seed_help"))
    st.caption(t("layers.sizes.caption"))
n, d, h, seed = (int(st.session_state[p.state_key]) for p in (N, D, H, SEED))

tab_affine, tab_chain, tab_act, tab_loss, tab_bc, tab_check = st.tabs([
    t("layers.tab.affine"), t("layers.tab.chain"), t("layers.tab.activations"),
    t("layers.tab.loss"), t("layers.tab.broadcast"), t("layers.tab.check"),
])


# --- 1. Affine ----------------------------------------------------------------------------------

def affine_tab() -> None:
    st.header(t("layers.affine.heading"))
    st.markdown(t("layers.affine.intro"))
    st.latex(r"Y = X \cdot W + B \qquad (N\times D)\cdot(D\times H) + (H,) = (N\times H)")

    x, W, b = zoo.affine_example(n, d, h, seed)
    layer = Affine(W.copy(), b.copy())
    y = layer.forward(x)
    dy = zoo.upstream(y.shape, seed)
    dx = layer.backward(dy)
    dW, db = layer.grads
    forward = [Block("X", x, "N", "D"), "·", Block("W", W, "D", "H"), "+",
               Block("B", b, None, "H", shape_text=f"({h},)"), "=", Block("Y", y, "N", "H")]
    backward_dx = [Block("dX", dx, "N", "D"), "=", Block("dY", dy, "N", "H"), "·",
                   Block("Wᵀ", W.T, "H", "D")]
    backward_dw = [Block("dW", dW, "D", "H"), "=", Block("Xᵀ", x.T, "D", "N"), "·",
                   Block("dY", dy, "N", "H")]
    backward_db = [Block("dB", db, None, "H", shape_text=f"({h},)"), "=", "Σ<sub>N</sub>",
                   Block("dY", dy, "N", "H")]
    px = vl.cell_size(forward, backward_dx, backward_dw, backward_db, slides=slides)

    show_chart(vl.equation_figure(forward, slides=slides, cell_px=px), "layers-affine-forward")
    st.caption(t("layers.affine.forward_caption", n=n, d=d, h=h))

    st.markdown(t("layers.affine.one_sample", d=d, h=h))
    st.latex(r"\begin{aligned} x_0 \cdot W + B &= " + vl.latex_row_vector(x[0]) + r" \cdot "
             + vl.latex_matrix(W) + " + " + vl.latex_row_vector(b) + r" \\ &= "
             + vl.latex_row_vector(y[0]) + r" \end{aligned}")
    show_code(Affine)

    st.subheader(t("layers.affine.backward_heading"))
    st.markdown(t("layers.affine.backward_intro"))
    st.latex(r"dX = dY \cdot W^{\mathsf T} \qquad dW = X^{\mathsf T} \cdot dY \qquad "
             r"dB = \textstyle\sum_{n} dY_{n}")
    st.markdown(t("layers.affine.dx"))
    show_chart(vl.equation_figure(backward_dx, slides=slides, cell_px=px), "layers-affine-dx")
    st.markdown(t("layers.affine.dw"))
    show_chart(vl.equation_figure(backward_dw, slides=slides, cell_px=px), "layers-affine-dw")
    st.markdown(t("layers.affine.db"))
    show_chart(vl.equation_figure(backward_db, slides=slides, cell_px=px), "layers-affine-db")
    st.info(t("layers.affine.shape_rule"), icon=":material/straighten:")
    show_code(Affine.backward, zoo.upstream)


# --- 2. The matrix chain ------------------------------------------------------------------------

def chain_tab() -> None:
    st.header(t("layers.chain.heading"))
    st.markdown(t("layers.chain.intro"))
    base = st.session_state[CHAIN_BASE]

    b_reset, b_random = st.columns(2)
    b_reset.button(t("layers.chain.reset"), on_click=reset_chain, key="layers.chain.reset",
                   icon=":material/restart_alt:", width="stretch")
    b_random.button(t("layers.chain.random", seed=seed), on_click=randomize_chain,
                    key="layers.chain.random", icon=":material/casino:", width="stretch")
    st.caption(t("layers.chain.edit_hint", bound=CELL_BOUND, rows=CHAIN_MAX_ROWS))
    frames = {name: chain_frame(name, base[name]) for name in CHAIN_NAMES}
    # the browser's edits are checked here, before any editor applies them (ui/editors.py)
    problem = next(filter(None, (pending_problem(chain_key(name), frames[name], CHAIN_LIMITS)
                                 for name in CHAIN_NAMES)), None)
    if problem:
        show_refused(problem)
        set_chain(st.session_state.get(CHAIN_ACCEPTED, base))
        frames = {name: chain_frame(name, st.session_state[CHAIN_BASE][name])
                  for name in CHAIN_NAMES}
    cols = st.columns([0.75, 1.75, 1.75, 1.75])
    values = {}
    for col, name in zip(cols, CHAIN_NAMES, strict=True):
        with col:
            st.markdown(f"**{name}**")
            values[name] = matrix_editor(name, frames[name])
    st.session_state[CHAIN_ACCEPTED] = {name: base_rows(name, values[name])
                                        for name in CHAIN_NAMES}
    x = values["X"][:, 0] if values["X"].size else np.zeros(0)
    mats = [values["W1"], values["W2"], values["W3"]]

    act = st.segmented_control(
        t("layers.chain.activation"), CHAIN_ACT.choices, key=CHAIN_ACT.state_key,
        required=True, format_func=labels(CHAIN_ACT, chain_act_label),
        help=t("layers.chain.activation_help"))
    activation = None if act == "none" else act

    try:
        steps = chain.matrix_chain(mats, x, activation)
        product = chain.collapse(mats)
    except ValueError as err:
        show_error(err)
        st.info(t("layers.chain.shape_hint"), icon=":material/lightbulb:")
        show_code(chain.matrix_chain)
        return

    names = ["X", "L1", "L2", "Y"]
    st.subheader(t("layers.chain.equations_heading"))
    st.markdown(t("layers.chain.equations_intro"))
    eq_cols = st.columns(3)
    symbols = []
    for k, (col, s) in enumerate(zip(eq_cols, steps, strict=True)):
        in_names = latex_names(names[k], len(s.x_in))
        out_names = latex_names(names[k + 1], len(s.pre_activation))
        eqs = chain.linear_equations(s.W, in_names, out_names)
        symbols.append((in_names, out_names, eqs))
        col.latex(aligned(eqs))

    st.subheader(t("layers.chain.step_heading"))
    k = st.segmented_control(
        t("layers.chain.step"), CHAIN_STEP.choices, key=CHAIN_STEP.state_key, required=True,
        format_func=lambda i: f"{names[i]} = W{i}·{names[i - 1]}")
    flow = [Block("X", x.reshape(-1, 1), shape_text=f"({len(x)},)", dimmed=k > 1)]
    for i, s in enumerate(steps, start=1):
        arrow = f"W<sub>{i}</sub>" + (f", {chain_act_label(act)}" if activation and i < 3
                                        else "") + " →"
        flow += [arrow, Block(names[i], s.out.reshape(-1, 1), shape_text=f"({len(s.out)},)",
                              hidden=i > k, dimmed=i < k - 1)]
    s = steps[k - 1]
    step_items = [Block(f"W{k}", s.W), "·", Block(names[k - 1], s.x_in.reshape(-1, 1)), "="]
    if activation and k < 3:
        step_items += [Block(f"W{k}·{names[k - 1]}", s.pre_activation.reshape(-1, 1)),
                       f"{chain_act_label(act)} →", Block(names[k], s.out.reshape(-1, 1))]
    else:
        step_items += [Block(names[k], s.out.reshape(-1, 1))]
    direct = chain.matrix_chain([product], x)[-1].out
    collapsed = [Block("W₃W₂W₁", product), "·", Block("X", x.reshape(-1, 1)), "=",
                 Block("Y", direct.reshape(-1, 1))]
    px = vl.cell_size(flow, step_items, collapsed, slides=slides)
    # One colour scale for the step figures (the product's larger numbers get their own).
    zmax = max(float(np.abs(a).max(initial=0)) for a in
               [x, *mats, *(st_.pre_activation for st_ in steps)]) or 1.0

    show_chart(vl.equation_figure(flow, slides=slides, cell_px=px, zmax=zmax), "layers-chain-flow")
    st.caption(t("layers.chain.flow_caption"))
    show_chart(vl.equation_figure(step_items, slides=slides, cell_px=px, zmax=zmax),
               f"layers-chain-step-{k}")
    in_names, out_names, eqs = symbols[k - 1]
    st.latex(aligned(vl.worked_equations(eqs, s.W, s.x_in, s.pre_activation)))
    if activation and k < 3:
        st.markdown(t("layers.chain.after_activation", name=chain_act_label(act),
                      values=vl.format_vector(s.out)))

    st.subheader(t("layers.chain.collapse_heading"))
    st.markdown(t("layers.chain.collapse_intro"))
    st.latex("Y = W_3 W_2 W_1 X = " + vl.latex_matrix(product) + vl.latex_matrix(x) + " = "
             + vl.latex_matrix(direct))
    show_chart(vl.equation_figure(collapsed, slides=slides, cell_px=px),
               "layers-chain-collapsed")
    gap = chain.collapse_gap(mats, x, activation)
    c1, c2, c3 = st.columns(3)
    c1.metric(t("layers.chain.y_steps"), vl.format_vector(steps[-1].out))
    c2.metric(t("layers.chain.y_product"), vl.format_vector(direct))
    c3.metric(t("layers.chain.gap"), f"{gap:.3g}")
    if activation is None:
        st.success(t("layers.chain.collapses"), icon=":material/check_circle:")
    elif gap > 1e-9:
        st.warning(t("layers.chain.breaks", name=chain_act_label(act)), icon=":material/link_off:")
    else:
        st.info(t("layers.chain.breaks_hidden", name=chain_act_label(act)),
                icon=":material/visibility_off:")
    show_code(chain.matrix_chain, chain.collapse, chain.collapse_gap, chain.linear_equations)


def chain_act_label(name: str) -> str:
    return {"none": t("layers.chain.act_none"), "relu": "ReLU", "sigmoid": "sigmoid",
            "tanh": "tanh"}[name]


# --- 3. Activations -----------------------------------------------------------------------------

ACT_FORMULAS = {
    "step": (r"h(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
             r"h'(x) = 0 \ (x \ne 0) \qquad dx = dout \cdot 0"),
    "sigmoid": (r"y = \frac{1}{1 + e^{-x}}",
                r"\frac{\partial y}{\partial x} = y(1 - y) \qquad dx = dout \cdot y(1 - y)"),
    "tanh": (r"y = \tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
             r"\frac{\partial y}{\partial x} = 1 - y^2 \qquad dx = dout \cdot (1 - y^2)"),
    "relu": (r"y = \max(0, x)",
             r"\frac{\partial y}{\partial x} = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 "
             r"\end{cases} \qquad dx = dout \cdot \mathrm{mask}"),
}


def act_label(name: str) -> str:
    return {"step": t("layers.act.step"), "sigmoid": "sigmoid", "tanh": "tanh",
            "relu": "ReLU"}[name]


def local_label(name: str) -> str:
    return {"step": t("layers.act.local_step"), "sigmoid": t("layers.act.local_sigmoid"),
            "tanh": t("layers.act.local_tanh"), "relu": t("layers.act.local_relu")}[name]


def activations_tab() -> None:
    st.header(t("layers.act.heading"))
    st.markdown(t("layers.act.intro"))
    name = st.segmented_control(t("layers.act.pick"), ACT.choices, key=ACT.state_key,
                                required=True, format_func=labels(ACT, act_label))
    f_tex, df_tex = ACT_FORMULAS[name]
    st.latex(f_tex)
    st.latex(df_tex)

    st.markdown(t("layers.act.input_hint", bound=int(INPUT_BOUND)))
    start = pd.DataFrame([[-2.0, -0.5, 0.0, 0.5, 2.0], [1.0] * 5],
                         index=["x", "dout"], columns=[f"{i}" for i in range(5)])
    config = {c: st.column_config.NumberColumn(c, min_value=-INPUT_BOUND, max_value=INPUT_BOUND,
                                               step=0.1, required=True) for c in start.columns}
    key = f"{ACT_EDITOR}.v{st.session_state.get(ACT_VERSION, 0)}"
    problem = pending_problem(key, start, ACT_LIMITS)
    if problem:
        show_refused(problem)
        st.session_state[ACT_VERSION] = st.session_state.get(ACT_VERSION, 0) + 1
        key = f"{ACT_EDITOR}.v{st.session_state[ACT_VERSION]}"
    edited = st.data_editor(start, key=key, column_config=config, width="stretch")
    table = edited.to_numpy(dtype=np.float64, na_value=np.nan)
    try:
        p = zoo.activation_pass(name, table[0], table[1])
    except ValueError as err:
        show_error(err)
        return

    f, f_grad, layer = ACTIVATIONS[name]
    xs = np.linspace(-6, 6, 481)
    show_chart(vl.activation_figure(
        xs, f(xs), f_grad(xs), p.x, p.y, f_label=t("layers.act.curve", name=act_label(name)),
        df_label=t("layers.act.derivative"), points_label=t("layers.act.points"),
        x_title="x"), f"layers-activation-{name}")

    rows = {"x": p.x, "y": p.y, local_label(name): p.local, "dout": p.dout, "dx": p.dx}
    frame = pd.DataFrame(rows).T
    frame.columns = [f"{i}" for i in range(frame.shape[1])]
    st.markdown(t("layers.act.table_heading"))
    st.dataframe(frame.style.format("{:.4g}"), width="stretch")
    st.markdown({"step": t("layers.act.note_step"), "sigmoid": t("layers.act.note_sigmoid"),
                 "tanh": t("layers.act.note_tanh"), "relu": t("layers.act.note_relu")}[name])
    show_code(layer, f, f_grad)


# --- 4. Softmax and the losses ----------------------------------------------------------------

def loss_tab() -> None:
    st.header(t("layers.loss.heading"))
    st.markdown(t("layers.loss.intro"))
    st.latex(r"y_k = \frac{e^{a_k}}{\sum_{j} e^{a_j}} \qquad "
             r"L = -\frac{1}{N}\sum_{n}\sum_{k} t_{nk} \log y_{nk} \qquad "
             r"\frac{\partial L}{\partial a} = \frac{y - t}{N}")
    cols = st.columns(4)
    for k, (col, p) in enumerate(zip(cols[:3], LOGITS, strict=True)):
        col.slider(t("layers.loss.logit", k=k), p.lo, p.hi, step=0.1, key=p.state_key)
    cols[3].radio(t("layers.loss.target"), TARGET.choices, key=TARGET.state_key,
                  format_func=labels(TARGET, lambda c: t("layers.loss.class", k=c)))
    a = np.array([[st.session_state[p.state_key] for p in LOGITS]], dtype=np.float64)
    target = int(st.session_state[TARGET.state_key])
    label = np.array([target])
    onehot = np.eye(a.shape[1])[label]

    swl = SoftmaxWithLoss()
    loss = swl.forward(a, label)
    da = swl.backward()
    y = swl.y
    ce = cross_entropy_error(softmax(a), label)
    se = SquaredErrorLoss()
    se_loss = se.forward(y, onehot)
    dy = se.backward()

    classes = [t("layers.loss.class", k=k) for k in range(a.shape[1])]
    show_chart(vl.softmax_figure(
        classes, a, y, onehot, da,
        titles=[t("layers.loss.panel_logits"), t("layers.loss.panel_probs"),
                t("layers.loss.panel_grad")],
        prob_label=t("layers.loss.prob"), target_label=t("layers.loss.target_onehot")),
        "layers-softmax-loss")
    m1, m2, m3 = st.columns(3)
    m1.metric(t("layers.loss.p_target"), f"{float(y[0, target]):.4f}")
    m2.metric(t("layers.loss.ce"), f"{float(loss):.4f}", help=t("layers.loss.ce_help",
                                                                  ce=f"{float(ce):.4f}"))
    m3.metric(t("layers.loss.se"), f"{float(se_loss):.4f}")
    frame = pd.DataFrame({
        t("layers.loss.col_logit"): a[0], t("layers.loss.col_prob"): y[0],
        t("layers.loss.col_target"): onehot[0], t("layers.loss.col_swl"): da[0],
        t("layers.loss.col_se"): dy[0],
    }, index=classes)
    st.dataframe(frame.style.format("{:.4f}"), width="stretch")
    st.markdown(t("layers.loss.grad_note"))

    st.subheader(t("layers.loss.se_heading"))
    st.latex(r"C = \frac{1}{2N}\sum_{n} \lVert y_n - t_n \rVert^2 \qquad "
             r"\frac{\partial C}{\partial y} = \frac{y - t}{N}")
    st.markdown(t("layers.loss.se_note"))
    show_code(SoftmaxWithLoss, SquaredErrorLoss, softmax)


# --- 5. Broadcasting ----------------------------------------------------------------------------

def case_label(case_id: str) -> str:
    texts = {
        "same": t("layers.bc.case_same"), "product": t("layers.bc.case_product"),
        "scalar": t("layers.bc.case_scalar"), "bias": t("layers.bc.case_bias"),
        "column": t("layers.bc.case_column"), "outer": t("layers.bc.case_outer"),
        "three_d": t("layers.bc.case_three_d"), "bad_vector": t("layers.bc.case_bad_vector"),
        "bad_three_d": t("layers.bc.case_bad_three_d"), "custom": t("layers.bc.case_custom"),
    }
    case = next((c for c in broadcast.CASES if c.id == case_id), None)
    if case is None:
        return texts[case_id]
    return f"{shape_text(case.shape_a)} {case.op} {shape_text(case.shape_b)} · {texts[case_id]}"


def shape_text(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def rule_label(how: str) -> str:
    return {"equal": t("layers.bc.rule_equal"), "stretch_a": t("layers.bc.rule_stretch_a"),
            "stretch_b": t("layers.bc.rule_stretch_b"), "new_a": t("layers.bc.rule_new_a"),
            "new_b": t("layers.bc.rule_new_b"), "mismatch": t("layers.bc.rule_mismatch")}[how]


def as_block(name: str, values: np.ndarray, copied=None, shape: str | None = None) -> Block:
    v = values if values.ndim == 2 else values.reshape(1, -1)
    c = None if copied is None else (copied if copied.ndim == 2 else copied.reshape(1, -1))
    return Block(name, v, copied=c, shape_text=shape)


def broadcast_tab() -> None:
    st.header(t("layers.bc.heading"))
    st.markdown(t("layers.bc.intro"))
    case_id = st.selectbox(t("layers.bc.case"), BCASE.choices, key=BCASE.state_key,
                           format_func=labels(BCASE, case_label), on_change=case_changed)
    op = st.segmented_control(t("layers.bc.op"), BOP.choices, key=BOP.state_key, required=True)
    if case_id == "custom":
        c1, c2 = st.columns(2)
        c1.text_input(t("layers.bc.shape_a"), key=BC_SHAPE_A, max_chars=20,
                      help=t("layers.bc.shape_help"))
        c2.text_input(t("layers.bc.shape_b"), key=BC_SHAPE_B, max_chars=20,
                      help=t("layers.bc.shape_help"))
        try:
            shape_a = broadcast.parse_shape(st.session_state[BC_SHAPE_A])
            shape_b = broadcast.parse_shape(st.session_state[BC_SHAPE_B])
        except ValueError as err:
            show_error(err)
            return
        case = broadcast.BroadcastCase("custom", shape_a, shape_b, op)
    else:
        case = next(c for c in broadcast.CASES if c.id == case_id)
    st.caption(t("layers.bc.values_note"))

    rules = broadcast.broadcast_axes(case.shape_a, case.shape_b)
    rule_frame = pd.DataFrame({
        t("layers.bc.col_axis"): [r.axis for r in rules],
        "A": ["–" if r.a is None else str(r.a) for r in rules],
        "B": ["–" if r.b is None else str(r.b) for r in rules],
        t("layers.bc.col_out"): ["✗" if r.out is None else str(r.out) for r in rules],
        t("layers.bc.col_rule"): [rule_label(r.how) for r in rules],
    })
    try:
        demo = broadcast.run_case(case, op)
    except ValueError as err:  # numpy's own words are the lesson here
        st.error(t("layers.bc.fails"), icon=":material/school:")
        st.code(f"ValueError: {str(err).strip()}", language=None)
        st.markdown(t("layers.bc.fails_why"))
        st.dataframe(rule_frame, hide_index=True, width="stretch")
        a = broadcast.numbered(case.shape_a, 1 if case.start is None else case.start)
        if a.ndim <= 2 and len(case.shape_b) <= 2:
            start_b = a.size + 1 if case.start is None else case.start
            b = broadcast.numbered(case.shape_b, start_b)
            show_chart(vl.equation_figure([as_block("A", a), op, as_block("B", b), "= ✗"],
                                          slides=slides), "layers-broadcast-fails")
        show_code(broadcast.broadcast_demo, broadcast.broadcast_axes)
        return

    st.success(t("layers.bc.works", shape=shape_text(demo.result.shape)),
               icon=":material/check_circle:")
    st.dataframe(rule_frame, hide_index=True, width="stretch")
    if demo.result.ndim <= 2:
        out = shape_text(demo.result.shape)
        show_chart(vl.equation_figure([
            as_block("A", demo.a_stretched, demo.a_copied, f"{shape_text(demo.a.shape)} → {out}"),
            op,
            as_block("B", demo.b_stretched, demo.b_copied, f"{shape_text(demo.b.shape)} → {out}"),
            "=", as_block(f"A {op} B", demo.result, shape=out),
        ], slides=slides), "layers-broadcast")
        st.caption(t("layers.bc.faded"))
    st.markdown(t("layers.bc.printed"))
    c1, c2, c3 = st.columns(3)
    c1.code(f"A =\n{demo.a!r}", language=None)
    c2.code(f"B =\n{demo.b!r}", language=None)
    c3.code(f"A {op} B =\n{demo.result!r}", language=None)
    show_code(broadcast.broadcast_demo, broadcast.broadcast_axes)


# --- 6. Gradient check --------------------------------------------------------------------------

def check_label(name: str) -> str:
    return {"affine": "Affine", "relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh",
            "softmax_with_loss": "SoftmaxWithLoss", "squared_error": "SquaredErrorLoss",
            "batchnorm": "BatchNormalization"}[name]


def verdict(ok: bool) -> str:
    return "✓" if ok else "✗"


def check_tab() -> None:
    st.header(t("layers.check.heading"))
    st.markdown(t("layers.check.intro"))
    st.latex(r"\frac{\partial L}{\partial x_i} \approx \frac{L(x_i + h) - L(x_i - h)}{2h}"
             r"\qquad \mathrm{rel\,error} = \frac{\max |g_{\mathrm{backprop}} - "
             r"g_{\mathrm{numerical}}|}{\max (|g_{\mathrm{backprop}}| + |g_{\mathrm{numerical}}|)}")
    c_pick, c_again = st.columns([3, 1], vertical_alignment="bottom")
    name = c_pick.selectbox(t("layers.check.pick"), CHECK.choices, key=CHECK.state_key,
                            format_func=check_label)
    c_again.button(t("layers.check.again"), key="layers.check.again", icon=":material/refresh:",
                   width="stretch", help=t("layers.check.again_help"))
    try:
        case = zoo.gradcheck_case(name, n, d, h, seed)
    except ValueError as err:
        show_error(err)
        st.info(t("layers.check.sizes_hint"), icon=":material/tune:")
    else:
        result = zoo.run_check(case)
        st.caption(t("layers.check.case", shape=shape_text(case.x.shape), n=n, d=d, h=h,
                     seed=seed))
        frame = pd.DataFrame({
            t("layers.check.col_array"): zoo.array_names(case),
            t("layers.check.col_shape"): [shape_text(c.backprop.shape) for c in result.checks],
            t("layers.check.col_error"): [c.rel_error for c in result.checks],
            t("layers.check.col_ok"): [verdict(c.rel_error < TOL) for c in result.checks],
        })
        st.dataframe(frame, hide_index=True, width="stretch", key="layers.check.table",
                     column_config={t("layers.check.col_error"): st.column_config.NumberColumn(
                         format="%.2e")})
        m1, m2, m3 = st.columns(3)
        m1.metric(t("layers.check.backprop_time"), ms(result.backprop_seconds))
        m2.metric(t("layers.check.numerical_time"), ms(result.numerical_seconds))
        m3.metric(t("layers.check.ratio"),
                  f"×{result.numerical_seconds / max(result.backprop_seconds, 1e-9):.0f}")
        if result.max_rel_error < TOL:
            st.success(t("layers.check.pass", error=f"{result.max_rel_error:.1e}"),
                       icon=":material/check_circle:")
        else:
            st.warning(t("layers.check.fail", error=f"{result.max_rel_error:.1e}"),
                       icon=":material/warning:")
        show_chart(vl.gradcheck_figure(
            zoo.array_names(case), [c.backprop for c in result.checks],
            [c.numerical for c in result.checks], x_title=t("layers.check.axis_backprop"),
            y_title=t("layers.check.axis_numerical")), f"layers-gradcheck-{name}")
        st.caption(t("layers.check.scatter_caption"))
        show_code(case.layer.backward, check_layer, numerical_gradient, relative_error)

    st.subheader(t("layers.check.all_heading"))
    st.markdown(t("layers.check.all_intro", n=n, d=d, h=h, seed=seed))
    rows = zoo.check_all(n, d, h, seed)
    summary = pd.DataFrame({
        t("layers.check.col_layer"): [check_label(r.name) for r in rows],
        t("layers.check.col_error"): [r.max_rel_error for r in rows],
        t("layers.check.col_ok"): [verdict(r.error is None and r.max_rel_error < TOL)
                                   for r in rows],
        t("layers.check.col_backprop_ms"): [r.backprop_seconds * 1e3 for r in rows],
        t("layers.check.col_numerical_ms"): [r.numerical_seconds * 1e3 for r in rows],
        t("layers.check.col_note"): [t("layers.check.skipped") if r.error else "" for r in rows],
    })
    st.dataframe(summary, hide_index=True, width="stretch", key="layers.check.summary",
                 column_config={
                     t("layers.check.col_error"): st.column_config.NumberColumn(format="%.2e"),
                     t("layers.check.col_backprop_ms"): st.column_config.NumberColumn(
                         format="%.3f"),
                     t("layers.check.col_numerical_ms"): st.column_config.NumberColumn(
                         format="%.3f"),
                 })
    ok = [r for r in rows if r.error is None]
    show_chart(vl.timing_figure(
        [check_label(r.name) for r in ok], [r.backprop_seconds * 1e3 for r in ok],
        [r.numerical_seconds * 1e3 for r in ok], backprop_label=t("layers.check.backprop"),
        numerical_label=t("layers.check.numerical"), x_title=t("layers.check.axis_ms")),
        "layers-gradcheck-times")
    st.caption(t("layers.check.times_caption"))
    show_code(zoo.check_all, zoo.gradcheck_case)


@st.fragment
def tab_fragment(render: Callable[[], None], params: list) -> None:
    """A tab whose widgets rerun only that tab; its own settings still reach the URL.

    load_params again: a widget the last run did not draw (after an error message)
    has lost its state, and a fragment rerun does not pass the page's load_params.
    """
    load_params(params)
    render()
    save_params(params)


with tab_affine:
    tab_fragment(affine_tab, [])
with tab_chain:
    tab_fragment(chain_tab, [CHAIN_ACT, CHAIN_STEP])
with tab_act:
    tab_fragment(activations_tab, [ACT])
with tab_loss:
    tab_fragment(loss_tab, [*LOGITS, TARGET])
with tab_bc:
    tab_fragment(broadcast_tab, [BCASE, BOP])
with tab_check:
    tab_fragment(check_tab, [CHECK])

save_params(PARAMS)
