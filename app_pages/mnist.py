"""Lesson 5: MNIST, the seed's STEP 1-7: numerical gradient against backprop, the data, the
code, the settings, live training with a look inside, the weight chain for one digit, and a
digit the learner draws. Seeds 000, 001 and 003. The numbers come from lessons.mnist (the run
is held in the learner's session), the figures from viz.mnist, the live view from ui.mnist_view.
"""

from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from engine import layers
from engine.backend import cupy_available
from engine.gradcheck import check_network
from engine.layers import NETWORK_ACTIVATIONS
from engine.network import MultiLayerNet
from engine.optimizers import OPTIMIZERS
from engine.trainer import Trainer
from lessons import mnist as lm
from ui import mnist_view as mv
from ui.chart import show_pure_chart
from ui.code import show_code
from ui.data import mnist_or_error
from ui.export import show_table
from ui.i18n import t
from ui.live import Button, LiveLoop, Stop, interrupted
from ui.messages import show_error
from ui.params import ChoiceParam, IntParam, load_params, save_params
from ui.sections import open_sections
from ui.state import held, held_model, held_reset
from viz import mnist as vz

PAGE = "mnist"
D = lm.MnistConfig()  # the page's defaults
BACKENDS = ("numpy", "cupy") if cupy_available() else ("numpy",)
LAYERS = IntParam(PAGE, "layers", len(D.hidden), 1, lm.MAX_LAYERS)
HIDDEN = [ChoiceParam(PAGE, f"h{i}", D.hidden[0], choices=lm.HIDDEN_CHOICES)
          for i in range(1, lm.MAX_LAYERS + 1)]
ACTIVATION = ChoiceParam(PAGE, "act", D.activation, choices=NETWORK_ACTIVATIONS)
INIT = ChoiceParam(PAGE, "init", D.init, choices=lm.INITS)
OPTIMIZER = ChoiceParam(PAGE, "opt", D.optimizer, choices=tuple(OPTIMIZERS))
LR = ChoiceParam(PAGE, "lr", D.lr, choices=lm.LR_CHOICES)
BATCH = ChoiceParam(PAGE, "batch", D.batch, choices=lm.BATCH_CHOICES)
EPOCHS = IntParam(PAGE, "epochs", D.epochs, 1, lm.MAX_EPOCHS)
SEED = IntParam(PAGE, "seed", D.seed, 0, 9999)
BACKEND = ChoiceParam(PAGE, "backend", D.backend, choices=BACKENDS)
SETTINGS = [LAYERS, *HIDDEN, ACTIVATION, INIT, OPTIMIZER, LR, BATCH, EPOCHS, SEED, BACKEND]
SAMPLES = ChoiceParam(PAGE, "samples", "by_class", choices=lm.SAMPLE_MODES)
START_INDEX = IntParam(PAGE, "index", 0, 0, 59_999)
DIGIT = IntParam(PAGE, "digit", 0, 0, 9_999)
PARAMS = [*SETTINGS, SAMPLES, START_INDEX, DIGIT]

COMPARE_SECONDS = 1.0  # per backend
# A chunk is a frame: the charts play where the curves stood after each (ui.live_chart), ten
# a second, however seldom the view reruns (a run costs the browser a pass over the page).
CHUNK_SECONDS = 0.1
TICK = 0.2  # the browser asks for a redraw this often at most; training goes on meanwhile
CATCH_UP_S = 2.0  # training goes on while the browser draws, up to this long (ui.live)
STATE = "mnist.model"  # the run, held by ui.state
ss = st.session_state


def current_config() -> lm.MnistConfig:
    return lm.MnistConfig(
        hidden=tuple(int(p.value()) for p in HIDDEN[:LAYERS.value()]),
        activation=ACTIVATION.value(), init=INIT.value(), optimizer=OPTIMIZER.value(),
        lr=float(LR.value()), batch=int(BATCH.value()), epochs=EPOCHS.value(),
        seed=SEED.value(), backend=BACKEND.value())


@st.cache_resource(show_spinner=False)
def data_stats() -> lm.DataStats:
    """Counts, mean images and pixel statistics of both splits: once per process."""
    return lm.data_stats(X_TRAIN, T_TRAIN, T_TEST)


@st.fragment
def gradient_check() -> None:  # STEP 1
    cols = st.columns(3)
    hidden = cols[0].select_slider(t("mnist.s1.hidden"), lm.CHECK_HIDDEN, value=10,
                                   key="mnist.check.hidden")
    batch = cols[1].select_slider(t("mnist.s1.batch"), lm.CHECK_BATCH, value=3,
                                  key="mnist.check.batch")
    cols[2].button(t("mnist.s1.run"), key="mnist.check.run", icon=":material/calculate:",
                   type="primary", width="stretch")
    if not ss.get("mnist.check.run") and "mnist.check.result" not in ss:
        st.info(t("mnist.s1.press"), icon=":material/calculate:")
        return
    if ss.get("mnist.check.run") or ss.get("mnist.check.config") != (hidden, batch):
        net = lm.gradcheck_network(hidden)
        with st.spinner(t("mnist.s1.running", n=net.n_params())):
            ss["mnist.check.result"] = (lm.gradient_check(net, X_TRAIN, T_TRAIN, batch),
                                        net.n_params())
        ss["mnist.check.config"] = (hidden, batch)
    (result, n_params), (hidden, batch) = ss["mnist.check.result"], ss["mnist.check.config"]
    mv.gradcheck_result(result, n_params, hidden, batch)


def data_section() -> None:  # STEP 2: no control of its own but the sample grid's fragment
    stats = data_stats()
    st.markdown(t("mnist.s2.intro", train=len(X_TRAIN), test=len(X_TEST)))
    tabs = mv.data_tabs()
    with tabs[0]:
        sample_grid()
    mv.data_views(stats, tabs[1:])


@st.fragment
def sample_grid() -> None:
    load_params([SAMPLES, START_INDEX])
    labels = {"by_class": t("mnist.s2.by_class"), "random": t("mnist.s2.random"),
              "index": t("mnist.s2.index")}
    cols = st.columns([2, 1])
    how = SAMPLES.widget("radio", t("mnist.s2.how"), where=cols[0], horizontal=True,
                         format_func=labels.__getitem__)
    if how == "index":
        START_INDEX.number_input(t("mnist.s2.start"), step=1, where=cols[1])
    elif how == "random":
        cols[1].button(t("mnist.s2.shuffle"), key="mnist.grid.shuffle",
                       icon=":material/shuffle:", width="stretch",
                       on_click=lambda: ss.update({"mnist.grid.seed":
                                                   ss.get("mnist.grid.seed", 0) + 1}))
    save_params([SAMPLES, START_INDEX])
    try:
        idx = lm.sample_indices(T_TRAIN, how, per_class=4, n=40,
                                index=START_INDEX.value() if how == "index" else None,
                                seed=ss.get("mnist.grid.seed", 0))
    except ValueError as err:
        show_error(err)
        return
    show_pure_chart(partial(vz.digit_grid, X_TRAIN[idx], [f"{int(T_TRAIN[i])}" for i in idx],
                            cols=10), "mnist-samples", key="mnist.chart.samples")
    st.caption(t("mnist.s2.grid_caption", first=int(idx[0]), last=int(idx[-1])))


def notes_network() -> None:
    """The lecture notes' 784-15-10 network: its settings into the form, built at once."""
    notes = lm.notes_config(current_config())
    ss.update({LAYERS.state_key: len(notes.hidden), HIDDEN[0].state_key: notes.hidden[0],
               ACTIVATION.state_key: notes.activation, INIT.state_key: notes.init,
               "mnist.notes.applied": True})


def settings_section() -> bool:  # STEP 6
    """The settings form. Not a fragment: "apply" (or the notes' network) builds a new
    network, which every section below shows, so it reruns the whole page. True when it
    was pressed."""
    st.markdown(t("mnist.s6.intro"))
    st.button(t("mnist.s6.notes", sizes=lm.notes_config().sizes), key="mnist.notes",
              icon=":material/menu_book:", on_click=notes_network,
              help=t("mnist.s6.notes_help", n=lm.NOTES_HIDDEN[0]))
    with st.form("mnist.settings", border=True):
        c = st.columns(4)
        LAYERS.number_input(t("mnist.s6.layers"), step=1, where=c[0])
        for i, p in enumerate(HIDDEN):
            p.widget("select_slider", t("mnist.s6.hidden", i=i + 1), where=c[i + 1])
        c = st.columns(3)
        ACTIVATION.widget("selectbox", t("mnist.s6.activation"), where=c[0],
                          format_func=mv.activation_names().__getitem__)
        inits = {"he": t("mnist.s6.init_he"), "xavier": t("mnist.s6.init_xavier"),
                 "0.01": t("mnist.s6.init_small")}
        INIT.widget("selectbox", t("mnist.s6.init"), where=c[1], format_func=inits.__getitem__)
        BACKEND.widget("selectbox", t("mnist.s6.backend"), where=c[2],
                       help=t("mnist.s6.backend_help"))
        c = st.columns(2)
        OPTIMIZER.widget("selectbox", t("mnist.s6.optimizer"), where=c[0])
        LR.widget("select_slider", t("mnist.s6.lr"), where=c[1], help=t(
            "mnist.s6.lr_help", table=", ".join(f"{k} {v:g}" for k, v in lm.GOOD_LR.items())))
        c = st.columns(3)
        BATCH.widget("select_slider", t("mnist.s6.batch"), where=c[0])
        EPOCHS.number_input(t("mnist.s6.epochs"), step=1, where=c[1])
        SEED.number_input(t("mnist.s6.seed"), step=1, where=c[2])
        applied = st.form_submit_button(t("mnist.s6.apply"), icon=":material/build:",
                                        type="primary")
    st.caption(t("mnist.s6.bounds", layers=lm.MAX_LAYERS, hidden=max(lm.HIDDEN_CHOICES),
                 epochs=lm.MAX_EPOCHS, cap=lm.TOTAL_EPOCH_CAP))
    if cupy_available():
        compare_backends()
    else:
        st.caption(t("mnist.s6.no_gpu"))
    save_params(SETTINGS)
    return applied or bool(ss.pop("mnist.notes.applied", False))


@st.fragment
def compare_backends() -> None:
    """On a GPU server: the current settings' samples/s on numpy and on cupy, side by side."""
    if not st.button(t("mnist.s6.compare"), key="mnist.compare", icon=":material/speed:"):
        return
    rows = []
    for backend in BACKENDS:
        with st.spinner(t("mnist.s6.comparing", backend=backend)):
            speed = lm.backend_speed(current_config(), DATA, backend, COMPARE_SECONDS)
        rows.append({t("mnist.s6.col_backend"): backend, t("mnist.s7.rate"): f"{speed:,.0f}"})
    show_table(pd.DataFrame(rows), "mnist-backend-speed")
    st.caption(t("mnist.s6.compare_note", seconds=COMPARE_SECONDS))


def advance() -> Stop | None:  # a click or the next tick ends a chunk within a few batches
    run = held_model(STATE)
    done = run.advance(CHUNK_SECONDS, interrupted=interrupted)
    mv.note_frame(run)  # where the curves stood: the next redraw plays the chunks in turn
    return Stop(t("mnist.s7.done", epochs=run.trainer.epoch, acc=run.analysis.acc),
                "success") if done else None


def training_section(applied: bool) -> None:  # STEP 7
    """The run and its controls. Not a fragment: start and pause rerun the page to register
    the timed view (ui.live), and every control changes the network the sections below use."""
    st.markdown(t("mnist.s7.intro", chunk=CHUNK_SECONDS))
    if applied:
        held_reset(STATE)  # "apply" builds a new network, even from the same settings
    run = held(STATE, current_config(), partial(lm.build, data=DATA))
    if applied:
        loop.stop_with(None)
    trainer, running, fresh = run.trainer, loop.running, run.trainer.step_count == 0
    loop.controls(
        start_label=t("mnist.s7.start") if fresh or run.finished else t("mnist.s7.resume"),
        on_start=start_clicked, step_disabled=run.finished, extra=[
            Button("stop", t("mnist.s7.stop"), ":material/stop:", stop_clicked,
                   disabled=(fresh and not running) or run.finished),
            Button("one_more", t("mnist.s7.one_more"), ":material/add:", one_more_clicked,
                   disabled=running or trainer.epoch >= lm.TOTAL_EPOCH_CAP)])
    loop.view()
    mv.network_file(loop, DATA, SETTINGS, STATE, BACKENDS)  # save the run, or bring one back
    show_code(Trainer.run, Trainer.evaluate, MultiLayerNet.grad_stats)


def start_clicked() -> None:
    if held_model(STATE).finished:
        held_reset(STATE)  # a new network, built by the rerun's held()


def stop_clicked() -> None:
    run = held_model(STATE)
    run.stop()
    loop.stop_with(Stop(t("mnist.s7.stopped", epoch=run.trainer.epoch,
                          step=run.trainer.step_count), "info"))


def one_more_clicked() -> None:
    held_model(STATE).one_more()
    loop.start()


@st.fragment
def chain_view() -> None:  # the weight chain X·W1·W2·... for one test digit
    load_params([DIGIT])
    c = st.columns([2, 1])
    index = int(DIGIT.number_input(t("mnist.chain.index"), step=1, where=c[0]))
    c[1].button(t("mnist.chain.random"), key="mnist.chain.random", icon=":material/casino:",
                width="stretch", on_click=lambda: ss.update(
                    {DIGIT.state_key: int(np.random.default_rng().integers(0, len(X_TEST)))}))
    save_params([DIGIT])
    run = held_model(STATE)
    mv.weight_chain(run, X_TEST[index:index + 1], int(T_TEST[index]))


@st.fragment
def draw_digit() -> None:  # a digit the learner draws or uploads, read by the network
    mv.read_digit(held_model(STATE))


# ================================================================ the page

st.title(t("lesson.mnist.title"))
st.markdown(t("mnist.intro"))
view = open_sections(PAGE, load_params(PARAMS))
DATA = mnist_or_error()
if DATA is None:
    st.stop()
(X_TRAIN, T_TRAIN), (X_TEST, T_TEST) = DATA
loop = LiveLoop("mnist.train", advance=advance, reset=lambda: held_reset(STATE),
                draw=lambda: mv.draw_live(loop, held_model(STATE)), tick=TICK,
                step_help=t("mnist.s7.step_help", seconds=CHUNK_SECONDS), catch_up=CATCH_UP_S)

if view.begin("check"):  # each begin() draws its section's header (ui/sections.py)
    st.markdown(t("mnist.s1.intro"))
    st.latex(r"\frac{\partial L}{\partial w} \approx \frac{L(w + h) - L(w - h)}{2h}"
             r"\qquad h = 10^{-4}")
    gradient_check()
    show_code(check_network, MultiLayerNet.numerical_gradient, MultiLayerNet.gradient,
              MultiLayerNet.backprop)
if view.begin("data"):
    data_section()
if view.begin("code"):
    mv.code_section()
applied = view.begin("settings") and settings_section()
if view.begin("training"):
    training_section(applied)
    mv.chain_intro(held_model(STATE))
    chain_view()
    show_code(MultiLayerNet.forward_trace, layers.Affine.forward)
else:  # the drawn digit is read by the network the training section holds
    held(STATE, current_config(), partial(lm.build, data=DATA))
if view.begin("draw"):
    st.markdown(t("mnist.draw.intro"))
    draw_digit()
    show_code(lm.preprocess_steps)
