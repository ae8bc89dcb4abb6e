"""Typed, immutable views of API responses.

Every `from_json` ignores unknown fields and tolerates missing or null optional ones, because the
contract promises only that much. The untouched dict stays on `.raw` for the detail view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

COMPLETED = "completed"
FAILED_STATUSES = frozenset({"failed", "cancelled", "canceled", "terminated", "timed_out", "error"})


def _str(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _int(value: Any) -> int | None:
    """Numbers sometimes arrive as strings or floats; anything unreadable becomes None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):  # "1e400" is infinite: not a count we can show
        return None


def _float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


def _require_dict(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError(f"{what}: expected a JSON object, got {type(data).__name__}")
    return data


def _require_str(data: dict[str, Any], key: str, what: str) -> str:
    value = _str(data.get(key))
    if not value:
        raise ValueError(f"{what}: missing {key!r}")
    return value


@dataclass(frozen=True)
class StartedTask:
    """Answer to a start or export: a task to poll. `search_id` is the id the client sent, if any."""

    task_id: str
    status: str
    message: str | None
    search_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> StartedTask:
        data = _require_dict(data, "task")
        return cls(
            task_id=_require_str(data, "task_id", "task"),
            status=_str(data.get("status")) or "",
            message=_str(data.get("message")),
            search_id=_str(data.get("search_id")),
            raw=data,
        )


@dataclass(frozen=True)
class IterationInfo:
    """One refinement round of a deep search, as reported in the status `iterations` list."""

    iteration: int | None
    results: int | None
    elapsed_ms: float | None
    message: str | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> IterationInfo:
        data = _require_dict(data, "iteration")
        return cls(
            iteration=_int(data.get("iteration")),
            results=_int(data.get("results")),
            elapsed_ms=_float(data.get("elapsed_ms")),
            message=_str(data.get("message")),
            raw=data,
        )


@dataclass(frozen=True)
class TaskStatus:
    """A poll result. Unknown status values mean 'still in progress' and are shown as-is."""

    task_id: str
    status: str
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
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_completed(self) -> bool:
        return self.status.strip().lower() == COMPLETED

    @property
    def is_failed(self) -> bool:
        return self.status.strip().lower() in FAILED_STATUSES

    @property
    def is_terminal(self) -> bool:
        return self.is_completed or self.is_failed

    @classmethod
    def from_json(cls, data: Any) -> TaskStatus:
        data = _require_dict(data, "task status")
        iterations = data.get("iterations")
        error = data.get("error")
        return cls(
            task_id=_require_str(data, "task_id", "task status"),
            status=_str(data.get("status")) or "",
            start_time=_str(data.get("start_time")),
            current_phase=_int(data.get("current_phase")),
            progress_message=_str(data.get("progress_message")),
            close_time=_str(data.get("close_time")),
            search_id=_str(data.get("search_id")),
            resource_handle_id=_str(data.get("resource_handle_id")),
            total_results=_int(data.get("total_results")),
            exported_count=_int(data.get("exported_count")),
            error=_error_text(error),
            iterations=tuple(
                IterationInfo.from_json(item)
                for item in (iterations if isinstance(iterations, list) else [])
                if isinstance(item, dict)
            ),
            raw=data,
        )


def _error_text(error: Any) -> str | None:
    """`error` is documented as text, but an object with a message is plausible too."""
    if error is None or error == "":
        return None
    if isinstance(error, dict):
        return _str(error.get("message") or error.get("error") or error)
    return _str(error)


@dataclass(frozen=True)
class QueryPage:
    """One page of `/search/query`. `has_more` falls back to 'a cursor was given' when absent."""

    results: list[dict[str, Any]]
    next_cursor: str | None = None
    has_more: bool = False
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
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> QueryPage:
        data = _require_dict(data, "query page")
        results = data.get("results")
        next_cursor = _str(data.get("next_cursor")) or None
        has_more = _bool(data.get("has_more"))
        return cls(
            results=[row for row in (results if isinstance(results, list) else []) if isinstance(row, dict)],
            next_cursor=next_cursor,
            has_more=has_more if has_more is not None else next_cursor is not None,
            total_results=_int(data.get("total_results")),
            total_available=_int(data.get("total_available")),
            remaining_results=_int(data.get("remaining_results")),
            page_size=_int(data.get("page_size")),
            page_count=_int(data.get("page_count")),
            page_number=_int(data.get("page_number")),
            total_pages=_int(data.get("total_pages")),
            max_pages=_int(data.get("max_pages")),
            search_id=_str(data.get("search_id")),
            parsed_query=data.get("parsed_query"),
            natural_language_query=_str(data.get("natural_language_query")),
            cursor_expires_in_seconds=_float(data.get("cursor_expires_in_seconds")),
            request_duration_ms=_float(data.get("request_duration_ms")),
            csv_download_url=_str(data.get("csv_download_url")),
            json_download_url=_str(data.get("json_download_url")),
            download_expires_in_seconds=_float(data.get("download_expires_in_seconds")),
            resource_handle_id=_str(data.get("resource_handle_id")),
            exported_count=_int(data.get("exported_count")),
            raw=data,
        )


@dataclass(frozen=True)
class DownloadLink:
    """A signed, short-lived URL on a storage host (never send the API key there)."""

    url: str
    bucket: str | None = None
    path: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> DownloadLink:
        data = _require_dict(data, "download link")
        return cls(
            url=_require_str(data, "url", "download link"),
            bucket=_str(data.get("bucket")),
            path=_str(data.get("path")),
            raw=data,
        )


@dataclass(frozen=True)
class DownloadResult:
    """A finished download: the file is complete at `path`; `rows` excludes the header."""

    path: Path
    bytes_written: int
    rows: int
