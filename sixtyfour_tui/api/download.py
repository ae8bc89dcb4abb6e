"""Fetch a signed CSV URL to disk: all or nothing, constant memory, never sending the API key.

The storage host is a different party from the API, so this uses its own plain HTTP client. Bytes
stream into a hidden temp file beside the destination and are renamed into place only after the
length checks out and the data is on disk; on any failure the temp file is removed, so `dest`
is either the complete file or exactly what it was before.
"""

from __future__ import annotations

import asyncio
import csv
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO

import httpcore
import httpx

from ..atomic import fsync_directory
from .errors import ApiError, ForbiddenError, NetworkError, error_from_response
from .models import DownloadLink, DownloadResult
from .retry import RetryPolicy, call_with_retry, is_transient

CHUNK_SIZE = 64 * 1024
COUNT_BLOCK = 1024 * 1024
WIDE_READ = 256 * 1024  # what one asyncio socket read can return; httpcore asks for 64 KiB only

ProgressCallback = Callable[[int, int | None], object]
LinkFetcher = Callable[[], Awaitable[DownloadLink]]


class TruncatedDownloadError(NetworkError):
    """The body ended before Content-Length bytes arrived: a dropped connection in disguise."""


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
) -> DownloadResult:
    """Download the file behind `link` (or a freshly fetched one) to `dest`.

    A 403 from storage means the signature expired: the next attempt asks for a new link. Dropped
    or truncated bodies and storage 5xx are retried with backoff, up to the policy's attempts.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    policy = retry or RetryPolicy()
    current: DownloadLink | None = link
    headers = {"user-agent": user_agent} if user_agent else {}

    async with httpx.AsyncClient(
        transport=transport or _wide_read_transport(),
        follow_redirects=True,
        timeout=httpx.Timeout(timeout),
        headers=headers,
    ) as storage:

        async def attempt() -> DownloadResult:
            nonlocal current
            if current is None:
                current = await fetch_link()
            try:
                return await _fetch_once(storage, current.url, dest, on_progress)
            except ForbiddenError:
                current = None  # expired or refused signature: the next attempt gets a fresh URL
                raise

        return await call_with_retry(policy, attempt, _download_should_retry)


def _wide_read_transport() -> httpx.AsyncHTTPTransport:
    """The stock transport, but reading up to WIDE_READ bytes per socket read.

    httpcore reads 64 KiB at a time, and each read is a trip through h11, httpcore and httpx; at
    hundreds of MB/s that per-read cost is most of the client's CPU. httpx offers no setting for
    it, so the pool's network backend is wrapped; should httpx's internals move, the stock
    transport is used as it is (only slower).
    """
    transport = httpx.AsyncHTTPTransport()
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is not None:
        pool._network_backend = _WideReadBackend(backend)
    return transport


class _WideReadBackend(httpcore.AsyncNetworkBackend):
    """Hands out streams that read WIDE_READ bytes when asked for fewer; otherwise delegates."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(self, *args, **kwargs) -> httpcore.AsyncNetworkStream:
        return _WideReadStream(await self._inner.connect_tcp(*args, **kwargs))

    async def connect_unix_socket(self, *args, **kwargs) -> httpcore.AsyncNetworkStream:
        return _WideReadStream(await self._inner.connect_unix_socket(*args, **kwargs))

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

    async def start_tls(self, *args, **kwargs) -> httpcore.AsyncNetworkStream:
        return _WideReadStream(await self._inner.start_tls(*args, **kwargs))

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)


def _download_should_retry(error: ApiError) -> bool:
    return isinstance(error, ForbiddenError) or is_transient(error)


async def _fetch_once(
    storage: httpx.AsyncClient,
    url: str,
    dest: Path,
    on_progress: ProgressCallback | None,
) -> DownloadResult:
    part = tempfile.NamedTemporaryFile(
        dir=dest.parent, prefix="." + dest.name + ".", suffix=".part", delete=False
    )
    try:
        written = await _stream_into(storage, url, part, on_progress)
        part.flush()
        # Counting reads the data back from the page cache while fsync waits on the disk.
        _, rows = await asyncio.gather(
            asyncio.to_thread(_sync_and_close, part),
            asyncio.to_thread(count_csv_rows, Path(part.name)),
        )
        # Temp files are created owner-only; the saved CSV gets the mode any new file would get.
        os.chmod(part.name, 0o666 & ~_current_umask())
        os.replace(part.name, dest)
        fsync_directory(dest.parent)
        return DownloadResult(path=dest, bytes_written=written, rows=rows)
    except BaseException:
        part.close()
        Path(part.name).unlink(missing_ok=True)
        raise


async def _stream_into(
    storage: httpx.AsyncClient,
    url: str,
    part: IO[bytes],
    on_progress: ProgressCallback | None,
) -> int:
    """Copy the body chunk by chunk; returns decoded bytes written.

    A streamed body without content-encoding is taken as it comes off the socket (`aiter_raw`):
    no decoder chain and no re-chunking, whose per-chunk cost showed in the profile.
    """
    written = 0
    try:
        async with storage.stream("GET", url) as response:
            if not response.is_success:
                await response.aread()
                raise error_from_response(response)
            expected = _content_length(response)
            if on_progress is not None:
                on_progress(0, expected)
            encoded = _is_encoded(response)
            held = response.is_stream_consumed  # a body httpx already holds is only in aiter_bytes
            chunks = response.aiter_bytes(CHUNK_SIZE) if encoded or held else response.aiter_raw()
            async for chunk in chunks:
                part.write(chunk)
                written += len(chunk)
                if on_progress is not None:
                    on_progress(response.num_bytes_downloaded if encoded else written, expected)
            received = response.num_bytes_downloaded if encoded else written
    except httpx.TimeoutException as exc:
        raise NetworkError(f"download timed out: {_describe(exc)}") from exc
    except httpx.TransportError as exc:
        raise NetworkError(
            f"download interrupted: {_describe(exc)}",
            connect_failed=isinstance(exc, httpx.ConnectError),
        ) from exc
    if expected is not None and received != expected:
        raise TruncatedDownloadError(f"download incomplete: got {received} of {expected} bytes")
    return written


def _is_encoded(response: httpx.Response) -> bool:
    """Whether wire bytes (what Content-Length counts) differ from the bytes saved.

    Only then is httpx's own wire counter used: it stays 0 for bodies httpx already holds.
    """
    return response.headers.get("content-encoding", "").strip().lower() not in ("", "identity")


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _sync_and_close(part: IO[bytes]) -> None:
    os.fsync(part.fileno())
    part.close()


_STRUCTURE = b",\"\r\n"
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in _STRUCTURE)
_CONTENT_MARKS = bytes.maketrans(b',"', b"xx")


class CsvRecordCounter:
    """Counts CSV data records chunk by chunk, several times faster than the csv module.

    Only the bytes that shape records (commas, quotes, CR, LF) are kept, a few percent of a
    typical export, and each pass over a whole chunk is a C loop. Line ends between quotes are
    skipped (RFC 4180 quoting, doubled quotes included); a line end after anything else closes a
    record. Once the rest is dropped, a line with no comma or quote cannot be told from a blank
    one, nor a lone CR from a CRLF: `rows()` is then None and the caller asks the csv module, as
    for a body that ends inside quotes.

    (Fed during the transfer it halved the throughput on loopback, where the client's CPU is the
    limit, so the downloader counts the finished file instead, alongside the fsync.)
    """

    def __init__(self) -> None:
        self._ends = 0
        self._in_quotes = False
        self._last = b"\n"  # as if a line had just ended: a leading blank line is ambiguous too
        self._ends_in_cr = False
        self._ends_in_content = False
        self._unsure = False

    def feed(self, chunk: bytes) -> None:
        if self._unsure or not chunk:
            return
        shape = chunk.translate(None, _NOT_STRUCTURE)
        if (b"\r" in shape or self._ends_in_cr) and self._has_lone_cr(chunk, shape):
            self._unsure = True
            return
        if self._in_quotes or not _quotes_stay_on_their_line(shape):
            shape = self._outside_quotes(shape)
        self._ends_in_content = chunk[-1:] not in (b"\r", b"\n")
        if shape:
            self._count_line_ends(shape)

    def _has_lone_cr(self, chunk: bytes, shape: bytes) -> bool:
        """A CR not followed by LF (quoted or not): the shape would hide a line between them."""
        if self._ends_in_cr and chunk[:1] != b"\n":
            return True
        self._ends_in_cr = chunk[-1:] == b"\r"  # paired or not, the next chunk tells
        return shape.count(b"\r") > chunk.count(b"\r\n") + self._ends_in_cr

    def _outside_quotes(self, shape: bytes) -> bytes:
        """The shape with each quoted stretch (quotes included) replaced by one content mark."""
        parts = shape.split(b'"')
        if self._in_quotes:
            parts.insert(0, b"")
        outside = b"x".join(parts[0::2])
        self._in_quotes = len(parts) % 2 == 0
        return outside + b"x" if self._in_quotes else outside

    def _count_line_ends(self, shape: bytes) -> None:
        marks = (self._last + shape).translate(_CONTENT_MARKS)
        if b"\n\n" in marks or b"\r\r" in marks or b"\n\r" in marks:
            self._unsure = True  # a blank line, or a line of one unquoted field: can't say which
            return
        self._ends += marks.count(b"x\r") + marks.count(b"x\n")
        self._last = marks[-1:]

    def rows(self) -> int | None:
        """Data records so far (header excluded), or None when only the csv module can tell."""
        if self._unsure or self._in_quotes:
            return None
        # A last line without a line end is a record too, commas or not.
        records = self._ends + (self._last == b"x" or self._ends_in_content)
        return max(0, records - 1)


def _quotes_stay_on_their_line(shape: bytes) -> bool:
    """True when no line end falls between quotes: every run of quotes between line ends (commas
    aside) has even length, so the quote count is even at each line end and at the chunk's end."""
    return b'"' not in shape.translate(None, b",").replace(b'""', b"")


def _read_umask() -> int:
    """Read once at import: reading means setting it, which must not race other threads later."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def _current_umask() -> int:
    return _UMASK


def count_csv_rows(path: Path) -> int:
    """Data records (header excluded); quoted newlines do not count as record ends."""
    counter = CsvRecordCounter()
    with open(path, "rb") as handle:
        while block := handle.read(COUNT_BLOCK):
            counter.feed(block)
    rows = counter.rows()
    return rows if rows is not None else _count_with_csv_module(path)


def _count_with_csv_module(path: Path) -> int:
    """The slow, lenient count, for the shapes CsvRecordCounter cannot vouch for."""
    records = 0
    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as handle:
            for record in csv.reader(handle):
                if record:
                    records += 1
    except csv.Error:
        return _count_lines(path)
    return max(0, records - 1)


def _count_lines(path: Path) -> int:
    """Fallback for files the csv module rejects (e.g. giant fields): non-blank lines minus header."""
    with open(path, "rb") as handle:
        lines = sum(1 for line in handle if line.strip())
    return max(0, lines - 1)


def _describe(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
