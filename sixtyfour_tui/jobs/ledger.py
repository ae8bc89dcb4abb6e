"""The job ledger: every search and export this machine started, kept on disk.

The ledger is what lets the app resume polling after a restart and show finished
jobs later. It is one JSON file rewritten atomically on every change, so a crash
leaves either the previous or the new version, never a torn one. It never holds
the API key: records only carry ids the server handed out.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from sixtyfour_tui import locations
from sixtyfour_tui.atomic import PRIVATE_FILE_MODE, write_atomic

LEDGER_VERSION = 1

JobKind = Literal["search", "export"]
JobStatus = Literal["queued", "starting", "running", "completed", "failed", "cancelled"]

# queued: waiting in the local FIFO; starting: start request sent, no task_id confirmed yet.
UNFINISHED_STATUSES: frozenset[str] = frozenset({"queued", "starting", "running"})
FINISHED_STATUSES: frozenset[str] = frozenset({"completed", "failed", "cancelled"})


def _new_id() -> str:
    return str(uuid.uuid4())


@dataclass(kw_only=True)
class JobRecord:
    """One search or export. Times are epoch seconds (float); ``status`` is ours, ``server_status`` raw."""

    job_id: str = field(default_factory=_new_id)
    kind: JobKind = "search"
    query: str = ""
    mode: str = "people"
    max_results: int = 1000
    search_id: str = field(default_factory=_new_id)
    task_id: str | None = None
    resource_handle_id: str | None = None
    status: JobStatus = "queued"
    server_status: str | None = None
    progress_message: str = ""
    iterations: int = 0
    results_so_far: int = 0
    results_history: list[int] = field(default_factory=list)
    total_results: int | None = None
    exported_count: int | None = None
    error: str | None = None
    error_kind: str | None = None  # the API error class name, so scripts can choose an exit code
    interpretation: str | None = None  # the first iteration's message: how the query was understood
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    saved_file: str | None = None
    parent_job_id: str | None = None
    backend: str | None = None

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JobRecord:
        """Build a record from stored JSON, tolerating older or newer ledger versions.

        Unknown keys are dropped, missing or mistyped values fall back to the default;
        only a record without a usable ``job_id`` is rejected (ValueError).
        """
        if not isinstance(data, Mapping):
            raise ValueError("job record is not a JSON object")
        job_id = data.get("job_id")
        if not isinstance(job_id, str) or not job_id:
            raise ValueError("job record has no job_id")
        values: dict[str, Any] = {}
        for name, accepts in _FIELD_CHECKS.items():
            if name in data and accepts(data[name]):
                value = data[name]
                values[name] = list(value) if isinstance(value, list) else value
        return cls(**values)


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return _is_int(value) or isinstance(value, float)


def _optional(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: value is None or check(value)


def _is_int_list(value: Any) -> bool:
    return isinstance(value, list) and all(_is_int(item) for item in value)


_FIELD_CHECKS: dict[str, Callable[[Any], bool]] = {
    "job_id": _is_str,
    "kind": lambda value: value in ("search", "export"),
    "query": _is_str,
    "mode": _is_str,
    "max_results": _is_int,
    "search_id": _is_str,
    "task_id": _optional(_is_str),
    "resource_handle_id": _optional(_is_str),
    "status": lambda value: value in UNFINISHED_STATUSES | FINISHED_STATUSES,
    "server_status": _optional(_is_str),
    "progress_message": _is_str,
    "iterations": _is_int,
    "results_so_far": _is_int,
    "results_history": _is_int_list,
    "total_results": _optional(_is_int),
    "exported_count": _optional(_is_int),
    "error": _optional(_is_str),
    "error_kind": _optional(_is_str),
    "interpretation": _optional(_is_str),
    "created_at": _is_number,
    "started_at": _optional(_is_number),
    "finished_at": _optional(_is_number),
    "saved_file": _optional(_is_str),
    "parent_job_id": _optional(_is_str),
    "backend": _optional(_is_str),
}


def _copy(record: JobRecord) -> JobRecord:
    """Records go in and out as copies; the only mutable field is the results history."""
    duplicate = copy.copy(record)
    duplicate.results_history = list(record.results_history)
    return duplicate


class Ledger:
    """The on-disk list of jobs. Call :meth:`load` once; every change is written at once.

    Records go in and come out as copies, so a record changes on disk and in the
    ledger only through :meth:`upsert`.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else locations.ledger_file()
        self.warning: str | None = None
        self.write_error: str | None = None
        self._records: dict[str, JobRecord] = {}

    def load(self) -> list[JobRecord]:
        """Read the file; a missing file is an empty ledger, a corrupt one is moved aside."""
        self.warning = None
        self._records = {}
        try:
            content = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as problem:
            self.warning = (f"The job ledger {self.path} cannot be read ({problem.strerror or problem}); "
                            "jobs are kept in memory only.")
            return []
        try:
            document = json.loads(content.decode("utf-8"))
            raw_jobs = document["jobs"]
            if not isinstance(raw_jobs, list):
                raise TypeError("jobs is not a list")
        except (ValueError, TypeError, KeyError):
            aside = _move_aside(self.path)
            self.warning = f"The job ledger {self.path} was unreadable; it was moved to {aside} and a new one started."
            return []
        skipped = 0
        for raw in raw_jobs:
            try:
                record = JobRecord.from_json(raw)
            except ValueError:
                skipped += 1
                continue
            self._records[record.job_id] = record
        if skipped:
            self.warning = f"{skipped} unreadable job record(s) in {self.path} were ignored."
        return self.records()

    def records(self, *, backend: str | None = None) -> list[JobRecord]:
        """All jobs, oldest first; ``backend`` keeps only jobs run against that base URL."""
        chosen = [r for r in self._records.values() if backend is None or r.backend == backend]
        chosen.sort(key=lambda r: (r.created_at, r.job_id))
        return [_copy(r) for r in chosen]

    def get(self, job_id: str) -> JobRecord | None:
        record = self._records.get(job_id)
        return _copy(record) if record is not None else None

    def upsert(self, record: JobRecord) -> bool:
        """Add or replace ``record`` and write the ledger; False (and ``write_error``) when the disk refused.

        Memory keeps the change either way: a full disk must not freeze the jobs that are running,
        and the next successful write stores everything.
        """
        self._records[record.job_id] = _copy(record)
        try:
            self._write(self._records)
        except OSError as problem:
            self.write_error = f"Could not save the job ledger {self.path}: {problem.strerror or problem}"
            return False
        self.write_error = None
        return True

    def remove(self, job_id: str) -> bool:
        """Forget a job; returns False when it was not there (nothing is written then)."""
        if job_id not in self._records:
            return False
        updated = {key: value for key, value in self._records.items() if key != job_id}
        self._write(updated)
        self._records = updated
        return True

    def unfinished(self) -> list[JobRecord]:
        """Jobs to resume after a restart: queued, starting or running."""
        return [r for r in self.records() if r.status in UNFINISHED_STATUSES]

    def _write(self, records: Mapping[str, JobRecord]) -> None:
        ordered = sorted(records.values(), key=lambda r: (r.created_at, r.job_id))
        document = {"version": LEDGER_VERSION, "jobs": [r.to_json() for r in ordered]}
        locations.ensure_private_dir(self.path.parent)
        write_atomic(self.path, json.dumps(document, indent=1), mode=PRIVATE_FILE_MODE)


def _move_aside(path: Path) -> Path:
    """Rename a corrupt file to ``<name>.corrupt-<UTC timestamp>`` so nothing is silently lost."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    candidate = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        counter += 1
    path.replace(candidate)
    return candidate
