"""Turn nested result rows into flat, terminal-safe table cells.

Rows come from a remote service, so every string is untrusted: `sanitize_text` (the project's one
sanitizer, `sixtyfour_tui.sanitize`) strips anything a terminal could interpret before display.
"""

from __future__ import annotations

import json
from typing import Any

from sixtyfour_tui.sanitize import clean_text

# Labels tried, in order, to summarise a dict inside a list (e.g. a company entry).
LABEL_KEYS = ("name", "company_name", "fullName", "full_name", "title", "label")

def sanitize_text(value: object, *, keep_newlines: bool = False) -> str:
    """Text safe to hand to a terminal (see `sixtyfour_tui.sanitize.clean_text`, the one rule)."""
    return clean_text(value, keep_newlines=keep_newlines)


def flatten_row(row: dict[str, Any]) -> dict[str, object]:
    """Nested dicts become dotted columns; lists become one compact, readable value."""
    flat: dict[str, object] = {}
    _flatten_into(flat, "", row)
    return flat


def _flatten_into(flat: dict[str, object], prefix: str, value: dict[str, Any]) -> None:
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict) and item:
            _flatten_into(flat, name + ".", item)
        elif isinstance(item, dict):
            flat[name] = None
        elif isinstance(item, (list, tuple)):
            flat[name] = compact_list(item)
        else:
            flat[name] = item


def compact_list(items: list[Any] | tuple[Any, ...]) -> str:
    """Scalars join with ", "; dicts show their best label; anything else falls back to JSON.

    One pass per list: it runs for every list cell of every row loaded (100,000 rows at a time).
    """
    if not items:
        return ""
    if isinstance(items[0], dict):
        labels = []
        for item in items:
            label = _label_of(item) if isinstance(item, dict) else None
            if label is None:
                break
            labels.append(label)
        else:
            return ", ".join(labels)
    elif all(_is_scalar(item) for item in items):
        return ", ".join("" if item is None else str(item) for item in items)
    return json.dumps(items, separators=(",", ":"), ensure_ascii=False, default=str)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _label_of(item: dict[str, Any]) -> str | None:
    """A name-like field of the dict, else of a dict one level down (`company.name`), else its id."""
    nested = [value for value in item.values() if isinstance(value, dict)]
    for candidate in (item, *nested):
        label = _first_label(candidate, LABEL_KEYS)
        if label is not None:
            return label
    return _first_label(item, ("id",))


def _first_label(item: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = item.get(key)
        if value is not None and value != "" and isinstance(value, (str, int, float, bool)):
            return str(value)
    return None
