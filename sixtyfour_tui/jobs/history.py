"""Recently used queries, newest first, so a search can be recalled instead of retyped.

History is a convenience: an unreadable file is ignored (and overwritten on the next
``add``) rather than stopping the app.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sixtyfour_tui import locations
from sixtyfour_tui.atomic import PRIVATE_FILE_MODE, write_atomic

HISTORY_VERSION = 1
DEFAULT_LIMIT = 200


@dataclass(frozen=True)
class HistoryEntry:
    query: str
    mode: str
    max_results: int
    used_at: float

    @property
    def identity(self) -> tuple[str, str]:
        """Same text in the same mode is the same search; max_results is just its latest setting."""
        return (self.query, self.mode)


class QueryHistory:
    """Loaded when created; every :meth:`add` rewrites the file atomically."""

    def __init__(self, path: Path | None = None, limit: int = DEFAULT_LIMIT) -> None:
        self.path = path if path is not None else locations.history_file()
        self.limit = max(1, limit)
        self.warning: str | None = None
        self._entries: list[HistoryEntry] = self._load()

    def entries(self) -> list[HistoryEntry]:
        """Newest first."""
        return list(self._entries)

    def add(self, query: str, mode: str, max_results: int) -> HistoryEntry | None:
        """Record a use of ``query``; re-adding moves it to the front. Blank queries are ignored."""
        text = query.strip()
        if not text:
            return None
        entry = HistoryEntry(query=text, mode=mode, max_results=max_results, used_at=time.time())
        others = [e for e in self._entries if e.identity != entry.identity]
        updated = [entry, *others][: self.limit]
        self._write(updated)
        self._entries = updated
        return entry

    def clear(self) -> None:
        self._write([])
        self._entries = []

    def _load(self) -> list[HistoryEntry]:
        try:
            content = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            self.warning = f"Query history {self.path} could not be read ({exc.strerror or exc})."
            return []
        try:
            raw_entries = json.loads(content.decode("utf-8"))["entries"]
            if not isinstance(raw_entries, list):
                raise TypeError("entries is not a list")
        except (ValueError, TypeError, KeyError):
            self.warning = f"Query history {self.path} was unreadable and will be replaced."
            return []
        entries: list[HistoryEntry] = []
        seen: set[tuple[str, str]] = set()
        for raw in raw_entries:
            entry = _entry_from_json(raw)
            if entry is not None and entry.identity not in seen:
                seen.add(entry.identity)
                entries.append(entry)
        return entries[: self.limit]

    def _write(self, entries: list[HistoryEntry]) -> None:
        document = {"version": HISTORY_VERSION, "entries": [asdict(e) for e in entries]}
        locations.ensure_private_dir(self.path.parent)
        write_atomic(self.path, json.dumps(document, indent=1), mode=PRIVATE_FILE_MODE)


def _entry_from_json(raw: Any) -> HistoryEntry | None:
    """A usable entry, or None for anything malformed (it is skipped, not fatal)."""
    if not isinstance(raw, dict):
        return None
    query, mode = raw.get("query"), raw.get("mode")
    max_results, used_at = raw.get("max_results"), raw.get("used_at", 0.0)
    if not isinstance(query, str) or not query.strip() or mode not in ("people", "company"):
        return None
    if isinstance(max_results, bool) or not isinstance(max_results, int):
        return None
    if isinstance(used_at, bool) or not isinstance(used_at, (int, float)):
        used_at = 0.0
    return HistoryEntry(query=query.strip(), mode=mode, max_results=max_results, used_at=float(used_at))
