"""The rules a value must follow, written once and used by the settings file, the settings form,
the composer, the export dialog and the headless flags alike.

Each rule is a msgspec-annotated type (so a Struct field declared with it is checked on decode)
plus a `parse_*` function for text typed by a person, returning the value or raising RuleError
with a sentence that says what to type instead.
"""

from __future__ import annotations

import math
from typing import Annotated
from urllib.parse import urlsplit

from msgspec import Meta

MAX_RESULTS_LIMIT = 10_000
EXPORT_ROWS_LIMIT = 5_000
POLL_FLOOR_SANDBOX = 0.05
POLL_FLOOR_API = 1.0
"""The API asks for a poll every 10–15 s; nothing below 1 s is sent to it whatever the settings say."""
POLL_CEILING = 3600.0

MaxResults = Annotated[int, Meta(ge=1, le=MAX_RESULTS_LIMIT)]
ExportRows = Annotated[int, Meta(ge=1, le=EXPORT_ROWS_LIMIT)]
PollInterval = Annotated[float, Meta(ge=POLL_FLOOR_SANDBOX, le=POLL_CEILING)]


class RuleError(ValueError):
    """A value broke a rule; the message is meant for the person who typed it."""


def _whole_number(text: str, what: str) -> int:
    cleaned = text.strip().replace(",", "").replace("_", "")
    if not cleaned:
        raise RuleError(f"{what} is empty")
    if not cleaned.lstrip("+").isdigit():
        raise RuleError(f"{what} must be a whole number, not {text.strip()!r}")
    return int(cleaned)


def parse_max_results(text: str) -> int:
    try:
        value = _whole_number(text, "Max results")
    except RuleError as problem:
        raise RuleError(f"{problem}: enter a number from 1 to {MAX_RESULTS_LIMIT:,}.") from None
    if not 1 <= value <= MAX_RESULTS_LIMIT:
        raise RuleError(f"Max results must be between 1 and {MAX_RESULTS_LIMIT:,} (got {value:,}).")
    return value


def parse_export_rows(text: str) -> int | None:
    """Blank means every row."""
    if not text.strip():
        return None
    try:
        value = _whole_number(text, "Max rows")
    except RuleError:
        value = 0
    if not 1 <= value <= EXPORT_ROWS_LIMIT:
        raise RuleError(f"Max rows must be a whole number from 1 to {EXPORT_ROWS_LIMIT:,}, or blank for all rows.")
    return value


def parse_poll_interval(text: str) -> float | None:
    """Blank means the default for the backend."""
    if not text.strip():
        return None
    try:
        seconds = float(text.strip())
    except ValueError:
        seconds = math.nan
    check_poll_interval(seconds)
    return seconds


def check_poll_interval(seconds: float) -> float:
    if not math.isfinite(seconds) or not POLL_FLOOR_SANDBOX <= seconds <= POLL_CEILING:
        raise RuleError(f"The poll interval must be a number of seconds from {POLL_FLOOR_SANDBOX:g} to "
                        f"{POLL_CEILING:g} (the API itself is never polled more than once a second); "
                        "leave it empty for the default.")
    return seconds


def check_query(text: str) -> str:
    query = " ".join(text.split())
    if not query:
        raise RuleError("Write a query first: who are you looking for?")
    return query


def check_base_url(value: str) -> str:
    """An absolute http(s) URL with a host and, if given, a port from 1 to 65535; no trailing slash."""
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise RuleError(f"must be an http:// or https:// URL, got {value!r}")
    if not parts.hostname:
        raise RuleError(f"has no host name: {value!r}")
    try:
        port = parts.port
    except ValueError:
        raise RuleError(f"has a port that is not a number from 1 to 65535: {value!r}") from None
    if port is not None and not 1 <= port <= 65535:
        raise RuleError(f"has a port outside 1..65535: {value!r}")
    if port == 0:
        raise RuleError(f"has port 0: {value!r}")
    if any(ch.isspace() for ch in text):
        raise RuleError(f"contains spaces: {value!r}")
    return text.rstrip("/")


def check_api_key(value: str) -> str:
    key = value.strip()
    if any(ch.isspace() for ch in key):
        raise RuleError("An API key has no spaces in it.")
    return key
