"""The sandbox's memory on disk: which tasks were started, so a restarted app still finds them.

Only what a task was started with is stored; its progress is recomputed from the clock.
"""

from __future__ import annotations

import json
from pathlib import Path

FORMAT_VERSION = 1


def save_tasks(path: Path, simulated_now: float, searches: list[dict], exports: list[dict]) -> None:
    from sixtyfour_tui.atomic import write_atomic

    document = {"version": FORMAT_VERSION, "clock": simulated_now, "searches": searches, "exports": exports}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(document))


def load_tasks(path: Path) -> dict:
    """The stored document, or an empty one when missing or unreadable (a sandbox starts fresh)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"clock": 0.0, "searches": [], "exports": []}
    if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION:
        return {"clock": 0.0, "searches": [], "exports": []}
    return document
