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

import httpx

from .errors import ApiError, ForbiddenError, NetworkError, error_from_response
from .models import DownloadLink, DownloadResult
from .retry import RetryPolicy, call_with_retry, is_transient

CHUNK_SIZE = 64 * 1024

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
        transport=transport,
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
        await asyncio.to_thread(_flush_to_disk, part)
        rows = await asyncio.to_thread(count_csv_rows, Path(part.name))
        os.replace(part.name, dest)
        _fsync_directory(dest.parent)
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
    """Copy the body chunk by chunk; returns decoded bytes written."""
    written = 0
    try:
        async with storage.stream("GET", url) as response:
            if not response.is_success:
                await response.aread()
                raise error_from_response(response)
            expected = _content_length(response)
            if on_progress is not None:
                on_progress(0, expected)
            async for chunk in response.aiter_bytes(CHUNK_SIZE):
                part.write(chunk)
                written += len(chunk)
                if on_progress is not None:
                    on_progress(_wire_bytes(response, written), expected)
            received = _wire_bytes(response, written)
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


def _wire_bytes(response: httpx.Response, written: int) -> int:
    """Bytes received as counted by Content-Length: the decoded count unless the body is encoded.

    (httpx's own counter stays 0 for bodies it already holds, so it is used only when needed.)
    """
    encoding = response.headers.get("content-encoding", "").strip().lower()
    return written if encoding in ("", "identity") else response.num_bytes_downloaded


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _flush_to_disk(part: IO[bytes]) -> None:
    part.flush()
    os.fsync(part.fileno())
    part.close()


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable; not every platform can open a directory, so best effort."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def count_csv_rows(path: Path) -> int:
    """Data records (header excluded), read as CSV so quoted newlines don't inflate the count."""
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
