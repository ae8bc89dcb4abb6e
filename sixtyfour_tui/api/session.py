"""The httpx side of `SixtyfourClient`: one connection pool, and one request read within limits.

Apart from client.py because httpx and httpcore take longer to import than everything else the
app needs to become ready (~50–100 ms): the client loads this module on its first request, or
earlier when the app asks it to (`SixtyfourClient.load`, run in a thread once the app is ready).
"""

from __future__ import annotations

import ssl
from json import loads as json_loads
from typing import Any

import httpx

from .bodies import ERROR_BODY_LIMIT, declared_length, read_capped
from .errors import (
    NetworkError,
    RedirectError,
    ResponseTooLargeError,
    UnexpectedResponseError,
    error_from_parts,
)
from .redact import Redactor
from .rows import sanitize_text

MAX_LOCATION_SHOWN = 200
KEEPALIVE_SECONDS = 20.0
"""How long an idle connection is kept: longer than the longest wait between polls (15 s), so a
search's polls reuse one connection instead of opening (and, against the API, TLS-handshaking) a
new one each time. Servers behind load balancers keep idle connections for a minute or more."""


def _tls_for(base_url: str) -> ssl.SSLContext | bool:
    """Certificates are checked for an https API. A plain-http one (the local sandbox) never does
    TLS through this client (relative paths, no redirects followed), so it gets a context that
    trusts no one instead of loading the CA bundle (~20 ms): should TLS ever happen through it, it
    fails closed."""
    if base_url.startswith("http://"):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verification on, no CA loaded
    return True


class HttpSession:
    """Requests to one API with one key; answers are JSON, redacted, and never larger than allowed."""

    def __init__(self, *, base_url: str, api_key: str, redactor: Redactor, timeout: float,
                 max_response_bytes: int, user_agent: str,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._redactor = redactor
        self._timeout = timeout
        self._max_response_bytes = max_response_bytes
        self._http = httpx.AsyncClient(
            base_url=base_url,
            transport=transport,
            verify=_tls_for(base_url),
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS),
            follow_redirects=False,
            headers={"x-api-key": api_key, "accept": "application/json", "user-agent": user_agent},
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def exchange(
        self, what: str, method: str, path: str, *, json: dict[str, Any] | None, params: dict[str, Any] | None
    ) -> Any:
        """One request and its decoded body; httpx's failures become the API layer's errors."""
        try:
            request = self._http.build_request(method, path, json=json, params=params)
            response = await self._http.send(request, stream=True)
            try:
                return await self._read(what, response)
            finally:
                await response.aclose()
        except httpx.TimeoutException as exc:
            connect_failed = isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout))
            raise NetworkError(f"{what} timed out after {self._timeout:g}s", connect_failed=connect_failed) from exc
        except httpx.TransportError as exc:
            raise NetworkError(
                f"{what} failed: {self._redactor.text(str(exc)) or type(exc).__name__}",
                connect_failed=isinstance(exc, httpx.ConnectError),
            ) from exc
        except httpx.DecodingError as exc:
            raise UnexpectedResponseError(f"{what}: the response could not be decoded ({exc})") from exc

    async def _read(self, what: str, response: httpx.Response) -> Any:
        status = response.status_code
        if 300 <= status < 400:
            raise self._redirect_error(what, response)
        if not response.is_success:
            content, _ = await read_capped(response, ERROR_BODY_LIMIT)
            raise error_from_parts(status, response.reason_phrase, response.headers, content, self._redactor)
        limit = self._max_response_bytes
        declared = declared_length(response)
        if declared is not None and declared > limit:
            raise _too_large(what, status, limit)  # believed without reading a byte of it
        content, complete = await read_capped(response, limit)
        if not complete:
            raise _too_large(what, status, limit)
        try:
            data = json_loads(content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise UnexpectedResponseError(f"{what}: response is not JSON", status=status) from exc
        return self._redactor.json(content, data)

    def _redirect_error(self, what: str, response: httpx.Response) -> RedirectError:
        status = response.status_code
        location = response.headers.get("location")
        if not location:
            return RedirectError(
                f"{what} answered {status} {response.reason_phrase} with no target; redirects are not followed",
                status=status,
            )
        try:
            target = str(response.request.url.join(location))
        except (httpx.InvalidURL, ValueError):
            target = location
        target = sanitize_text(self._redactor.text(target))
        if len(target) > MAX_LOCATION_SHOWN:
            target = target[: MAX_LOCATION_SHOWN - 1] + "…"
        return RedirectError(
            f"{what} was redirected to {target} ({status}); redirects are not followed",
            status=status,
            location=target,
        )


def _too_large(what: str, status: int, limit: int) -> ResponseTooLargeError:
    return ResponseTooLargeError(f"{what}: response larger than {_size_label(limit)}", status=status, limit=limit)


def _size_label(size: int) -> str:
    mib = size / (1024 * 1024)
    return f"{mib:g} MB" if mib >= 1 else f"{size:,} bytes"
