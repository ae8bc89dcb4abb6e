"""The one sanitizer: every string that came from a server goes through here before it reaches a
terminal, whichever way it travels (a table cell, a toast, the CLI's stdout or stderr, JSON lines).

- `clean_text` strips escape sequences (CSI, OSC, DCS…, 8-bit CSI) and every control character a
  terminal could act on: C0, DEL, C1, and the bidi overrides that can make text display reversed.
- `json_line` is JSON whose string contents are escaped the JSON way (\\uXXXX) where they hold such
  characters, so the line still parses back to exactly the data.
- `shorten` cuts text to a width with an ellipsis (huge values must not take over a screen).
"""

from __future__ import annotations

import json
import re
from typing import Any

_ESCAPE_SEQUENCE = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                 # CSI: colours, cursor moves, erase
    | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)     # OSC: titles, hyperlinks, clipboard (BEL or ST end)
    | \x1b[PX^_][^\x1b]*\x1b\\              # DCS / SOS / PM / APC strings
    | \x1b[ -/]*[0-~]                       # any other two-byte (or nF) escape
    | \x9b[0-?]*[ -/]*[@-~]                 # 8-bit CSI
    """,
    re.VERBOSE,
)
BIDI_CONTROLS = "\u200e\u200f\u202a-\u202e\u2066-\u2069"
UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
"""Any character `clean_text` would remove or replace: text without one is already safe."""
_WHITESPACE_CONTROLS = re.compile(r"[\t\n\r\v\f]")
_CONTROLS_BUT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
_UNSAFE_IN_JSON = re.compile(f"[\x7f-\x9f{BIDI_CONTROLS}]")
ELLIPSIS = "…"


def clean_text(value: object, *, keep_newlines: bool = False) -> str:
    """Text safe to hand to a terminal; None becomes "". Markup like "[bold]" is left literal.

    Tabs and line breaks become spaces (table cells are one line) unless `keep_newlines`.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if not UNSAFE.search(text):
        return text
    text = _ESCAPE_SEQUENCE.sub("", text)
    if keep_newlines:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
        return _CONTROLS_BUT_NEWLINE.sub("", text)
    text = _WHITESPACE_CONTROLS.sub(" ", text)
    return UNSAFE.sub("", text)


def escape_json_text(text: str) -> str:
    """JSON text (already dumped) with DEL, C1 and bidi controls written as \\uXXXX escapes."""
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def json_line(value: Any) -> str:
    """One line of JSON, safe for a terminal, that parses back to `value` exactly."""
    return escape_json_text(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str))


def json_pretty(value: Any) -> str:
    return escape_json_text(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def shorten(text: str, width: int) -> str:
    """At most `width` characters, the last one an ellipsis when cut."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: width - 1] + ELLIPSIS


def redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text
