"""The job ledger: round-trips, tolerance of old and broken files, atomicity, no secrets."""

from __future__ import annotations

import json
import signal
import stat
import subprocess
import sys
import textwrap
import time
from dataclasses import fields
from pathlib import Path

import pytest

from sixtyfour_tui import atomic
from sixtyfour_tui.config import Settings, save_settings
from sixtyfour_tui.jobs import ledger as ledger_module
from sixtyfour_tui.jobs.ledger import JobRecord, Ledger

SECRET = "sk-ledger-secret-7c1d"


def make_record(**overrides: object) -> JobRecord:
    values: dict[str, object] = {"query": "CTOs in Berlin", "mode": "people", "backend": "http://127.0.0.1:1"}
    values.update(overrides)
    return JobRecord(**values)  # type: ignore[arg-type]


def test_every_field_has_a_type_check() -> None:
    assert set(ledger_module._FIELD_CHECKS) == {f.name for f in fields(JobRecord)}


def test_record_json_round_trip() -> None:
    record = make_record(
        task_id="t-1",
        status="running",
        server_status="running",
        iterations=3,
        results_so_far=42,
        results_history=[10, 30, 42],
        started_at=1.5,
    )
    assert JobRecord.from_json(json.loads(json.dumps(record.to_json()))) == record


def test_record_defaults_are_unique() -> None:
    first, second = JobRecord(), JobRecord()
    assert first.job_id != second.job_id
    assert first.search_id != second.search_id
    assert first.status == "queued"


def test_from_json_tolerates_unknown_missing_and_mistyped_keys() -> None:
    record = JobRecord.from_json(
        {"job_id": "j1", "query": "q", "some_future_field": {"x": 1}, "iterations": "three", "status": "weird"}
    )
    assert record.job_id == "j1"
    assert record.query == "q"
    assert record.iterations == 0
    assert record.status == "queued"
    assert record.results_history == []


def test_from_json_rejects_records_without_id() -> None:
    with pytest.raises(ValueError):
        JobRecord.from_json({"query": "q"})
    with pytest.raises(ValueError):
        JobRecord.from_json(["not", "a", "dict"])  # type: ignore[arg-type]


def test_ledger_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "state" / "jobs.json"
    ledger = Ledger(path)
    assert ledger.load() == []
    search = make_record(created_at=100.0)
    export = make_record(kind="export", parent_job_id=search.job_id, created_at=200.0, status="completed")
    ledger.upsert(export)
    ledger.upsert(search)

    document = json.loads(path.read_text())
    assert document["version"] == ledger_module.LEDGER_VERSION
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    reloaded = Ledger(path)
    assert reloaded.load() == [search, export]
    assert reloaded.records() == [search, export]
    assert reloaded.get(export.job_id) == export
    assert reloaded.get("missing") is None
    assert reloaded.warning is None


def test_upsert_replaces_and_copies(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "jobs.json")
    record = make_record()
    ledger.upsert(record)
    record.status = "running"
    assert ledger.get(record.job_id).status == "queued"  # type: ignore[union-attr]
    ledger.upsert(record)
    assert ledger.get(record.job_id).status == "running"  # type: ignore[union-attr]
    assert len(ledger.records()) == 1
    fetched = ledger.get(record.job_id)
    fetched.results_history.append(5)  # type: ignore[union-attr]
    assert ledger.get(record.job_id).results_history == []  # type: ignore[union-attr]


def test_remove_and_unfinished(tmp_path: Path) -> None:
    path = tmp_path / "jobs.json"
    ledger = Ledger(path)
    statuses = ["queued", "starting", "running", "completed", "failed", "cancelled"]
    records = [make_record(status=status, created_at=float(i)) for i, status in enumerate(statuses)]
    for record in records:
        ledger.upsert(record)
    assert [r.status for r in ledger.unfinished()] == ["queued", "starting", "running"]
    assert ledger.remove(records[0].job_id) is True
    assert ledger.remove(records[0].job_id) is False
    reloaded = Ledger(path)
    reloaded.load()
    assert [r.status for r in reloaded.unfinished()] == ["starting", "running"]


def test_records_filter_by_backend(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "jobs.json")
    sandbox = make_record(backend="http://127.0.0.1:5000")
    real = make_record(backend="https://api.sixtyfour.ai")
    ledger.upsert(sandbox)
    ledger.upsert(real)
    assert ledger.records(backend="https://api.sixtyfour.ai") == [real]


def test_corrupt_ledger_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "jobs.json"
    path.write_text('{"version": 1, "jobs": [')
    ledger = Ledger(path)
    assert ledger.load() == []
    assert ledger.warning is not None and "moved" in ledger.warning
    aside = list(tmp_path.glob("jobs.json.corrupt-*"))
    assert len(aside) == 1
    assert aside[0].read_text() == '{"version": 1, "jobs": ['
    assert not path.exists()
    ledger.upsert(make_record())
    assert len(Ledger(path).load()) == 1


@pytest.mark.parametrize("content", [b"[]", b'"text"', b'{"version": 1}', b'{"jobs": 5}', b"\xff\xfe"])
def test_wrong_shapes_count_as_corrupt(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "jobs.json"
    path.write_bytes(content)
    ledger = Ledger(path)
    assert ledger.load() == []
    assert ledger.warning is not None
    assert len(list(tmp_path.glob("jobs.json.corrupt-*"))) == 1


def test_two_corruptions_in_one_second_keep_both_copies(tmp_path: Path) -> None:
    path = tmp_path / "jobs.json"
    for _ in range(2):
        path.write_text("garbage")
        Ledger(path).load()
    assert len(list(tmp_path.glob("jobs.json.corrupt-*"))) == 2


def test_older_ledger_versions_load(tmp_path: Path) -> None:
    path = tmp_path / "jobs.json"
    old = {"version": 0, "jobs": [{"job_id": "a", "query": "q", "status": "running", "created_at": 5}, {"oops": 1}]}
    path.write_text(json.dumps(old))
    ledger = Ledger(path)
    [record] = ledger.load()
    assert record.job_id == "a" and record.status == "running" and record.backend is None
    assert ledger.warning is not None and "1 unreadable" in ledger.warning


def test_failed_write_keeps_old_file_and_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "jobs.json"
    ledger = Ledger(path)
    first = make_record()
    ledger.upsert(first)
    before = path.read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("no space left")

    monkeypatch.setattr(atomic.os, "replace", broken_replace)
    second = make_record()
    assert ledger.upsert(second) is False
    assert path.read_bytes() == before  # the file on disk is untouched, never torn
    assert "no space left" in ledger.write_error
    assert {r.job_id for r in ledger.records()} == {first.job_id, second.job_id}  # running jobs go on
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jobs.json"]
    monkeypatch.undo()
    assert ledger.upsert(second) is True and ledger.write_error is None
    assert second.job_id in path.read_text()


def test_api_key_never_reaches_the_ledger(tmp_path: Path) -> None:
    save_settings(Settings(api_key=SECRET), tmp_path / "config.toml")
    path = tmp_path / "jobs.json"
    ledger = Ledger(path)
    ledger.upsert(make_record(task_id="t", resource_handle_id="rh_1", status="completed"))
    assert SECRET not in path.read_text()
    assert "api_key" not in path.read_text()


def test_default_path_uses_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert Ledger().path == tmp_path / "sixtyfour-tui" / "jobs.json"



def test_kill_9_mid_writes_leaves_a_readable_ledger(tmp_path: Path) -> None:
    """A stale temp file may remain after kill -9; the ledger itself must stay whole."""
    path = tmp_path / "jobs.json"
    writer = textwrap.dedent(
        f"""
        from pathlib import Path
        from sixtyfour_tui.jobs.ledger import JobRecord, Ledger
        ledger = Ledger(Path({str(path)!r}))
        print("ready", flush=True)
        while True:
            ledger.upsert(JobRecord(query="x" * 2000, results_history=list(range(500))))
        """
    )
    process = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        time.sleep(0.5)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
    ledger = Ledger(path)
    assert len(ledger.load()) >= 1
    assert ledger.warning is None
