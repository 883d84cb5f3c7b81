"""What the playground lesson shows, for app_pages/playground.py, whose fragment holds the
settings and the run:

    own_data_controls(points)     # the learner's own points: a class to draw in, clear, a CSV
    neuron_buttons(...)           # + and − for each hidden layer's neurons
    build_run(points, key)        # the run for a RunKey (the settings and the own data)
    frames_due(frame_s, most)     # how many frames this tick should bring
    train_frames(run, n, e, s)    # n short chunks, keeping what the network shows after each
    draw_live(run, loop, ...)     # the live view: numbers, regions, loss, the network diagram,
                                  # one neuron up close, the confusion matrix, gradient flow
    network_file(loop, key, points, settings)  # the run saved to .npz, or one brought back

Every number comes from lessons.playground, every figure from viz.playground. The regions and
the diagram are live charts that play the frames a tick trained (ui.live_chart's frames); a
click on the regions puts a point of the chosen class there (own data), a click on a neuron
opens it below the diagram.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

import lessons.playground as lp
from ui.export import show_table
from ui.i18n import t
from ui.live import LiveLoop
from ui.live_chart import live_chart
from ui.messages import show_error
from ui.params import BoolParam, Param, TextParam, save_params
from ui.saving_view import MAX_NETWORK_BYTES, file_bytes, follow
from ui.saving_view import network_file as file_controls
from ui.state import Held
from viz import playground as vz

MATH_NAMES = {"relu": "ReLU", "tanh": "tanh", "l1": "L1", "l2": "L2"}
CUSTOM = "custom"  # the learner's own data: drawn points (in the link) or a CSV
NEW_LAYER = 4  # neurons in a layer that + adds
MIN_OWN = 4  # own points needed before a network is built on them
# The learner's own points start from a network roomy enough for three classes in any shape.
OWN_PRESET = replace(lp.PRESETS["circle"], dataset=CUSTOM, hidden=(8, 8), optimizer="Adam",
                     lr=0.01)
LR_CHOICES = tuple(sorted({1e-5, 1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0}
                          | {p.lr for p in lp.PRESETS.values()}))
RATE_CHOICES = tuple(sorted({0.0, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0}
                            | {p.reg_rate for p in lp.PRESETS.values()}))
DROPOUT_CHOICES = tuple(sorted({0.0, 0.1, 0.2, 0.3, 0.5}
                               | {p.dropout for p in lp.PRESETS.values()}))
POINTS_URL_LIMIT = lp.POINTS_TEXT_LIMIT  # the longest drawn dataset a link carries
REGIONS_HEIGHT = 460
LOSS_HEIGHT = 260
SMALL_HEIGHT = 320
REGIONS_VISIBLE = 0.02  # a map is sent again once a cell moved by 2 % of its scale
CLASS_KEY = "playground.draw_class"
UPLOAD_KEY = "playground.upload"  # an uploaded dataset too big for the link: (name, Data)
UPLOAD_SEEN = "playground.upload_seen"
NOTICE = "playground.own_notice"  # the last upload's or click's outcome: (kind, error or n)
SELECTED = "playground.selected"  # the neuron shown up close: "column.unit"
FRAMES_KEY = "playground.frames"  # what the network showed after each chunk of the last tick
REBUILD = "playground.rebuild"  # the own data changed from the view: rerun the page
SKIP_TRAINING = "playground.skip_training"  # a neuron was clicked: this run only draws
LAST_TICK = "playground.last_tick"  # when the last tick trained (time.monotonic)
EDITS = "playground.edits"  # weights edited by hand so far: the charts' versions count them
ss = st.session_state


@dataclass(frozen=True)
class RunKey:
    """What a run is built from: the settings but those a running network takes as it goes
    (the learning rate and the batch size: apply_live_settings), and the own data's text or
    digest ('' when the dataset is a built-in one)."""

    settings: lp.Settings
    data_key: str = ""

    @classmethod
    def of(cls, settings: lp.Settings, data_key: str) -> RunKey:
        return cls(replace(settings, lr=LIVE.lr, batch=LIVE.batch), data_key)


LIVE = lp.PRESETS["circle"]  # the learning rate and batch size a key is built with


# ---------------------------------------------------------------- labels


def labels_of(kind: str, names) -> Callable[[str], str]:
    """A widget's format_func: the catalog's `playground.<kind>.<name>` ('dataset',
    'activation' or 'reg'), looked up now (a format_func may be called after the run, where
    the run's language is unknown). Names written the same in every language (ReLU, tanh, L1,
    L2) are not in the catalog: MATH_NAMES."""
    return {name: MATH_NAMES.get(name) or t(f"playground.{kind}.{name}") for name in names
            }.__getitem__


def preset_for(dataset: str) -> lp.Settings:
    """The settings a dataset starts from; the learner's own data starts from OWN_PRESET."""
    return OWN_PRESET if dataset == CUSTOM else lp.PRESETS[dataset]


def feature_label(name: str) -> str:
    return lp.FEATURE_LABELS[name]


def regularization_label(name: str) -> str:
    return labels_of("reg", lp.REGULARIZATIONS)(name)


def class_names(k: int) -> list[str]:
    return [t("playground.class", k=i) for i in range(k)]


def column_labels(run: lp.Run) -> list[str]:
    hidden = [t("playground.net.column", i=i) for i in range(1, len(run.settings.hidden) + 1)]
    return [t("playground.net.inputs"), *hidden, t("playground.net.output")]


# ---------------------------------------------------------------- own data


def own_data(points: TextParam) -> lp.Data | None:
    """The learner's data: an uploaded file too big for the link, else the drawn points."""
    upload = ss.get(UPLOAD_KEY)
    if upload is not None:
        return upload[1]
    text = points.value()
    return lp.decode_points(text) if text else None


def own_data_key(points: TextParam) -> str:
    upload = ss.get(UPLOAD_KEY)
    if upload is not None:
        data = upload[1]
        return "upload:" + hashlib.sha256(data.x.tobytes() + data.y.tobytes()).hexdigest()
    return points.value()


def own_data_ready(points: TextParam) -> bool:
    """Enough own data to train on: MIN_OWN points of at least two classes (or a regression
    file); else the page shows the plane to draw on."""
    data = own_data(points)
    if data is None or len(data.y) < MIN_OWN:
        return False
    return data.task == "regression" or len(np.unique(data.y)) >= 2


def build_run(points: TextParam, key: RunKey) -> lp.Run:
    data = own_data(points) if key.settings.dataset == CUSTOM else None
    return lp.build(key.settings, data)


def _set_points(points: TextParam, data: lp.Data | None) -> None:
    ss[points.state_key] = "" if data is None else lp.encode_points(data)
    ss.pop(UPLOAD_KEY, None)


def add_point(points: TextParam, value: dict, rebuild: bool = True) -> None:
    """A click on the regions: a point of the chosen class where the mouse was. From the live
    view (`rebuild`), the page reruns to build the network on the new data."""
    mouse = value.get("mouse") or {}
    xy = (mouse.get("x"), mouse.get("y"))  # checked finite by ui.live_chart.clean_click
    if None in xy or not all(abs(v) <= lp.LIM for v in xy):
        return
    current = own_data(points)
    try:
        data = lp.add_point(current, (float(xy[0]), float(xy[1])), int(ss.get(CLASS_KEY, 0)))
    except ValueError as err:
        ss[NOTICE] = ("error", err)
        return
    _set_points(points, data)
    ss[REBUILD] = rebuild


def drawing_board(points: TextParam) -> None:
    """The empty plane to click points onto, while there are too few to train on."""
    st.info(t("playground.own.board", n=MIN_OWN), icon=":material/ads_click:")
    data = own_data(points)
    x = np.zeros((0, 2)) if data is None else data.x
    y = np.zeros(0, dtype=np.int64) if data is None else data.y
    probs = np.full((3, lp.GRID, lp.GRID), 1 / 3)
    names = class_names(3)
    live_chart("playground.board", "playground-board",
               lambda: vz.regions_figure(lp.grid(), probs, x, y, task="classification",
                                         discretize=False, labels=_region_labels(),
                                         class_names=names),
               version=len(y), height=REGIONS_HEIGHT,
               on_click=lambda value: add_point(points, value, rebuild=False))


def own_data_controls(points: TextParam) -> None:
    """Draw in a class, clear, or upload a CSV (x1, x2, label)."""
    data = own_data(points)
    n = 0 if data is None else len(data.y)
    cols = st.columns([3, 2])
    cols[0].pills(t("playground.own.class"), list(range(3)), key=CLASS_KEY, default=0,
                  required=True, format_func=class_names(3).__getitem__,
                  help=t("playground.own.class_help"))
    cols[1].button(t("playground.own.clear"), icon=":material/delete:", key="playground.clear",
                   on_click=_set_points, args=(points, None), disabled=n == 0, width="stretch")
    st.caption(t("playground.own.how", n=n, cap=lp.MAX_POINTS))
    # One element whatever it holds (the last upload's or click's outcome, which stays until
    # the next), so that the live view below keeps its place in the page: a message that came
    # and went would shift it, and Streamlit would mount its charts anew.
    notice = st.container()
    upload = st.file_uploader(t("playground.own.csv"), type=["csv"],
                              key="playground.csv", help=t("playground.own.csv_help",
                                                           cap=lp.MAX_POINTS,
                                                           kb=lp.CSV_MAX_BYTES // 1000))
    if upload is not None and ss.get(UPLOAD_SEEN) != upload.file_id:
        ss[UPLOAD_SEEN] = upload.file_id
        _read_csv(points, upload.name, upload.getvalue())
    with notice:
        kind, what = ss.get(NOTICE, (None, None))
        if kind == "error":
            show_error(what)
        elif kind == "loaded":
            st.success(t("playground.own.loaded", n=what), icon=":material/upload_file:")
        if UPLOAD_KEY in ss:
            st.caption(t("playground.own.upload_not_in_link", name=ss[UPLOAD_KEY][0]))


def _read_csv(points: TextParam, name: str, raw: bytes) -> None:
    """A CSV the learner uploaded, as their data; a bad one changes nothing (NOTICE says why)."""
    try:
        data = lp.parse_csv(raw)
    except ValueError as err:
        ss[NOTICE] = ("error", err)  # the points drawn so far stay
        return
    _use_data(points, name, data)
    ss[NOTICE] = ("loaded", len(data.y))


def _use_data(points: TextParam, name: str, data: lp.Data) -> None:
    """The learner's own data: in the link when it fits there, else kept in the session."""
    try:
        text = lp.encode_points(data)
    except ValueError:  # regression targets or too many points: not in the link
        text = None
    if text is not None and len(text) <= POINTS_URL_LIMIT:
        _set_points(points, data)
    else:
        ss[points.state_key] = ""
        ss[UPLOAD_KEY] = (name, data)


def neuron_buttons(layers: int, sizes: list[int], change: Callable[[int, int], None]) -> None:
    """Each hidden layer's size with its own − and +."""
    cols = st.columns(layers)
    for i, (col, n) in enumerate(zip(cols, sizes, strict=True)):
        col.caption(t("playground.net.layer_size", i=i + 1, n=n))
        minus, plus = col.columns(2)
        minus.button("−", key=f"playground.n{i + 1}.minus", on_click=change, args=(i, -1),
                     disabled=n <= 1, help=t("playground.net.neuron_minus", i=i + 1),
                     width="stretch")
        plus.button("+", key=f"playground.n{i + 1}.plus", on_click=change, args=(i, 1),
                    disabled=n >= lp.MAX_NEURONS, help=t("playground.net.neuron_plus", i=i + 1),
                    width="stretch")


def apply_live_settings(run: lp.Run, lr: float, batch: int) -> None:
    lp.set_live(run, lr=lr, batch=batch)


# ---------------------------------------------------------------- training


def snapshot(run: lp.Run) -> dict:
    """What one frame shows: the regions and every neuron's map, as the network has them."""
    return {"epoch": run.trainer.epoch, "probs": lp.region_probs(run),
            "maps": lp.neuron_maps(run)}


def frames_due(frame_s: float, most: int) -> int:
    """How many frames this tick should bring: enough to play until the next tick comes, as
    the last one took (the browser plays one every frame_s), between 1 and `most`."""
    now = time.monotonic()
    last, ss[LAST_TICK] = ss.get(LAST_TICK), now
    if last is None or now - last > most * frame_s * 2:  # the first tick, or after a pause
        return most // 2
    return min(most, max(1, math.ceil((now - last) / frame_s - 0.25)))


def train_frames(run: lp.Run, frames: int, epochs: int, seconds: float) -> None:
    """`frames` short chunks of training (each at most `epochs` epochs and `seconds`), each
    followed by its snapshot. Not after a click on a neuron: that run shows it at once."""
    if ss.pop(SKIP_TRAINING, False):
        return
    kept = []
    for _ in range(frames):
        lp.advance(run, epochs=epochs, max_seconds=seconds)
        kept.append(snapshot(run))
    ss[FRAMES_KEY] = (run, kept)


def _frames(run: lp.Run) -> list[dict]:
    """The snapshots of the last tick, if they are of this run; else the current state."""
    held = ss.pop(FRAMES_KEY, None)
    if held is not None and held[0] is run and held[1] \
            and held[1][-1]["epoch"] == run.trainer.epoch:
        return held[1]
    return [snapshot(run)]


# ---------------------------------------------------------------- the live view


def draw_live(run: lp.Run | None, loop: LiveLoop, *, show_test: bool, discrete: BoolParam,
              backprop: BoolParam, points: TextParam, frame_s: float) -> None:
    """The live view; the charts play the tick's frames one every `frame_s` seconds."""
    if run is None:
        return
    if ss.pop(REBUILD, False):
        st.rerun(scope="app")
    frames = _frames(run)
    _numbers(run)
    cols = st.columns(2)
    discrete.widget("toggle", t("playground.live.discrete"), where=cols[0],
                    help=t("playground.live.discrete_help"))
    backprop.widget("toggle", t("playground.live.backprop"), where=cols[1],
                    help=t("playground.live.backprop_help"))
    save_params([discrete, backprop])
    _regions(run, frames, show_test, discrete.value(), points, frame_s)
    _loss(run)
    _network(run, frames, backprop.value(), frame_s)
    _inspector(run, loop.running)
    cols = st.columns(2)
    with cols[0]:
        _confusion(run)
    with cols[1]:
        _grad_flow(run)


def _numbers(run: lp.Run) -> None:
    losses = lp.losses(run)
    acc = lp.test_accuracy(run)
    m = st.columns(4)
    m[0].metric(t("playground.live.epoch"), f"{run.trainer.epoch:,}")
    m[1].metric(t("playground.live.train_loss"), f"{losses.train:.4f}")
    m[2].metric(t("playground.live.test_loss"), f"{losses.test:.4f}")
    m[3].metric(t("playground.live.test_acc"), "—" if acc is None else f"{acc:.1%}")
    if run.settings.regularization != "none":
        st.caption(t("playground.live.reg_part", reg=losses.reg, total=losses.train + losses.reg,
                     kind=regularization_label(run.settings.regularization)))


def _region_labels() -> dict[str, str]:
    return {"x1": "x₁", "x2": "x₂", "train": t("playground.fig.train"),
            "test": t("playground.fig.test")}


def _version(run: lp.Run, *more) -> tuple:
    """A chart's version: the steps trained and the weights edited by hand, and `more`."""
    return (run.trainer.step_count, ss.get(EDITS, 0), *more)


def _signature(run: lp.Run) -> object:
    return run.net  # a new network is drawn afresh (compared by identity, held by the chart)


def _regions(run: lp.Run, frames: list[dict], show_test: bool, discrete: bool,
             points: TextParam, frame_s: float) -> None:
    task, k = run.data.task, run.data.n_classes
    test = (run.test.x, run.test.y) if show_test else (None, None)
    labels = _region_labels()

    def data_of(probs):
        return vz.regions_data(probs, run.train.x, run.train.y, *test, task=task,
                               discretize=discrete)

    own = run.settings.dataset == CUSTOM
    live_chart("playground.live.regions", "playground-regions",
               lambda: vz.regions_figure(lp.grid(), frames[-1]["probs"], run.train.x,
                                         run.train.y, *test, task=task, discretize=discrete,
                                         labels=labels, class_names=class_names(k)),
               data=lambda: data_of(frames[-1]["probs"]),
               frames=[data_of(f["probs"]) for f in frames], frame_s=frame_s,
               version=_version(run, show_test, discrete, len(run.train.y)),
               signature=(_signature(run), show_test, discrete), height=REGIONS_HEIGHT,
               min_change=REGIONS_VISIBLE,
               on_click=(lambda value: add_point(points, value)) if own else None)
    if own:
        st.caption(t("playground.fig.regions_caption_own", n_train=len(run.train.y),
                     n_test=len(run.test.y)))
    else:
        st.caption(t("playground.fig.regions_caption", n_train=len(run.train.y),
                     n_test=len(run.test.y)))


def _loss(run: lp.Run) -> None:
    if not run.epochs:
        st.info(t("playground.live.no_loss_yet"), icon=":material/play_arrow:")
        return
    labels = {"x": t("playground.live.epoch"), "train": t("playground.live.train_loss"),
              "test": t("playground.live.test_loss")}
    live_chart("playground.live.loss", "playground-loss",
               lambda: vz.loss_figure(run.epochs, run.train_loss, run.test_loss, labels),
               data=lambda: vz.loss_data(run.epochs, run.train_loss, run.test_loss),
               version=run.trainer.step_count, signature=_signature(run), height=LOSS_HEIGHT)


def _network(run: lp.Run, frames: list[dict], backprop: bool, frame_s: float) -> None:
    which = "grad" if backprop else "weight"
    edges = lp.edge_values(run, which)
    selected = _selected(run)
    labels = {"title": t("playground.fig.edges_grad") if backprop
              else t("playground.fig.edges_weight"),
              "sign_key": t("playground.fig.sign_key")}
    cols = column_labels(run)
    outputs = class_names(run.data.n_classes) if run.data.task == "classification" else ["y"]
    units = [[feature_label(f) for f in run.settings.features],
             *([None] * len(run.settings.hidden)), outputs]

    def data_of(maps):
        return vz.network_data(maps, edges, backprop=backprop, selected=selected)

    live_chart("playground.live.network", "playground-network",
               lambda: vz.network_figure(frames[-1]["maps"], edges, column_labels=cols,
                                         unit_labels=units, backprop=backprop,
                                         selected=selected, labels=labels),
               data=lambda: data_of(frames[-1]["maps"]),
               frames=[data_of(f["maps"]) for f in frames], frame_s=frame_s,
               version=_version(run, backprop, selected),
               signature=(_signature(run), backprop), min_change=REGIONS_VISIBLE,
               on_click=lambda value: _neuron_clicked(run, value))
    st.caption(t("playground.fig.network_caption"))


def _neuron_clicked(run: lp.Run, value: dict) -> None:
    """A click on the diagram: the neuron under the mouse opens below (an input feature has
    no weights of its own to show: a click on one opens nothing)."""
    mouse = value.get("mouse") or {}
    sizes = [len(run.settings.features), *run.settings.hidden, run.net.output_size]
    hit = None
    if "x" in mouse and "y" in mouse:
        hit = vz.neuron_at(mouse["x"], mouse["y"], sizes)
    elif isinstance(value.get("customdata"), list) and len(value["customdata"]) == 2:
        hit = tuple(int(v) for v in value["customdata"])
    if hit is not None and hit[0] >= 1:
        ss[SELECTED] = f"{hit[0]}.{hit[1]}"
        ss[SKIP_TRAINING] = True


def _neurons(run: lp.Run) -> list[str]:
    sizes = [*run.settings.hidden, run.net.output_size]
    return [f"{col}.{unit}" for col, n in enumerate(sizes, start=1) for unit in range(n)]


def _selected(run: lp.Run) -> tuple[int, int] | None:
    value = ss.get(SELECTED)
    if value not in _neurons(run):
        return None
    col, unit = value.split(".")
    return int(col), int(unit)


def _neuron_label(run: lp.Run, value: str) -> str:
    col, unit = (int(v) for v in value.split("."))
    return t("playground.inspect.option", column=column_labels(run)[col], unit=unit + 1)


def _inspector(run: lp.Run, running: bool) -> None:
    st.subheader(t("playground.inspect.header"))
    options = _neurons(run)
    if ss.get(SELECTED) not in options:
        ss[SELECTED] = options[0]
    st.selectbox(t("playground.inspect.choose"), options, key=SELECTED,
                 format_func={v: _neuron_label(run, v) for v in options}.__getitem__,
                 help=t("playground.inspect.help"))
    layer, unit = _selected(run)
    detail = lp.neuron_detail(run, layer, unit)
    sources = column_labels(run)[layer - 1]
    names = ([feature_label(f) for f in run.settings.features] if layer == 1
             else [t("playground.inspect.unit", column=sources, unit=j + 1)
                   for j in range(len(detail.weights))])
    cols = st.columns([3, 2])
    with cols[0]:
        classes = class_names(run.data.n_classes) if run.classification else None
        live_chart("playground.live.neuron", "playground-neuron",
                   lambda: vz.neuron_figure(lp.grid(lp.NEURON_GRID), detail.map, run.train.x,
                                            run.train.y, {"x1": "x₁", "x2": "x₂"},
                                            class_names=classes),
                   data=lambda: vz.neuron_data(detail.map, run.train.x, run.train.y,
                                               class_names=classes),
                   version=_version(run, layer, unit), min_change=REGIONS_VISIBLE,
                   signature=(_signature(run), layer, unit), height=SMALL_HEIGHT)
    with cols[1]:
        # a plain table, not st.dataframe: it is drawn again on every tick while training,
        # and a data grid costs the browser far more to draw than a few rows of HTML
        show_table(pd.DataFrame({
            t("playground.inspect.from"): [*names, t("playground.inspect.bias")],
            t("playground.inspect.weight"): [f"{v:.4f}" for v in (*detail.weights, detail.bias)],
            t("playground.inspect.grad"): [f"{v:.4f}" for v in (*detail.weight_grads,
                                                                 detail.bias_grad)],
        }), "playground-neuron-weights")
    if running:
        st.caption(t("playground.inspect.pause_to_edit"))
        return
    _editor(run, layer, unit, names, detail)


def _editor(run: lp.Run, layer: int, unit: int, names: list[str], detail) -> None:
    """Number inputs for the neuron's weights and bias: a change goes into the network."""
    st.caption(t("playground.inspect.edit"))
    values = [*detail.weights, detail.bias]
    labels = [*(t("playground.inspect.w_from", name=n) for n in names),
              t("playground.inspect.bias")]
    cols = st.columns(3)
    for j, (label, value) in enumerate(zip(labels, values, strict=True)):
        key = f"playground.edit.{layer}.{unit}.{j}"
        ss[key] = float(np.round(value, 4))
        cols[j % 3].number_input(label, min_value=-lp.MAX_WEIGHT, max_value=lp.MAX_WEIGHT,
                                 step=0.1, format="%.4f", key=key,
                                 on_change=_edited, args=(run, layer, unit, j, len(names), key))


def _edited(run: lp.Run, layer: int, unit: int, j: int, n_weights: int, key: str) -> None:
    value = float(ss[key])
    ss[EDITS] = ss.get(EDITS, 0) + 1
    if j < n_weights:
        lp.set_weight(run, layer, unit, j, value)
    else:
        lp.set_bias(run, layer, unit, value)


def _confusion(run: lp.Run) -> None:
    matrix = lp.confusion(run)
    if matrix is None:
        return
    names = class_names(run.data.n_classes)
    labels = {"x": t("playground.fig.predicted"), "y": t("playground.fig.truth")}
    live_chart("playground.live.confusion", "playground-confusion",
               lambda: vz.confusion_figure(matrix, names, labels),
               data=lambda: vz.confusion_data(matrix, names),
               version=_version(run), signature=_signature(run), height=SMALL_HEIGHT)
    st.caption(t("playground.fig.confusion_caption", n=int(matrix.sum())))


def _grad_flow(run: lp.Run) -> None:
    flow = lp.grad_flow(run)
    if not flow:
        return
    labels = {"x": t("playground.fig.layer"), "y": t("playground.fig.mean_grad")}
    names, values = list(flow), list(flow.values())
    live_chart("playground.live.grads", "playground-gradient-flow",
               lambda: vz.grad_flow_figure(names, values, labels),
               data=lambda: vz.grad_flow_data(names, values),
               version=_version(run), signature=_signature(run), height=SMALL_HEIGHT)
    st.caption(t("playground.fig.grad_caption"))


# ---------------------------------------------------------------- the network as a file


def network_file(loop: LiveLoop, key: str, points: TextParam, settings: list[Param]) -> None:
    """Download the run held under `key` as playground-network.npz, or bring one back: a good
    file becomes the run, its settings go into the widgets (`settings` in the page's order:
    dataset, noise %, train %, the features, layers, neurons 1..MAX_LAYERS, activation,
    regularization, rate, dropout, lr, batch, optimizer, seed), its own points (if any) too."""

    def load(upload) -> None:
        run = lp.from_file(upload, max_bytes=MAX_NETWORK_BYTES)
        s = run.settings
        percents = [round(v * 100) for v in (s.noise, s.train_fraction)]
        if [p / 100 for p in percents] != [s.noise, s.train_fraction]:
            percents = [-1, -1]  # not a whole percent: no widget offers it (follow says so)
        values = [s.dataset, *percents, *(f in s.features for f in lp.FEATURES), len(s.hidden),
                  *(s.hidden + (None,) * lp.MAX_LAYERS)[:lp.MAX_LAYERS], s.activation,
                  s.regularization, s.reg_rate, s.dropout, s.lr, s.batch, s.optimizer, s.seed]
        follow(settings, values, "playground")
        if s.dataset == CUSTOM:
            _use_data(points, upload.name, run.data)
        ss[key] = Held(RunKey.of(s, own_data_key(points)), run)  # what the page's hold() asks
        ss[NOTICE] = (None, None)
        loop.stop_with(None)

    run = ss[key].model  # bound here: the file is written by a thread without the session
    file_controls("playground", "playground-network.npz", load=load, running=loop.running,
                  to_bytes=partial(lp.network_bytes, run),
                  size=file_bytes(run.net, run.trainer.optimizer))
