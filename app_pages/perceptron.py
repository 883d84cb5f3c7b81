"""Lesson 1: the perceptron, why XOR needs two layers, and a network that learns XOR (seeds
001, 004 and 003). Numbers come from lessons.perceptron, figures from viz.perceptron."""

import pandas as pd
import streamlit as st

import lessons.perceptron as pl
from engine.datasets import GATE_NAMES, spiral
from engine.layers import Affine, Sigmoid, SoftmaxWithLoss, SquaredErrorLoss
from engine.optimizers import SGD
from ui.chart import show_chart
from ui.code import show_code
from ui.data import spiral_data
from ui.i18n import t
from ui.live import LiveLoop, Stop
from ui.params import ChoiceParam, FloatParam, IntParam, load_params, save_params, show_notices
from ui.state import held, held_model, held_reset
from viz import perceptron as vz

PAGE = "perceptron"
W1, W2, B = (FloatParam(PAGE, name, value, -3.0, 3.0)
              for name, value in zip(("w1", "w2", "b"), pl.GATES["AND"], strict=True))
GATE = ChoiceParam(PAGE, "gate", "AND", choices=GATE_NAMES)
XOR_H = IntParam(PAGE, "xor_h", 2, 2, 8)
XOR_LR = FloatParam(PAGE, "xor_lr", pl.XOR_LR, 0.1, 10.0)
XOR_SEED = IntParam(PAGE, "xor_seed", 0, 0, 9999)
SPIRAL_H = IntParam(PAGE, "spiral_h", 10, 2, 50)
SPIRAL_LR = FloatParam(PAGE, "spiral_lr", pl.SPIRAL_LR, 0.1, 5.0)
PARAMS = [W1, W2, B, GATE, XOR_H, XOR_LR, XOR_SEED, SPIRAL_H, SPIRAL_LR]

CHUNK_SECONDS = 0.15  # the most one tick may train
STATE_XOR = "perceptron.xor.model"
STATE_SPIRAL = "perceptron.spiral.model"
SQUARE_HEIGHT = 420  # a square plot with its legend beside it, in the page's column
CURVE_HEIGHT = 280
XOR_NOTES = {"learned": "success", "stalled": "warning", "cap": "info"}  # the notes' kinds
X, T = pl.XOR_X, pl.XOR_T


def ok_mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def fig_labels(gate: str, **keys: str) -> dict[str, str]:
    """A figure's labels: the axes x1 and x2, the gate's two targets, and t(key) for each."""
    return {"x1": "x1", "x2": "x2", **{k: t(v) for k, v in keys.items()},
            **{f"target{k}": t(f"perceptron.fig.target{k}", gate=gate) for k in (0, 1)}}


def chart(fig, name: str, key: str, height: int) -> None:
    show_chart(fig, f"perceptron-{name}", key=f"perceptron.chart.{key}", height=height)


def apply_preset(name: str) -> None:
    for param, value in zip((W1, W2, B, GATE), (*pl.GATES[name], name), strict=True):
        st.session_state[param.state_key] = value


def hold_live(key: str, config, build, loop: LiveLoop):
    """The model under `key` built from `config`. A new one pauses its loop, and from a settings
    fragment reruns the whole page: the loop's buttons and view show it, a timer stops."""
    before, model = held_model(key), held(key, config, build)
    if model is not before:
        loop.stop_with(None)
        if before is not None:
            st.rerun()
    return model


@st.fragment
def perceptron_section() -> None:
    """1. Gate, presets and sliders, the truth table and the decision line."""
    st.header(t("perceptron.s1.header"))
    st.markdown(t("perceptron.s1.intro"))
    st.latex(r"a = w_1 x_1 + w_2 x_2 + b \qquad "
             r"y = \mathrm{step}(a) = \begin{cases} 1 & a > 0 \\ 0 & a \le 0 \end{cases}")
    GATE.widget("radio", t("perceptron.gate"), horizontal=True, help=t("perceptron.gate_help"))
    st.caption(t("perceptron.presets"))
    for col, name in zip(st.columns(len(pl.GATES)), pl.GATES, strict=True):
        col.button(t("perceptron.preset", gate=name), key=f"perceptron.preset.{name}",
                   on_click=apply_preset, args=(name,), width="stretch")
    for col, param in zip(st.columns(3), (W1, W2, B), strict=True):
        param.slider(t(f"perceptron.{param.name}"), step=0.1, where=col)
    save_params([W1, W2, B, GATE])
    gate, p = GATE.value(), pl.Perceptron(W1.value(), W2.value(), B.value())
    check = pl.check_gate(p, gate)
    table = {**check.columns(), t("perceptron.col_target", gate=gate): check.targets,
             t("perceptron.col_ok"): [ok_mark(ok) for ok in check.ok]}
    st.table(pd.DataFrame(table).style.format({"a": "{:.4g}"}), hide_index=True)
    st.latex(r"\begin{aligned}&" + r"\\&".join(pl.worked_sums(p)) + r"\end{aligned}")
    note, key, icon = (st.success, "match", "check_circle") if check.right == 4 else (
        (st.warning, "xor_no_line", "block") if gate == "XOR" else (st.info, "mismatch", "tune"))
    note(t(f"perceptron.{key}", gate=gate, right=check.right), icon=f":material/{icon}:")
    segment = p.decision_line(*pl.SQUARE)
    chart(vz.decision_line_figure(
        p.w1, p.w2, p.b, check.x, check.targets, check.outputs, segment,
        fig_labels(gate, side1="perceptron.fig.side1", side0="perceptron.fig.side0",
                   line="perceptron.fig.line"), *pl.SQUARE), "decision-line", "line", SQUARE_HEIGHT)
    if segment is None:
        st.caption(t("perceptron.no_line", y=int(p.b > 0)) if p.w1 == 0 and p.w2 == 0
                   else t("perceptron.line_outside"))
    st.caption(t("perceptron.fig.caption"))
    show_code(pl.Perceptron.weighted_sum, pl.Perceptron.predict, pl.Perceptron.truth_table,
              pl.Perceptron.decision_line)


@st.fragment
def no_line_section() -> None:
    """2. Why no line splits XOR, and every gate's verdict (no controls of its own)."""
    st.header(t("perceptron.s2.header"))
    st.markdown(t("perceptron.s2.intro"))
    st.latex(r"\begin{aligned}(0,0)\mapsto 0 &:\quad b \le 0 \\(1,0)\mapsto 1 &:\quad w_1 + b > 0"
             r"\\(0,1)\mapsto 1 &:\quad w_2 + b > 0 \\(1,1)\mapsto 0 &:\quad w_1 + w_2 + b \le 0"
             r"\end{aligned}")
    st.markdown(t("perceptron.s2.proof"))
    st.latex(r"w_1 + w_2 + b \;=\; (w_1 + b) + (w_2 + b) - b \;>\; 0 - b \;\ge\; 0")
    verdicts = pl.gate_verdicts(lr=0.1, epochs=pl.LEARN_EPOCHS, seed=0)
    st.table(pd.DataFrame([{
        t("perceptron.s2.col_gate"): name,
        t("perceptron.s2.col_separable"): ok_mark(v.line is not None),
        t("perceptron.s2.col_line"): v.line_text,
        t("perceptron.s2.col_learn"): t(
            "perceptron.s2." + ("converged" if v.learned.converged else "not_converged"),
            epochs=len(v.learned.errors), errors=int(v.learned.errors[-1])),
    } for name, v in verdicts.items()]), hide_index=True)
    st.caption(t("perceptron.s2.table_caption"))
    chart(vz.errors_figure({name: v.learned.errors for name, v in verdicts.items()},
                           {"x": t("perceptron.s2.epoch"), "y": t("perceptron.s2.errors")}),
          "learning-rule-errors", "errors", CURVE_HEIGHT + 40)
    st.caption(t("perceptron.s2.errors_caption", epochs=pl.LEARN_EPOCHS))
    show_code(pl.separating_line, pl.perceptron_learn)


@st.fragment
def gates_section() -> None:
    """3. XOR from NAND, OR and AND: the input space and the hidden space."""
    st.header(t("perceptron.s3.header"))
    st.markdown(t("perceptron.s3.intro"))
    st.latex(r"s_1 = \mathrm{NAND}(x_1, x_2) \qquad s_2 = \mathrm{OR}(x_1, x_2) \qquad "
             r"y = \mathrm{AND}(s_1, s_2)")
    chart(vz.gates_diagram_figure(pl.GATES, {
        "x1": "x1", "x2": "x2", "s1": "s1", "s2": "s2", "y": "y",
        **{f"layer{k}": t(f"perceptron.s3.layer{k}") for k in range(3)}}),
        "xor-from-gates", "gates", 360)
    lines = {g: pl.Perceptron.gate(g).decision_line(*pl.SQUARE) for g in ("NAND", "OR", "AND")}
    chart(vz.xor_input_space_figure(
        X, T, {g: pl.GATES[g] for g in ("NAND", "OR")}, {g: lines[g] for g in ("NAND", "OR")},
        fig_labels("XOR", band="perceptron.s3.band", NAND="perceptron.s3.nand_line",
                   OR="perceptron.s3.or_line"), *pl.SQUARE), "xor-input-space", "input_space",
        SQUARE_HEIGHT)
    st.caption(t("perceptron.s3.input_caption"))
    y_gates, h_gates = pl.xor_from_gates(X)
    chart(vz.hidden_space_figure(
        h_gates, T, X, pl.GATES["AND"], lines["AND"],
        {"s1": "s1 = NAND(x1, x2)", "s2": "s2 = OR(x1, x2)", **fig_labels(
            "XOR", side1="perceptron.s3.and_side", line="perceptron.s3.and_line")},
        *pl.SQUARE), "xor-hidden-space", "hidden_space", SQUARE_HEIGHT)
    st.caption(t("perceptron.s3.hidden_caption"))
    st.table(pd.DataFrame({**pl.xor_gates_columns(), t("perceptron.col_target", gate="XOR"): T,
                           t("perceptron.col_ok"): [ok_mark(ok) for ok in y_gates == T]}),
             hide_index=True)
    show_code(pl.xor_from_gates)


@st.fragment
def xor_settings() -> None:
    """lr reruns only this part (the running network takes it); a new H or seed reruns the page."""
    cols = st.columns(3)
    XOR_H.slider(t("perceptron.s4.hidden"), where=cols[0], help=t("perceptron.s4.hidden_help"))
    XOR_LR.slider(t("perceptron.s4.lr"), step=0.1, where=cols[1], help=t("perceptron.s4.lr_help"))
    XOR_SEED.number_input(t("perceptron.s4.seed"), step=1, where=cols[2],
                          help=t("perceptron.s4.seed_help"))
    save_params([XOR_H, XOR_LR, XOR_SEED])
    config = pl.XorConfig(XOR_H.value(), XOR_SEED.value())
    hold_live(STATE_XOR, config, pl.build_xor, xor_loop).trainer.optimizer.lr = XOR_LR.value()


def xor_advance() -> Stop | None:
    step = pl.advance_xor(held_model(STATE_XOR), max_seconds=CHUNK_SECONDS)
    return None if step.event is None else Stop(t(
        f"perceptron.s4.{step.event}", epochs=step.epoch, loss=step.loss,
        window=pl.XOR_STALL_WINDOW), XOR_NOTES[step.event])


def xor_draw() -> None:
    trainer = held_model(STATE_XOR).trainer
    net, loss = trainer.network, trainer.history.loss
    m = st.columns(3)
    m[0].metric(t("perceptron.epoch"), f"{trainer.epoch:,}")
    m[1].metric(t("perceptron.s4.loss"), f"{pl.xor_loss(net):.5f}")
    m[2].metric(t("perceptron.s4.accuracy"), f"{net.accuracy(X, T):.0%}")
    chart(vz.probability_map_figure(*pl.probability_map(net), X, T, {
        "z": "y", **fig_labels("XOR", boundary="perceptron.s4.boundary")}),
          "xor-net-output", "xor_map", SQUARE_HEIGHT)
    if len(loss):
        labels = {"x": t("perceptron.epoch"), "y": t("perceptron.s4.loss")}
        chart(vz.epoch_loss_figure(loss.x, loss.y, labels), "xor-loss", "xor_loss", CURVE_HEIGHT)
    else:
        st.info(t("perceptron.s4.no_loss_yet"), icon=":material/play_arrow:")
    d = pl.output_delta(net, X, T)
    st.table(pd.DataFrame(pl.delta_columns(d)).style.format(
        {"y_o": "{:.4f}", pl.DELTA_COLUMN: "{:.5f}", "δ / N": "{:.6f}"}), hide_index=True)
    st.caption(t("perceptron.s4.delta_check", gap=f"{pl.delta_gap(net):.1e}"))
    out = pl.output_line(net)
    if out is not None:  # H = 2: the network's own (s1, s2), as in section 3
        chart(vz.hidden_space_figure(
            d.y_h, T, X, out, pl.Perceptron(*out).decision_line(*pl.HIDDEN_SQUARE),
            {"s1": "y_h1", "s2": "y_h2", **fig_labels(
                "XOR", side1="perceptron.s4.out_side", line="perceptron.s4.out_line")},
            *pl.HIDDEN_SQUARE), "xor-net-hidden-space", "xor_hidden", SQUARE_HEIGHT)
        st.caption(t("perceptron.s4.hidden_caption"))


def xor_section() -> None:
    """4. XOR, live. Not a fragment: start and pause rerun the page, to set the view's timer."""
    st.header(t("perceptron.s4.header"))
    st.markdown(t("perceptron.s4.intro"))
    st.latex(r"y_h = \sigma(x \cdot W_1 + b_1) \qquad y_o = \sigma(y_h \cdot W_2 + b_2) \qquad "
             r"\mathrm{loss} = \frac{1}{2N}\sum_{n=1}^{N} (y_o - y_t)^2")
    xor_settings()
    xor_loop.controls()
    st.caption(t("perceptron.s4.controls_caption", n=pl.XOR_EPOCHS_PER_CALL,
                 cap=pl.XOR_MAX_EPOCHS, seconds=CHUNK_SECONDS))
    xor_loop.view()
    st.subheader(t("perceptron.s4.delta_header"))
    st.markdown(t("perceptron.s4.delta_intro"))
    st.latex(r"\delta = (y_o - y_t)\cdot y_o\cdot(1 - y_o) \qquad w \leftarrow w - \eta\cdot"
             r"\delta\cdot y_h")
    st.markdown(t("perceptron.s4.delta_batch"))
    st.latex(r"\frac{\partial\,\mathrm{loss}}{\partial W_2} = \frac{1}{N}\, y_h^{\top}\cdot\delta"
             r"\qquad W_2 \leftarrow W_2 - \mathrm{lr}\cdot\frac{1}{N}\, y_h^{\top}\cdot\delta")
    st.markdown(t("perceptron.s4.delta_code"))
    show_code(SquaredErrorLoss.backward, Sigmoid.backward, Affine.backward, SGD, pl.output_delta)


@st.fragment
def spiral_settings() -> None:
    """lr reruns only this part; a new H builds a new network, and hold_live reruns the page."""
    cols = st.columns(2)
    SPIRAL_H.slider(t("perceptron.s5.hidden"), where=cols[0])
    SPIRAL_LR.slider(t("perceptron.s5.lr"), step=0.1, where=cols[1])
    save_params([SPIRAL_H, SPIRAL_LR])
    trainer = hold_live(STATE_SPIRAL, pl.SpiralConfig(SPIRAL_H.value()),
                        lambda config: pl.build_spiral(config, spiral_data()), spiral_loop)
    trainer.optimizer.lr = SPIRAL_LR.value()


def spiral_advance() -> Stop | None:
    acc = pl.advance_spiral(held_model(STATE_SPIRAL), max_seconds=CHUNK_SECONDS)
    return None if acc is None else Stop(t("perceptron.s5.done", epochs=pl.SPIRAL_EPOCHS,
                                           acc=acc), "success")


def spiral_draw() -> None:
    trainer = held_model(STATE_SPIRAL)
    net, records = trainer.network, trainer.history.epochs
    x_sp, t_sp = spiral_data()
    m = st.columns(3)
    m[0].metric(t("perceptron.epoch"), f"{trainer.epoch} / {pl.SPIRAL_EPOCHS}")
    m[1].metric(t("perceptron.s5.loss"), f"{float(net.loss(x_sp, t_sp)):.4f}")
    m[2].metric(t("perceptron.s5.accuracy"), f"{net.accuracy(x_sp, t_sp):.1%}")
    chart(vz.class_regions_figure(*pl.class_regions(net), x_sp, t_sp.argmax(axis=1),
                                  {"x1": "x1", "x2": "x2"},
                                  [t("perceptron.s5.class", k=k) for k in range(3)]),
          "spiral-regions", "spiral_map", SQUARE_HEIGHT + 40)
    if records:
        labels = {"x": t("perceptron.epoch"), "y": t("perceptron.s5.epoch_loss")}
        chart(vz.epoch_loss_figure([r.epoch for r in records], [r.loss for r in records], labels,
                                   log_y=False), "spiral-loss", "spiral_loss", CURVE_HEIGHT)
    else:
        st.info(t("perceptron.s5.no_loss_yet"), icon=":material/play_arrow:")


def spiral_section() -> None:
    """5. The spiral, live. Not a fragment, as xor_section: start and pause rerun the page."""
    st.header(t("perceptron.s5.header"))
    st.markdown(t("perceptron.s5.intro"))
    spiral_settings()
    spiral_loop.controls()
    st.caption(t("perceptron.s5.controls_caption", n=pl.SPIRAL_EPOCHS_PER_CALL,
                 cap=pl.SPIRAL_EPOCHS))
    spiral_loop.view()
    st.markdown(t("perceptron.s5.outro"))
    show_code(spiral, SoftmaxWithLoss)


st.title(t("lesson.perceptron.title"))
st.markdown(t("perceptron.intro"))
show_notices(load_params(PARAMS))
xor_loop = LiveLoop("perceptron.xor", advance=xor_advance, draw=xor_draw,
                    reset=lambda: held_reset(STATE_XOR), tick=0.25,
                    step_help=t("perceptron.step_help", n=pl.XOR_EPOCHS_PER_CALL))
spiral_loop = LiveLoop("perceptron.spiral", advance=spiral_advance, draw=spiral_draw,
                       reset=lambda: held_reset(STATE_SPIRAL), tick=0.3,
                       step_help=t("perceptron.step_help", n=pl.SPIRAL_EPOCHS_PER_CALL))
perceptron_section()
no_line_section()
gates_section()
xor_section()
spiral_section()
