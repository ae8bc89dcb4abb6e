"""Field discovery for filter search (contract section 8): capabilities and top values.

Everything is derived from the data set's fields (`field_types`), so the catalogue follows the data.
`related_fields` are the fields sharing a prefix (the part before the first `.`, or before the first
`_` of a top-level name): `hq_city` ↔ `hq_state`, `last_funding_round.type` ↔ `.amount_raised`.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import weakref
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sixtyfour_tui.sandbox.field_types import FieldType, field_type, field_types, nested_paths
from sixtyfour_tui.sandbox.simple_filters import LIMITS, OPERATORS

CACHE_TTL_SECONDS = 3600
INDEX_NAMES = {"people": "sandbox-people", "company": "sandbox-companies"}

_BODIES: weakref.WeakKeyDictionary[Any, dict[str, dict[str, Any]]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


class UnknownField(LookupError):
    """The field is not in the data set, or holds values that have no top values (answered 400)."""


def capabilities(ds: Any, mode: str) -> dict[str, Any]:
    """The `filter-capabilities` body; built once per data set and mode, so its hash and time are stable."""
    with _LOCK:
        per_mode = _BODIES.setdefault(ds, {})
        if mode not in per_mode:
            per_mode[mode] = _build_capabilities(ds, mode)
        return per_mode[mode]


def _build_capabilities(ds: Any, mode: str) -> dict[str, Any]:
    described = field_types(ds, mode)
    groups = Counter(_prefix(f.name) for f in described)
    fields = [_field_entry(f, described, groups) for f in sorted(described, key=lambda f: f.name)]
    mapping_hash = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]
    return {
        "index_name": INDEX_NAMES[mode],
        "mode": mode,
        "fields": fields,
        "nested_paths": nested_paths(ds, mode),
        "limits": LIMITS.as_dict(),
        "simple_query_operators": list(OPERATORS),
        "cache_ttl_seconds": CACHE_TTL_SECONDS,
        "generated_at_epoch_ms": int(time.time() * 1000),
        "mapping_hash": mapping_hash,
    }


def _field_entry(f: FieldType, described: list[FieldType], groups: Counter[str]) -> dict[str, Any]:
    prefix = _prefix(f.name)
    related = sorted(o.name for o in described if o.name != f.name and groups[prefix] > 1 and _prefix(o.name) == prefix)
    exact = f.supports_top_values
    return {
        "field": f.name,
        "field_type": f.field_type,
        "value_type": f.value_type,
        "queryable": True,
        "sortable": f.sortable,
        "rangeable": f.rangeable,
        "supports_top_values": f.supports_top_values,
        "supports_exact_filter_snippet": exact,
        "nested_path": f.nested_path,
        "sort_field": f.name if f.sortable else None,
        "aggregation_field": f.name if f.supports_top_values else None,
        "related_fields": related,
        "preferred_for_exact_match": exact and f.field_type == "keyword",
    }


def _prefix(name: str) -> str:
    head = name.split(".", 1)[0]
    return head if "." in name else head.split("_", 1)[0]


def field_values(ds: Any, mode: str, name: str, top_k: int, scope: Iterable[int] | None) -> dict[str, Any]:
    """The `filter-field-values` body: the commonest values among `scope` (every row when None)."""
    described = field_type(ds, mode, name)
    if described is None:
        raise UnknownField(f"unknown field: {name} (known fields: {', '.join(ds.field_names(mode))})")
    if not described.supports_top_values:
        raise UnknownField(f"field {name} holds {described.field_type} values, which have no top values")
    get = ds.field_getter(mode, name)
    rows = range(ds.count(mode)) if scope is None else scope
    counts: Counter[Any] = Counter()
    total = 0
    for i in rows:
        total += 1
        value = get(i)
        if isinstance(value, list):
            items = [item for item in value if item is not None]
            counts.update(set(items) if items else [None])
        else:
            counts[value] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0] is None, str(item[0])))[:top_k]
    return {
        "field": name,
        "canonical_field": name,
        "value_type": described.value_type,
        "supports_top_values": True,
        "supports_exact_filter_snippet": True,
        "total_scoped_documents": total,
        "mode": mode,
        "values": [
            {
                "value": value,
                "count": count,
                "percent_of_scope": round(100 * count / total, 2) if total else 0.0,
                "filter_snippet": {name: {"$exists": False}} if value is None else {name: value},
            }
            for value, count in ranked
        ],
    }
