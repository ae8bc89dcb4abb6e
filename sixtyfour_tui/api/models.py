"""Typed, immutable views of API answers, described once as msgspec Structs.

Every `from_json` is `schema.tolerant`: unknown fields are ignored and missing, null or unreadable
optional ones fall back to their defaults, because the contract promises only that much. The
untouched answer stays on `.raw` for the detail view.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Self

import msgspec

from sixtyfour_tui.schema import raw_of, tolerant

COMPLETED = "completed"
FAILED_STATUSES = frozenset({"failed", "cancelled", "canceled", "terminated", "timed_out", "error"})


class ApiModel(msgspec.Struct, frozen=True, kw_only=True, dict=True):
    """Base of every answer: read tolerantly, remembers the raw JSON."""

    @classmethod
    def from_json(cls, data: Any) -> Self:
        return tolerant(cls, data, _describe(cls))

    @property
    def raw(self) -> dict[str, Any]:
        return raw_of(self)


def _describe(cls: type) -> str:
    """`TaskStatus` → "task status": the noun errors use."""
    name = cls.__name__
    words = [name[0].lower()]
    for char in name[1:]:
        words.append(f" {char.lower()}" if char.isupper() else char)
    return "".join(words).replace("started task", "task")


class StartedTask(ApiModel, frozen=True):
    """Answer to a start or export: a task to poll. `search_id` is the id the client sent, if any."""

    task_id: str
    status: str = ""
    message: str | None = None
    search_id: str | None = None

    def __post_init__(self) -> None:
        _require_text(self, "task_id", "task")


class IterationInfo(ApiModel, frozen=True):
    """One refinement round of a deep search, as reported in the status `iterations` list."""

    iteration: int | None = None
    results: int | None = None
    elapsed_ms: float | None = None
    message: str | None = None


class TaskStatus(ApiModel, frozen=True):
    """A poll result. Unknown status values mean 'still in progress' and are shown as-is."""

    task_id: str
    status: str = ""
    start_time: str | None = None
    current_phase: int | None = None
    progress_message: str | None = None
    close_time: str | None = None
    search_id: str | None = None
    resource_handle_id: str | None = None
    total_results: int | None = None
    exported_count: int | None = None
    error: str | None = None
    iterations: tuple[IterationInfo, ...] = ()

    def __post_init__(self) -> None:
        _require_text(self, "task_id", "task status")

    @classmethod
    def from_json(cls, data: Any) -> Self:
        # `error` is documented as text, but an object with a message is plausible too.
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            detail = data["error"]
            data = {**data, "error": str(detail.get("message") or detail.get("error") or detail)}
        status = tolerant(cls, data, "task status")
        if status.error == "":
            msgspec.structs.force_setattr(status, "error", None)
        return status

    @property
    def is_completed(self) -> bool:
        return self.status.strip().lower() == COMPLETED

    @property
    def is_failed(self) -> bool:
        return self.status.strip().lower() in FAILED_STATUSES

    @property
    def is_terminal(self) -> bool:
        return self.is_completed or self.is_failed


class QueryPage(ApiModel, frozen=True):
    """One page of `/search/query` (and of a filter search). `has_more` falls back to 'a cursor
    was given' when absent."""

    results: list[dict[str, Any]] = []
    next_cursor: str | None = None
    has_more: bool | None = None
    total_results: int | None = None
    total_available: int | None = None
    remaining_results: int | None = None
    page_size: int | None = None
    page_count: int | None = None
    page_number: int | None = None
    total_pages: int | None = None
    max_pages: int | None = None
    search_id: str | None = None
    parsed_query: Any = None
    natural_language_query: str | None = None
    cursor_expires_in_seconds: float | None = None
    request_duration_ms: float | None = None
    csv_download_url: str | None = None
    json_download_url: str | None = None
    download_expires_in_seconds: float | None = None
    resource_handle_id: str | None = None
    exported_count: int | None = None

    def __post_init__(self) -> None:
        if self.next_cursor == "":
            msgspec.structs.force_setattr(self, "next_cursor", None)
        if self.has_more is None:
            msgspec.structs.force_setattr(self, "has_more", self.next_cursor is not None)


class DownloadLink(ApiModel, frozen=True):
    """A signed, short-lived URL on a storage host (never send the API key there)."""

    url: str
    bucket: str | None = None
    path: str | None = None

    def __post_init__(self) -> None:
        _require_text(self, "url", "download link")


class DownloadResult(msgspec.Struct, frozen=True):
    """A finished download: the file is complete at `path`; `rows` excludes the header."""

    path: Path
    bytes_written: int
    rows: int


def _require_text(model: msgspec.Struct, name: str, what: str) -> None:
    if not getattr(model, name):
        raise ValueError(f"{what}: missing {name!r}")


class ExclusionList(ApiModel, frozen=True):
    """A saved exclusion list on the server; `status` goes pending → ready (or failed)."""

    id: str
    status: str = ""
    name: str | None = None
    entity_type: str | None = None
    size: int | None = None
    created_at: str | None = None
    error: str | None = None

    def __post_init__(self) -> None:
        _require_text(self, "id", "exclusion list")

    @property
    def is_ready(self) -> bool:
        return self.status.strip().lower() == "ready"

    @property
    def is_failed(self) -> bool:
        return self.status.strip().lower() in FAILED_STATUSES


class FilterField(ApiModel, frozen=True):
    """One field a filter search can use (from `GET /search/filter-capabilities`)."""

    field: str
    field_type: str | None = None
    value_type: str | None = None
    queryable: bool = True
    sortable: bool = False
    rangeable: bool = False
    supports_top_values: bool = False
    nested_path: str | None = None
    related_fields: list[str] = []

    def __post_init__(self) -> None:
        _require_text(self, "field", "filter field")


class FilterLimits(ApiModel, frozen=True):
    max_query_depth: int | None = None
    max_clause_count: int | None = None
    max_terms_per_clause: int | None = None
    max_sort_clauses: int | None = None
    max_string_length: int | None = None


class FilterCapabilities(ApiModel, frozen=True):
    mode: str | None = None
    index_name: str | None = None
    fields: list[FilterField] = []
    limits: FilterLimits = FilterLimits()
    simple_query_operators: list[str] = []
    cache_ttl_seconds: float | None = None
    generated_at_epoch_ms: int | None = None
    mapping_hash: str | None = None


class FieldValue(ApiModel, frozen=True):
    """A value of a field with how many documents in the scope hold it (`value` None = missing)."""

    value: Any = None
    count: int = 0
    percent_of_scope: float | None = None
    filter_snippet: dict[str, Any] | None = None


class FieldValues(ApiModel, frozen=True):
    field: str
    canonical_field: str | None = None
    value_type: str | None = None
    total_scoped_documents: int | None = None
    mode: str | None = None
    values: list[FieldValue] = []

    def __post_init__(self) -> None:
        _require_text(self, "field", "field values")
