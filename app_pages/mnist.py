"""Lesson 5: MNIST. The seed's STEP 1-7: numerical gradient against backprop, the data,
the code, the settings, live training with a look inside, the weight chain for one digit,
and a digit the learner draws.

Seeds 000 (STEP 1-7), 001 and 003. Every number below comes from the engine, live; the
dataset is loaded once per process and shared read-only, the network lives in the
learner's session.
"""

import time
import uuid
from collections import deque
from dataclasses import astuple, dataclass, replace

import numpy as np
import pandas as pd
import streamlit as st

from engine import functions, layers
from engine.backend import cupy_available, to_numpy
from engine.datasets import to_float_batch
from engine.gradcheck import check_network
from engine.layers import NETWORK_ACTIVATIONS
from engine.network import MultiLayerNet
from engine.optimizers import OPTIMIZERS
from engine.trainer import Trainer, measure_speed
from lessons.digits import preprocess_steps
from lessons.mnist_stats import (
    class_counts,
    confusion_matrix,
    mean_images,
    misclassified,
    pixel_stats,
    predict_proba,
    sample_indices,
)
from ui.chart import show_chart
from ui.code import show_code
from ui.data import mnist_or_error
from ui.digit_canvas import CANVAS_PX, digit_canvas
from ui.i18n import current_lang, t
from ui.images import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES, decode_drawing, decode_image
from ui.live import LiveLoop, Stop
from ui.messages import show_error
from ui.params import ChoiceParam, IntParam, load_params, save_params, show_notices
from ui.settings import slides_on
from viz import layers as vl
from viz import mnist as vz

PAGE = "mnist"
HIDDEN_CHOICES = (16, 32, 50, 64, 100, 128, 200, 256)
LR_CHOICES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
BATCH_CHOICES = (16, 32, 64, 100, 128, 256, 512)
ACTIVATIONS = NETWORK_ACTIVATIONS
INITS = ("he", "xavier", "0.01")
BACKENDS = ("numpy", "cupy") if cupy_available() else ("numpy",)
GOOD_LR = {"SGD": 0.1, "Momentum": 0.03, "Nesterov": 0.03, "AdaGrad": 0.01, "RMSProp": 0.001,
           "Adam": 0.001}
MAX_LAYERS, MAX_EPOCHS = 3, 20  # a shared 2-core host: at most 3 × 256 hidden, 20 epochs
TOTAL_EPOCH_CAP = 30  # "one more epoch" stops here

LAYERS = IntParam(PAGE, "layers", 1, 1, MAX_LAYERS)
HIDDEN = [ChoiceParam(PAGE, f"h{i}", 100, choices=HIDDEN_CHOICES)
          for i in range(1, MAX_LAYERS + 1)]
ACTIVATION = ChoiceParam(PAGE, "act", "relu", choices=ACTIVATIONS)
INIT = ChoiceParam(PAGE, "init", "he", choices=INITS)
OPTIMIZER = ChoiceParam(PAGE, "opt", "Adam", choices=tuple(OPTIMIZERS))
LR = ChoiceParam(PAGE, "lr", 0.001, choices=LR_CHOICES)
BATCH = ChoiceParam(PAGE, "batch", 100, choices=BATCH_CHOICES)
EPOCHS = IntParam(PAGE, "epochs", 5, 1, MAX_EPOCHS)
SEED = IntParam(PAGE, "seed", 0, 0, 9999)
BACKEND = ChoiceParam(PAGE, "backend", "numpy", choices=BACKENDS)
SAMPLES = ChoiceParam(PAGE, "samples", "by_class", choices=("by_class", "random", "index"))
START_INDEX = IntParam(PAGE, "index", 0, 0, 59_999)
DIGIT = IntParam(PAGE, "digit", 0, 0, 9_999)
PARAMS = [LAYERS, *HIDDEN, ACTIVATION, INIT, OPTIMIZER, LR, BATCH, EPOCHS, SEED, BACKEND,
          SAMPLES, START_INDEX, DIGIT]

COMPARE_SECONDS = 1.0  # per backend
CHECK_HIDDEN = (5, 10, 20)
CHECK_BATCH = (1, 3, 10)
CHUNK_SECONDS = 0.35  # training per redraw: with the redraw, a bit over two a second
TICK = 0.1  # between bursts: the next one is already asked for when a burst ends
BURST_SECONDS = 4.0  # chunk, redraw, chunk, redraw... in one fragment run (see ui.live)
EVAL_TRAIN = 10_000  # training samples scored at each epoch end (the test set: all 10,000)
WEIGHT_TILES = 16
STATIC_WHILE_RUNNING = ("loss", "grad-flow", "first-layer-weights")  # redrawn every chunk
# Every chart redrawn costs the browser a full Plotly render (~0.1 s on a small machine): the
# loss is redrawn after every chunk, the gradient flow after every other one, the weight
# pictures (which change slowly) after every third.
GRADS_EVERY, WEIGHTS_EVERY = 2, 3
WRONG_SHOWN = 24
RATE_WINDOW_S = 3.0
STATE = "mnist.model"
FIGS = "mnist.live_figures"  # the live charts of this session, refreshed in place
SLOTS: dict = {}  # the live view's st.empty slots during one fragment run
DRAWN = "mnist.draw.image"  # the canvas's last drawing, checked: (280, 280) uint8 gray
ss = st.session_state


@dataclass(frozen=True)
class Config:
    hidden: tuple[int, ...]
    activation: str
    init: str
    optimizer: str
    lr: float
    batch: int
    epochs: int
    seed: int
    backend: str

    @property
    def sizes(self) -> str:
        return "-".join(str(s) for s in (784, *self.hidden, 10))


def current_config() -> Config:
    n = int(ss[LAYERS.state_key])
    return Config(hidden=tuple(int(ss[p.state_key]) for p in HIDDEN[:n]),
                  activation=ss[ACTIVATION.state_key], init=ss[INIT.state_key],
                  optimizer=ss[OPTIMIZER.state_key], lr=float(ss[LR.state_key]),
                  batch=int(ss[BATCH.state_key]), epochs=int(ss[EPOCHS.state_key]),
                  seed=int(ss[SEED.state_key]), backend=ss[BACKEND.state_key])


st.title(t("lesson.mnist.title"))
st.markdown(t("mnist.intro"))
show_notices(load_params(PARAMS))

data = mnist_or_error()
if data is None:
    st.stop()
(X_TRAIN, T_TRAIN), (X_TEST, T_TEST) = data


@st.cache_resource(show_spinner=False)
def data_stats() -> dict:
    """Counts, mean images and pixel statistics of both splits: once per process."""
    return {"train_counts": class_counts(T_TRAIN), "test_counts": class_counts(T_TEST),
            "means": mean_images(X_TRAIN, T_TRAIN), "pixels": pixel_stats(X_TRAIN)}


# ================================================================ STEP 1. numerical vs backprop

st.header(t("mnist.s1.header"))
st.markdown(t("mnist.s1.intro"))
st.latex(r"\frac{\partial L}{\partial w} \approx \frac{L(w + h) - L(w - h)}{2h}"
         r"\qquad h = 10^{-4}")


@st.fragment
def gradient_check() -> None:
    cols = st.columns(3)
    hidden = cols[0].select_slider(t("mnist.s1.hidden"), CHECK_HIDDEN, value=10,
                                   key="mnist.check.hidden")
    batch = cols[1].select_slider(t("mnist.s1.batch"), CHECK_BATCH, value=3,
                                  key="mnist.check.batch")
    cols[2].button(t("mnist.s1.run"), key="mnist.check.run", icon=":material/calculate:",
                   type="primary", width="stretch")
    if not ss.get("mnist.check.run") and "mnist.check.result" not in ss:
        st.info(t("mnist.s1.press"), icon=":material/calculate:")
        return
    config = (hidden, batch)
    if ss.get("mnist.check.run") or ss.get("mnist.check.config") != config:
        net = MultiLayerNet(784, [hidden], 10, dtype=np.float64, seed=0)
        xb = to_float_batch(X_TRAIN[:batch], np.float64)
        with st.spinner(t("mnist.s1.running", n=net.n_params())):
            ss["mnist.check.result"] = (check_network(net, xb, T_TRAIN[:batch]), net.n_params())
        ss["mnist.check.config"] = config
    result, n_params = ss["mnist.check.result"]
    hidden, batch = ss["mnist.check.config"]
    names = [c.name for c in result.checks]
    speedup = result.numerical_seconds / max(result.backprop_seconds, 1e-12)
    c = st.columns(3)
    c[0].metric(t("mnist.s1.numerical_time"), f"{result.numerical_seconds:.2f} s")
    c[1].metric(t("mnist.s1.backprop_time"), f"{result.backprop_seconds * 1e3:.2f} ms")
    c[2].metric(t("mnist.s1.speedup"), f"{speedup:,.0f}×")
    st.dataframe(pd.DataFrame({
        t("mnist.s1.col_param"): names,
        t("mnist.s1.col_shape"): ["×".join(map(str, c.backprop.shape)) for c in result.checks],
        t("mnist.s1.col_backprop"): [f"{np.abs(c.backprop).mean():.3e}" for c in result.checks],
        t("mnist.s1.col_numerical"): [f"{np.abs(c.numerical).mean():.3e}"
                                      for c in result.checks],
        t("mnist.s1.col_error"): [f"{c.rel_error:.1e}" for c in result.checks],
    }), hide_index=True, width="stretch")
    show_chart(vl.gradcheck_figure(names, [c.backprop for c in result.checks],
                                   [c.numerical for c in result.checks],
                                   x_title=t("mnist.s1.axis_backprop"),
                                   y_title=t("mnist.s1.axis_numerical")),
               "mnist-gradcheck", key="mnist.chart.gradcheck", height=380)
    st.caption(t("mnist.s1.caption", sizes=f"784-{hidden}-10", n=n_params, batch=batch,
                 err=result.max_rel_error, speedup=speedup))


gradient_check()
show_code(check_network, MultiLayerNet.numerical_gradient, MultiLayerNet.gradient)

# ================================================================ STEP 2. the data

st.header(t("mnist.s2.header"))
stats = data_stats()
st.markdown(t("mnist.s2.intro", train=len(X_TRAIN), test=len(X_TEST)))
tab_grid, tab_counts, tab_means, tab_pixels = st.tabs(
    [t("mnist.s2.tab_grid"), t("mnist.s2.tab_counts"), t("mnist.s2.tab_means"),
     t("mnist.s2.tab_pixels")])


@st.fragment
def sample_grid() -> None:
    load_params([SAMPLES, START_INDEX])
    how_labels = {"by_class": t("mnist.s2.by_class"), "random": t("mnist.s2.random"),
                  "index": t("mnist.s2.index")}
    cols = st.columns([2, 1])
    how = cols[0].radio(t("mnist.s2.how"), SAMPLES.choices, key=SAMPLES.state_key,
                        format_func=how_labels.__getitem__, horizontal=True)
    if how == "index":
        start = cols[1].number_input(t("mnist.s2.start"), START_INDEX.lo, START_INDEX.hi,
                                     step=1, key=START_INDEX.state_key)
    elif how == "random":
        cols[1].button(t("mnist.s2.shuffle"), key="mnist.grid.shuffle",
                       icon=":material/shuffle:", width="stretch",
                       on_click=lambda: ss.update({"mnist.grid.seed":
                                                   ss.get("mnist.grid.seed", 0) + 1}))
    save_params([SAMPLES, START_INDEX])
    try:
        idx = sample_indices(T_TRAIN, how, per_class=4, n=40,
                             index=int(start) if how == "index" else None,
                             seed=ss.get("mnist.grid.seed", 0))
    except ValueError as err:
        show_error(err)
        return
    captions = [f"{int(T_TRAIN[i])}" for i in idx]
    show_chart(vz.digit_grid(X_TRAIN[idx], captions, cols=10), "mnist-samples",
               key="mnist.chart.samples")
    st.caption(t("mnist.s2.grid_caption", first=int(idx[0]), last=int(idx[-1])))


with tab_grid:
    sample_grid()
with tab_counts:
    train_counts, test_counts = stats["train_counts"], stats["test_counts"]
    show_chart(vz.class_counts_figure(train_counts, {"x": t("mnist.s2.digit"),
                                                     "y": t("mnist.s2.count")}),
               "mnist-class-counts", key="mnist.chart.counts", height=320)
    st.markdown(t("mnist.s2.counts_note", most=int(train_counts.argmax()),
                  most_n=int(train_counts.max()), least=int(train_counts.argmin()),
                  least_n=int(train_counts.min()), test_min=int(test_counts.min()),
                  test_max=int(test_counts.max())))
with tab_means:
    show_chart(vz.digit_grid(stats["means"], [str(d) for d in range(10)], cols=10),
               "mnist-mean-images", key="mnist.chart.means")
    st.markdown(t("mnist.s2.means_note"))
with tab_pixels:
    px = stats["pixels"]
    c = st.columns(4)
    c[0].metric(t("mnist.s2.px_mean"), f"{px['mean']:.3f}")
    c[1].metric(t("mnist.s2.px_std"), f"{px['std']:.3f}")
    c[2].metric(t("mnist.s2.px_zero"), f"{px['zero_fraction']:.1%}")
    c[3].metric(t("mnist.s2.px_bright"), f"{px['bright_fraction']:.1%}")
    show_chart(vz.pixel_histogram_figure(px["hist_counts"], px["hist_edges"],
                                         {"x": t("mnist.s2.px_value"),
                                          "y": t("mnist.s2.px_count")}),
               "mnist-pixel-histogram", key="mnist.chart.pixels", height=320)
    st.markdown(t("mnist.s2.pixels_note"))

# ================================================================ STEPS 3-5. the code

st.header(t("mnist.s3.header"))
st.markdown(t("mnist.s3.intro"))
tab_f, tab_l, tab_n = st.tabs([t("mnist.s3.tab_functions"), t("mnist.s3.tab_layers"),
                               t("mnist.s3.tab_network")])
with tab_f:
    st.markdown(t("mnist.s3.functions"))
    show_code(functions.numerical_gradient, functions.softmax, functions.cross_entropy_error)
with tab_l:
    st.markdown(t("mnist.s3.layers"))
    show_code(layers.ReLU, layers.Affine, layers.SoftmaxWithLoss)
with tab_n:
    st.markdown(t("mnist.s3.network"))
    show_code(MultiLayerNet.__init__, MultiLayerNet.gradient, Trainer.step)

# ================================================================ STEP 6. settings

@st.fragment
def compare_backends() -> None:
    """On a GPU server: the current settings' samples/s on numpy and on cupy, side by side."""
    if not st.button(t("mnist.s6.compare"), key="mnist.compare", icon=":material/speed:"):
        return
    rows = []
    for backend in BACKENDS:
        config = replace(current_config(), backend=backend)
        with st.spinner(t("mnist.s6.comparing", backend=backend)):
            speed = measure_speed(build(config)["trainer"], seconds=COMPARE_SECONDS)
        rows.append({t("mnist.s6.col_backend"): backend, t("mnist.s7.rate"): f"{speed:,.0f}"})
    st.table(pd.DataFrame(rows), hide_index=True)
    st.caption(t("mnist.s6.compare_note", seconds=COMPARE_SECONDS))


st.header(t("mnist.s6.header"))
st.markdown(t("mnist.s6.intro"))
init_labels = {"he": t("mnist.s6.init_he"), "xavier": t("mnist.s6.init_xavier"),
               "0.01": t("mnist.s6.init_small")}
with st.form("mnist.settings", border=True):
    c = st.columns(4)
    c[0].number_input(t("mnist.s6.layers"), LAYERS.lo, LAYERS.hi, step=1,
                      key=LAYERS.state_key)
    for i, p in enumerate(HIDDEN):
        c[i + 1].select_slider(t("mnist.s6.hidden", i=i + 1), HIDDEN_CHOICES, key=p.state_key)
    c = st.columns(3)
    c[0].selectbox(t("mnist.s6.activation"), ACTIVATIONS, key=ACTIVATION.state_key)
    c[1].selectbox(t("mnist.s6.init"), INITS, key=INIT.state_key,
                   format_func=init_labels.__getitem__)
    c[2].selectbox(t("mnist.s6.backend"), BACKENDS, key=BACKEND.state_key,
                   help=t("mnist.s6.backend_help"))
    c = st.columns(2)
    c[0].selectbox(t("mnist.s6.optimizer"), tuple(OPTIMIZERS), key=OPTIMIZER.state_key)
    c[1].select_slider(t("mnist.s6.lr"), LR_CHOICES, key=LR.state_key,
                       help=t("mnist.s6.lr_help", table=", ".join(
                           f"{k} {v:g}" for k, v in GOOD_LR.items())))
    c = st.columns(3)
    c[0].select_slider(t("mnist.s6.batch"), BATCH_CHOICES, key=BATCH.state_key)
    c[1].number_input(t("mnist.s6.epochs"), EPOCHS.lo, EPOCHS.hi, step=1, key=EPOCHS.state_key)
    c[2].number_input(t("mnist.s6.seed"), SEED.lo, SEED.hi, step=1, key=SEED.state_key)
    applied = st.form_submit_button(t("mnist.s6.apply"), icon=":material/build:",
                                    type="primary")
st.caption(t("mnist.s6.bounds", layers=MAX_LAYERS, hidden=max(HIDDEN_CHOICES),
             epochs=MAX_EPOCHS, cap=TOTAL_EPOCH_CAP))
if not cupy_available():
    st.caption(t("mnist.s6.no_gpu"))
compare_slot = st.container()  # filled below, once build() is defined
save_params(PARAMS)


# ================================================================ STEP 7. train live

def build(config: Config) -> dict:
    """A new, untrained network and its trainer for `config`."""
    init = float(config.init) if config.init == "0.01" else config.init
    net = MultiLayerNet(784, list(config.hidden), 10, activation=config.activation,
                        weight_init_std=init, backend=config.backend, seed=config.seed)
    optimizer = OPTIMIZERS[config.optimizer](lr=config.lr)
    # the test set is scored by analyse() at each epoch's end, which also needs the
    # predictions themselves: one pass over it instead of the Trainer's and ours
    trainer = Trainer(net, optimizer, X_TRAIN, T_TRAIN, batch_size=config.batch,
                      seed=config.seed, eval_samples=EVAL_TRAIN)
    return {"config": config, "trainer": trainer, "target": config.epochs, "finished": False,
            "rate": deque(maxlen=64), "run_seconds": 0.0, "reached": None,
            "analysis": None, "test_acc": {}, "uid": uuid.uuid4().hex}


def new_model() -> None:
    ss[STATE] = build(current_config())


if cupy_available():
    with compare_slot:
        compare_backends()


def analyse(model: dict) -> None:
    """Predictions on the whole test set: the confusion matrix and the worst mistakes."""
    net = model["trainer"].network
    proba = predict_proba(net, X_TEST)
    pred = proba.argmax(axis=1)
    epoch = model["trainer"].epoch
    model["analysis"] = {"epoch": epoch, "step": model["trainer"].step_count,
                         "cm": confusion_matrix(pred, T_TEST),
                         "wrong": misclassified(pred, T_TEST, proba, limit=WRONG_SHOWN),
                         "acc": float((pred == T_TEST).mean())}
    model["test_acc"][epoch] = model["analysis"]["acc"]


def advance() -> Stop | None:
    model = ss[STATE]
    trainer = model["trainer"]
    start = time.perf_counter()
    epoch_before = trainer.epoch
    # a chunk ends at an epoch's end, so that every epoch gets its test score
    trainer.run(max_seconds=CHUNK_SECONDS, until_epoch=min(model["target"], epoch_before + 1))
    if trainer.epoch > epoch_before:
        analyse(model)
        acc = model["analysis"]["acc"]
        if model["reached"] is None and acc >= 0.97:
            model["reached"] = (model["run_seconds"] + time.perf_counter() - start,
                                trainer.epoch)
    model["run_seconds"] += time.perf_counter() - start
    model["rate"].append((time.perf_counter(), trainer.step_count * trainer.batch_size))
    if trainer.epoch >= model["target"]:
        model["finished"] = True
        return Stop(t("mnist.s7.done", epochs=trainer.epoch, acc=model["analysis"]["acc"]),
                    "success")
    return None


def samples_per_second(model: dict) -> float | None:
    """Samples trained per wall-clock second over the last few ticks (the page's own pace)."""
    rate = [r for r in model["rate"] if r[0] >= time.perf_counter() - RATE_WINDOW_S]
    if len(rate) < 2 or rate[-1][0] <= rate[0][0]:
        return None
    return (rate[-1][1] - rate[0][1]) / (rate[-1][0] - rate[0][0])


def point(rc: tuple[float, float]) -> str:
    return f"({rc[0]:.1f}, {rc[1]:.1f})"


def pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.2%}"


def live_chart(name: str, build, *, version, data=None, height: int | None = None) -> None:
    """A chart of the live view, built once per network, language and slide mode: then
    refreshed in place with `data()` when `version` changes, or (no `data`) built again.
    Building a figure costs ~25 ms; refreshing one, ~1 ms.

    The key carries the version: a chart drawn again unchanged (the next burst's first
    frame) has the same key and content, so the browser keeps it as it is; a changed one
    gets a new key, so a burst may draw one chart several times.
    """
    figs = ss.setdefault(FIGS, {})
    signature = (ss[STATE]["uid"], current_lang(), slides_on())
    if figs.get("signature") != signature:
        figs.clear()
        figs["signature"] = signature
    fig, built_version = figs.get(name, (None, None))
    styled = fig is not None and built_version == version
    if fig is not None and not styled and data is not None:
        styled = vz.refresh(fig, data())
    if not styled:
        fig = build()
    figs[name] = (fig, version)
    static = loop.running and name in STATIC_WHILE_RUNNING
    show_chart(fig, f"mnist-{name}", height=height, styled=styled, static=static,
               key=f"mnist.live.{name}.{version}{'.static' if static else ''}")


def draw() -> None:
    """The live view. In a burst (see ui.live), frame 0 lays out the slots; later frames
    redraw what changed: the numbers and curves after every chunk, the accuracy and the
    test-set analysis when an epoch has ended."""
    model = ss[STATE]
    trainer = model["trainer"]
    if loop.frame == 0:
        SLOTS.clear()
        SLOTS["numbers"], SLOTS["loss"] = st.empty(), st.empty()
        cols = st.columns(2)
        SLOTS["accuracy"], SLOTS["grads"] = cols[0].empty(), cols[1].empty()
        SLOTS["weights"], SLOTS["analysis"] = st.empty(), st.empty()
        SLOTS["drawn"] = (None, None)
    drawn_step, drawn_epoch = SLOTS["drawn"]
    trained = len(trainer.history.loss) > 0
    if trainer.step_count != drawn_step:
        with SLOTS["numbers"].container():
            draw_numbers(model)
        if trained:
            with SLOTS["loss"].container():
                draw_loss(trainer)
            if loop.frame % GRADS_EVERY == 0 or not loop.running:
                with SLOTS["grads"].container():
                    draw_grads(trainer)
            if loop.frame % WEIGHTS_EVERY == 0 or not loop.running:
                with SLOTS["weights"].container():
                    draw_weights(trainer)
    if trainer.epoch != drawn_epoch:
        if trained:
            with SLOTS["accuracy"].container():
                draw_accuracy(model)
        with SLOTS["analysis"].container():
            draw_analysis(model)
    SLOTS["drawn"] = (trainer.step_count, trainer.epoch)


def draw_numbers(model: dict) -> None:
    trainer, config = model["trainer"], model["config"]
    epochs = trainer.history.epochs
    last = epochs[-1] if epochs else None
    c = st.columns(5)
    c[0].metric(t("mnist.s7.epoch"), f"{trainer.epoch} / {model['target']}")
    c[1].metric(t("mnist.s7.step"), f"{trainer.step_count:,}")
    rate = samples_per_second(model) if loop.running else None
    c[2].metric(t("mnist.s7.rate"), "—" if rate is None else f"{rate:,.0f}")
    c[3].metric(t("mnist.s7.train_acc"), pct(last.train_acc if last else None))
    c[4].metric(t("mnist.s7.test_acc"), pct(model["test_acc"].get(trainer.epoch)))
    progress = trainer.step_count / (max(model["target"], 1) * trainer.steps_per_epoch)
    st.progress(min(progress, 1.0), text=t("mnist.s7.progress", sizes=config.sizes,
                                            opt=config.optimizer, lr=config.lr,
                                            batch=config.batch, backend=config.backend))
    if model["reached"] is not None:
        seconds, epoch = model["reached"]
        st.caption(t("mnist.s7.reached", seconds=seconds, epoch=epoch))
    if not len(trainer.history.loss):
        st.info(t("mnist.s7.press_start"), icon=":material/play_arrow:")


def draw_loss(trainer: Trainer) -> None:
    loss = trainer.history.loss
    labels = {"x": t("mnist.s7.axis_step"), "y": t("mnist.s7.axis_loss"),
              "raw": t("mnist.s7.loss_raw"), "smooth": t("mnist.s7.loss_smooth")}
    live_chart("loss", lambda: vz.loss_figure(loss.x, loss.y, labels),
               data=lambda: vz.loss_data(loss.x, loss.y), version=trainer.step_count,
               height=300)


def draw_accuracy(model: dict) -> None:
    epochs = model["trainer"].history.epochs
    labels = {"x": t("mnist.s7.axis_epoch"), "y": t("mnist.s7.axis_acc"),
              "train": t("mnist.s7.train"), "test": t("mnist.s7.test"),
              "chance": t("mnist.s7.chance")}
    live_chart("accuracy", lambda: vz.accuracy_figure(
        [e.epoch for e in epochs], [e.train_acc for e in epochs],
        [model["test_acc"].get(e.epoch) for e in epochs], labels),
        version=len(epochs), height=300)


def draw_grads(trainer: Trainer) -> None:
    series = {k: (s.x, s.y) for k, s in trainer.history.grad_stats.items()}
    labels = {"x": t("mnist.s7.axis_step"), "y": t("mnist.s7.axis_grad")}
    live_chart("grad-flow", lambda: vz.grad_flow_figure(series, labels),
               data=lambda: vz.grad_flow_data(series), version=trainer.step_count, height=300)


def draw_weights(trainer: Trainer) -> None:
    st.markdown(t("mnist.s7.weights_intro", n=WEIGHT_TILES))
    W1 = trainer.network.params["W1"]
    live_chart("first-layer-weights",
               lambda: vz.weight_tiles_figure(to_numpy(W1), n=WEIGHT_TILES, cols=8),
               data=lambda: vz.weight_tiles_data(to_numpy(W1), n=WEIGHT_TILES, cols=8),
               version=trainer.step_count)


def draw_analysis(model: dict) -> None:
    analysis = model["analysis"]
    if analysis is None:
        st.caption(t("mnist.s7.analysis_wait"))
        return
    st.subheader(t("mnist.s7.analysis_header", epoch=analysis["epoch"], acc=analysis["acc"]))
    cols = st.columns([1, 1])
    with cols[0]:
        live_chart("confusion", lambda: vz.confusion_figure(
            analysis["cm"], {"x": t("mnist.s7.predicted"), "y": t("mnist.s7.true")}),
            data=lambda: vz.confusion_data(analysis["cm"]), version=analysis["step"],
            height=420)
    with cols[1]:
        wrong = analysis["wrong"]
        if wrong:
            captions = [t("mnist.s7.wrong_caption", true=w[1], pred=w[2], conf=w[3])
                        for w in wrong]  # two short lines: the tiles are narrow
            live_chart("misclassified", lambda: vz.digit_grid(
                X_TEST[[w[0] for w in wrong]], captions, cols=6),
                version=analysis["step"], height=420)
        else:
            st.success(t("mnist.s7.no_wrong"))
    cm = analysis["cm"]
    off = cm - np.diag(np.diag(cm))
    true, pred = np.unravel_index(off.argmax(), off.shape)
    st.caption(t("mnist.s7.cm_note", true=int(true), pred=int(pred), n=int(off.max()),
                 wrong=int(off.sum())))


st.header(t("mnist.s7.header"))
st.markdown(t("mnist.s7.intro", chunk=CHUNK_SECONDS))

if STATE not in ss or applied:
    new_model()
loop = LiveLoop("mnist.train", advance=advance, draw=draw, reset=new_model, tick=TICK,
                step_help=t("mnist.s7.step_help", seconds=CHUNK_SECONDS), burst=BURST_SECONDS)
if applied:
    loop.stop_with(None)
model = ss[STATE]
# compared as tuples: this script runs anew on every rerun, so its Config class is a new
# class each time, and instances of two of them are never equal
if astuple(model["config"]) != astuple(current_config()):
    st.info(t("mnist.s7.settings_differ"), icon=":material/info:")


def start_clicked() -> None:
    if ss[STATE]["finished"]:
        new_model()
    loop.start()


def stop_clicked() -> None:
    m = ss[STATE]
    m["finished"] = True
    m["target"] = m["trainer"].epoch
    loop.stop_with(Stop(t("mnist.s7.stopped", epoch=m["trainer"].epoch,
                          step=m["trainer"].step_count), "info"))


def one_more_clicked() -> None:
    m = ss[STATE]
    m["target"] = min(m["trainer"].epoch + 1, TOTAL_EPOCH_CAP)
    m["finished"] = False
    loop.start()


trainer = model["trainer"]
running = loop.running
fresh = trainer.step_count == 0
cols = st.columns(6)
cols[0].button(t("mnist.s7.start") if fresh or model["finished"] else t("mnist.s7.resume"),
               key="mnist.train.start", on_click=start_clicked, disabled=running,
               icon=":material/play_arrow:", type="primary", width="stretch")
cols[1].button(t("live.pause"), key="mnist.train.pause", on_click=loop.pause,
               disabled=not running, icon=":material/pause:", width="stretch")
cols[2].button(t("live.step"), key="mnist.train.step", on_click=loop.step_once,
               disabled=running or model["finished"], icon=":material/skip_next:",
               width="stretch", help=t("mnist.s7.step_help", seconds=CHUNK_SECONDS))
cols[3].button(t("mnist.s7.stop"), key="mnist.train.stop", on_click=stop_clicked,
               disabled=(fresh and not running) or model["finished"], icon=":material/stop:",
               width="stretch")
cols[4].button(t("mnist.s7.one_more"), key="mnist.train.one_more", on_click=one_more_clicked,
               disabled=running or trainer.epoch >= TOTAL_EPOCH_CAP,
               icon=":material/add:", width="stretch")
cols[5].button(t("live.reset"), key="mnist.train.reset", on_click=loop.reset,
               icon=":material/restart_alt:", width="stretch")
loop.view()
show_code(Trainer.run, Trainer.evaluate, MultiLayerNet.grad_stats)

# ================================================================ the chain W3·W2·W1·X

st.header(t("mnist.chain.header"))
st.markdown(t("mnist.chain.intro"))


@st.fragment
def chain_view() -> None:
    load_params([DIGIT])
    c = st.columns([2, 1])
    index = c[0].number_input(t("mnist.chain.index"), DIGIT.lo, DIGIT.hi, step=1,
                              key=DIGIT.state_key)
    c[1].button(t("mnist.chain.random"), key="mnist.chain.random", icon=":material/casino:",
                width="stretch", on_click=lambda: ss.update(
                    {DIGIT.state_key: int(np.random.default_rng().integers(0, len(X_TEST)))}))
    save_params([DIGIT])
    net = ss[STATE]["trainer"].network
    x = to_float_batch(X_TEST[int(index):int(index) + 1], net.dtype)
    trace = [(name, to_numpy(out)[0]) for name, out in net.forward_trace(x)]
    proba = predict_proba(net, X_TEST[int(index):int(index) + 1])[0]
    steps = chain_steps(net, trace, proba)
    show_chart(vz.chain_figure(steps, {"input": t("mnist.chain.input"),
                                       "proba": t("mnist.chain.proba"),
                                       "averaged": t("mnist.chain.averaged"),
                                       "averaged_cols": t("mnist.chain.averaged_cols")}),
               "mnist-weight-chain", key="mnist.chart.chain", height=460)
    guess = int(proba.argmax())
    st.markdown(t("mnist.chain.result", true=int(T_TEST[int(index)]), guess=guess,
                  p=float(proba[guess]), step=ss[STATE]["trainer"].step_count))


def chain_steps(net: MultiLayerNet, trace: list, proba: np.ndarray) -> list[dict]:
    """Each weight matrix with the vector entering it and the vectors leaving it."""
    outputs = dict(trace)
    steps, x_in = [], trace[0][1]
    for i, key in enumerate(net.weight_keys(), start=1):
        z = outputs[f"Affine{i}"]
        a = outputs.get(f"Activation{i}", proba)
        steps.append({"name": key, "W": to_numpy(net.params[key]), "x_in": x_in, "z": z,
                      "a": a})
        x_in = a
    return steps


chain_view()
show_code(MultiLayerNet.forward_trace, layers.Affine.forward)

# ================================================================ draw a digit

st.header(t("mnist.draw.header"))
st.markdown(t("mnist.draw.intro"))


@st.fragment
def draw_digit() -> None:
    cols = st.columns([1, 1])
    with cols[0]:
        st.caption(t("mnist.draw.canvas_caption"))
        event = digit_canvas("mnist.draw.canvas", label=t("mnist.draw.canvas_label", px=CANVAS_PX),
                             clear_label=t("mnist.draw.clear"))
        upload = st.file_uploader(t("mnist.draw.upload", mb=MAX_UPLOAD_BYTES // 2**20),
                                  type=list(UPLOAD_SUFFIXES), key="mnist.draw.upload",
                                  max_upload_size=MAX_UPLOAD_BYTES // 2**20)
    image = None
    try:
        if event is not None:  # cleared, or a new stroke: the last drawing goes either way
            ss.pop(DRAWN, None)
            if not event.cleared:
                ss[DRAWN] = decode_drawing(event.drawing, CANVAS_PX)
        image = decode_image(upload.getvalue()) if upload is not None else ss.get(DRAWN)
    except ValueError as err:  # the checks' own words, in the learner's language
        with cols[1]:
            st.error(str(err), icon=":material/hide_image:")
        return
    with cols[1]:
        if image is None:
            st.info(t("mnist.draw.empty"), icon=":material/draw:")
            return
        try:
            prep = preprocess_steps(image)
        except ValueError as err:
            st.info(t("mnist.draw.no_ink", message=str(err)), icon=":material/draw:")
            return
        net = ss[STATE]["trainer"].network
        proba = predict_proba(net, prep.final.reshape(1, 784))[0]
        guess = int(proba.argmax())
        st.metric(t("mnist.draw.guess"), str(guess))
        st.caption(t("mnist.draw.sure", p=float(proba[guess])))
        if ss[STATE]["trainer"].step_count == 0:
            st.warning(t("mnist.draw.untrained"), icon=":material/warning:")
        show_chart(vz.probability_figure(proba, {"x": t("mnist.draw.digit"),
                                                 "y": t("mnist.draw.proba")}),
                   "mnist-drawn-probabilities", key="mnist.chart.proba", height=260)
    show_chart(vz.preprocess_figure(prep.images, [t("mnist.draw.step_gray"),
                                                  t("mnist.draw.step_crop"),
                                                  t("mnist.draw.step_scaled"),
                                                  t("mnist.draw.step_final")]),
               "mnist-preprocessing", key="mnist.chart.prep", height=260)
    st.caption(t("mnist.draw.prep_note", before=point(prep.com_before),
                 after=point(prep.com_after)))


draw_digit()
show_code(preprocess_steps)
