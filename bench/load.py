"""How many learners one server holds: N simultaneous browser sessions against one
`streamlit run`, for N = 1, 5, 10 and 20 (the long form of tests/load/test_load.py).

    python -m bench.load [--n 1 5 10 20] [--rounds 2] [--ttl 5] [--pin] [--slots K]

Each learner opens every page by its link and then trains the MNIST lesson's default
network for one epoch (see tests/load/loadtest.py for what is measured and how). All rounds
run against one server, so the memory columns show whether it grows from round to round.
--ttl sets the server's `server.disconnectedSessionTTL` (the deployed config keeps a
closed tab's session 120 s; a short one keeps the run short). With --pin the server gets
CPU 0 only and the browsers and this script CPU 1, so the figures are those of a one-core
server whose learners' browsers run elsewhere; --slots sets ENGINE_TRAINING_SLOTS (default:
the server's cores). Needs Chromium at /usr/bin/chromium and playwright
(requirements-dev.txt).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from tests.e2e.server import streamlit_server
from tests.load.loadtest import run_round

COLUMNS = ["N", "errored pages", "other errors", "first render median s",
           "first render worst s", "server median s", "server worst s",
           "samples/s per learner (median)", "samples/s per learner (min)",
           "all learners, samples/s", "RSS before MiB", "RSS peak MiB", "RSS after MiB",
           "server CPU s", "wall s", "busy cores after close"]


def table(rows: list[dict]) -> str:
    lines = ["| round | " + " | ".join(COLUMNS) + " |",
             "|" + "---|" * (len(COLUMNS) + 1)]
    for row in rows:
        lines.append(f"| {row['round']} | " + " | ".join(str(row[c]) for c in COLUMNS) + " |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1, 5, 10, 20])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--ttl", type=float, default=5.0)
    parser.add_argument("--pin", action="store_true")
    parser.add_argument("--slots", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=300.0, help="per page, seconds")
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.n) or args.rounds < 1 or args.ttl < 1:
        parser.error("N, --rounds and --ttl must be at least 1")
    env = dict(os.environ)
    if args.slots is not None:
        env["ENGINE_TRAINING_SLOTS"] = str(args.slots)
    server_cpus = None
    if args.pin:
        if len(os.sched_getaffinity(0)) < 2:
            parser.error("--pin needs two cores")
        server_cpus = {0}
        os.sched_setaffinity(0, {1})  # this script and the browsers it starts
    log = Path(tempfile.mkdtemp()) / "server.log"
    rows = []
    extra = ("--server.disconnectedSessionTTL", str(int(args.ttl)))
    with streamlit_server(log, env=env, extra_args=extra, cpus=server_cpus) as (url, proc):
        print(f"server {url}, pid {proc.pid}, "
              f"{'pinned to CPU 0' if args.pin else 'on all cores'}, session TTL {args.ttl} s")
        for n in args.n:
            for r in range(1, args.rounds + 1):
                result = run_round(url, proc.pid, n, session_ttl=args.ttl,
                                   timeout_s=args.timeout)
                row = {"round": r, **result.row()}
                rows.append(row)
                print(row, flush=True)
                for error in result.other_errors[:5]:
                    print("  error:", error)
                for learner in result.learners:
                    for visit in learner.visits:
                        if visit.error:
                            print(f"  page /{visit.path}: {visit.error}")
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
