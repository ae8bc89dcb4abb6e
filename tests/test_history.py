"""Query history: newest first, deduplicated, bounded, persistent, tolerant."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from sixtyfour_tui.jobs.history import QueryHistory


def test_add_and_reload_newest_first(tmp_path: Path) -> None:
    path = tmp_path / "state" / "history.json"
    history = QueryHistory(path)
    history.add("CTOs in Berlin", "people", 100)
    history.add("Series B fintech", "company", 50)
    assert [e.query for e in history.entries()] == ["Series B fintech", "CTOs in Berlin"]
    reloaded = QueryHistory(path)
    assert reloaded.entries() == history.entries()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_re_adding_moves_to_front(tmp_path: Path) -> None:
    history = QueryHistory(tmp_path / "history.json")
    history.add("a", "people", 10)
    history.add("b", "people", 10)
    history.add("  a ", "people", 99)
    entries = history.entries()
    assert [(e.query, e.max_results) for e in entries] == [("a", 99), ("b", 10)]


def test_same_text_in_another_mode_is_separate(tmp_path: Path) -> None:
    history = QueryHistory(tmp_path / "history.json")
    history.add("fintech", "people", 10)
    history.add("fintech", "company", 10)
    assert len(history.entries()) == 2


def test_blank_queries_are_ignored(tmp_path: Path) -> None:
    history = QueryHistory(tmp_path / "history.json")
    assert history.add("   ", "people", 10) is None
    assert history.entries() == []
    assert not (tmp_path / "history.json").exists()


def test_limit_drops_oldest(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    history = QueryHistory(path, limit=3)
    for i in range(5):
        history.add(f"q{i}", "people", 10)
    assert [e.query for e in history.entries()] == ["q4", "q3", "q2"]
    assert len(json.loads(path.read_text())["entries"]) == 3


@pytest.mark.parametrize("content", [b"{not json", b"[]", b'{"entries": 3}', b"\xff"])
def test_corrupt_file_is_tolerated(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "history.json"
    path.write_bytes(content)
    history = QueryHistory(path)
    assert history.entries() == []
    assert history.warning is not None
    history.add("fresh", "people", 10)
    assert [e.query for e in QueryHistory(path).entries()] == ["fresh"]


def test_malformed_and_duplicate_entries_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    entries = [
        {"query": "ok", "mode": "people", "max_results": 5, "used_at": 2.0, "extra": True},
        {"query": "ok", "mode": "people", "max_results": 7, "used_at": 1.0},
        {"query": 3, "mode": "people", "max_results": 5},
        "nonsense",
        {"query": "no time", "mode": "company", "max_results": 1},
    ]
    path.write_text(json.dumps({"version": 1, "entries": entries}))
    history = QueryHistory(path)
    assert [(e.query, e.max_results) for e in history.entries()] == [("ok", 5), ("no time", 1)]
    assert history.warning is None


def test_clear(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    history = QueryHistory(path)
    history.add("x", "people", 1)
    history.clear()
    assert QueryHistory(path).entries() == []


def test_entries_with_an_unknown_mode_are_skipped(tmp_path):
    import json

    from sixtyfour_tui.jobs.history import QueryHistory

    path = tmp_path / "history.json"
    path.write_text(json.dumps({"version": 1, "entries": [
        {"query": "CTOs", "mode": "companies", "max_results": 5, "used_at": 1.0},
        {"query": "VPs", "mode": "people", "max_results": 5, "used_at": 2.0},
    ]}))
    assert [e.query for e in QueryHistory(path).entries()] == ["VPs"]
