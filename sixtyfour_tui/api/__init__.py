"""Async client for the Sixtyfour search API. No Textual imports live in this package.

Errors, models, retry and row helpers import eagerly (they are cheap); the HTTP client and the
downloader pull in httpx, so they load on first use to keep the app's first frame fast.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import TYPE_CHECKING, Any

from .errors import (
    ApiError,
    BadRequestError,
    ConflictError,
    DeadlineExceededError,
    DownloadStalledError,
    ForbiddenError,
    IncompleteDownloadError,
    NetworkError,
    NotFoundError,
    PaymentRequiredError,
    RateLimitedError,
    RedirectError,
    ResponseTooLargeError,
    ServerError,
    TruncatedDownloadError,
    UnauthorizedError,
    UnexpectedResponseError,
    ValidationError,
    error_from_response,
)
from .models import DownloadLink, DownloadResult, IterationInfo, QueryPage, StartedTask, TaskStatus
from .retry import RetryNotice, RetryPolicy
from .rows import flatten_row, sanitize_text

if TYPE_CHECKING:
    from .client import SixtyfourClient

# httpx imports its optional command-line tool whenever click is installed (uvicorn brings it), and
# that tool loads click, pygments and rich.syntax: ~20 ms on the way to "ready" for a program that
# never runs it. A None entry makes that one import fail, which httpx answers with a stub `main`.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
# httpcore tries `import sniffio` on every request; when it is not installed each try searches
# sys.path again (a few stat calls per poll, all day). Recording its absence once makes them fail at once.
if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]

_LAZY = {"SixtyfourClient": ".client"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ApiError",
    "BadRequestError",
    "ConflictError",
    "DeadlineExceededError",
    "DownloadLink",
    "DownloadResult",
    "DownloadStalledError",
    "ForbiddenError",
    "IncompleteDownloadError",
    "IterationInfo",
    "NetworkError",
    "NotFoundError",
    "PaymentRequiredError",
    "QueryPage",
    "RateLimitedError",
    "RedirectError",
    "ResponseTooLargeError",
    "RetryNotice",
    "RetryPolicy",
    "ServerError",
    "SixtyfourClient",
    "StartedTask",
    "TaskStatus",
    "TruncatedDownloadError",
    "UnauthorizedError",
    "UnexpectedResponseError",
    "ValidationError",
    "error_from_response",
    "flatten_row",
    "sanitize_text",
]
