"""What the app remembers about its work, described once: jobs (searches and exports), query
history and saved files. The workspace stores these Structs as they are; the engine, the CLI and
the UI pass them around as immutable snapshots (change one with `msgspec.structs.replace`).

No API key ever lands here: records only carry ids the server handed out.
"""

from __future__ import annotations

import time
import uuid
from enum import StrEnum
from typing import Any

import msgspec

from sixtyfour_tui.schema import tolerant


def new_id() -> str:
    return str(uuid.uuid4())


class JobKind(StrEnum):
    SEARCH = "search"
    EXPORT = "export"


class JobStatus(StrEnum):
    """Ours, not the server's (that one is `server_status`).

    queued: waiting in the local queue; starting: the start request is out, no task id confirmed
    yet; interrupted: an export whose process died mid-download (resumable with `e`).
    """

    QUEUED = "queued"
    STARTING = "starting"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"


UNFINISHED = frozenset({JobStatus.QUEUED, JobStatus.STARTING, JobStatus.RUNNING})
FINISHED = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.INTERRUPTED})


class JobSource(StrEnum):
    """Where a search's rows come from, which decides how its pages are fetched again."""

    DEEP = "deep"  # a deep search task; pages replay its search_id
    QUERY = "query"  # a natural-language /search/query (people only)
    PARSED = "parsed"  # a parsed_query sent straight to /search/query (a refined preview)
    FILTER = "filter"  # simple_filters through /search/start-filter-search


class ErrorKind(StrEnum):
    """Why a job failed, so scripts can pick an exit code and screens a wording."""

    UNAUTHORIZED = "unauthorized"
    PAYMENT_REQUIRED = "payment_required"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    BAD_REQUEST = "bad_request"
    VALIDATION = "validation"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"
    SERVER = "server"
    NETWORK = "network"
    UNEXPECTED_RESPONSE = "unexpected_response"
    LOST = "lost"  # the server forgot the task twice
    DISK = "disk"
    TIMEOUT = "timeout"
    BUG = "bug"  # an exception in our own code (logged with its traceback)
    OTHER = "other"


class ExportStage(StrEnum):
    """Steps of an export through the API, in order; the export screen numbers them."""

    PREPARING = "preparing"
    EXPORTING = "exporting"  # asking the server for a file
    WAITING = "waiting"  # the server is writing it
    DOWNLOADING = "downloading"
    CHECKING = "checking"  # counting the rows of what arrived
    RETRYING = "retrying"  # it arrived short; downloading again
    DONE = "done"

    @property
    def step(self) -> int:
        """1 export, 2 wait, 3 download."""
        return {ExportStage.PREPARING: 1, ExportStage.EXPORTING: 1, ExportStage.WAITING: 2}.get(self, 3)


class Exclusions(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What a search is told to leave out.

    Asked for: exclusion sets of the workspace (`set_ids`) and/or everything seen in earlier
    searches of the mode (`seen`). Resolved when the search starts into what the API takes: the
    ids inline (`entity_ids`) when few, else a saved list on the server (`list_ids`). The resolved
    form is sent again on every first page request (the API drops exclusions on a replay)."""

    set_ids: tuple[str, ...] = ()
    seen: bool = False
    entity_ids: tuple[str, ...] = ()
    list_ids: tuple[str, ...] = ()
    count: int | None = None  # entities left out, once resolved
    description: str = ""  # what people read: "everything seen · Customers"

    @property
    def wanted(self) -> bool:
        return bool(self.set_ids or self.seen or self.entity_ids or self.list_ids)

    @property
    def resolved(self) -> bool:
        return self.count is not None or not (self.set_ids or self.seen)

    @property
    def summary(self) -> str:
        """'excluding 172: everything seen · Customers' (empty when nothing is excluded)."""
        if not self.wanted:
            return ""
        count = f" {self.count:,}" if self.count is not None else ""
        what = f": {self.description}" if self.description else ""
        return f"excluding{count}{what}"


class JobRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One search or export. Times are epoch seconds."""

    job_id: str = msgspec.field(default_factory=new_id)
    kind: JobKind = JobKind.SEARCH
    query: str = ""
    mode: str = "people"
    max_results: int = 500
    search_id: str = msgspec.field(default_factory=new_id)
    task_id: str | None = None
    resource_handle_id: str | None = None
    status: JobStatus = JobStatus.QUEUED
    server_status: str | None = None
    progress_message: str = ""
    stage: ExportStage | None = None
    iterations: int = 0
    results_so_far: int = 0
    results_history: tuple[int, ...] = ()
    total_results: int | None = None
    exported_count: int | None = None
    error: str | None = None
    error_kind: ErrorKind | None = None
    interpretation: str | None = None  # how the server understood the query (first iteration)
    parsed_query: dict[str, Any] | None = None  # the structured form, when the server sent one
    source: JobSource = JobSource.DEEP
    simple_filters: dict[str, Any] | None = None  # for filter searches
    edited_from: str | None = None  # the job whose parsed query was edited into this one
    edit_note: str | None = None  # how it was edited: "seniority: VP → Director"
    exclusions: Exclusions = Exclusions()
    restarts: int = 0  # times the start was sent again because the server forgot the task
    created_at: float = msgspec.field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    saved_file: str | None = None  # an export's file, once complete
    destination: str | None = None  # where an export is being written (kept if it is interrupted)
    parent_job_id: str | None = None
    backend: str | None = None

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def count(self) -> int:
        """Rows found: the final total once known, else the running count."""
        return self.total_results if self.total_results is not None else self.results_so_far

    def to_json(self) -> dict[str, Any]:
        return msgspec.to_builtins(self)  # type: ignore[no-any-return]

    @classmethod
    def from_json(cls, data: Any) -> JobRecord:
        """A stored record, tolerating older or newer versions (unknown keys dropped, unreadable
        values defaulted); only one without a usable job_id is refused (ValueError)."""
        if not isinstance(data, dict) or not isinstance(data.get("job_id"), str) or not data["job_id"]:
            raise ValueError("job record has no job_id")
        return tolerant(cls, data, "job record")


class HistoryEntry(msgspec.Struct, frozen=True):
    query: str
    mode: str
    max_results: int
    used_at: float

    @property
    def identity(self) -> tuple[str, str]:
        """Same text in the same mode is the same search; max_results is just its latest setting."""
        return (self.query, self.mode)


class SavedFile(msgspec.Struct, frozen=True, kw_only=True):
    """A file this app wrote: a whole result through the API, or a view from the workspace."""

    path: str
    job_id: str  # the search it came from
    rows: int
    format: str = "csv"  # csv, jsonl, excel-csv
    kind: str = "api"  # api | view
    created_at: float = msgspec.field(default_factory=time.time)
    export_id: str = msgspec.field(default_factory=new_id)
