"""One exception class per API failure, so callers can react to the kind of failure, not to text.

`error_from_response` reads every error body shape the API is known to send (contract, cross-cutting).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .redact import Redactor

if TYPE_CHECKING:  # keep httpx out of import time for modules that only need the classes
    import httpx

MAX_TEXT_MESSAGE = 200
MAX_RETRY_AFTER = 15 * 60.0
"""The longest wait a server's Retry-After gets: past this it is a fault, not advice."""


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
    """429: `retry_after` is how long to wait in seconds, None when the server gave no advice.

    It is the server's Retry-After capped at MAX_RETRY_AFTER, so no caller can be told to wait for
    ever; `requested_retry_after` keeps what the server asked for, to say when it was cut short.
    """

    default_status = 429

    def __init__(self, message: str, *, status: int | None = None, body: Any = None,
                 retry_after: float | None = None, requested_retry_after: float | None = None) -> None:
        super().__init__(message, status=status, body=body)
        self.requested_retry_after = requested_retry_after if requested_retry_after is not None else retry_after
        self.retry_after = None if retry_after is None else min(retry_after, MAX_RETRY_AFTER)

    @property
    def wait_note(self) -> str | None:
        """When the server's Retry-After was cut to the cap, a phrase saying so; else None."""
        requested = self.requested_retry_after
        if requested is None or self.retry_after is None or requested <= self.retry_after:
            return None
        return f"the server asked to wait {format_duration(requested)}; waits are capped at " \
               f"{format_duration(self.retry_after)}"


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


class DeadlineExceededError(NetworkError):
    """A request, body included, took longer than the client's per-request deadline (a body that
    trickles in slowly enough never trips a per-read timeout)."""


class TruncatedDownloadError(NetworkError):
    """A downloaded body with fewer bytes than its Content-Length: a dropped connection in
    disguise, retried like one."""


class DownloadStalledError(NetworkError):
    """A download that kept its connection open but stopped making progress."""


class UnexpectedResponseError(ApiError):
    """A 2xx whose body is not the JSON shape the contract promises."""


class IncompleteDownloadError(ApiError):
    """The storage host ended a download cleanly, but the body cannot be the whole CSV (cut
    mid-record, say). Not a network fault: the file is bad. The downloader retries it, and when
    retries run out the export fails, leaving the destination as it was."""


class RedirectError(ApiError):
    """A 3xx from an API route. Never followed: the request carries the API key. `location` is the
    target the server named (already redacted), None when it named none."""

    def __init__(self, message: str, *, status: int | None = None, location: str | None = None) -> None:
        super().__init__(message, status=status)
        self.location = location


class ResponseTooLargeError(ApiError):
    """A response body past the client's cap; `limit` is the cap in bytes."""

    def __init__(self, message: str, *, status: int | None = None, limit: int = 0) -> None:
        super().__init__(message, status=status)
        self.limit = limit


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
    redactors = [Redactor(secret) for secret in secrets if secret]
    return error_from_parts(
        response.status_code, response.reason_phrase, response.headers, response.content, *redactors
    )


def error_from_parts(
    status: int, reason: str, headers: Mapping[str, str], content: bytes, *redactors: Redactor
) -> ApiError:
    """The ApiError for a non-2xx answer, from its parts (the client reads bodies itself, capped).

    The body is redacted before anything is taken from it, so a message cut short for length can
    never keep the first half of a secret.
    """
    body = _parse_body(content)
    for redactor in redactors:
        body = redactor.tree(body)
    message = _message_from_body(body) or f"HTTP {status} {reason}".strip()

    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    if cls is ConflictError:
        return ConflictError(message, status=status, body=body, task_id=_conflict_task_id(body))
    if cls is ValidationError:
        return ValidationError(message, status=status, body=body, details=_validation_details(body))
    if cls is RateLimitedError:
        retry_after = parse_retry_after(headers.get("retry-after"))
        return RateLimitedError(message, status=status, body=body, retry_after=retry_after)
    return cls(message, status=status, body=body)


def format_duration(seconds: float) -> str:
    """'0.5 s', '42 s', '15 min', '3 h', '31,710 years': short, for messages."""
    if seconds < 10:
        return f"{seconds:.3g} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} h"
    if seconds < 2 * 365 * 86400:
        return f"{seconds / 86400:.0f} days"
    return f"{seconds / (365 * 86400):,.0f} years"


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date; anything unreadable means 'no advice'."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime  # rare (a date, not seconds): kept off the way to ready

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _parse_body(content: bytes) -> Any:
    if not content:
        return None
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return content.decode("utf-8", errors="replace")


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


