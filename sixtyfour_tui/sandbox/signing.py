"""HMAC signing for cursors and download URLs: opaque to clients, tamper-evident for the server."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any


class Signer:
    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)

    def signature(self, message: str) -> str:
        return hmac.new(self._secret, message.encode(), hashlib.sha256).hexdigest()

    def verify(self, message: str, signature: str) -> bool:
        return hmac.compare_digest(self.signature(message), signature)

    def seal(self, payload: dict[str, Any]) -> str:
        """An opaque token carrying `payload`; `open` gives it back only if untouched."""
        body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode())
        text = body.decode().rstrip("=")
        return f"{text}.{self.signature(text)[:32]}"

    def open(self, token: str) -> dict[str, Any] | None:
        text, _, signature = token.rpartition(".")
        if not text or not hmac.compare_digest(self.signature(text)[:32], signature):
            return None
        try:
            padded = text + "=" * (-len(text) % 4)
            payload = json.loads(base64.urlsafe_b64decode(padded))
        except ValueError:
            return None
        return payload if isinstance(payload, dict) else None
