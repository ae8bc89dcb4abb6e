"""Blank the API key out of everything a server sends, before it is stored, logged or shown.

A server that echoes the key back (in a progress message, an error, a result row, a CSV cell) must
not get it onto the screen or into a file. The client runs every response through one `Redactor`:
JSON bodies (checked on the raw bytes first, so a body without the key costs one substring search),
error bodies, and downloaded CSV bodies (streamed, so a key split across two chunks is caught too).
"""

from __future__ import annotations

from typing import Any

REDACTED = "[redacted]"


class Redactor:
    """Replaces one secret with REDACTED. An empty secret makes every method a no-op."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self._secret_bytes = secret.encode()

    def __repr__(self) -> str:
        return "Redactor(<secret>)"

    def text(self, value: str) -> str:
        if not self.secret or self.secret not in value:
            return value
        return value.replace(self.secret, REDACTED)

    def json(self, raw: bytes, data: Any) -> Any:
        """`data` decoded from `raw`, with the secret blanked out of every string in it.

        The tree is walked only when the raw bytes could decode to the secret: when they hold it
        literally, or hold a backslash (a JSON escape such as \\u0073 could spell it).
        """
        if not self.secret or (self._secret_bytes not in raw and b"\\" not in raw):
            return data
        return self.tree(data)

    def tree(self, data: Any) -> Any:
        """Strings (dict keys included) of a decoded JSON value, redacted; other values as they are."""
        if not self.secret:
            return data
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, dict):
            return {self.text(str(key)): self.tree(value) for key, value in data.items()}
        if isinstance(data, list):
            return [self.tree(value) for value in data]
        return data

    def stream(self) -> StreamRedactor:
        """A fresh redactor for one byte stream (a download attempt)."""
        return StreamRedactor(self._secret_bytes)


class StreamRedactor:
    """Redacts a byte stream chunk by chunk, catching a secret split across chunks.

    A chunk whose end could be the start of the secret keeps that end back until the next chunk
    says whether the secret goes on; everything else passes through uncopied. Call `finish()`
    after the last chunk for whatever was held back.
    """

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self._marker = REDACTED.encode()
        self._held = b""

    def feed(self, chunk: bytes) -> bytes | memoryview:
        """The bytes that are safe to write now (possibly fewer than given, possibly more)."""
        if not self._secret:
            return chunk
        data = self._held + chunk if self._held else chunk
        if self._secret in data:
            data = data.replace(self._secret, self._marker)
        keep = self._partial_secret_at_end(data)
        if not keep:
            self._held = b""
            return data
        self._held = data[-keep:]
        return memoryview(data)[:-keep]

    def finish(self) -> bytes:
        """What was held back: at the end of the stream it cannot be the start of a secret any more."""
        held, self._held = self._held, b""
        return held

    def _partial_secret_at_end(self, data: bytes) -> int:
        """Length of the longest end of `data` that is a proper beginning of the secret (0: none)."""
        secret = self._secret
        start = max(0, len(data) - len(secret) + 1)
        first = secret[:1]
        position = data.find(first, start)
        while position != -1:
            if secret.startswith(data[position:]):
                return len(data) - position
            position = data.find(first, position + 1)
        return 0
