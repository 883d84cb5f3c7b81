"""Add strings to both catalogs at once, safely while others edit them too.

    python scripts/catalog_add.py FRAGMENT.json

FRAGMENT.json maps each key to its two texts: {"page.key": {"ko": "...", "en": "..."}}.
Existing keys are overwritten; the files are rewritten sorted as they were, under a lock.
"""

from __future__ import annotations

import fcntl
import json
import sys
from pathlib import Path

LOCALES = Path(__file__).resolve().parent.parent / "ui" / "locales"


def add(fragment: dict[str, dict[str, str]]) -> None:
    for key, texts in fragment.items():
        if set(texts) != {"ko", "en"} or not all(texts.values()):
            raise SystemExit(f"{key}: needs non-empty 'ko' and 'en' texts, got {texts}")
    with open(LOCALES / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for lang in ("ko", "en"):
            path = LOCALES / f"{lang}.json"
            catalog = json.loads(path.read_text(encoding="utf-8"))
            catalog.update({key: texts[lang] for key, texts in fragment.items()})
            path.write_text(json.dumps(catalog, ensure_ascii=False, indent=2) + "\n",
                            encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    add(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
