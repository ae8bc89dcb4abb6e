"""Fault injection: latency, 5xx answers, 429 bursts and broken downloads, on purpose."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import threading
from collections import deque
from typing import Any

from sixtyfour_tui.sandbox.config import FaultConfig

API_PREFIX = "/search/"


class FaultState:
    """What to break next; the config sets it up and tests can add to it while the server runs."""

    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self._rng = random.Random(config.seed)
        self._counter = itertools.count(1)
        self._forced: deque[tuple[str, int]] = deque()
        self._drops = config.drop_downloads
        self._truncations = config.truncate_downloads
        self._lock = threading.Lock()

    def force(self, status: int, count: int = 1, path_prefix: str = API_PREFIX) -> None:
        """The next `count` API requests under `path_prefix` answer `status`."""
        with self._lock:
            self._forced.extend([(path_prefix, status)] * count)

    def break_downloads(self, drops: int = 0, truncations: int = 0) -> None:
        with self._lock:
            self._drops += drops
            self._truncations += truncations

    def status_for(self, path: str) -> int | None:
        """A status to answer instead of the real one, or None."""
        with self._lock:
            for position, (prefix, status) in enumerate(self._forced):
                if path.startswith(prefix):
                    del self._forced[position]
                    return status
            number = next(self._counter)
            every = self.config.rate_limit_every
            if every and number % every == 0:
                return 429
            if self.config.error_rate and self._rng.random() < self.config.error_rate:
                return self._rng.choice((500, 503))
        return None

    def take_download_fault(self) -> str | None:
        """'drop', 'truncate' or None for the download starting now."""
        with self._lock:
            if self._drops > 0:
                self._drops -= 1
                return "drop"
            if self._truncations > 0:
                self._truncations -= 1
                return "truncate"
        return None


_FAULT_BODIES = {
    429: ("Too Many Requests", "Rate limit exceeded, slow down"),
    500: ("Internal Server Error", "Something went wrong on our side"),
    503: ("Service Unavailable", "The search backend is temporarily unavailable"),
}


class FaultMiddleware:
    """ASGI middleware that answers API requests with injected latency and errors."""

    def __init__(self, app: Any, faults: FaultState) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        if self.faults.config.latency_ms:
            await asyncio.sleep(self.faults.config.latency_ms / 1000)
        status = self.faults.status_for(scope["path"])
        if status is None:
            await self.app(scope, receive, send)
            return
        error, message = _FAULT_BODIES.get(status, ("Error", "Injected fault"))
        body = json.dumps({"error": error, "message": message}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if status == 429:
            headers.append((b"retry-after", b"1"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
