"""A classroom of N on one server, without browsers: N = 10, 25, 50, 100 simulated learners
(tests/load/classroom.py) who open the MNIST page's link at the same moment, each touch one
control (by default the settings form's learning rate, then "Build this network", which
reruns the whole page; with --control section the sample grid's choice set to random
digits, which reruns its section only), press Start and train for 10 s.

    python -m bench.classroom [--n 10 25 50 100] [--seconds 10] [--ttl 3] [--rounds 1]
                              [--control form|section] [--flood 50] [--flood-n 10]

The server is pinned to CPU 0 and this script (the whole class, one event loop) to CPU 1
(os.sched_setaffinity), so the figures are those of a one-core server whose clients run
elsewhere (other processes of the machine are not kept off CPU 0: on a shared machine the
figures are noisy); ENGINE_TRAINING_SLOTS is left to the server (one slot per usable
core: 1). Before the first round one learner opens the page once (the lecturer's visit
before class: the process loads MNIST and its caches then), timed apart.
Printed: a markdown table, one row per round: the first page run and the control's rerun
(p50, p95, from the rerun request to `script_finished`), how long a learner waits for the
live view's step counter to move (from Start to the first new value, between two, p50
and p95), the live view's runs that ended per learner, errors, the server's CPU seconds
per learner, and its resident memory before the round, at its peak and after the
sessions are gone (the server's disconnectedSessionTTL is --ttl; the deployed config
keeps a closed tab's session 120 s).

--flood R: the flooding measurement instead: --flood-n learners train with and without
one more client that sends R whole-page rerun requests a second for --seconds, and the
table compares their p95s (the issue's target: within 2× of the run without it).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from tests.e2e.server import streamlit_server
from tests.load.classroom import CONTROLS, pin_client, run_round, warm_up

SERVER_CPU, CLIENT_CPU = 0, 1
COLUMNS = ["N", "errors", "first run p50 s", "first run p95 s", "control p50 s",
           "control p95 s", "update gap p50 s", "update gap p95 s", "ticks per learner",
           "fewest ticks",
           "learners trained", "server CPU s per learner", "RSS before MiB", "RSS peak MiB",
           "RSS after MiB", "busy cores after", "client CPU s", "wall s"]


def table(rows: list[dict], first: list[str]) -> str:
    columns = first + COLUMNS
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10, 25, 50, 100])
    parser.add_argument("--seconds", type=float, default=10.0, help="training, per learner")
    parser.add_argument("--ttl", type=float, default=3.0, help="disconnectedSessionTTL, s")
    parser.add_argument("--rounds", type=int, default=1, help="rounds per N")
    parser.add_argument("--control", choices=CONTROLS, default="form",
                        help="form: the settings form (a whole-page run); section: the "
                             "sample grid's choice (its section's fragment only)")
    parser.add_argument("--flood", type=float, default=0.0,
                        help="reruns per second of one flooding client (0: no flooding)")
    parser.add_argument("--flood-n", type=int, default=10,
                        help="learners beside the flooder")
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.n) or args.rounds < 1 or args.ttl < 1 or args.seconds <= 0:
        parser.error("N, --rounds, --ttl and --seconds must be positive")
    if len(os.sched_getaffinity(0)) < 2:
        parser.error("needs two cores: the server on one, the class on the other")
    pin_client(CLIENT_CPU)
    log = Path(tempfile.mkdtemp()) / "server.log"
    extra = ("--server.disconnectedSessionTTL", str(int(args.ttl)))
    with streamlit_server(log, extra_args=extra, cpus={SERVER_CPU}) as (url, proc):
        print(f"server {url}, pid {proc.pid}, pinned to CPU {SERVER_CPU}; the simulated "
              f"class in this process, pinned to CPU {CLIENT_CPU}; session TTL {args.ttl} s; "
              f"training {args.seconds} s per learner; server log {log}", flush=True)
        began = time.perf_counter()
        warm_up(url)
        print(f"warm-up visit: {time.perf_counter() - began:.1f} s", flush=True)
        rows = []
        if args.flood:
            for r in range(1, args.rounds + 1):
                for rate in (0.0, args.flood):
                    result = run_round(url, proc.pid, args.flood_n, seconds=args.seconds,
                                       session_ttl=args.ttl, flood_rate=rate)
                    f = result.flood
                    row = {"round": r, "flooder reruns/s": rate,
                           "flooder sent": f.sent if f else 0,
                           "flooder runs started": f.runs_started if f else 0,
                           "flooder page runs": f.page_runs if f else 0,
                           "flooder runs finished": f.runs_finished if f else 0,
                           **result.row()}
                    rows.append(row)
                    print(row, flush=True)
                    for error in result.errors[:5] + (f.errors[:5] if f else []):
                        print("  error:", error)
            print()
            print(table(rows, ["round", "flooder reruns/s", "flooder sent",
                               "flooder runs started", "flooder page runs",
                               "flooder runs finished"]))
            for r in range(len(rows) // 2):
                base, flooded = rows[2 * r], rows[2 * r + 1]
                ratios = {k: round(flooded[k] / base[k], 2) if base[k] else None
                          for k in ("control p95 s", "update gap p95 s", "first run p95 s")}
                print(f"round {r + 1}: with the flooder / without: {ratios}")
            return
        for n in args.n:
            for r in range(1, args.rounds + 1):
                result = run_round(url, proc.pid, n, seconds=args.seconds,
                                   session_ttl=args.ttl, control=args.control)
                row = {"round": r, **result.row()}
                rows.append(row)
                print(row, flush=True)
                for error in result.errors[:5]:
                    print("  error:", error)
        print()
        print(table(rows, ["round"]))


if __name__ == "__main__":
    main()
