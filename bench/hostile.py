"""What a hostile visitor costs the server, and what one learner's session can hold at most.

    python -m bench.hostile [--uploads 60] [--rows 20000]

Starts `streamlit run` on a free port and, over Streamlit's websocket protocol (no
browser; tests/load/wsclient.py), measures from the server's /proc figures:

- a drawing that decodes to 8000×8000 RGBA, beside an ordinary drawing;
- a matrix editor state with --rows added rows, beside an ordinary edit;
- --uploads uploads of 2 MB from one session (and what the upload store holds after);
- the most one ordinary session can hold: the largest MNIST network, trained a few
  chunks, a drawing and two uploads, as the server's memory growth after its runs.

Memory is the server's resident set (peak during the action, sampled every 10 ms);
CPU is the server's user + system seconds. The ratios compare each hostile action with
the ordinary one measured beside it in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

import numpy as np

from tests.e2e.server import streamlit_server
from tests.load.wsclient import Session, trigger, trigger_id
from tests.security.conftest import Meter, Server
from tests.security.payloads import bomb_png, data_url, drawn_one, editor_state


def row(name: str, meter: Meter, ordinary: Meter | None = None) -> None:
    ratio = f"{meter.cpu / max(ordinary.cpu, 0.01):6.1f}×" if ordinary else "       "
    print(f"{name:<44} {meter.growth_mib:9.1f} {meter.cpu:9.2f} {ratio}")


async def measure(server: Server, uploads: int, rows: int) -> None:
    bomb = bomb_png()
    print(f"{'action':<44} {'peak MiB':>9} {'CPU s':>9} {'÷ ordinary':>9}")
    async with Session(server.url) as s:
        canvas = (await s.open("mnist", "lang=en")).widget("mnist.draw.canvas")
        draw = trigger_id(canvas.id)
        with Meter(server) as ordinary:
            await s.rerun({draw: trigger("drawing", data_url(drawn_one()))},
                          fragment_id=canvas.fragment_id)
        row("drawing, 280×280 stroke", ordinary)
        with Meter(server) as hostile:
            await s.rerun({draw: trigger("drawing", data_url(bomb))},
                          fragment_id=canvas.fragment_id)
        row(f"drawing, 8000×8000 RGBA ({len(bomb) // 1024} KB PNG)", hostile, ordinary)
        with Meter(server) as after:
            await s.rerun({draw: trigger("drawing", data_url(drawn_one()))},
                          fragment_id=canvas.fragment_id)
        row("the next ordinary drawing", after, ordinary)

    async with Session(server.url) as s:
        # W3 may have any number of rows (Y just grows), so every row reaches the page
        w3 = (await s.open("layers", "lang=en")).widget("layers.chain.W3.v0")
        with Meter(server) as ordinary:
            await s.rerun({w3.id: editor_state(edited_rows={"0": {"L22": 3}})},
                          fragment_id=w3.fragment_id)
        row("editor, one cell", ordinary)
        added = [{"L20": 1, "L21": 2, "L22": 3}] * rows
        with Meter(server) as hostile:
            r = await s.rerun({w3.id: editor_state(added_rows=added)}, fragment_id=w3.fragment_id)
        row(f"editor, {rows:,} added rows (reply {r.bytes // 1024} KB)", hostile, ordinary)

    async with Session(server.url) as s:
        await s.open("mnist", "lang=en")
        blob = np.random.default_rng(0).integers(0, 256, 2 * 2**20 - 4096, np.uint8).tobytes()
        held = server.upload_bytes()
        with Meter(server) as flood:
            codes = [s.upload(blob, f"flood-{i}.png")[0] for i in range(uploads)]
        held = server.upload_bytes() - held
        row(f"{uploads} uploads of 2 MB ({codes.count(204)} taken)", flood)
        print(f"{'   the upload store holds for that session':<44} {held / 2**20:9.1f} MiB")

    before = server.rss_mib()
    async with Session(server.url) as s:
        page = await s.open("mnist", "lang=en&layers=3&h1=256&h2=256&h3=256&batch=512")
        step = page.widget("mnist.train.step")
        for _ in range(4):
            await s.rerun({step.id: ("trigger_value", True)}, fragment_id=step.fragment_id)
            step = s.widget("mnist.train.step")
        canvas = s.widget("mnist.draw.canvas")
        await s.rerun({trigger_id(canvas.id): trigger("drawing", data_url(drawn_one()))},
                      fragment_id=canvas.fragment_id)
        for i in range(2):
            s.upload(blob, f"photo-{i}.png")
        print(f"{'one session at its largest (after its runs)':<44} "
              f"{server.rss_mib() - before:9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=60)
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            streamlit_server(Path(tmp) / "server.log") as (url, proc):
        server = Server(url, proc.pid)
        print(f"server at {url}, resident {server.rss_mib():.0f} MiB before the first page")
        asyncio.run(measure(server, args.uploads, args.rows))


if __name__ == "__main__":
    main()
