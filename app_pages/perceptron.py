"""Lesson 1: the perceptron, why XOR needs two layers, and a network that learns XOR.

Seeds 001 (gates, NAND = -2, -2, 3), 004 (the XOR network and its delta rule) and
003 (the three-armed spiral). Every number below comes from the engine, live.
"""

import numpy as np
import pandas as pd
import streamlit as st

from engine.datasets import GATE_NAMES, logic_gate, spiral
from engine.layers import Affine, Sigmoid, SoftmaxWithLoss, SquaredErrorLoss
from engine.network import MultiLayerNet
from engine.optimizers import SGD
from engine.trainer import Trainer
from lessons.perceptron import (
    GATES,
    Perceptron,
    output_delta,
    perceptron_learn,
    separating_line,
    xor_from_gates,
)
from ui.chart import show_chart
from ui.code import show_code
from ui.data import spiral_data
from ui.i18n import t
from ui.live import LiveLoop, Stop
from ui.params import ChoiceParam, FloatParam, IntParam, load_params, save_params, show_notices
from viz import perceptron as vz

PAGE = "perceptron"
W1 = FloatParam(PAGE, "w1", GATES["AND"][0], -3.0, 3.0)
W2 = FloatParam(PAGE, "w2", GATES["AND"][1], -3.0, 3.0)
B = FloatParam(PAGE, "b", GATES["AND"][2], -3.0, 3.0)
GATE = ChoiceParam(PAGE, "gate", "AND", choices=GATE_NAMES)
XOR_H = IntParam(PAGE, "xor_h", 2, 2, 8)
XOR_LR = FloatParam(PAGE, "xor_lr", 2.0, 0.1, 10.0)
XOR_SEED = IntParam(PAGE, "xor_seed", 0, 0, 9999)
SPIRAL_H = IntParam(PAGE, "spiral_h", 10, 2, 50)
SPIRAL_LR = FloatParam(PAGE, "spiral_lr", 1.0, 0.1, 5.0)
PARAMS = [W1, W2, B, GATE, XOR_H, XOR_LR, XOR_SEED, SPIRAL_H, SPIRAL_LR]

SQUARE = (-0.5, 1.5)  # the view of the four inputs
HIDDEN_SQUARE = (-0.1, 1.1)  # sigmoid outputs lie in (0, 1)
LEARN_EPOCHS = 30  # the perceptron learning rule, per gate
XOR_EPOCHS_PER_TICK = 100  # full-batch epochs (one step each) per redraw
XOR_MAX_EPOCHS = 20_000
XOR_GRID = 81  # heatmap resolution: 81 × 81 points over SQUARE
XOR_STALL_WINDOW = 2000  # epochs over which a stuck loss hardly moves
SPIRAL_EPOCHS = 300  # seed 003's max_epoch
SPIRAL_EPOCHS_PER_TICK = 10
SPIRAL_GRID = 100
SPIRAL_LIM = 1.1
CHUNK_SECONDS = 0.15  # the most one tick may train
STATE_XOR = "perceptron.xor.model"
STATE_SPIRAL = "perceptron.spiral.model"

st.title(t("lesson.perceptron.title"))
st.markdown(t("perceptron.intro"))
show_notices(load_params(PARAMS))
SQUARE_HEIGHT = 420  # a square plot with its legend beside it, in the page's column
CURVE_HEIGHT = 280


def ok_mark(ok: bool) -> str:
    return "✓" if ok else "✗"


# ================================================================ 1. the perceptron

st.header(t("perceptron.s1.header"))
st.markdown(t("perceptron.s1.intro"))
st.latex(r"a = w_1 x_1 + w_2 x_2 + b \qquad "
         r"y = \mathrm{step}(a) = \begin{cases} 1 & a > 0 \\ 0 & a \le 0 \end{cases}")


def apply_preset(name: str) -> None:
    w1, w2, b = GATES[name]
    st.session_state[W1.state_key] = w1
    st.session_state[W2.state_key] = w2
    st.session_state[B.state_key] = b
    st.session_state[GATE.state_key] = name


st.radio(t("perceptron.gate"), GATE_NAMES, key=GATE.state_key, horizontal=True,
         help=t("perceptron.gate_help"))
st.caption(t("perceptron.presets"))
preset_cols = st.columns(len(GATES))
for col, name in zip(preset_cols, GATES, strict=True):
    col.button(t("perceptron.preset", gate=name), key=f"perceptron.preset.{name}",
               on_click=apply_preset, args=(name,), width="stretch")
slider_cols = st.columns(3)
slider_cols[0].slider(t("perceptron.w1"), -3.0, 3.0, step=0.1, key=W1.state_key)
slider_cols[1].slider(t("perceptron.w2"), -3.0, 3.0, step=0.1, key=W2.state_key)
slider_cols[2].slider(t("perceptron.b"), -3.0, 3.0, step=0.1, key=B.state_key)

gate = st.session_state[GATE.state_key]
perceptron = Perceptron(st.session_state[W1.state_key], st.session_state[W2.state_key],
                        st.session_state[B.state_key])
x_gate, t_gate = logic_gate(gate, np.float64)
rows = perceptron.truth_table()
outputs = np.array([r.y for r in rows])
right = int((outputs == t_gate).sum())

st.table(pd.DataFrame({
    "x1": [r.x1 for r in rows],
    "x2": [r.x2 for r in rows],
    "a": [r.a for r in rows],
    "y": outputs,
    t("perceptron.col_target", gate=gate): t_gate,
    t("perceptron.col_ok"): [ok_mark(o == g) for o, g in zip(outputs, t_gate, strict=True)],
}).style.format({"a": "{:.4g}"}), hide_index=True)


def num(v: float) -> str:
    """A number for LaTeX: negatives in parentheses, as the seed writes (−2)×0."""
    text = f"{v:g}"
    return f"({text})" if v < 0 else text


GT, LE = ">", r"\le"
sums = [rf"{num(perceptron.w1)}\cdot{r.x1} + {num(perceptron.w2)}\cdot{r.x2} + {num(perceptron.b)}"
        rf" = {r.a:.3g} \;{GT if r.a > 0 else LE}\; 0 \Rightarrow y = {r.y}" for r in rows]
st.latex(r"\begin{aligned}" + r"\\".join(f"&{s}" for s in sums) + r"\end{aligned}")

if right == 4:
    st.success(t("perceptron.match", gate=gate), icon=":material/check_circle:")
elif gate == "XOR":
    st.warning(t("perceptron.xor_no_line", right=right), icon=":material/block:")
else:
    st.info(t("perceptron.mismatch", gate=gate, right=right), icon=":material/tune:")

segment = perceptron.decision_line(*SQUARE)
fig = vz.decision_line_figure(
    perceptron.w1, perceptron.w2, perceptron.b, x_gate, t_gate, outputs, segment,
    labels={"x1": "x1", "x2": "x2", "side1": t("perceptron.fig.side1"),
            "side0": t("perceptron.fig.side0"), "line": t("perceptron.fig.line"),
            "target0": t("perceptron.fig.target0", gate=gate),
            "target1": t("perceptron.fig.target1", gate=gate)},
    lo=SQUARE[0], hi=SQUARE[1])
show_chart(fig, "perceptron-decision-line", key="perceptron.chart.line",
           height=SQUARE_HEIGHT)
if segment is None:
    st.caption(t("perceptron.no_line", y=int(perceptron.b > 0))
               if perceptron.w1 == 0 and perceptron.w2 == 0 else t("perceptron.line_outside"))
st.caption(t("perceptron.fig.caption"))
show_code(Perceptron.weighted_sum, Perceptron.predict, Perceptron.truth_table,
          Perceptron.decision_line)

# ================================================================ 2. XOR: no line works

st.header(t("perceptron.s2.header"))
st.markdown(t("perceptron.s2.intro"))
st.latex(r"\begin{aligned}"
         r"(0,0)\mapsto 0 &:\quad b \le 0 \\"
         r"(1,0)\mapsto 1 &:\quad w_1 + b > 0 \\"
         r"(0,1)\mapsto 1 &:\quad w_2 + b > 0 \\"
         r"(1,1)\mapsto 0 &:\quad w_1 + w_2 + b \le 0"
         r"\end{aligned}")
st.markdown(t("perceptron.s2.proof"))
st.latex(r"w_1 + w_2 + b \;=\; (w_1 + b) + (w_2 + b) - b \;>\; 0 - b \;\ge\; 0")

verdicts, learn_errors = [], {}
for name in GATE_NAMES:
    x_g, t_g = logic_gate(name, np.float64)
    line = separating_line(x_g, t_g)
    learned = perceptron_learn(x_g, t_g, lr=0.1, epochs=LEARN_EPOCHS, seed=0)
    learn_errors[name] = learned.errors
    verdicts.append({
        t("perceptron.s2.col_gate"): name,
        t("perceptron.s2.col_separable"): ok_mark(line is not None),
        t("perceptron.s2.col_line"): (f"{line.w1:.2f}, {line.w2:.2f}, {line.b:.2f}"
                                      if line is not None else "—"),
        t("perceptron.s2.col_learn"): (
            t("perceptron.s2.converged", epochs=len(learned.errors)) if learned.converged
            else t("perceptron.s2.not_converged", epochs=len(learned.errors),
                   errors=int(learned.errors[-1]))),
    })
st.table(pd.DataFrame(verdicts), hide_index=True)
st.caption(t("perceptron.s2.table_caption"))
fig = vz.errors_figure(learn_errors, {"x": t("perceptron.s2.epoch"),
                                      "y": t("perceptron.s2.errors")})
show_chart(fig, "perceptron-learning-rule-errors", key="perceptron.chart.errors",
           height=CURVE_HEIGHT + 40)
st.caption(t("perceptron.s2.errors_caption", epochs=LEARN_EPOCHS))
show_code(separating_line, perceptron_learn)

# ================================================================ 3. XOR from gates

st.header(t("perceptron.s3.header"))
st.markdown(t("perceptron.s3.intro"))
st.latex(r"s_1 = \mathrm{NAND}(x_1, x_2) \qquad s_2 = \mathrm{OR}(x_1, x_2) \qquad "
         r"y = \mathrm{AND}(s_1, s_2)")
fig = vz.gates_diagram_figure(GATES, {
    "x1": "x1", "x2": "x2", "s1": "s1", "s2": "s2", "y": "y",
    "layer0": t("perceptron.s3.layer0"), "layer1": t("perceptron.s3.layer1"),
    "layer2": t("perceptron.s3.layer2")})
show_chart(fig, "perceptron-xor-from-gates", key="perceptron.chart.gates", height=360)

x_xor, t_xor = logic_gate("XOR", np.float64)
y_gates, h_gates = xor_from_gates(x_xor)
nand, orr, andg = (Perceptron.gate(g) for g in ("NAND", "OR", "AND"))
fig = vz.xor_input_space_figure(
    x_xor, t_xor, {"NAND": GATES["NAND"], "OR": GATES["OR"]},
    {"NAND": nand.decision_line(*SQUARE), "OR": orr.decision_line(*SQUARE)},
    {"x1": "x1", "x2": "x2", "band": t("perceptron.s3.band"),
     "NAND": t("perceptron.s3.nand_line"), "OR": t("perceptron.s3.or_line"),
     "target0": t("perceptron.fig.target0", gate="XOR"),
     "target1": t("perceptron.fig.target1", gate="XOR")}, *SQUARE)
show_chart(fig, "perceptron-xor-input-space", key="perceptron.chart.input_space",
           height=SQUARE_HEIGHT)
st.caption(t("perceptron.s3.input_caption"))
fig = vz.hidden_space_figure(
    h_gates, t_xor, x_xor, GATES["AND"], andg.decision_line(*SQUARE),
    {"s1": "s1 = NAND(x1, x2)", "s2": "s2 = OR(x1, x2)",
     "side1": t("perceptron.s3.and_side"), "line": t("perceptron.s3.and_line"),
     "target0": t("perceptron.fig.target0", gate="XOR"),
     "target1": t("perceptron.fig.target1", gate="XOR")}, *SQUARE)
show_chart(fig, "perceptron-xor-hidden-space", key="perceptron.chart.hidden_space",
           height=SQUARE_HEIGHT)
st.caption(t("perceptron.s3.hidden_caption"))

st.table(pd.DataFrame({
    "x1": x_xor[:, 0].astype(int), "x2": x_xor[:, 1].astype(int),
    "s1 = NAND": h_gates[:, 0], "s2 = OR": h_gates[:, 1], "y = AND(s1, s2)": y_gates,
    t("perceptron.col_target", gate="XOR"): t_xor,
    t("perceptron.col_ok"): [ok_mark(a == b) for a, b in zip(y_gates, t_xor, strict=True)],
}), hide_index=True)
show_code(xor_from_gates)

# ================================================================ 4. XOR learned

st.header(t("perceptron.s4.header"))
st.markdown(t("perceptron.s4.intro"))
st.latex(r"y_h = \sigma(x \cdot W_1 + b_1) \qquad y_o = \sigma(y_h \cdot W_2 + b_2) \qquad "
         r"\mathrm{loss} = \frac{1}{2N}\sum_{n=1}^{N} (y_o - y_t)^2")

setting_cols = st.columns(3)
setting_cols[0].slider(t("perceptron.s4.hidden"), 2, 8, key=XOR_H.state_key,
                       help=t("perceptron.s4.hidden_help"))
setting_cols[1].slider(t("perceptron.s4.lr"), 0.1, 10.0, step=0.1, key=XOR_LR.state_key,
                       help=t("perceptron.s4.lr_help"))
setting_cols[2].number_input(t("perceptron.s4.seed"), 0, 9999, step=1, key=XOR_SEED.state_key,
                             help=t("perceptron.s4.seed_help"))


def xor_settings() -> tuple[int, float, int]:
    ss = st.session_state
    return int(ss[XOR_H.state_key]), float(ss[XOR_LR.state_key]), int(ss[XOR_SEED.state_key])


def xor_reset() -> None:
    h, lr, seed = xor_settings()
    net = MultiLayerNet(2, [h], 1, activation="sigmoid", weight_init_std=1.0,
                        output="sigmoid", dtype=np.float64, seed=seed)
    trainer = Trainer(net, SGD(lr=lr), x_xor, t_xor, batch_size=4, seed=seed, eval_samples=0)
    st.session_state[STATE_XOR] = {"config": (h, seed), "trainer": trainer, "said": set()}


def xor_learned(net) -> bool:
    """Every output within 0.1 of its target."""
    return bool((np.abs(net.predict(x_xor).ravel() - t_xor) < 0.1).all())


def xor_stalled(trainer) -> bool:
    """The loss fell by less than 5% over the last XOR_STALL_WINDOW epochs (one step each).

    At lr 2 with H = 2, seeds that trip this by epoch 4,000 (5, 6, 13, 18, ...) never learn
    XOR in 12,000 epochs; at smaller rates a long plateau can trip it too (the note says so).
    """
    steps, losses = trainer.history.loss.x, trainer.history.loss.y
    now = trainer.step_count
    if now < 2 * XOR_STALL_WINDOW:
        return False
    before = float(np.interp(now - XOR_STALL_WINDOW, steps, losses))
    return before - losses[-1] < 0.05 * losses[-1]


def xor_advance() -> Stop | None:
    model = st.session_state[STATE_XOR]
    trainer, said = model["trainer"], model["said"]
    if trainer.epoch >= XOR_MAX_EPOCHS:
        return Stop(t("perceptron.s4.cap", epochs=XOR_MAX_EPOCHS), "info")
    trainer.run(max_steps=min(XOR_EPOCHS_PER_TICK, XOR_MAX_EPOCHS - trainer.epoch),
                max_seconds=CHUNK_SECONDS)
    loss = float(trainer.network.loss(x_xor, t_xor))  # after the last update, as shown
    if "learned" not in said and xor_learned(trainer.network):
        said.add("learned")
        return Stop(t("perceptron.s4.learned", epochs=trainer.epoch, loss=loss), "success")
    if "learned" not in said and "stalled" not in said and xor_stalled(trainer):
        said.add("stalled")
        return Stop(t("perceptron.s4.stalled", epochs=trainer.epoch, loss=loss,
                      window=XOR_STALL_WINDOW), "warning")
    if trainer.epoch >= XOR_MAX_EPOCHS:
        return Stop(t("perceptron.s4.cap", epochs=XOR_MAX_EPOCHS), "info")
    return None


def grid(lo: float, hi: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n × n points over [lo, hi]²: the axis values and the (n·n, 2) points, row by row."""
    axis = np.linspace(lo, hi, n)
    g1, g2 = np.meshgrid(axis, axis)
    return axis, np.column_stack([g1.ravel(), g2.ravel()])


def xor_draw() -> None:
    trainer = st.session_state[STATE_XOR]["trainer"]
    net = trainer.network
    losses = trainer.history.loss
    loss = float(net.loss(x_xor, t_xor))
    m = st.columns(3)
    m[0].metric(t("perceptron.epoch"), f"{trainer.epoch:,}")
    m[1].metric(t("perceptron.s4.loss"), f"{loss:.5f}")
    m[2].metric(t("perceptron.s4.accuracy"), f"{net.accuracy(x_xor, t_xor):.0%}")
    axis, points = grid(*SQUARE, XOR_GRID)
    z = net.predict(points).reshape(XOR_GRID, XOR_GRID)
    fig = vz.probability_map_figure(axis, axis, z, x_xor, t_xor, {
        "x1": "x1", "x2": "x2", "z": "y", "boundary": t("perceptron.s4.boundary"),
        "target0": t("perceptron.fig.target0", gate="XOR"),
        "target1": t("perceptron.fig.target1", gate="XOR")})
    show_chart(fig, "perceptron-xor-net-output", key="perceptron.chart.xor_map",
               height=SQUARE_HEIGHT)
    if len(losses):
        fig = vz.loss_figure(losses.x, losses.y, {"x": t("perceptron.epoch"),
                                                  "y": t("perceptron.s4.loss")})
        show_chart(fig, "perceptron-xor-loss", key="perceptron.chart.xor_loss",
                   height=CURVE_HEIGHT)
    else:
        st.info(t("perceptron.s4.no_loss_yet"), icon=":material/play_arrow:")
    d = output_delta(net, x_xor, t_xor)
    n = len(x_xor)
    delta_col = "δ = (y_o − y_t)·y_o·(1 − y_o)"
    deltas = pd.DataFrame({
        "x1": x_xor[:, 0].astype(int), "x2": x_xor[:, 1].astype(int),
        "y_t": d.y_t[:, 0].astype(int), "y_o": d.y_o[:, 0], delta_col: d.delta[:, 0],
        "δ / N": d.delta[:, 0] / n,
    })
    st.table(deltas.style.format({"y_o": "{:.4f}", delta_col: "{:.5f}", "δ / N": "{:.6f}"}),
             hide_index=True)
    gap = float(np.abs(d.dW - net.gradient(x_xor, t_xor)["W2"]).max())
    st.caption(t("perceptron.s4.delta_check", gap=f"{gap:.1e}"))
    if net.hidden_size_list == [2]:  # the network's own (s1, s2), as in section 3
        W2, b2 = (np.asarray(net.params[k], dtype=float) for k in ("W2", "b2"))
        out = (W2[0, 0], W2[1, 0], b2[0])
        fig = vz.hidden_space_figure(
            d.y_h, t_xor, x_xor, out, Perceptron(*out).decision_line(*HIDDEN_SQUARE),
            {"s1": "y_h1", "s2": "y_h2", "side1": t("perceptron.s4.out_side"),
             "line": t("perceptron.s4.out_line"),
             "target0": t("perceptron.fig.target0", gate="XOR"),
             "target1": t("perceptron.fig.target1", gate="XOR")}, *HIDDEN_SQUARE)
        show_chart(fig, "perceptron-xor-net-hidden-space", key="perceptron.chart.xor_hidden",
                   height=SQUARE_HEIGHT)
        st.caption(t("perceptron.s4.hidden_caption"))


xor_loop = LiveLoop("perceptron.xor", advance=xor_advance, draw=xor_draw, reset=xor_reset,
                    tick=0.25, step_help=t("perceptron.step_help", n=XOR_EPOCHS_PER_TICK))
model = st.session_state.get(STATE_XOR)
h, lr, seed = xor_settings()
if model is None or model["config"] != (h, seed):
    xor_loop.reset()
else:
    model["trainer"].optimizer.lr = lr  # a new rate applies from the next step
xor_loop.controls()
st.caption(t("perceptron.s4.controls_caption", n=XOR_EPOCHS_PER_TICK, cap=XOR_MAX_EPOCHS,
             seconds=CHUNK_SECONDS))
xor_loop.view()

st.subheader(t("perceptron.s4.delta_header"))
st.markdown(t("perceptron.s4.delta_intro"))
st.latex(r"\delta = (y_o - y_t)\cdot y_o\cdot(1 - y_o) \qquad w \leftarrow w - \eta\cdot\delta"
         r"\cdot y_h")
st.markdown(t("perceptron.s4.delta_batch"))
st.latex(r"\frac{\partial\,\mathrm{loss}}{\partial W_2} = \frac{1}{N}\, y_h^{\top}\cdot\delta"
         r"\qquad W_2 \leftarrow W_2 - \mathrm{lr}\cdot\frac{1}{N}\, y_h^{\top}\cdot\delta")
st.markdown(t("perceptron.s4.delta_code"))
show_code(SquaredErrorLoss.backward, Sigmoid.backward, Affine.backward, SGD, output_delta)

# ================================================================ 5. the spiral

st.header(t("perceptron.s5.header"))
st.markdown(t("perceptron.s5.intro"))


x_sp, t_sp = spiral_data()
labels_sp = t_sp.argmax(axis=1)
setting_cols = st.columns(2)
setting_cols[0].slider(t("perceptron.s5.hidden"), 2, 50, key=SPIRAL_H.state_key)
setting_cols[1].slider(t("perceptron.s5.lr"), 0.1, 5.0, step=0.1, key=SPIRAL_LR.state_key)


def spiral_reset() -> None:
    h = int(st.session_state[SPIRAL_H.state_key])
    lr = float(st.session_state[SPIRAL_LR.state_key])
    net = MultiLayerNet(2, [h], 3, activation="sigmoid", weight_init_std=0.01, seed=0)
    trainer = Trainer(net, SGD(lr=lr), x_sp, t_sp, batch_size=30, seed=0, eval_samples=None)
    st.session_state[STATE_SPIRAL] = {"config": h, "trainer": trainer}


def spiral_advance() -> Stop | None:
    trainer = st.session_state[STATE_SPIRAL]["trainer"]
    if trainer.epoch < SPIRAL_EPOCHS:
        trainer.run(until_epoch=min(trainer.epoch + SPIRAL_EPOCHS_PER_TICK, SPIRAL_EPOCHS),
                    max_seconds=CHUNK_SECONDS)
    if trainer.epoch >= SPIRAL_EPOCHS:
        acc = trainer.network.accuracy(x_sp, t_sp)
        return Stop(t("perceptron.s5.done", epochs=SPIRAL_EPOCHS, acc=acc), "success")
    return None


def spiral_draw() -> None:
    trainer = st.session_state[STATE_SPIRAL]["trainer"]
    net = trainer.network
    records = trainer.history.epochs
    m = st.columns(3)
    m[0].metric(t("perceptron.epoch"), f"{trainer.epoch} / {SPIRAL_EPOCHS}")
    m[1].metric(t("perceptron.s5.loss"), f"{float(net.loss(x_sp, t_sp)):.4f}")
    m[2].metric(t("perceptron.s5.accuracy"), f"{net.accuracy(x_sp, t_sp):.1%}")
    axis, points = grid(-SPIRAL_LIM, SPIRAL_LIM, SPIRAL_GRID)
    regions = np.asarray(net.predict(points)).argmax(axis=1).reshape(SPIRAL_GRID, SPIRAL_GRID)
    fig = vz.class_regions_figure(axis, axis, regions, x_sp, labels_sp,
                                  {"x1": "x1", "x2": "x2"},
                                  [t("perceptron.s5.class", k=k) for k in range(3)])
    show_chart(fig, "perceptron-spiral-regions", key="perceptron.chart.spiral_map",
               height=SQUARE_HEIGHT + 40)
    if records:
        fig = vz.loss_figure([r.epoch for r in records], [r.loss for r in records],
                             {"x": t("perceptron.epoch"), "y": t("perceptron.s5.epoch_loss")},
                             log_y=False)
        show_chart(fig, "perceptron-spiral-loss", key="perceptron.chart.spiral_loss",
                   height=CURVE_HEIGHT)
    else:
        st.info(t("perceptron.s5.no_loss_yet"), icon=":material/play_arrow:")


spiral_loop = LiveLoop("perceptron.spiral", advance=spiral_advance, draw=spiral_draw,
                       reset=spiral_reset, tick=0.3,
                       step_help=t("perceptron.step_help", n=SPIRAL_EPOCHS_PER_TICK))
model = st.session_state.get(STATE_SPIRAL)
if model is None or model["config"] != int(st.session_state[SPIRAL_H.state_key]):
    spiral_loop.reset()
else:
    model["trainer"].optimizer.lr = float(st.session_state[SPIRAL_LR.state_key])
spiral_loop.controls()
st.caption(t("perceptron.s5.controls_caption", n=SPIRAL_EPOCHS_PER_TICK, cap=SPIRAL_EPOCHS))
spiral_loop.view()
st.markdown(t("perceptron.s5.outro"))
show_code(spiral, SoftmaxWithLoss)

save_params(PARAMS)
