"""One exception class per API failure, so callers can react to the kind of failure, not to text.

`error_from_response` reads every error body shape the API is known to send (contract, cross-cutting).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # keep httpx out of import time for modules that only need the classes
    import httpx

MAX_TEXT_MESSAGE = 200


class ApiError(Exception):
    """Base of every client failure; `status` is None when no HTTP response was received."""

    default_status: int | None = None

    def __init__(self, message: str, *, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status if status is not None else self.default_status
        self.body = body

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, message={self.message!r})"


class BadRequestError(ApiError):
    default_status = 400


class UnauthorizedError(ApiError):
    default_status = 401


class PaymentRequiredError(ApiError):
    default_status = 402


class ForbiddenError(ApiError):
    default_status = 403


class NotFoundError(ApiError):
    default_status = 404


class ConflictError(ApiError):
    """409: an export already runs; `task_id` names it when the server says which one."""

    default_status = 409

    def __init__(self, message: str, *, status: int | None = None, body: Any = None,
                 task_id: str | None = None) -> None:
        super().__init__(message, status=status, body=body)
        self.task_id = task_id


class ValidationError(ApiError):
    """422: `details` holds the server's `{loc, msg, type}` items (empty when it sent none)."""

    default_status = 422

    def __init__(self, message: str, *, status: int | None = None, body: Any = None,
                 details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message, status=status, body=body)
        self.details = details or []


class RateLimitedError(ApiError):
    """429: `retry_after` is the server's advice in seconds, None when it gave none."""

    default_status = 429

    def __init__(self, message: str, *, status: int | None = None, body: Any = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message, status=status, body=body)
        self.retry_after = retry_after


class ServerError(ApiError):
    """Any 5xx; `status` carries the exact code (500, 503, ...)."""


class NetworkError(ApiError):
    """No usable response: connect/read failure, timeout, or a body cut short.

    `connect_failed` is True only when the request certainly never reached the server, which is
    what makes retrying a non-idempotent call safe.
    """

    def __init__(self, message: str, *, connect_failed: bool = False, body: Any = None) -> None:
        super().__init__(message, status=None, body=body)
        self.connect_failed = connect_failed


class UnexpectedResponseError(ApiError):
    """A 2xx whose body is not the JSON shape the contract promises."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    402: PaymentRequiredError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitedError,
}


def error_from_response(response: httpx.Response, *, secrets: tuple[str, ...] = ()) -> ApiError:
    """Build the matching ApiError for a non-2xx response (the body must already be read).

    Any string in `secrets` (the API key) is blanked out of the message and body, in case a server
    echoes it back.
    """
    status = response.status_code
    body = _parse_body(response)
    message = _message_from_body(body) or _fallback_message(response)
    message = _redact(message, secrets)
    body = _redact_body(body, secrets)

    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    if cls is ConflictError:
        return ConflictError(message, status=status, body=body, task_id=_conflict_task_id(body))
    if cls is ValidationError:
        return ValidationError(message, status=status, body=body, details=_validation_details(body))
    if cls is RateLimitedError:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        return RateLimitedError(message, status=status, body=body, retry_after=retry_after)
    return cls(message, status=status, body=body)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date; anything unreadable means 'no advice'."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _parse_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return response.text if response.content else None


def _message_from_body(body: Any) -> str:
    if isinstance(body, str):
        return _short_text(body)
    if not isinstance(body, dict):
        return ""
    message = body.get("message")
    if isinstance(message, str) and message.strip():
        return message.strip()
    detail = body.get("detail")
    if isinstance(detail, str) and detail.strip():
        return detail.strip()
    if isinstance(detail, list) and detail:
        return _validation_message(detail)
    if isinstance(detail, dict):
        return _message_from_body(detail) or _short_text(json.dumps(detail, separators=(",", ":")))
    error = body.get("error")
    if isinstance(error, str) and error.strip():
        return error.strip()
    return ""


def _validation_message(items: list[Any]) -> str:
    parts = []
    for item in items:
        if not isinstance(item, dict):
            parts.append(str(item))
            continue
        loc = item.get("loc")
        path = ".".join(str(p) for p in loc) if isinstance(loc, (list, tuple)) else str(loc or "")
        msg = str(item.get("msg") or item.get("message") or "invalid")
        parts.append(f"{path}: {msg}" if path else msg)
    return "; ".join(parts)


def _validation_details(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict) and isinstance(body.get("detail"), list):
        return [item for item in body["detail"] if isinstance(item, dict)]
    return []


def _conflict_task_id(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    for holder in (body, body.get("detail")):
        if isinstance(holder, dict) and holder.get("task_id"):
            return str(holder["task_id"])
    return None


def _short_text(text: str) -> str:
    collapsed = re.sub(r"\s+", " ", text).strip()
    if len(collapsed) > MAX_TEXT_MESSAGE:
        return collapsed[: MAX_TEXT_MESSAGE - 1] + "…"
    return collapsed


def _fallback_message(response: httpx.Response) -> str:
    phrase = response.reason_phrase or ""
    return f"HTTP {response.status_code} {phrase}".strip()


def _redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


def _redact_body(body: Any, secrets: tuple[str, ...]) -> Any:
    if not any(secrets) or body is None:
        return body
    if isinstance(body, str):
        return _redact(body, secrets)
    if isinstance(body, dict):
        return {_redact(str(k), secrets): _redact_body(v, secrets) for k, v in body.items()}
    if isinstance(body, list):
        return [_redact_body(v, secrets) for v in body]
    return body
