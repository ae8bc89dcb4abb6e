"""What the sandbox's API saw, for tests: every `/search/...` request, without the API key.

Each entry records the method, the route template (`/search/status/{task_id}`), the path, the
query string, the JSON body as sent (None when there was none; the raw text when it was not JSON),
the status answered, and the key's fingerprint (`state.owner_of`, never the key; None for a key the
sandbox does not know). Requests answered by injected faults never reach the API and are not
recorded. The newest `KEPT_ENTRIES` entries are kept; `count` never forgets.

Typical assertions (`server.state.request_log`, or `GET /_sandbox/requests` over HTTP):
- no duplicate search was started: `log.count("/search/start-deep-search") == 1`
  (counts requests, not distinct task ids);
- the exclusions went out on every first request, replays included:
  `all(e.body.get("exclude_entity_ids") for e in log.first_queries())`.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, deque
from dataclasses import asdict, dataclass
from typing import Any

KEPT_ENTRIES = 10_000
RAW_BODY_CHARS = 2_000


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    route: str
    path: str
    query: dict[str, str]
    body: Any
    status: int
    owner: str | None

    @property
    def is_first_query(self) -> bool:
        """A `/search/query` first page (a query source, not a cursor)."""
        return self.route == "/search/query" and not (isinstance(self.body, dict) and "cursor" in self.body)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class RequestLog:
    def __init__(self, keep: int = KEPT_ENTRIES) -> None:
        self._entries: deque[LoggedRequest] = deque(maxlen=keep)
        self._counts: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def record(self, method: str, route: str, path: str, query: dict[str, str], raw_body: bytes, status: int,
               owner: str | None) -> None:
        entry = LoggedRequest(method, route, path, query, _decode(raw_body), status, owner)
        with self._lock:
            self._entries.append(entry)
            self._counts[(method, route)] += 1

    def entries(self, route: str | None = None, method: str | None = None,
                owner: str | None = None) -> list[LoggedRequest]:
        with self._lock:
            return [
                e for e in self._entries
                if (route is None or e.route == route) and (method is None or e.method == method)
                and (owner is None or e.owner == owner)
            ]

    def count(self, route: str, method: str = "POST") -> int:
        """Requests ever made to `route` with `method`, whatever they were answered."""
        with self._lock:
            return self._counts[(method, route)]

    def first_queries(self, owner: str | None = None) -> list[LoggedRequest]:
        return [e for e in self.entries("/search/query", "POST", owner) if e.is_first_query]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._counts.clear()


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw[:RAW_BODY_CHARS].decode("utf-8", "replace")


class RequestLogMiddleware:
    """ASGI middleware that records API requests as their answer starts."""

    def __init__(self, app: Any, log: RequestLog, owner_of: Any, prefix: str = "/search/",
                 routes: Any = ()) -> None:
        self.app = app
        self.log = log
        self.owner_of = owner_of  # header value -> fingerprint or None
        self.prefix = prefix
        self.routes = list(routes)  # to name a request by its route template, whatever Starlette exposes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        recorded = False

        def record(status: int) -> None:
            nonlocal recorded
            recorded = True
            headers = dict(scope.get("headers") or ())
            key = headers.get(b"x-api-key")
            query = _query(scope.get("query_string", b""))
            self.log.record(scope["method"], self._template(scope), scope["path"], query,
                            b"".join(chunks), status, self.owner_of(key.decode("latin-1")) if key else None)

        async def receiving() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start" and not recorded:
                # Before the answer leaves: a client that has read it finds its request counted.
                record(message["status"])
            await send(message)

        try:
            await self.app(scope, receiving, sending)
        finally:
            if not recorded:  # no answer was started (the app raised): counted as a 500
                record(500)

    def _template(self, scope: Any) -> str:
        from starlette.routing import Match

        for route in self.routes:
            match, _ = route.matches(scope)
            if match != Match.NONE:
                return str(route.path)
        route = scope.get("route")
        return str(getattr(route, "path", scope["path"]))


def _query(raw: bytes) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(raw.decode("latin-1")))
