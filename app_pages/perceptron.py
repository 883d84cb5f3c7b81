"""Lesson 1: the perceptron, why XOR needs two layers, and a network that learns XOR (seeds
001, 004 and 003). Numbers come from lessons.perceptron, figures from viz.perceptron, tables,
notes and live views from ui.perceptron_view. Every section is a fragment; a loop that starts
or stops reruns the whole page, to set its view's timer (ui.live)."""

import streamlit as st

import lessons.perceptron as pl
from engine.datasets import GATE_NAMES, spiral
from engine.layers import Affine, Sigmoid, SoftmaxWithLoss, SquaredErrorLoss
from engine.optimizers import SGD
from ui import perceptron_view as pv
from ui.code import show_code
from ui.data import spiral_data
from ui.i18n import t
from ui.live import LiveLoop, Stop
from ui.params import ChoiceParam, FloatParam, IntParam, load_params, save_params
from ui.sections import open_sections
from ui.state import held_model, held_reset

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

# A tick is one chunk and one redraw (ui.live). A chunk is short (100 XOR epochs take ~10 ms,
# 10 spiral epochs ~30 ms; CHUNK_SECONDS caps a slow server), and the live charts send only
# what changed, so a redraw is mostly the XOR view's tables (~60 ms). Ticks of 0.25 s and
# 0.3 s show XOR learned in some 6 s and the spiral's 300 epochs in some 9 s.
CHUNK_SECONDS = 0.15  # the most one tick may train
STATE_XOR = "perceptron.xor.model"
STATE_SPIRAL = "perceptron.spiral.model"


def apply_preset(name: str) -> None:
    for param, value in zip((W1, W2, B, GATE), (*pl.GATES[name], name), strict=True):
        st.session_state[param.state_key] = value


@st.fragment
def perceptron_section() -> None:
    """1. Gate, presets and sliders, the truth table and the decision line."""
    st.header(t("perceptron.s1.header"))
    st.markdown(t("perceptron.s1.intro"))
    pv.formulas(r"a = w_1 x_1 + w_2 x_2 + b",
                r"y = \mathrm{step}(a) = \begin{cases} 1 & a > 0 \\ 0 & a \le 0 \end{cases}")
    GATE.widget("radio", t("perceptron.gate"), horizontal=True, help=t("perceptron.gate_help"))
    st.caption(t("perceptron.presets"))
    for col, name in zip(st.columns(len(pl.GATES)), pl.GATES, strict=True):
        col.button(t("perceptron.preset", gate=name), key=f"perceptron.preset.{name}",
                   on_click=apply_preset, args=(name,), width="stretch")
    labels = (t("perceptron.w1"), t("perceptron.w2"), t("perceptron.b"))
    for col, param, label in zip(st.columns(3), (W1, W2, B), labels, strict=True):
        param.slider(label, step=0.1, where=col)
    save_params([W1, W2, B, GATE])
    pv.gate_check(pl.Perceptron(W1.value(), W2.value(), B.value()), GATE.value())
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
    pv.aligned([r"w_1 + w_2 + b &= (w_1 + b) + (w_2 + b) - b", r"&> 0 - b \;\ge\; 0"])
    pv.gate_verdicts()
    show_code(pl.separating_line, pl.perceptron_learn)


@st.fragment
def gates_section() -> None:
    """3. XOR from NAND, OR and AND: the input space and the hidden space."""
    st.header(t("perceptron.s3.header"))
    st.markdown(t("perceptron.s3.intro"))
    pv.formulas(r"s_1 = \mathrm{NAND}(x_1, x_2)", r"s_2 = \mathrm{OR}(x_1, x_2)",
                r"y = \mathrm{AND}(s_1, s_2)")
    pv.xor_from_gates()
    show_code(pl.xor_from_gates)


def xor_advance() -> Stop | None:
    return pv.xor_stop(pl.advance_xor(held_model(STATE_XOR), max_seconds=CHUNK_SECONDS))


@st.fragment
def xor_section() -> None:
    """4. XOR, live. The learning rate goes to the running network; a new H or seed builds a
    new one, which pauses the loop (LiveLoop.hold). Start and pause rerun the whole page."""
    st.header(t("perceptron.s4.header"))
    st.markdown(t("perceptron.s4.intro"))
    pv.formulas(r"y_h = \sigma(x \cdot W_1 + b_1)", r"y_o = \sigma(y_h \cdot W_2 + b_2)",
                r"\mathrm{loss} = \frac{1}{2N}\sum_{n=1}^{N} (y_o - y_t)^2")
    cols = st.columns(3)
    XOR_H.slider(t("perceptron.s4.hidden"), where=cols[0], help=t("perceptron.s4.hidden_help"))
    XOR_LR.slider(t("perceptron.s4.lr"), step=0.1, where=cols[1], help=t("perceptron.s4.lr_help"))
    XOR_SEED.number_input(t("perceptron.s4.seed"), step=1, where=cols[2],
                          help=t("perceptron.s4.seed_help"))
    save_params([XOR_H, XOR_LR, XOR_SEED])
    run = xor_loop.hold(STATE_XOR, pl.XorConfig(XOR_H.value(), XOR_SEED.value()), pl.build_xor)
    run.trainer.optimizer.lr = XOR_LR.value()
    xor_loop.controls()
    st.caption(t("perceptron.s4.controls_caption", n=pl.XOR_EPOCHS_PER_CALL,
                 cap=pl.XOR_MAX_EPOCHS, seconds=CHUNK_SECONDS))
    xor_loop.view()  # the live numbers: outputs, the output and hidden deltas, the gradients
    st.markdown(t("perceptron.s4.delta_code"))
    show_code(SquaredErrorLoss.backward, Sigmoid.backward, Affine.backward, SGD, pl.output_delta,
              pl.hidden_backprop)


def spiral_advance() -> Stop | None:
    acc = pl.advance_spiral(held_model(STATE_SPIRAL), max_seconds=CHUNK_SECONDS)
    return None if acc is None else Stop(t("perceptron.s5.done", epochs=pl.SPIRAL_EPOCHS,
                                           acc=acc), "success")


@st.fragment
def spiral_section() -> None:
    """5. The spiral, live, as section 4: a new H builds a new network and pauses the loop."""
    st.header(t("perceptron.s5.header"))
    st.markdown(t("perceptron.s5.intro"))
    cols = st.columns(2)
    SPIRAL_H.slider(t("perceptron.s5.hidden"), where=cols[0])
    SPIRAL_LR.slider(t("perceptron.s5.lr"), step=0.1, where=cols[1])
    save_params([SPIRAL_H, SPIRAL_LR])
    trainer = spiral_loop.hold(STATE_SPIRAL, pl.SpiralConfig(SPIRAL_H.value()),
                               lambda config: pl.build_spiral(config, spiral_data()))
    trainer.optimizer.lr = SPIRAL_LR.value()
    spiral_loop.controls()
    st.caption(t("perceptron.s5.controls_caption", n=pl.SPIRAL_EPOCHS_PER_CALL,
                 cap=pl.SPIRAL_EPOCHS))
    spiral_loop.view()
    st.markdown(t("perceptron.s5.outro"))
    show_code(spiral, SoftmaxWithLoss)


st.title(t("lesson.perceptron.title"))
st.markdown(t("perceptron.intro"))
view = open_sections(PAGE, load_params(PARAMS))
xor_loop = LiveLoop("perceptron.xor", advance=xor_advance,
                    draw=lambda: pv.xor_live(held_model(STATE_XOR)),
                    reset=lambda: held_reset(STATE_XOR), tick=0.25,
                    step_help=t("perceptron.step_help", n=pl.XOR_EPOCHS_PER_CALL))
spiral_loop = LiveLoop("perceptron.spiral", advance=spiral_advance,
                       draw=lambda: pv.spiral_live(held_model(STATE_SPIRAL), spiral_data()),
                       reset=lambda: held_reset(STATE_SPIRAL), tick=0.3,
                       step_help=t("perceptron.step_help", n=pl.SPIRAL_EPOCHS_PER_CALL))
view.run({"neuron": perceptron_section, "no_line": no_line_section, "gates": gates_section,
          "xor": xor_section, "spiral": spiral_section})
