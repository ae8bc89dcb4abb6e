"""Read a response body with a cap, so a server cannot make the client hold gigabytes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

ERROR_BODY_LIMIT = 64 * 1024
"""An error body is read for its message; past this much, the rest is left unread."""


async def read_capped(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """(body, complete): at most `limit` bytes of the (decoded) body; `complete` is False when
    there was more, which is then left unread."""
    buffer = bytearray()
    async for chunk in response.aiter_bytes():
        room = limit - len(buffer)
        if len(chunk) > room:
            buffer += chunk[:room]
            return bytes(buffer), False
        buffer += chunk
    return bytes(buffer), True


def declared_length(response: httpx.Response) -> int | None:
    """The Content-Length header as a number, None when absent or unreadable."""
    value = response.headers.get("content-length", "").strip()
    return int(value) if value.isascii() and value.isdigit() else None
