"""Async client for the Sixtyfour search API (contract: ../shared/api-contract.md).

Every request ends: a per-read timeout (`timeout`) catches silence, a per-request deadline
(`request_deadline`) catches a body that trickles in, and `max_response_bytes` caps what is read
(the signed-URL download, streamed to disk, is the one exception). A 3xx from an API route is an
error naming the target, never followed: the request carries the key. Everything the server
sends is run through one `Redactor`, so an echoed API key never reaches a model, a file or a
message.

Retry rules, per call (budgets: see retry.py):
- reads (status, query pages, download links) retry on 429, 5xx and network errors;
- `start_deep_search` retries 5xx and network errors, which is safe only because every start
  carries a client-chosen `search_id` and the server returns the existing task for a repeated
  one. A 429 goes straight back: to a start it mostly means the organisation's five search slots
  are taken, which lasts minutes, and the caller's queue (JobEngine) is where a search waits for
  a slot, visibly, with the server's (capped) Retry-After;
- `export` has no such key but retries the same way too: if the first attempt did start an
  export, the repeat is answered 409 naming the running export (`ConflictError.task_id`), which
  the export flow attaches to.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import msgspec

from .. import __version__
from .errors import (
    ApiError,
    DeadlineExceededError,
    NetworkError,
    RateLimitedError,
    UnexpectedResponseError,
)
from .models import (
    DownloadLink,
    DownloadResult,
    ExclusionList,
    FieldValues,
    FilterCapabilities,
    QueryPage,
    StartedTask,
    TaskStatus,
)
from .redact import Redactor
from .retry import RetryPolicy, call_with_retry, is_transient, is_transient_fault

if TYPE_CHECKING:
    import httpx

    from .download import ProgressCallback, StallRule
    from .session import HttpSession

DEFAULT_BASE_URL = "https://api.sixtyfour.ai"
DEFAULT_USER_AGENT = f"sixtyfour-tui/{__version__}"
DEFAULT_TIMEOUT = 30.0
DEFAULT_REQUEST_DEADLINE = 60.0
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
STATUS_ROUTES = {"status": "/search/status/", "deep-search-status": "/search/deep-search-status/"}
M = TypeVar("M")


class SixtyfourClient:
    """One instance per API key. Use as `async with SixtyfourClient(key) as client:`."""

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        request_deadline: float = DEFAULT_REQUEST_DEADLINE,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        download_transport: httpx.AsyncBaseTransport | None = None,
        download_stall: StallRule | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> None:
        """`timeout`: seconds any one network read (or connect, write) may take. `request_deadline`:
        seconds one API request may take in all, body included. `max_response_bytes`: the largest
        API body read. `download_stall`: when a signed-URL download counts as stalled."""
        if not api_key or not api_key.strip():
            raise ValueError("an API key is required")
        if not (timeout > 0 and request_deadline > 0 and max_response_bytes > 0):
            raise ValueError("timeout, request_deadline and max_response_bytes must be positive")
        self._api_key = api_key.strip()
        self._redactor = Redactor(self._api_key)
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.request_deadline = request_deadline
        self.max_response_bytes = max_response_bytes
        self.retry = retry or RetryPolicy()
        self._download_transport = download_transport
        self._download_stall = download_stall
        self._user_agent = user_agent
        self._transport = transport
        self._session: HttpSession | None = None  # httpx loads with it: see `load`
        self._loading = threading.Lock()

    def __repr__(self) -> str:
        return f"SixtyfourClient(base_url={self.base_url!r}, api_key=<redacted>)"

    async def __aenter__(self) -> SixtyfourClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.aclose()

    @property
    def loaded(self) -> bool:
        """Whether httpx and the connection pool are there (see `load`)."""
        return self._session is not None

    def load(self) -> None:
        """Import httpx and open the connection pool now. Blocking (tens of ms): the app runs it
        in a thread once it is ready; otherwise the first request does it, off the event loop."""
        with self._loading:
            if self._session is not None:
                return
            from . import download  # noqa: F401  (loaded now too, so a first export does not wait)
            from .session import HttpSession

            self._session = HttpSession(
                base_url=self.base_url, api_key=self._api_key, redactor=self._redactor, timeout=self.timeout,
                max_response_bytes=self.max_response_bytes, user_agent=self._user_agent,
                transport=self._transport,
            )

    async def _loaded_session(self) -> HttpSession:
        if self._session is None:
            # In a thread: an import on the loop's thread would freeze the app while it runs, and
            # wait on the import lock if the app's own `load` thread is importing already.
            await asyncio.to_thread(self.load)
        assert self._session is not None
        return self._session

    # -- deep search ---------------------------------------------------------------------------

    async def start_deep_search(
        self,
        query: str,
        *,
        mode: str = "people",
        max_results: int = 1000,
        output_mode: str = "csv",
        search_id: str | None = None,
        exclude_entity_ids: Sequence[str] | None = None,
        exclude_list_ids: Sequence[str] | None = None,
    ) -> StartedTask:
        """Start a search. The `search_id` (generated when not given) is sent on every attempt."""
        search_id = search_id or str(uuid.uuid4())
        body: dict[str, Any] = {
            "query": query,
            "mode": mode,
            "max_results": max_results,
            "output_mode": output_mode,
            "search_id": search_id,
        }
        _put_list(body, "exclude_entity_ids", exclude_entity_ids)
        _put_list(body, "exclude_list_ids", exclude_list_ids)
        data = await self._call("POST", "/search/start-deep-search", json=body, should_retry=is_transient_fault)
        task = _parse(StartedTask.from_json, data)
        return task if task.search_id else _with_search_id(task, search_id)

    async def task_status(self, task_id: str, *, route: str = "status") -> TaskStatus:
        """Poll a deep search or export task. `route` picks one of the two documented paths."""
        if route not in STATUS_ROUTES:
            raise ValueError(f"unknown status route {route!r}; use one of {sorted(STATUS_ROUTES)}")
        path = STATUS_ROUTES[route] + quote(task_id, safe="")
        data = await self._call("GET", path, should_retry=is_transient)
        return _parse(TaskStatus.from_json, data)

    # -- browsing ------------------------------------------------------------------------------

    async def query_first(
        self,
        *,
        mode: str,
        search_id: str | None = None,
        parsed_query: Any = None,
        simple_filters: dict[str, Any] | None = None,
        query: str | None = None,
        page_size: int = 100,
        max_results: int = 1000,
        exclude_entity_ids: Sequence[str] | None = None,
        exclude_list_ids: Sequence[str] | None = None,
        exclude_public_ids: Sequence[str] | None = None,
    ) -> QueryPage:
        """First page of results from exactly one source (search_id, parsed_query, filters, query)."""
        sources = {
            "search_id": search_id,
            "parsed_query": parsed_query,
            "simple_filters": simple_filters,
            "query": query,
        }
        given = {name: value for name, value in sources.items() if value is not None}
        if len(given) != 1:
            raise ValueError(
                f"query_first needs exactly one of {', '.join(sources)}; got {len(given)}"
            )
        body: dict[str, Any] = {"mode": mode, "page_size": page_size, "max_results": max_results, **given}
        _put_list(body, "exclude_entity_ids", exclude_entity_ids)
        _put_list(body, "exclude_list_ids", exclude_list_ids)
        _put_list(body, "exclude_public_ids", exclude_public_ids)
        data = await self._call("POST", "/search/query", json=body, should_retry=is_transient)
        return _parse(QueryPage.from_json, data)

    async def query_next(self, cursor: str) -> QueryPage:
        """Next page: the contract demands the cursor and nothing else in the body."""
        if not cursor:
            raise ValueError("query_next needs a cursor")
        data = await self._call("POST", "/search/query", json={"cursor": cursor}, should_retry=is_transient)
        return _parse(QueryPage.from_json, data)

    async def start_filter_search(
        self,
        simple_filters: dict[str, Any],
        *,
        mode: str,
        max_results: int = 1000,
        page_size: int = 100,
        exclude_entity_ids: Sequence[str] | None = None,
        exclude_list_ids: Sequence[str] | None = None,
    ) -> QueryPage:
        """A structured search, answered at once with its first page (next pages: `query_next`)."""
        body: dict[str, Any] = {"simple_filters": simple_filters, "mode": mode, "max_results": max_results,
                                "page_size": page_size}
        _put_list(body, "exclude_entity_ids", exclude_entity_ids)
        _put_list(body, "exclude_list_ids", exclude_list_ids)
        data = await self._call("POST", "/search/start-filter-search", json=body, should_retry=is_transient)
        return _parse(QueryPage.from_json, data)

    async def filter_capabilities(self, mode: str) -> FilterCapabilities:
        """The fields, operators and limits a filter search accepts (cacheable for its TTL)."""
        data = await self._call("GET", "/search/filter-capabilities", params={"mode": mode},
                                should_retry=is_transient)
        return _parse(FilterCapabilities.from_json, data)

    async def field_values(self, field: str, *, mode: str, top_k: int = 25,
                           simple_filters: dict[str, Any] | None = None) -> FieldValues:
        """A field's most common values (with counts) among the documents the filters keep."""
        body: dict[str, Any] = {"field": field, "mode": mode, "top_k": top_k}
        if simple_filters:
            body["simple_filters"] = simple_filters
        data = await self._call("POST", "/search/filter-field-values", json=body, should_retry=is_transient)
        return _parse(FieldValues.from_json, data)

    # -- saved exclusion lists -------------------------------------------------------------------

    async def create_exclusion_list(self, *, name: str, entity_type: str, entity_ids: Sequence[str] | None = None,
                                    search_id: str | None = None) -> ExclusionList:
        """A list built on the server from ids or from a search's rows; it starts `pending`."""
        if (entity_ids is None) == (search_id is None):
            raise ValueError("an exclusion list needs exactly one source: entity_ids or search_id")
        source: dict[str, Any] = ({"type": "entity_ids", "entity_ids": list(entity_ids)} if entity_ids is not None
                                  else {"type": "search_id", "search_id": search_id})
        body = {"source": source, "name": name, "entity_type": entity_type}
        # Not idempotent: a retry after a lost answer could make a second list, so only what
        # certainly never reached the server is retried (the caller finds the list by its name).
        data = await self._call("POST", "/search/exclusion-lists", json=body, should_retry=_never_arrived)
        return _parse(ExclusionList.from_json, data)

    async def exclusion_list(self, list_id: str) -> ExclusionList:
        data = await self._call("GET", f"/search/exclusion-lists/{quote(list_id, safe='')}",
                                should_retry=is_transient)
        return _parse(ExclusionList.from_json, data)

    async def exclusion_lists(self) -> list[ExclusionList]:
        data = await self._call("GET", "/search/exclusion-lists", should_retry=is_transient)
        items = data.get("lists") if isinstance(data, dict) else None
        return [_parse(ExclusionList.from_json, item) for item in items or [] if isinstance(item, dict)]

    async def delete_exclusion_list(self, list_id: str) -> None:
        await self._call("DELETE", f"/search/exclusion-lists/{quote(list_id, safe='')}", should_retry=is_transient)

    # -- export and download -------------------------------------------------------------------

    async def export(
        self,
        *,
        mode: str,
        search_id: str | None = None,
        parsed_query: Any = None,
        max_results: int = 5000,
    ) -> StartedTask:
        """Start a CSV export. Raises ConflictError (with `.task_id`) if one already runs, which
        may be the one an earlier attempt of this very call started before its answer was lost."""
        if (search_id is None) == (parsed_query is None):
            raise ValueError("export needs exactly one of search_id or parsed_query")
        body: dict[str, Any] = {"mode": mode, "max_results": max_results}
        if search_id is not None:
            body["search_id"] = search_id
        else:
            body["parsed_query"] = parsed_query
        data = await self._call("POST", "/search/export", json=body, should_retry=is_transient)
        return _parse(StartedTask.from_json, data)

    async def download_link(self, resource_handle_id: str) -> DownloadLink:
        """A fresh signed URL (valid ~15 minutes) for a finished CSV."""
        data = await self._call(
            "GET",
            "/search/download",
            params={"resource_handle_id": resource_handle_id},
            should_retry=is_transient,
        )
        return _parse(DownloadLink.from_json, data)

    async def download_to(
        self,
        resource_handle_id: str,
        dest: Path,
        *,
        on_progress: ProgressCallback | None = None,
        link: DownloadLink | None = None,
    ) -> DownloadResult:
        """Download the CSV to `dest` atomically; `link` skips the first link request."""
        await self._loaded_session()  # the downloader's module, and httpx, load with it
        from .download import download_file

        return await download_file(
            Path(dest),
            fetch_link=lambda: self.download_link(resource_handle_id),
            link=link,
            on_progress=on_progress,
            transport=self._download_transport,
            timeout=self.timeout,
            retry=self.retry,
            user_agent=self._user_agent,
            redactor=self._redactor,
            stall=self._download_stall,
        )

    # -- plumbing ------------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        should_retry: Callable[[ApiError], bool],
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        return await call_with_retry(
            self.retry,
            lambda: self._send_once(method, path, json=json, params=params),
            should_retry,
            what=f"{method} {path}",
        )

    async def _send_once(
        self, method: str, path: str, *, json: dict[str, Any] | None, params: dict[str, Any] | None
    ) -> Any:
        """One request, start to end within the deadline; the decoded, redacted JSON body."""
        what = f"{method} {path}"
        try:
            async with asyncio.timeout(self.request_deadline):
                session = await self._loaded_session()
                return await session.exchange(what, method, path, json=json, params=params)
        except TimeoutError as exc:
            raise DeadlineExceededError(
                f"{what} did not complete within {self.request_deadline:g} s (the deadline covers the whole response)"
            ) from exc

def _never_arrived(error: ApiError) -> bool:
    """Safe to retry a call that is not idempotent: the server refused it or never saw it."""
    return isinstance(error, RateLimitedError) or (isinstance(error, NetworkError) and error.connect_failed)


def _put_list(body: dict[str, Any], key: str, values: Sequence[str] | None) -> None:
    if values:
        body[key] = list(values)


def _parse(build: Callable[[Any], M], data: Any) -> M:
    try:
        return build(data)
    except (ValueError, TypeError, OverflowError) as exc:
        raise UnexpectedResponseError(f"unexpected response: {exc}") from exc


def _with_search_id(task: StartedTask, search_id: str) -> StartedTask:
    return msgspec.structs.replace(task, search_id=search_id)
