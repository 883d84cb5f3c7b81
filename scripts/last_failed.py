"""Print the tests that failed in pytest's last run (its cache, .pytest_cache/v/cache/lastfailed),
one node id a line, after a first line that says `e2e-only` when every one of them is a
browser test under tests/e2e/, else `mixed`. Prints nothing when the cache names none.
scripts/test.sh uses it to run failed browser tests once more, alone on the cores."""

from __future__ import annotations

import json
import sys
from pathlib import Path

CACHE = Path(__file__).resolve().parent.parent / ".pytest_cache" / "v" / "cache" / "lastfailed"


def last_failed(cache: Path | None = None) -> list[str]:
    try:
        failed = json.loads((cache or CACHE).read_text())
    except (OSError, ValueError):
        return []
    return sorted(node for node, flag in failed.items() if flag)


def main() -> int:
    failed = last_failed()
    if failed:
        only = all(node.startswith("tests/e2e/") for node in failed)
        print("e2e-only" if only else "mixed")
        print("\n".join(failed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
