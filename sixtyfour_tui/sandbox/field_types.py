"""What kind of values each data-set field holds, worked out from the data itself.

Why derive instead of listing: the data set (and its field names) belongs to another module and
may change; sampling a thousand rows spread over the set tells `filter-capabilities`, top values
and `$search` what they need without a second list of fields to keep in step.

Rules: the first non-null samples decide the value type (`boolean`, `integer`, `number`, `date` for
ISO dates, `string`, `object`, `array`). Strings are `text` (full-text, no top values) when they
average four words or more and most sampled values differ; otherwise `keyword`. A string field is
searchable by `$search` unless its values look like URLs or e-mail addresses. A dotted field whose
first part is a list in the row (`currentCompanies.company.name`) has that part as `nested_path`. A
field holding lists of plain values is judged by its items (a condition holds when any item passes).
"""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass
from typing import Any

SAMPLE_ROWS = 1000
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
FIELD_TYPES = {"boolean": "boolean", "integer": "long", "number": "double", "date": "date", "object": "object",
               "array": "nested"}


@dataclass(frozen=True)
class FieldType:
    name: str
    value_type: str  # boolean | integer | number | date | string | object | array
    field_type: str  # keyword | text | long | double | boolean | date | object | nested
    nested_path: str | None
    searchable: bool  # part of the text `$search` looks at

    @property
    def supports_top_values(self) -> bool:
        return self.field_type not in ("text", "object", "nested")

    @property
    def sortable(self) -> bool:
        return self.field_type not in ("text", "object", "nested")

    @property
    def rangeable(self) -> bool:
        return self.field_type in ("long", "double", "date")


_CACHE: weakref.WeakKeyDictionary[Any, dict[str, list[FieldType]]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def field_types(ds: Any, mode: str) -> list[FieldType]:
    """Every field of `mode` in the data set's own order (computed once per data set and mode)."""
    with _LOCK:
        per_mode = _CACHE.setdefault(ds, {})
        if mode not in per_mode:
            per_mode[mode] = _describe(ds, mode)
        return per_mode[mode]


def field_type(ds: Any, mode: str, name: str) -> FieldType | None:
    return next((f for f in field_types(ds, mode) if f.name == name), None)


def nested_paths(ds: Any, mode: str) -> list[str]:
    return sorted({f.nested_path for f in field_types(ds, mode) if f.nested_path})


def _describe(ds: Any, mode: str) -> list[FieldType]:
    total = ds.count(mode)
    step = max(1, total // SAMPLE_ROWS)
    indices = range(0, total, step)
    first_row = ds.row(mode, 0)
    described = []
    for name in ds.field_names(mode):
        getter = ds.field_getter(mode, name)
        values = [getter(i) for i in indices]
        head = name.split(".", 1)[0]
        nested = head if "." in name and isinstance(first_row.get(head), list) else None
        described.append(_classify(name, values, nested))
    return described


def _classify(name: str, values: list[Any], nested_path: str | None) -> FieldType:
    present = [v for v in values if v is not None and v != []]
    if present and all(isinstance(v, list) and not any(isinstance(x, (dict, list)) for x in v) for v in present):
        present = [x for v in present for x in v if x is not None]  # a list of plain values: judge its items
    value_type = _value_type(present)
    field_type = FIELD_TYPES.get(value_type, "keyword")
    searchable = False
    if value_type == "string":
        strings = [str(v) for v in present]
        words = sum(len(s.split()) for s in strings) / max(1, len(strings))
        distinct = len(set(strings)) / max(1, len(strings))
        field_type = "text" if words >= 4 and distinct > 0.5 else "keyword"
        searchable = not any("://" in s or "@" in s for s in strings[:50])
    return FieldType(name, value_type, field_type, nested_path, searchable)


def _value_type(present: list[Any]) -> str:
    if not present:
        return "string"
    sample = present[0]
    if isinstance(sample, bool):
        return "boolean"
    if isinstance(sample, int):
        return "number" if any(isinstance(v, float) for v in present) else "integer"
    if isinstance(sample, float):
        return "number"
    if isinstance(sample, dict):
        return "object"
    if isinstance(sample, list):
        return "array"
    if all(isinstance(v, str) and ISO_DATE.match(v) for v in present):
        return "date"
    return "string"
