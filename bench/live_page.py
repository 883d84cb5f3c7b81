"""The MNIST lesson's live training in a real browser, against the engine headless.

    python -m bench.live_page [--rounds 3] [--epochs 5] [--pin]

Each round, side by side on the same machine:
- headless: the page's default network (784-100-10, ReLU, He, Adam 0.001, batch 100,
  seed 0) trained by engine.trainer.Trainer for `epochs` epochs, with the same epoch-end
  scoring the page does (10,000 training samples and the 10,000 test digits), with numpy's
  default BLAS threads and with one (as the app's server runs it, ui/runtime.py);
- in the page: `streamlit run`, Debian's Chromium opens /mnist with the same settings,
  presses Start and waits for the run to finish, reading the websocket: every
  ForwardMsg the server sends is parsed, a redraw is counted at each new loss chart
  (the live view draws one per chunk), and each redraw's bytes are the bytes sent since
  the previous one.

It prints, per round and as medians: samples/s in the page and headless and their ratio
(target: at least 0.70), redraws per second (target: at least 2), bytes per redraw (median
and largest; target: about 150 KB at most), and the seconds from the click on Start until
the page shows a test accuracy of 97% or more (target: about 10 s).
With --pin the server gets CPU 0 and everything else CPU 1, as if the learner's browser
ran on their own computer; without it the browser's rendering competes with the training
for the same two cores. Needs Chromium at /usr/bin/chromium and playwright
(requirements-dev.txt).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from engine.datasets import load_mnist
from engine.network import MultiLayerNet
from engine.optimizers import Adam
from engine.trainer import Trainer
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server

START = ".st-key-mnist-train-start button"
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
TEST_ACC_LABEL = "Test accuracy"
RATE_LABEL = "Samples / s"
BATCH = 100
PINNED = "pinned: the server on CPU 0; the browser, this script and the headless runs on CPU 1"
SHARED = "shared: the server, the browser and the headless runs on both cores"
LOSS_CHART = "mnist.live.loss."  # the key of the live view's loss chart (one per redraw)
EVAL_TRAIN = 10_000


def headless(epochs: int, threads: int | None) -> float:
    """Samples per second of the page's default run, without a page, with `threads` BLAS
    threads (None: numpy's default, one per core)."""
    (x, t), (xt, tt) = load_mnist(keep_uint8=True)
    net = MultiLayerNet(784, [100], 10, activation="relu", weight_init_std="he", seed=0)
    trainer = Trainer(net, Adam(lr=0.001), x, t, xt, tt, batch_size=BATCH, seed=0,
                      eval_samples=EVAL_TRAIN)
    with threadpool_limits(threads, user_api="blas"):
        start = time.perf_counter()
        trainer.run(until_epoch=epochs)
        return epochs * len(x) / (time.perf_counter() - start)


def parse(received: list[tuple[float, bytes]]):
    """Each websocket frame as (when, bytes, is a new loss chart), the samples per second
    the page showed (measured by the server's clock over its last 3 s), and the test
    accuracies it showed, with when."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    frames, rates, accuracies = [], [], []
    for when, data in received:
        msg = ForwardMsg()
        loss_chart = False
        try:
            msg.ParseFromString(data)
            delta = msg.delta if msg.WhichOneof("type") == "delta" else None
        except Exception:  # a frame that is not a ForwardMsg still counts as bytes
            delta = None
        if delta is not None and delta.WhichOneof("type") == "new_element":
            element = delta.new_element
            kind = element.WhichOneof("type")
            loss_chart = kind == "plotly_chart" and LOSS_CHART in element.plotly_chart.id
            if kind == "metric" and element.metric.label == RATE_LABEL:
                body = element.metric.body.replace(",", "")
                if body.isdigit():
                    rates.append(int(body))
            elif kind == "metric" and element.metric.label == TEST_ACC_LABEL:
                accuracies.append((when, element.metric.body))
        frames.append((when, len(data), loss_chart))
    return frames, rates, accuracies


def in_page(browser, url: str, epochs: int) -> dict:
    """One run of the page's Start button; what the browser saw."""
    received: list[tuple[float, bytes]] = []  # parsed after the run, not while it trains

    def on_frame(payload) -> None:
        received.append((time.perf_counter(),
                         payload if isinstance(payload, bytes) else payload.encode()))

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    page.goto(f"{url}/mnist?lang=en&epochs={epochs}", wait_until="domcontentloaded")
    page.wait_for_selector(IDLE, timeout=60_000)
    page.locator(START).first.wait_for(timeout=60_000)
    page.locator(START).first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    received.clear()
    clicked = time.perf_counter()
    page.locator(START).first.click()
    page.locator(f"{START}[disabled]").first.wait_for(timeout=30_000)
    # no polling of the page while it trains: what it shows is read off the websocket
    page.locator(f"{START}:not([disabled])").first.wait_for(timeout=120_000)
    finished = time.perf_counter()
    context.close()
    frames, rates, accuracies = parse(received)
    reached = next((when - clicked for when, text in accuracies
                    if text.endswith("%") and float(text.rstrip("%")) >= 97.0), None)
    ends = [i for i, f in enumerate(frames) if f[2]]
    sizes, prev = [], -1
    for i in ends:
        sizes.append(sum(f[1] for f in frames[prev + 1:i + 1]))
        prev = i
    seconds = finished - clicked
    first, last = frames[ends[0]][0], frames[ends[-1]][0]
    return {"samples_per_s": epochs * 60_000 / seconds, "seconds": seconds,
            "steady_per_s": statistics.median(rates) if rates else 0.0,
            "redraws_per_s": (len(ends) - 1) / (last - first) if last > first else 0.0,
            "redraw_kb_median": statistics.median(sizes) / 1024 if sizes else 0.0,
            "redraw_kb_max": max(sizes, default=0) / 1024,
            "reached_97_s": reached}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--pin", action="store_true",
                        help="server on CPU 0; this script, the headless runs and the browser "
                             "on CPU 1: as if the learner's browser ran on their own machine")
    args = parser.parse_args(argv)
    if args.pin:
        if len(os.sched_getaffinity(0)) < 2:
            raise SystemExit("--pin needs two CPU cores")
        os.sched_setaffinity(0, {1})  # inherited by Playwright's driver and Chromium
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    load_mnist(keep_uint8=True)
    headless(1, None)  # warm up BLAS and the caches
    print(f"MNIST lesson, default network 784-100-10 Adam 0.001 batch {BATCH}, {args.epochs} "
          f"epochs; {args.rounds} rounds, headless and in the page alternating.\n"
          f"headless 1t: one BLAS thread, as the app's server runs (ui/runtime.py); "
          f"headless: numpy's default threads.\n"
          f"{PINNED if args.pin else SHARED}.\n"
          f"page: samples/s from the click on Start to the end of the run (browser's clock); "
          f"page steady: the median of the samples/s the page showed while it trained "
          f"(server's clock, over its last 3 s); ratio: page steady / headless 1t")
    head = (f"{'round':<7}{'headless':>10}{'headless 1t':>13}{'page':>9}{'page steady':>13}"
            f"{'ratio':>7}{'redraws/s':>11}{'KB/redraw':>11}{'KB max':>8}{'97% after s':>13}")
    print(head)
    rows = []

    def line(label, row):
        reached = row["reached_97_s"]
        default = "-" if row["headless"] is None else f"{row['headless']:,.0f}"
        print(f"{label:<7}{default:>10}{row['headless_1t']:>13,.0f}"
              f"{row['samples_per_s']:>9,.0f}{row['steady_per_s']:>13,.0f}{row['ratio']:>7.2f}"
              f"{row['redraws_per_s']:>11.2f}{row['redraw_kb_median']:>11.1f}"
              f"{row['redraw_kb_max']:>8.1f}"
              f"{'never' if reached is None else f'{reached:.1f}':>13}", flush=True)

    with tempfile.TemporaryDirectory() as tmp, \
            streamlit_server(Path(tmp) / "server.log",
                             cpus={0} if args.pin else None) as (url, _proc), \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        in_page(browser, url, 1)  # warm up the server's caches (MNIST, statistics)
        for r in range(args.rounds):
            # pinned to one core, numpy's default two BLAS threads fight over it (40× slower)
            row = {"headless": None if args.pin else headless(args.epochs, None),
                   "headless_1t": headless(args.epochs, 1), **in_page(browser, url, args.epochs)}
            row["ratio"] = row["steady_per_s"] / row["headless_1t"]
            rows.append(row)
            line(str(r + 1), row)
        browser.close()
    median = {key: statistics.median(r[key] for r in rows) for key in rows[0]
              if key not in ("reached_97_s", "headless")}
    median["headless"] = None if args.pin else statistics.median(r["headless"] for r in rows)
    median["redraw_kb_max"] = max(r["redraw_kb_max"] for r in rows)
    reached = [r["reached_97_s"] for r in rows if r["reached_97_s"] is not None]
    median["reached_97_s"] = statistics.median(reached) if reached else None
    line("median", median)


if __name__ == "__main__":
    main()
