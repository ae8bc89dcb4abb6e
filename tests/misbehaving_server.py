"""A tiny HTTP/1.1 server on loopback whose answers are scripted byte by byte, for the faults the
sandbox does not make: redirects, bodies shorter than their Content-Length, bodies that trickle,
bodies without end. It runs in the test's own event loop; every connection it holds is closed
when the `async with` block ends, so no test can hang on it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

HOLD_LIMIT = 30.0  # the longest a scripted answer keeps a connection open on its own


@dataclass
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


class Writer:
    """The stream writer, counting the bytes that left (to show what a client did not read)."""

    def __init__(self, server: MisbehavingServer, writer: asyncio.StreamWriter) -> None:
        self._server, self._writer = server, writer

    def write(self, data: bytes) -> None:
        self._server.sent_bytes += len(data)
        self._writer.write(data)

    async def drain(self) -> None:
        await self._writer.drain()


Answer = Callable[[SeenRequest, asyncio.StreamReader, "Writer"], Awaitable[None]]


@dataclass
class MisbehavingServer:
    """`answer` writes the whole response for each request; `requests` records what arrived."""

    answer: Answer
    requests: list[SeenRequest] = field(default_factory=list)
    sent_bytes: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    async def __aenter__(self) -> MisbehavingServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            request = await _read_request(reader)
            if request is None:
                return
            self.requests.append(request)
            await self.answer(request, reader, Writer(self, writer))
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client hung up: that is what most of these answers wait for
        finally:
            self._tasks.discard(task)
            writer.close()


async def _read_request(reader: asyncio.StreamReader) -> SeenRequest | None:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return SeenRequest(method, path, headers, body)


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} Scripted"] + [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _hold_until_client_leaves(reader: asyncio.StreamReader) -> None:
    """Keep the connection open (not closing is the fault) until the client closes it."""
    try:
        await asyncio.wait_for(reader.read(), HOLD_LIMIT)
    except TimeoutError:
        pass


# -- scripted answers ---------------------------------------------------------------------------


def json_answer(status: int, payload: object, headers: dict[str, str] | None = None) -> Answer:
    async def answer(request: SeenRequest, reader: asyncio.StreamReader, writer: Writer) -> None:
        body = json.dumps(payload).encode()
        extra = {"content-type": "application/json", "content-length": str(len(body)), "connection": "close"}
        writer.write(_head(status, {**extra, **(headers or {})}) + body)
        await writer.drain()

    return answer


def redirect(location: str, status: int = 307) -> Answer:
    async def answer(request: SeenRequest, reader: asyncio.StreamReader, writer: Writer) -> None:
        writer.write(_head(status, {"location": location, "content-length": "0", "connection": "close"}))
        await writer.drain()

    return answer


def short_body(body: bytes, declared: int, content_type: str = "application/json") -> Answer:
    """Promises `declared` bytes, sends `body` (fewer), then neither sends more nor closes."""

    async def answer(request: SeenRequest, reader: asyncio.StreamReader, writer: Writer) -> None:
        writer.write(_head(200, {"content-type": content_type, "content-length": str(declared)}) + body)
        await writer.drain()
        await _hold_until_client_leaves(reader)

    return answer


def trickle(body: bytes, every: float, content_type: str = "application/json", declare_length: bool = True) -> Answer:
    """Sends `body` one byte every `every` seconds: each read gets data, the whole takes ages."""

    async def answer(request: SeenRequest, reader: asyncio.StreamReader, writer: Writer) -> None:
        headers = {"content-type": content_type, "connection": "close"}
        if declare_length:
            headers["content-length"] = str(len(body))
        writer.write(_head(200, headers))
        for position in range(len(body)):
            writer.write(body[position:position + 1])
            await writer.drain()
            await asyncio.sleep(every)

    return answer


def endless(chunk: bytes = b" " * 65536, declared: int | None = None, limit: int = 1 << 30) -> Answer:
    """A 200 whose body goes on (up to `limit` bytes) while the client reads; with `declared`, it
    says so in a Content-Length, else it ends only when the connection does."""

    async def answer(request: SeenRequest, reader: asyncio.StreamReader, writer: Writer) -> None:
        headers = {"content-type": "application/json", "connection": "close"}
        if declared is not None:
            headers["content-length"] = str(declared)
        writer.write(_head(200, headers) + b'{"task_id": "t", "pad": "')
        sent = 0
        while sent < limit:
            writer.write(chunk)
            sent += len(chunk)
            await writer.drain()

    return answer
