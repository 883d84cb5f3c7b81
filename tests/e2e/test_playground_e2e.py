"""Lesson 6, the playground, in Chromium: every dataset reaches the decision-region chart, the
+ and − buttons reshape the network diagram and the link, points drawn by clicking come back
from their link, a CSV upload is read (and every bad or hostile file refused, in the
learner's language, without changing anything), an edited weight moves the regions, the
backprop view recolours the edges, training plays frames into the charts without drawing
them afresh, and a click on a neuron opens it up close.

What a chart shows is read from the chart itself in the browser (its Plotly data, and the
counts static/live_chart.js keeps: helpers.live_chart_state); what it should show comes from
lessons.playground, computed here the same way the page does. The last tests pin the page
bugs found on the way (a pill clicked twice; a refused file that shifted the live view).
"""

from __future__ import annotations

import csv
import io
import time
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

import lessons.playground as lp
from tests.e2e.helpers import (
    IDLE_TIMEOUT_MS,
    VIEWPORT,
    collect_errors,
    docs_screenshot,
    full_page_screenshot,
    live_chart,
    live_chart_state,
    metric_value,
    open_idle,
    settle,
    wait_for_change,
    wait_for_live_chart,
)
from ui.i18n import LANGS, tr
from ui.messages import say_error

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

REGIONS, NETWORK, BOARD = "playground-regions", "playground-network", "playground-board"
LOOP = ".st-key-playground-train"  # the LiveLoop's buttons: playground.train.<name>
CLICK_TRACE, FRAME_TRACE = 9, 10  # viz.playground.network_data's click targets, selection
EDGE_TRACES = range(1, 9)
WAIT_MS = 30_000

# one trace's array in the browser ([] when the trace has none), as plain numbers; `key`
# may be a path ("marker.color")
TRACE_ARRAY = """([name, i, key]) => {
  const gd = document.querySelector(`.live-chart-plot[data-chart="${name}"]`);
  let v = gd && gd.data[i] ? gd.data[i] : null;
  for (const part of key.split(".")) v = v ? v[part] : null;
  if (!v) return [];
  const flat = (a) => Array.from(a, (e) => (typeof e === "object" && e !== null
                                           ? Array.from(e) : e));
  return flat(v);
}"""
# where the chart `name` draws the data point (x, y), in the page's pixels
DATA_TO_PIXELS = """([name, x, y]) => {
  const gd = document.querySelector(`.live-chart-plot[data-chart="${name}"]`);
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const rect = gd.getBoundingClientRect();
  return [rect.left + xa._offset + xa.l2p(x), rect.top + ya._offset + ya.l2p(y)];
}"""
TITLE = """(name) => { const t = document.querySelector(
  `.live-chart-plot[data-chart="${name}"]`)._fullLayout.title; return t ? t.text : null; }"""


# ---------------------------------------------------------------- page helpers


def open_playground(page, app_url: str, lang: str, query: str = "") -> None:
    open_idle(page, f"{app_url}/playground?lang={lang}{query}")
    assert_no_exception(page)


def assert_no_exception(page) -> None:
    assert page.locator("[data-testid=stException]").count() == 0


def url_params(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def wait_for_url(page, **want: str) -> dict[str, str]:
    """Poll until the page's URL holds every `want` (a name: its text); the URL's params."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        params = url_params(page)
        if all(params.get(k) == v for k, v in want.items()):
            return params
        if time.monotonic() > deadline:
            raise AssertionError(f"the URL never held {want}: {params}")
        page.wait_for_timeout(100)


def wait_for_state(page, name: str, check, what: str) -> dict:
    """Poll the live chart `name` until check(its state) holds; that state."""
    state = None
    for _ in range(WAIT_MS // 100):
        state = live_chart_state(page, name)
        if state is not None and check(state):
            return state
        page.wait_for_timeout(100)
    raise AssertionError(f"{name}: {what} never came; its state: {state}")


def trace(page, name: str, i: int, key: str) -> list:
    return page.evaluate(TRACE_ARRAY, [name, i, key])


def pick_dataset(page, lang: str, name: str) -> None:
    label = tr(lang, f"playground.dataset.{name}")
    page.locator(".st-key-playground-data").get_by_role("radio", name=label, exact=True).click()


def click_data_point(page, name: str, x: float, y: float) -> None:
    """A mouse click on the chart `name` where its axes put (x, y). The mouse rests first:
    Plotly reports the point it last hovered, and its hover is throttled."""
    live_chart(page, name).scroll_into_view_if_needed()
    px, py = page.evaluate(DATA_TO_PIXELS, [name, x, y])
    page.mouse.move(px, py)
    page.wait_for_timeout(150)
    page.mouse.click(px, py)


def button(page, key: str):
    """The button keyed `key` (the page's key, dots as dashes). A button with a help text is
    in the page twice, the second a hidden copy Streamlit measures: the first is the one."""
    return page.locator(f".st-key-{key} button").first


def alert(page, text: str):
    return page.locator("[data-testid=stAlert]").filter(has_text=text)


def expected_regions(name: str) -> tuple[lp.Data, lp.Data]:
    """The training and test data the page shows for dataset `name` with its preset."""
    s = lp.PRESETS[name]
    data = lp.make_data(name, noise=s.noise, seed=s.seed)
    return lp.split(data, s.train_fraction, s.seed)


# the regions chart's points, read at once (a chart drawn afresh between two reads would mix
# two datasets): per trace after the heatmap, its x, y and, when an array, its marker colours
REGION_POINTS = """(name) => {
  const gd = document.querySelector(`.live-chart-plot[data-chart="${name}"]`);
  if (!gd || !gd.data || gd.data.length < 2) return null;
  return gd.data.slice(1).map((d) => {
    const c = d.marker && d.marker.color;
    return [Array.from(d.x || []), Array.from(d.y || []),
            c && typeof c !== "string" ? Array.from(c) : null]; });
}"""


def regions_points(page) -> np.ndarray | None:
    """Every point the regions chart shows (training and test), sorted rows x1, x2, class
    (classification: trace i after the heatmap holds class (i − 1) mod k) or x1, x2, target
    (regression: the points' colours); None before the chart is drawn."""
    traces = page.evaluate(REGION_POINTS, REGIONS)
    if traces is None:
        return None
    k = len(traces) // 2
    rows = []
    for i, (xs, ys, colors) in enumerate(traces):
        third = colors if colors is not None else [i % k] * len(xs)
        rows += list(zip(xs, ys, third, strict=True))
    return np.array(sorted(rows), dtype=np.float64).reshape(-1, 3)


def wait_for_regions(page, want: int | np.ndarray, what: str = "") -> np.ndarray:
    """Wait until the regions chart shows `want`: that many points, or exactly these rows
    (as regions_points gives them); its points. (The chart may be mounted anew, and then
    drawn again, when an element comes or goes above it.)"""
    shown = None
    for _ in range(WAIT_MS // 100):
        shown = regions_points(page)
        if shown is not None:
            if isinstance(want, int) and len(shown) == want:
                return shown
            if not isinstance(want, int) and shown.shape == want.shape \
                    and np.allclose(shown, want, atol=1e-5):
                return shown
        page.wait_for_timeout(100)
    raise AssertionError(f"the regions chart never showed {what or want}; it shows "
                         f"{None if shown is None else len(shown)} points, state "
                         f"{live_chart_state(page, REGIONS)}")


# each live chart's name, once per copy in the page, and whether that copy is drawn
LIVE_CHARTS = """() => [...document.querySelectorAll('.live-chart-plot')].map(
  (gd) => [gd.dataset.chart, Number(gd.dataset.draws || 0) > 0])"""


def wait_for_whole_view(page) -> None:
    """Wait until every live chart of the page is in it once, and drawn."""
    charts = None
    for _ in range(WAIT_MS // 100):
        charts = page.evaluate(LIVE_CHARTS)
        names = [name for name, _ in charts]
        if charts and len(set(names)) == len(names) and all(drawn for _, drawn in charts):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the live view is not whole: its charts (name, drawn) are {charts}")


def as_rows(data: lp.Data) -> np.ndarray:
    """The points of `data` as regions_points gives them."""
    return np.array(sorted(zip(data.x[:, 0], data.x[:, 1], data.y, strict=True)),
                    dtype=np.float64).reshape(-1, 3)


# ---------------------------------------------------------------- each dataset


def test_each_dataset_reaches_the_regions_chart(app_url, page, screenshots_dir):
    """Each pill in turn: the regions chart shows exactly that dataset's training points
    (lessons.playground.make_data and split with the dataset's preset), one trace per class
    (regression: one trace, coloured by the targets), and the link names the dataset."""
    lang = "en"
    open_playground(page, app_url, lang)
    wait_for_live_chart(page, REGIONS)
    for name in (*lp.DATASETS[1:], lp.DATASETS[0]):  # the page opens on the first
        pick_dataset(page, lang, name)
        wait_for_url(page, data=name)
        train, _ = expected_regions(name)
        k = train.n_classes
        # one trace per class for training and for test points (hidden: empty); regression:
        # one each
        want = [lp.GRID, *([int((train.y == c).sum()) for c in range(k)] + [0] * k
                           if train.task == "classification" else [len(train), 0])]
        wait_for_regions(page, as_rows(train), f"{name}'s training points")
        assert live_chart_state(page, REGIONS)["points"] == want, name
        assert_no_exception(page)
        if name == "spiral3":
            settle(page)
            full_page_screenshot(page, screenshots_dir / f"playground-spiral3-{lang}.png")
            page.set_viewport_size(VIEWPORT)


# ---------------------------------------------------------------- layers and neurons


def assert_diagram(page, features: int, hidden: list[int], outputs: int) -> None:
    """The diagram shows features + hidden + outputs neurons: one click target per neuron,
    [column, unit] in its customdata, one column of them per layer (left to right)."""
    sizes = [features, *hidden, outputs]
    total = sum(sizes)
    wait_for_state(page, NETWORK, lambda s: s["points"][CLICK_TRACE] == total,
                   f"{total} neurons ({sizes})")
    custom = trace(page, NETWORK, CLICK_TRACE, "customdata")
    assert custom == [[c, u] for c, n in enumerate(sizes) for u in range(n)], sizes
    xs = trace(page, NETWORK, CLICK_TRACE, "x")
    columns = sorted({round(x, 6) for x in xs})
    assert len(columns) == len(sizes), (sizes, columns)
    assert [round(x, 6) for x in xs] == [columns[c] for c, _ in custom]  # each in its column
    assert all(z for z in trace(page, NETWORK, 0, "z")), "the tiles' map is empty"


def test_plus_and_minus_reshape_the_network_and_the_link(app_url, page):
    """The circle's preset is 2 inputs, hidden 4-2, 2 outputs. + adds a layer of NEW_LAYER
    neurons, a layer's + and − add and remove one neuron, − removes the last layer; after
    each, the diagram and ?layers= / ?n<i>= say the same."""
    open_playground(page, app_url, "en")
    wait_for_live_chart(page, NETWORK)
    hidden = list(lp.PRESETS["circle"].hidden)
    assert_diagram(page, 2, hidden, 2)

    def press(key: str, expect: list[int]) -> None:
        button(page, f"playground-{key}").click()
        want = {"layers": str(len(expect))}
        want.update({f"n{i}": str(n) for i, n in enumerate(expect, start=1)})
        wait_for_url(page, **want)
        assert_diagram(page, 2, expect, 2)
        assert_no_exception(page)

    press("layers-plus", [*hidden, 4])
    press("n3-plus", [*hidden, 5])
    press("n1-minus", [hidden[0] - 1, hidden[1], 5])
    press("layers-minus", [hidden[0] - 1, hidden[1]])
    press("layers-minus", [hidden[0] - 1])
    press("layers-minus", [])
    assert button(page, "playground-layers-minus").is_disabled()
    press("layers-plus", [hidden[0] - 1])  # a layer that comes back keeps its size


# ---------------------------------------------------------------- drawn points


def choose_class(page, lang: str, k: int) -> None:
    """Class k for the next point (a click on the chosen pill would unselect it)."""
    pill = page.locator(".st-key-playground-draw_class").get_by_role(
        "radio", name=tr(lang, "playground.class", k=k), exact=True)
    if pill.get_attribute("aria-checked") != "true":
        pill.click()
    pill.and_(page.locator("[aria-checked=true]")).wait_for(timeout=IDLE_TIMEOUT_MS)


def drawn(page) -> lp.Data | None:
    text = url_params(page).get("pts")
    return lp.decode_points(text) if text else None


def train_part(page, data: lp.Data) -> lp.Data:
    """The training part of `data`, split as the page splits it (its link's share and seed)."""
    params = url_params(page)
    return lp.split(data, int(params["train"]) / 100, int(params["seed"]))[0]


def wait_for_points(page, n: int) -> lp.Data:
    for _ in range(WAIT_MS // 100):
        data = drawn(page)
        if data is not None and len(data) == n:
            return data
        page.wait_for_timeout(100)
    raise AssertionError(f"the link never held {n} points: {url_params(page).get('pts')}")


# where the learner clicks, and in which class: the first four on the drawing board, the
# rest on the decision regions of the network built on them
BOARD_CLICKS = [(-3.0, 2.0, 0), (3.0, 1.0, 1), (-2.0, -4.0, 0), (4.0, -2.5, 1)]
REGION_CLICKS = [(-1.0, 4.0, 0), (2.5, 4.5, 1)]


def test_drawn_points_round_trip_through_the_link(app_url, page, browser, screenshots_dir):
    """Choose 'Your own data', click two classes onto the drawing board, then onto the
    regions: the link's ?pts= holds every point where it was clicked (to the link's 0.1),
    and the same link opened in a fresh browser shows the same points."""
    lang = "en"
    open_playground(page, app_url, lang)
    pick_dataset(page, lang, "custom")
    wait_for_url(page, data="custom")
    wait_for_live_chart(page, BOARD)
    assert live_chart_state(page, BOARD)["clicks"] == 1
    clicks = []
    for x, y, k in BOARD_CLICKS:
        choose_class(page, lang, k)
        click_data_point(page, BOARD, x, y)
        clicks.append((x, y, k))
        wait_for_points(page, len(clicks))
    # four points of two classes: the network is built on them, the board gives way
    wait_for_live_chart(page, REGIONS)
    assert live_chart_state(page, REGIONS)["clicks"] == 1
    assert_no_exception(page)
    for x, y, k in REGION_CLICKS:
        choose_class(page, lang, k)
        wait_for_regions(page, len(train_part(page, drawn(page))))
        click_data_point(page, REGIONS, x, y)
        clicks.append((x, y, k))
        wait_for_points(page, len(clicks))
    data = drawn(page)
    want = np.array(clicks)
    assert data.y.tolist() == want[:, 2].astype(int).tolist()
    # a click lands within a pixel (~0.03 here) of its target; the link keeps 0.1 steps
    assert np.abs(data.x - want[:, :2]).max() <= 0.1 + 1e-9, (data.x, want)
    # all the points in the chart, test ones included
    page.locator(".st-key-playground-test label").click()
    params = wait_for_url(page, test="1", data="custom")
    wait_for_regions(page, as_rows(data), "every drawn point")
    assert_no_exception(page)
    settle(page)
    full_page_screenshot(page, screenshots_dir / f"playground-drawn-{lang}.png")

    # the link alone, in a browser that never saw this session
    context = browser.new_context(viewport=VIEWPORT, locale="ko-KR")
    fresh = context.new_page()
    errors: list[str] = []
    collect_errors(fresh, errors)
    try:
        open_idle(fresh, page.url)
        assert_no_exception(fresh)
        wait_for_live_chart(fresh, REGIONS)
        assert url_params(fresh)["pts"] == params["pts"]
        back = drawn(fresh)
        assert np.array_equal(back.x, data.x) and np.array_equal(back.y, data.y)
        wait_for_regions(fresh, as_rows(data), "every drawn point")
        # no notice that the link's points were not used
        assert fresh.get_by_text("pts=").count() == 0
    finally:
        context.close()
    assert errors == [], errors


# ---------------------------------------------------------------- CSV upload


def csv_bytes(rows, header: bool = True) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(["x1", "x2", "label"])
    writer.writerows(rows)
    return out.getvalue().encode()


def good_csv() -> bytes:
    """40 points of two classes, at 0.1 steps (so that the link holds them exactly)."""
    data = lp.make_data("gauss", n=40, seed=3)
    x = np.round(data.x, 1)
    return csv_bytes([(f"{a:.1f}", f"{b:.1f}", int(c)) for (a, b), c in zip(x, data.y,
                                                                             strict=True)])


def huge_csv() -> bytes:
    """Good rows, but more bytes than CSV_MAX_BYTES."""
    row = b"1.234567,-2.345678,1\n"
    return b"x1,x2,label\n" + row * (lp.CSV_MAX_BYTES // len(row) + 100)


# id: (file name, bytes, the error code the page must say)
BAD_FILES = {
    "huge": ("big.csv", huge_csv(), "playground_csv_too_big"),
    "nan": ("nan.csv", b"x1,x2,label\n1,2,0\nnan,1,1\n-1,0.5,1\n", "playground_csv_not_finite"),
    "wrong-columns": ("cols.csv", b"x,y\n1,2\n3,4\n", "playground_csv_columns"),
    "binary": ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
               "playground_csv_not_text"),
    "empty": ("empty.csv", b"", "playground_csv_empty"),
    "four-columns": ("four.csv", b"1,2,0,9\n3,4,1,9\n", "playground_csv_columns"),
}


def upload(page, name: str, data: bytes) -> None:
    page.locator(".st-key-playground-csv input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}])


def expected_error(lang: str, data: bytes, code: str) -> str:
    """What the page says for a refused file: lessons.playground's own error, in `lang`."""
    with pytest.raises(ValueError) as caught:
        lp.parse_csv(data)
    assert caught.value.code == code
    return say_error(lang, caught.value)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_csv_upload_good_then_bad_files_change_nothing(app_url, page, screenshots_dir, lang):
    """A good CSV: its points appear in the chart and in the link, and the network trains on
    them. Then each bad or hostile file: the page says what is wrong, in the learner's
    language (the catalog's error.<code>), and the points, the link and the epoch stay."""
    open_playground(page, app_url, lang)
    pick_dataset(page, lang, "custom")
    wait_for_url(page, data="custom")
    good = good_csv()
    data = lp.parse_csv(good)
    upload(page, "points.csv", good)
    alert(page, tr(lang, "playground.own.loaded", n=len(data))).first.wait_for(
        timeout=IDLE_TIMEOUT_MS)
    params = wait_for_url(page, pts=lp.encode_points(data))
    # the split the page makes with its own data's settings (in the link)
    train, _ = lp.split(data, int(params["train"]) / 100, int(params["seed"]))
    wait_for_regions(page, as_rows(train), "the file's training points")

    epoch = tr(lang, "playground.live.epoch")
    assert metric_value(page, epoch) == "0"
    button(page, "playground-train-step").click()
    trained = wait_for_change(page, epoch, "0", seconds=30)
    assert int(trained.replace(",", "")) > 0
    assert_no_exception(page)

    for case, (name, raw, code) in BAD_FILES.items():
        text = expected_error(lang, raw, code)
        upload(page, name, raw)
        message = alert(page, text)
        message.first.wait_for(timeout=IDLE_TIMEOUT_MS)
        assert message.count() == 1, case
        assert_no_exception(page)
        if case == "nan":
            page.locator(".st-key-playground-csv").scroll_into_view_if_needed()
            page.screenshot(path=str(screenshots_dir / f"playground-csv-error-{lang}.png"))
        # the learner's points (the link's), the dataset and the training stay; the charts
        # are checked by test_a_bad_csv_leaves_the_live_view_whole
        now = url_params(page)
        assert now.get("pts") == params["pts"] and now.get("data") == "custom", case
        assert metric_value(page, epoch) == trained, case


def test_a_bad_csv_leaves_the_live_view_whole(app_url, page):
    """Bad files, one after another, each once the page is still: after each, every live
    chart is in the page once and drawn, and the regions still show the file's points."""
    lang = "en"
    open_playground(page, app_url, lang)
    pick_dataset(page, lang, "custom")
    good = good_csv()
    upload(page, "points.csv", good)
    params = wait_for_url(page, pts=lp.encode_points(lp.parse_csv(good)))
    train, _ = lp.split(lp.parse_csv(good), int(params["train"]) / 100, int(params["seed"]))
    wait_for_regions(page, as_rows(train), "the file's training points")
    for round_ in range(2):
        for case, (name, raw, code) in BAD_FILES.items():
            wait_for_whole_view(page)
            upload(page, f"{round_}-{name}", raw)
            alert(page, expected_error(lang, raw, code)).first.wait_for(
                timeout=IDLE_TIMEOUT_MS)
            wait_for_regions(page, as_rows(train), f"the same points after {case}")
            wait_for_whole_view(page)
            assert_no_exception(page)


# ---------------------------------------------------------------- the network up close


def select_neuron(page, lang: str, column: int, unit: int) -> None:
    label = tr(lang, "playground.inspect.option",
               column=tr(lang, "playground.net.column", i=column), unit=unit + 1)
    box = page.locator(".st-key-playground-selected").get_by_role("combobox")
    box.click()
    box.fill(label)  # typing filters the list, which opens it
    page.get_by_role("option", name=label, exact=True).click()
    selected_is(page, label)


def selected_is(page, label: str) -> None:
    """Wait until the selectbox of 'One neuron up close' shows `label`."""
    box = page.locator(".st-key-playground-selected").get_by_role("combobox")
    for _ in range(WAIT_MS // 100):
        if box.input_value() == label:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the neuron shown up close is {box.input_value()!r}, not {label!r}")


def region_z(page) -> np.ndarray:
    return np.array(trace(page, REGIONS, 0, "z"), dtype=np.float64)


def test_an_edited_weight_moves_the_regions(app_url, page):
    """Paused (as the page opens): pick a neuron, type a new weight into its input; the
    decision regions (the heatmap's z in the browser) change."""
    lang = "en"
    open_playground(page, app_url, lang)
    wait_for_live_chart(page, REGIONS)
    assert button(page, "playground-train-start").is_enabled()  # paused
    select_neuron(page, lang, 1, 1)
    before = region_z(page)
    field = page.locator(".st-key-playground-edit-1-1-0 input")
    old = float(field.input_value())
    field.fill(f"{-4 if old > 0 else 4}")
    field.press("Enter")
    changed = None
    for _ in range(WAIT_MS // 100):
        now = region_z(page)
        if now.shape == before.shape and not np.array_equal(now, before):
            changed = now
            break
        page.wait_for_timeout(100)
    assert changed is not None, "the regions did not follow the edited weight"
    assert_no_exception(page)


def test_the_backprop_view_recolours_the_edges(app_url, page):
    """The toggle: the diagram's edges are drawn from the gradients (their traces' data
    differ from the weights' ones) under a title that says so; off again, the weights'."""
    lang = "en"
    open_playground(page, app_url, lang)
    wait_for_live_chart(page, NETWORK)
    assert page.evaluate(TITLE, NETWORK) == tr(lang, "playground.fig.edges_weight")

    def edges() -> list:
        return [(trace(page, NETWORK, i, "x"), trace(page, NETWORK, i, "y"))
                for i in EDGE_TRACES]

    weights = edges()
    toggle = page.locator(".st-key-playground-backprop label")
    toggle.click()
    wait_for_url(page, backprop="1")
    page.wait_for_function(f"(name) => ({TITLE})(name) === "
                           f"{tr(lang, 'playground.fig.edges_grad')!r}", arg=NETWORK,
                           timeout=WAIT_MS)
    grads = edges()
    assert grads != weights
    assert_no_exception(page)
    toggle.click()
    wait_for_url(page, backprop="0")
    page.wait_for_function(f"(name) => ({TITLE})(name) === "
                           f"{tr(lang, 'playground.fig.edges_weight')!r}", arg=NETWORK,
                           timeout=WAIT_MS)
    assert edges() == weights


def test_training_plays_frames_without_redrawing(app_url, page, screenshots_dir):
    """Start, a few seconds, Pause: the epoch grew, the regions and the diagram took frames
    (ui.live_chart's frames, shown one by one), and neither was drawn afresh meanwhile."""
    lang = "ko"
    open_playground(page, app_url, lang)
    wait_for_live_chart(page, REGIONS)
    wait_for_live_chart(page, NETWORK)
    epoch = tr(lang, "playground.live.epoch")
    assert metric_value(page, epoch) == "0"
    button(page, "playground-train-start").click()
    page.locator(f"{LOOP}-pause button:not([disabled])").first.wait_for(timeout=IDLE_TIMEOUT_MS)
    live_chart(page, REGIONS).scroll_into_view_if_needed()  # frames show on the screen
    first = wait_for_state(page, REGIONS, lambda s: s["frames"] > 0, "a frame")
    page.wait_for_timeout(2500)
    later = live_chart_state(page, REGIONS)
    net = live_chart_state(page, NETWORK)
    button(page, "playground-train-pause").click()
    page.locator(f"{LOOP}-start button:not([disabled])").first.wait_for(timeout=IDLE_TIMEOUT_MS)
    settle(page)
    assert later["frames"] > first["frames"], (first, later)
    assert later["draws"] == first["draws"] == 1, (first, later)
    assert net["draws"] == 1 and net["restyles"] > 0, net
    assert int(metric_value(page, epoch).replace(",", "")) > 0
    assert_no_exception(page)
    full_page_screenshot(page, screenshots_dir / f"playground-trained-{lang}.png")


def test_a_click_on_a_neuron_opens_it_up_close(app_url, page):
    """A click on the tile of layer 1's second neuron: the selectbox of 'One neuron up close'
    shows it, and the diagram frames it."""
    lang = "en"
    open_playground(page, app_url, lang)
    wait_for_live_chart(page, NETWORK)
    custom = trace(page, NETWORK, CLICK_TRACE, "customdata")
    i = custom.index([1, 1])
    x, y = (trace(page, NETWORK, CLICK_TRACE, k)[i] for k in ("x", "y"))
    click_data_point(page, NETWORK, x, y)
    label = tr(lang, "playground.inspect.option",
               column=tr(lang, "playground.net.column", i=1), unit=2)
    selected_is(page, label)
    wait_for_state(page, NETWORK, lambda s: s["points"][FRAME_TRACE] == 5, "the frame")
    frame_x = trace(page, NETWORK, FRAME_TRACE, "x")
    assert min(frame_x) < x < max(frame_x)
    assert_no_exception(page)


# ---------------------------------------------------------------- a pill clicked twice


def test_clicking_the_chosen_dataset_again_keeps_it(app_url, page):
    """A learner clicks the dataset that is already chosen: nothing breaks, the circle and
    its points stay."""
    lang = "en"
    open_playground(page, app_url, lang)
    wait_for_live_chart(page, REGIONS)
    pick_dataset(page, lang, "circle")  # chosen already
    page.wait_for_timeout(1500)
    assert_no_exception(page)
    assert url_params(page)["data"] == "circle"
    train, _ = expected_regions("circle")
    wait_for_regions(page, as_rows(train), "the circle's points")


def test_clicking_the_chosen_class_again_still_places_points(app_url, page):
    """A learner clicks the class that is already chosen, then the plane: a point is
    placed, nothing breaks."""
    lang = "en"
    open_playground(page, app_url, lang)
    pick_dataset(page, lang, "custom")
    wait_for_live_chart(page, BOARD)
    page.locator(".st-key-playground-draw_class").get_by_role(
        "radio", name=tr(lang, "playground.class", k=0), exact=True).click()  # chosen already
    page.wait_for_timeout(1000)
    click_data_point(page, BOARD, 1.0, 1.0)
    page.wait_for_timeout(1500)
    assert_no_exception(page)
    assert drawn(page) is not None and len(drawn(page)) == 1


# ---------------------------------------------------------------- the README's screen


@pytest.mark.parametrize("lang", LANGS)
def test_the_readme_screen_the_spiral_learned(app_url, page, docs_dir, lang):
    """The two-arm spiral with its preset, trained past 90 % on the test points, for the
    README's gallery (docs/screenshots/playground-<lang>.png with DOCS_SCREENSHOTS=1)."""
    open_playground(page, app_url, lang)
    wait_for_live_chart(page, REGIONS)
    pick_dataset(page, lang, "spiral")
    wait_for_url(page, data="spiral")
    settle(page)
    button(page, "playground-train-start").click()
    accuracy = tr(lang, "playground.live.test_acc")
    deadline = time.monotonic() + 60
    while float(metric_value(page, accuracy).rstrip("%")) < 90:
        assert time.monotonic() < deadline, metric_value(page, accuracy)
        page.wait_for_timeout(500)
    button(page, "playground-train-pause").click()
    page.locator(f"{LOOP}-start button:not([disabled])").first.wait_for(timeout=IDLE_TIMEOUT_MS)
    settle(page)
    assert_no_exception(page)
    docs_screenshot(page, docs_dir / f"playground-{lang}.png", tr(lang, "playground.live.header"))
