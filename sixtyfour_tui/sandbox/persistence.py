"""The sandbox's memory on disk: which tasks and exclusion lists exist, so a restarted app still finds them.

Only what a task was started with is stored; its progress is recomputed from the clock. Sections:
`searches` and `exports` (task specs), `lists` (exclusion lists with their ids). Files written before
a section existed simply lack it.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
SECTIONS = ("searches", "exports", "lists", "removed")


def save_state(path: Path, simulated_now: float, sections: dict[str, list[Any]]) -> None:
    from sixtyfour_tui.atomic import write_atomic

    document = {"version": FORMAT_VERSION, "clock": simulated_now,
                **{name: sections.get(name, []) for name in SECTIONS}}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(document))


def load_state(path: Path) -> dict[str, Any]:
    """The stored document, or an empty one when missing or unreadable (a sandbox starts fresh)."""
    empty: dict[str, Any] = {"clock": 0.0, **{name: [] for name in SECTIONS}}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return empty
    if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION:
        return empty
    for name in SECTIONS:
        if not isinstance(document.get(name), list):
            document[name] = []
    return document


@contextmanager
def state_lock(path: Path) -> Iterator[None]:
    """Every sandbox process writing `path` takes this lock, so read-merge-write is never torn."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
