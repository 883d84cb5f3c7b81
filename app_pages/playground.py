"""Lesson 6: the playground. A 2-D dataset (a built-in one, the learner's own points or a CSV),
the input features, a network shaped with + and −, and live decision regions, loss curves and a
network diagram whose every neuron shows its output over the plane; a neuron to inspect and
edit, the confusion matrix and the gradient flow. Numbers come from lessons.playground, figures
from viz.playground, the views from ui.playground_view.

One fragment holds the settings and the live view, so that a changed setting redraws the view
at once; the view is the loop's own fragment (ui.live), which alone reruns while training."""

from functools import partial

import streamlit as st

import lessons.playground as lp
from ui import playground_view as pv
from ui.code import show_code
from ui.i18n import t
from ui.live import LiveLoop, Stop
from ui.messages import show_error
from ui.params import (
    BoolParam,
    ChoiceParam,
    IntParam,
    TextParam,
    load_params,
    save_params,
)
from ui.sections import open_sections
from ui.state import held_model, held_reset

PAGE = "playground"
D = lp.PRESETS["circle"]  # the page opens on the circle with its preset
DATASET = ChoiceParam(PAGE, "data", D.dataset, choices=(*lp.DATASETS, pv.CUSTOM))
NOISE = IntParam(PAGE, "noise", 0, 0, 50)  # percent
TRAIN = IntParam(PAGE, "train", round(D.train_fraction * 100), 10, 90)  # percent
SHOW_TEST = BoolParam(PAGE, "test", False)
DISCRETE = BoolParam(PAGE, "discrete", False)
BACKPROP = BoolParam(PAGE, "backprop", False)
FEATURES = {f: BoolParam(PAGE, f, f in D.features) for f in lp.FEATURES}
LAYERS = IntParam(PAGE, "layers", len(D.hidden), 0, lp.MAX_LAYERS)
NEURONS = [IntParam(PAGE, f"n{i}", D.hidden[i - 1] if i <= len(D.hidden) else pv.NEW_LAYER,
                    1, lp.MAX_NEURONS) for i in range(1, lp.MAX_LAYERS + 1)]
ACT = ChoiceParam(PAGE, "act", D.activation, choices=lp.ACTIVATIONS)
REG = ChoiceParam(PAGE, "reg", D.regularization, choices=lp.REGULARIZATIONS)
RATE = ChoiceParam(PAGE, "rate", D.reg_rate, choices=pv.RATE_CHOICES)
DROPOUT = ChoiceParam(PAGE, "dropout", D.dropout, choices=pv.DROPOUT_CHOICES)
LR = ChoiceParam(PAGE, "lr", D.lr, choices=pv.LR_CHOICES)
BATCH = IntParam(PAGE, "batch", D.batch, 1, 30)
OPT = ChoiceParam(PAGE, "opt", D.optimizer, choices=lp.OPTIMIZER_NAMES)
SEED = IntParam(PAGE, "seed", D.seed, 0, 9999)
POINTS = TextParam(PAGE, "pts", "", decode=lp.decode_points, limit=pv.POINTS_URL_LIMIT)
SETTINGS = [DATASET, NOISE, TRAIN, *FEATURES.values(), LAYERS, *NEURONS, ACT, REG, RATE,
            DROPOUT, LR, BATCH, OPT, SEED]
PARAMS = [*SETTINGS, SHOW_TEST, DISCRETE, BACKPROP, POINTS]

# A tick trains a few short chunks and keeps what the network shows after each (the regions
# and every neuron's map); the browser plays them one every FRAME_S seconds (ui.live_chart's
# frames), so the pictures move more often than Streamlit can rerun the view. A tick brings
# as many frames as the time since the last one asks for (at most MAX_FRAMES): the browser
# plays on until the next comes, however long a tick takes on a busy server.
MAX_FRAMES = 6
FRAME_S = 0.1
EPOCHS_PER_FRAME = 5  # at most; TFP shows one epoch per frame at some 60 frames a second
CHUNK_SECONDS = 0.03  # the most one frame may train
TICK = 0.4  # the browser asks for the next tick this often at most
STATE = "playground.run"
ss = st.session_state


def settings() -> lp.Settings:
    """The page's widgets as the lesson's settings."""
    return lp.Settings(
        dataset=DATASET.value(), noise=NOISE.value() / 100,
        train_fraction=TRAIN.value() / 100,
        features=tuple(f for f, p in FEATURES.items() if p.value()),
        hidden=tuple(p.value() for p in NEURONS[:LAYERS.value()]),
        activation=ACT.value(), regularization=REG.value(), reg_rate=RATE.value(),
        dropout=DROPOUT.value(), lr=LR.value(), batch=BATCH.value(), optimizer=OPT.value(),
        seed=SEED.value())


def apply_preset(dataset: str) -> None:
    """Every setting to the preset of `dataset` (a new dataset starts from its preset)."""
    preset = pv.preset_for(dataset)
    ss[NOISE.state_key] = round(preset.noise * 100)
    ss[TRAIN.state_key] = round(preset.train_fraction * 100)
    for f, p in FEATURES.items():
        ss[p.state_key] = f in preset.features
    ss[LAYERS.state_key] = len(preset.hidden)
    for p, n in zip(NEURONS, preset.hidden, strict=False):
        ss[p.state_key] = n
    for p, value in ((ACT, preset.activation), (REG, preset.regularization),
                     (RATE, preset.reg_rate), (DROPOUT, preset.dropout), (LR, preset.lr),
                     (BATCH, preset.batch), (OPT, preset.optimizer), (SEED, preset.seed)):
        ss[p.state_key] = value


def change_layers(by: int) -> None:
    ss[LAYERS.state_key] = min(max(LAYERS.value() + by, 0), lp.MAX_LAYERS)


def change_neurons(i: int, by: int) -> None:
    p = NEURONS[i]
    ss[p.state_key] = min(max(p.value() + by, 1), lp.MAX_NEURONS)


def advance() -> Stop | None:
    run = held_model(STATE)
    pv.train_frames(run, pv.frames_due(FRAME_S, MAX_FRAMES), EPOCHS_PER_FRAME, CHUNK_SECONDS)
    return None


def data_controls() -> None:
    st.subheader(t("playground.data.header"))
    DATASET.widget("pills", t("playground.data.dataset"), required=True,
                   format_func=pv.labels_of("dataset", DATASET.choices),
                   on_change=lambda: apply_preset(DATASET.value()),
                   help=t("playground.data.dataset_help"))
    cols = st.columns(3)
    NOISE.slider(t("playground.data.noise"), where=cols[0], format="%d%%",
                 disabled=DATASET.value() == pv.CUSTOM)
    TRAIN.slider(t("playground.data.train"), where=cols[1], format="%d%%")
    SHOW_TEST.widget("toggle", t("playground.data.show_test"), where=cols[2])
    if DATASET.value() == pv.CUSTOM:
        pv.own_data_controls(POINTS)
    st.button(t("playground.data.preset"), icon=":material/restart_alt:",
              on_click=apply_preset, args=(DATASET.value(),), key="playground.preset",
              help=t("playground.data.preset_help"))


def network_controls() -> None:
    st.subheader(t("playground.net.header"))
    st.caption(t("playground.net.features"))
    cols = st.columns(len(FEATURES))
    for col, (f, p) in zip(cols, FEATURES.items(), strict=True):
        p.widget("checkbox", pv.feature_label(f), where=col)
    layers = LAYERS.value()
    row = st.columns([2, 1, 1])
    row[0].markdown(t("playground.net.layers", n=layers))
    row[1].button("−", key="playground.layers.minus", on_click=change_layers, args=(-1,),
                  disabled=layers == 0, help=t("playground.net.layer_minus"), width="stretch")
    row[2].button("+", key="playground.layers.plus", on_click=change_layers, args=(1,),
                  disabled=layers == lp.MAX_LAYERS, help=t("playground.net.layer_plus"),
                  width="stretch")
    if layers:
        pv.neuron_buttons(layers, [p.value() for p in NEURONS[:layers]], change_neurons)
    cols = st.columns(3)
    ACT.widget("selectbox", t("playground.net.activation"), where=cols[0],
               format_func=pv.labels_of("activation", ACT.choices))
    REG.widget("selectbox", t("playground.net.regularization"), where=cols[1],
               format_func=pv.labels_of("reg", REG.choices))
    RATE.widget("select_slider", t("playground.net.rate"), where=cols[2],
                disabled=REG.value() == "none")
    cols = st.columns(4)
    LR.widget("select_slider", t("playground.net.lr"), where=cols[0])
    BATCH.slider(t("playground.net.batch"), where=cols[1])
    OPT.widget("selectbox", t("playground.net.optimizer"), where=cols[2])
    DROPOUT.widget("select_slider", t("playground.net.dropout"), where=cols[3],
                   disabled=layers == 0, help=t("playground.net.dropout_help"))
    SEED.number_input(t("playground.net.seed"), step=1, help=t("playground.net.seed_help"))


@st.fragment
def lab() -> None:
    """The settings and the live view: a changed setting builds a new network (the loop
    pauses) and redraws the view; the learning rate and the batch size go to the running one."""
    data_controls()
    network_controls()
    save_params(PARAMS)
    if DATASET.value() == pv.CUSTOM and not pv.own_data_ready(POINTS):
        pv.drawing_board(POINTS)  # too few points yet to train on: the plane to draw them on
        return
    try:
        run = loop.hold(STATE, pv.RunKey.of(settings(), pv.own_data_key(POINTS)),
                        partial(pv.build_run, POINTS))
    except ValueError as err:  # a setting the lesson refuses (no input feature, ...)
        show_error(err)
        return
    pv.apply_live_settings(run, LR.value(), BATCH.value())
    st.subheader(t("playground.live.header"))
    loop.controls()
    loop.view()
    pv.network_file(loop, STATE, POINTS, SETTINGS)  # save the run, or bring one back


st.title(t("lesson.playground.title"))
st.markdown(t("playground.intro"))
view = open_sections(PAGE, load_params(PARAMS))
loop = LiveLoop("playground.train", advance=advance, reset=lambda: held_reset(STATE),
                draw=lambda: pv.draw_live(held_model(STATE), loop, show_test=SHOW_TEST.value(),
                                          discrete=DISCRETE, backprop=BACKPROP, points=POINTS,
                                          frame_s=FRAME_S),
                tick=TICK, step_help=t("playground.live.step_help"))
if view.on("lab"):
    lab()
if view.begin("beyond"):  # draws the header
    st.markdown(t("playground.beyond.intro"))
    show_code(lp.make_data, lp.feature_matrix, lp.build, lp.neuron_maps, lp.confusion)
