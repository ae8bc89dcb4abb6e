"""Fetch a signed CSV URL to disk: all or nothing, constant memory, never sending the API key.

The storage host is a different party from the API, so this uses its own plain HTTP client. Bytes
stream into a hidden temp file beside the destination and are renamed into place only after the
body is proven whole (its Content-Length met, its CSV shape complete: see csv_shape) and the data
is on disk; on any failure the temp file is removed, so `dest` is either the complete file or
exactly what it was before. A download may rightly take long, so no total deadline bounds it:
a stall rule (too few bytes in a time window) and the per-read timeout do.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpcore
import httpx

from ..atomic import fsync_directory
from .bodies import ERROR_BODY_LIMIT, declared_length, read_capped
from .csv_shape import inspect_csv
from .errors import (
    ApiError,
    DownloadStalledError,
    ForbiddenError,
    IncompleteDownloadError,
    NetworkError,
    RedirectError,
    TruncatedDownloadError,
    UnexpectedResponseError,
    error_from_parts,
    format_duration,
)
from .models import DownloadLink, DownloadResult
from .redact import Redactor, StreamRedactor
from .retry import RetryPolicy, call_with_retry, is_transient

__all__ = [
    "DownloadStalledError",
    "IncompleteDownloadError",
    "StallRule",
    "TruncatedDownloadError",
    "download_file",
    "wide_read_transport",
]

CHUNK_SIZE = 64 * 1024
WIDE_READ = 256 * 1024  # what one asyncio socket read can return; httpcore asks for 64 KiB only

ProgressCallback = Callable[[int, int | None], object]
LinkFetcher = Callable[[], Awaitable[DownloadLink]]


@dataclass(frozen=True)
class StallRule:
    """A download is stalled when fewer than `min_bytes` arrive within `window` seconds.

    Silence is caught sooner by the per-read timeout; this catches a body that trickles in just
    fast enough to keep every read alive.
    """

    window: float = 30.0
    min_bytes: int = 16 * 1024


async def download_file(
    dest: Path,
    *,
    fetch_link: LinkFetcher,
    link: DownloadLink | None = None,
    on_progress: ProgressCallback | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = 30.0,
    retry: RetryPolicy | None = None,
    user_agent: str | None = None,
    redactor: Redactor | None = None,
    stall: StallRule | None = None,
) -> DownloadResult:
    """Download the file behind `link` (or a freshly fetched one) to `dest`.

    A 403 from storage means the signature expired: the next attempt asks for a new link. Dropped,
    stalled or incomplete bodies and storage 5xx are retried with backoff while the policy's error
    budget lasts (only the waits count against it: attempts are bounded by `stall`). `redactor`
    blanks the API key out of the saved bytes, should the body echo it.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    policy = retry or RetryPolicy()
    current: DownloadLink | None = link
    headers = {"user-agent": user_agent} if user_agent else {}
    fetch = _Fetch(dest, on_progress, redactor, stall or StallRule())

    async with httpx.AsyncClient(
        transport=transport or wide_read_transport(),
        follow_redirects=True,
        timeout=httpx.Timeout(timeout),
        headers=headers,
    ) as storage:

        async def attempt() -> DownloadResult:
            nonlocal current
            if current is None:
                current = await fetch_link()
            try:
                return await fetch.once(storage, current.url)
            except ForbiddenError:
                current = None  # expired or refused signature: the next attempt gets a fresh URL
                raise

        return await call_with_retry(
            policy, attempt, _download_should_retry, what=f"download to {dest.name}", attempts_spend_budget=False
        )


def _download_should_retry(error: ApiError) -> bool:
    return isinstance(error, (ForbiddenError, IncompleteDownloadError)) or is_transient(error)


# -- one attempt ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fetch:
    dest: Path
    on_progress: ProgressCallback | None
    redactor: Redactor | None
    stall: StallRule

    async def once(self, storage: httpx.AsyncClient, url: str) -> DownloadResult:
        dest = self.dest
        part = tempfile.NamedTemporaryFile(dir=dest.parent, prefix="." + dest.name + ".", suffix=".part", delete=False)
        try:
            written, length_verified = await self._stream_into(storage, url, part)
            part.flush()
            # Inspecting reads the data back from the page cache while fsync waits on the disk.
            _, summary = await asyncio.gather(
                asyncio.to_thread(_sync_and_close, part),
                asyncio.to_thread(inspect_csv, Path(part.name)),
            )
            problem = summary.problem(length_verified=length_verified)
            if problem is not None:
                raise IncompleteDownloadError(f"download incomplete: {problem}")
            # Temp files are created owner-only; the saved CSV gets the mode any new file would get.
            os.chmod(part.name, 0o666 & ~_current_umask())
            os.replace(part.name, dest)
            fsync_directory(dest.parent)
            return DownloadResult(path=dest, bytes_written=written, rows=summary.rows)
        except BaseException:
            part.close()
            Path(part.name).unlink(missing_ok=True)
            raise

    async def _stream_into(self, storage: httpx.AsyncClient, url: str, part: IO[bytes]) -> tuple[int, bool]:
        """Copy the body chunk by chunk; returns (bytes written, whether Content-Length vouched for it).

        A streamed body without content-encoding is taken as it comes off the socket (`aiter_raw`):
        no decoder chain and no re-chunking, whose per-chunk cost showed in the profile.
        """
        on_progress = self.on_progress
        redacting: StreamRedactor | None = self.redactor.stream() if self.redactor else None
        written = received = 0
        try:
            async with storage.stream("GET", url) as response:
                if not response.is_success:
                    content, _ = await read_capped(response, ERROR_BODY_LIMIT)
                    redactors = (self.redactor,) if self.redactor else ()
                    raise error_from_parts(
                        response.status_code, response.reason_phrase, response.headers, content, *redactors
                    )
                expected = declared_length(response)
                if on_progress is not None:
                    on_progress(0, expected)
                encoded = _is_encoded(response)
                held = response.is_stream_consumed  # a body httpx already holds is only in aiter_bytes
                chunks = response.aiter_bytes(CHUNK_SIZE) if encoded or held else response.aiter_raw()
                watch = _StallWatch(self.stall)
                async for chunk in chunks:
                    received = response.num_bytes_downloaded if encoded else received + len(chunk)
                    out = redacting.feed(chunk) if redacting is not None else chunk
                    part.write(out)
                    written += len(out)
                    watch.saw(len(chunk))
                    if on_progress is not None:
                        on_progress(received, expected)
                if redacting is not None:
                    rest = redacting.finish()
                    part.write(rest)
                    written += len(rest)
        except httpx.TimeoutException as exc:
            raise NetworkError(f"download timed out: {_describe(exc)}") from exc
        except httpx.TransportError as exc:
            raise NetworkError(
                f"download interrupted: {_describe(exc)}",
                connect_failed=isinstance(exc, httpx.ConnectError),
            ) from exc
        except httpx.TooManyRedirects as exc:
            raise RedirectError(f"download: {_describe(exc)}") from exc
        except httpx.DecodingError as exc:
            raise IncompleteDownloadError(f"download incomplete: undecodable body ({_describe(exc)})") from exc
        except httpx.InvalidURL as exc:
            raise UnexpectedResponseError(f"the download link is not a usable URL: {_describe(exc)}") from exc
        if expected is not None and received != expected:
            raise TruncatedDownloadError(f"download incomplete: got {received} of {expected} bytes")
        return written, expected is not None


class _StallWatch:
    """Counts bytes per window of the stall rule; raises when a window ends too light."""

    def __init__(self, rule: StallRule) -> None:
        self._rule = rule
        self._window_start = time.monotonic()
        self._window_bytes = 0

    def saw(self, size: int) -> None:
        self._window_bytes += size
        now = time.monotonic()
        if now - self._window_start < self._rule.window:
            return
        if self._window_bytes < self._rule.min_bytes:
            raise DownloadStalledError(
                f"download stalled: {self._window_bytes:,} bytes in {format_duration(now - self._window_start)} "
                f"(at least {self._rule.min_bytes:,} bytes per {format_duration(self._rule.window)} expected)"
            )
        self._window_start, self._window_bytes = now, 0


def _is_encoded(response: httpx.Response) -> bool:
    """Whether wire bytes (what Content-Length counts) differ from the bytes saved.

    Only then is httpx's own wire counter used: it stays 0 for bodies httpx already holds.
    """
    return response.headers.get("content-encoding", "").strip().lower() not in ("", "identity")


def _sync_and_close(part: IO[bytes]) -> None:
    os.fsync(part.fileno())
    part.close()


def _read_umask() -> int:
    """Read once at import: reading means setting it, which must not race other threads later."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def _current_umask() -> int:
    return _UMASK


def _describe(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


# -- the storage transport ------------------------------------------------------------------------


def wide_read_transport() -> httpx.AsyncBaseTransport:
    """An httpx transport over httpcore's public connection pool, reading up to WIDE_READ bytes
    per socket read.

    httpcore reads 64 KiB at a time, and each read is a trip through h11, httpcore and httpx; at
    hundreds of MB/s that per-read cost is most of the client's CPU. httpx has no setting for it,
    but httpcore's pool takes a network backend, and a backend can hand out streams that read
    wider. (Storage requests go direct: no proxy from the environment, as before.)
    """
    pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=10,
        max_keepalive_connections=10,
        keepalive_expiry=5.0,
        network_backend=_WideReadBackend(httpcore.AnyIOBackend()),
    )
    return _PoolTransport(pool)


class _PoolTransport(httpx.AsyncBaseTransport):
    """httpx requests in, through an httpcore pool, httpx responses (and exceptions) out."""

    def __init__(self, pool: httpcore.AsyncConnectionPool) -> None:
        self._pool = pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(request.stream, httpx.AsyncByteStream):
            raise TypeError("an async transport needs an async request body")
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            core_response = await self._pool.handle_async_request(core_request)
        return httpx.Response(
            status_code=core_response.status,
            headers=core_response.headers,
            stream=_PoolResponseStream(core_response),
            extensions=core_response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


class _PoolResponseStream(httpx.AsyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for part in self._response.aiter_stream():
                yield part

    async def aclose(self) -> None:
        await self._response.aclose()


# Most specific first: the first match wins.
_HTTPX_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _as_httpx_errors() -> Iterator[None]:
    """httpcore's exceptions as the httpx ones they correspond to, as httpx's own transport does."""
    try:
        yield
    except Exception as exc:
        for core_error, httpx_error in _HTTPX_ERRORS:
            if isinstance(exc, core_error):
                raise httpx_error(str(exc)) from exc
        raise


class _WideReadBackend(httpcore.AsyncNetworkBackend):
    """Hands out streams that read WIDE_READ bytes when asked for fewer; otherwise delegates."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_tcp(
            host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )
        return _WideReadStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_unix_socket(path, timeout=timeout, socket_options=socket_options)
        return _WideReadStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _WideReadStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max(max_bytes, WIDE_READ), timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _WideReadStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)
