"""Async client for the Sixtyfour search API (contract: ../shared/api-contract.md).

Retry rules, per call:
- reads (status, query pages, download links) retry on 429, 5xx and network errors;
- `start_deep_search` retries the same way, which is safe only because every start carries a
  client-chosen `search_id` and the server returns the existing task for a repeated one;
- `export` has no such key, so it retries only when the server cannot have started anything:
  on 429 and on connection failures. A 5xx or a dropped read may have created the export, and
  a second one would just meet 409 anyway, so those errors go back to the caller.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import msgspec

from .. import __version__
from .download import ProgressCallback, download_file
from .errors import ApiError, NetworkError, UnexpectedResponseError, error_from_response
from .models import DownloadLink, DownloadResult, QueryPage, StartedTask, TaskStatus
from .retry import RetryPolicy, call_with_retry, is_transient, is_unsent

DEFAULT_BASE_URL = "https://api.sixtyfour.ai"
DEFAULT_USER_AGENT = f"sixtyfour-tui/{__version__}"
STATUS_ROUTES = {"status": "/search/status/", "deep-search-status": "/search/deep-search-status/"}

M = TypeVar("M")


class SixtyfourClient:
    """One instance per API key. Use as `async with SixtyfourClient(key) as client:`."""

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        download_transport: httpx.AsyncBaseTransport | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> None:
        if not api_key or not api_key.strip():
            raise ValueError("an API key is required")
        self._api_key = api_key.strip()
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._download_transport = download_transport
        self._user_agent = user_agent
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=httpx.Timeout(timeout),
            headers={"x-api-key": self._api_key, "accept": "application/json", "user-agent": user_agent},
        )

    def __repr__(self) -> str:
        return f"SixtyfourClient(base_url={self.base_url!r}, api_key=<redacted>)"

    async def __aenter__(self) -> SixtyfourClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

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
        data = await self._call("POST", "/search/start-deep-search", json=body, should_retry=is_transient)
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

    # -- export and download -------------------------------------------------------------------

    async def export(
        self,
        *,
        mode: str,
        search_id: str | None = None,
        parsed_query: Any = None,
        max_results: int = 5000,
    ) -> StartedTask:
        """Start a CSV export. Raises ConflictError (with `.task_id`) if one already runs."""
        if (search_id is None) == (parsed_query is None):
            raise ValueError("export needs exactly one of search_id or parsed_query")
        body: dict[str, Any] = {"mode": mode, "max_results": max_results}
        if search_id is not None:
            body["search_id"] = search_id
        else:
            body["parsed_query"] = parsed_query
        data = await self._call("POST", "/search/export", json=body, should_retry=is_unsent)
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
        return await download_file(
            Path(dest),
            fetch_link=lambda: self.download_link(resource_handle_id),
            link=link,
            on_progress=on_progress,
            transport=self._download_transport,
            timeout=self.timeout,
            retry=self.retry,
            user_agent=self._user_agent,
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
            self.retry, lambda: self._send_once(method, path, json=json, params=params), should_retry
        )

    async def _send_once(
        self, method: str, path: str, *, json: dict[str, Any] | None, params: dict[str, Any] | None
    ) -> Any:
        try:
            response = await self._http.request(method, path, json=json, params=params)
        except httpx.TimeoutException as exc:
            connect_failed = isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout))
            raise NetworkError(
                f"{method} {path} timed out after {self.timeout:g}s", connect_failed=connect_failed
            ) from exc
        except httpx.TransportError as exc:
            raise NetworkError(
                f"{method} {path} failed: {str(exc) or type(exc).__name__}",
                connect_failed=isinstance(exc, httpx.ConnectError),
            ) from exc
        if not response.is_success:
            raise error_from_response(response, secrets=(self._api_key,))
        try:
            return response.json()
        except ValueError as exc:
            raise UnexpectedResponseError(
                f"{method} {path}: response is not JSON", status=response.status_code
            ) from exc


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
