"""Mongo-style `simple_filters` for `/search/query` (contract section 3), evaluated over the data set.

Why compile first: the filter document is turned once into a predicate `index -> bool` built from
the data set's fast field getters, then run over every row; a malformed document fails before any
row is scanned, with a FilterError whose message names the offending operator or field.

Supported:
- Field conditions: a bare value (equality) or an operator object with `$eq $ne $gt $gte $lt $lte
  $in $nin $exists $match $phrase $not`. Field names are row fields, dotted for nested ones
  (`last_funding_round.type`, `currentCompanies.company.name`).
- Logic: `$and`, `$or`, `$nor` (lists of filter objects) and a top-level `$not` (one filter object).
- Top level only: `$sort: {field: 1 | -1, ...}` (missing values always last) and `$limit: n`
  (0 means no limit, as in MongoDB).
Semantics: `$match` is a case-insensitive regular-expression search (a plain word is a substring
match); `$phrase` a case-insensitive literal substring; `$exists: false` holds for null values;
comparisons between different types (or with null) are false; `true` never equals `1`.
Anything else starting with `$` raises FilterError("unsupported operator: $op").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sixtyfour_tui.sandbox.dataset import Dataset

Predicate = Callable[[int], bool]
Getter = Callable[[int], Any]

LOGIC_OPERATORS = ("$and", "$or", "$nor", "$not")
FIELD_OPERATORS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$match",
                   "$phrase", "$not")
TOP_LEVEL_ONLY = ("$sort", "$limit")


class FilterError(ValueError):
    """A simple_filters document the sandbox cannot run (answered with HTTP 400)."""


def run_simple_filters(ds: Dataset, simple_filters: dict[str, Any], mode: str) -> list[int]:
    """Indices of the rows of `mode` matching the filter document, sorted and limited if asked."""
    if not isinstance(simple_filters, dict):
        raise FilterError("simple_filters must be a JSON object")
    document = dict(simple_filters)
    sort_spec = document.pop("$sort", None)
    limit = document.pop("$limit", None)
    predicate = _compile_document(ds, mode, document)
    total = ds.count(mode)
    matches = list(range(total)) if predicate is None else [i for i in range(total) if predicate(i)]
    if sort_spec is not None:
        matches = _sorted(ds, mode, matches, sort_spec)
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise FilterError("$limit must be a non-negative integer")
        if limit:
            matches = matches[:limit]
    return matches


def _compile_document(ds: Dataset, mode: str, document: Any) -> Predicate | None:
    """A predicate for one filter object (None when it matches everything)."""
    if not isinstance(document, dict):
        raise FilterError("a filter must be a JSON object")
    clauses: list[Predicate] = []
    for key, value in document.items():
        if key.startswith("$"):
            clauses.append(_compile_logic(ds, mode, key, value))
        else:
            clauses.append(_compile_field(ds, mode, key, value))
    if not clauses:
        return None
    if len(clauses) == 1:
        return clauses[0]
    return lambda i: all(clause(i) for clause in clauses)


def _compile_logic(ds: Dataset, mode: str, operator: str, value: Any) -> Predicate:
    if operator in TOP_LEVEL_ONLY:
        raise FilterError(f"{operator} is only allowed at the top level of simple_filters")
    if operator not in LOGIC_OPERATORS:
        raise FilterError(f"unsupported operator: {operator}")
    if operator == "$not":
        inner = _compile_document(ds, mode, value)
        return (lambda i: False) if inner is None else (lambda i: not inner(i))
    if not isinstance(value, list) or not value:
        raise FilterError(f"{operator} needs a non-empty list of filter objects")
    parts = [_compile_document(ds, mode, item) or (lambda i: True) for item in value]
    if operator == "$and":
        return lambda i: all(part(i) for part in parts)
    if operator == "$or":
        return lambda i: any(part(i) for part in parts)
    return lambda i: not any(part(i) for part in parts)


def _getter(ds: Dataset, mode: str, name: str) -> Getter:
    try:
        return ds.field_getter(mode, name)
    except KeyError:
        known = ", ".join(ds.field_names(mode))
        raise FilterError(f"unknown field: {name} (known fields: {known})") from None


def _compile_field(ds: Dataset, mode: str, name: str, condition: Any) -> Predicate:
    if isinstance(condition, dict) and any(str(k).startswith("$") for k in condition):
        if not all(str(k).startswith("$") for k in condition):
            raise FilterError(f"field {name!r} mixes operators with plain keys")
        tests = [_compile_operator(name, op, argument) for op, argument in condition.items()]
        get = _getter(ds, mode, name)
        return lambda i: _all_hold(tests, get(i))
    get = _getter(ds, mode, name)
    return lambda i: _equal(get(i), condition)


def _all_hold(tests: list[Callable[[Any], bool]], value: Any) -> bool:
    return all(test(value) for test in tests)


def _compile_operator(name: str, operator: str, argument: Any) -> Callable[[Any], bool]:
    """A test on one field value for one operator."""
    if operator == "$eq":
        return lambda v: _equal(v, argument)
    if operator == "$ne":
        return lambda v: not _equal(v, argument)
    if operator in ("$gt", "$gte", "$lt", "$lte"):
        if argument is None or isinstance(argument, (dict, list)):
            raise FilterError(f"{operator} on {name!r} needs a number or a string")
        return lambda v: _compare(v, operator, argument)
    if operator in ("$in", "$nin"):
        if not isinstance(argument, list):
            raise FilterError(f"{operator} on {name!r} needs a list")
        def inside(v: Any) -> bool:
            return any(_equal(v, option) for option in argument)

        return inside if operator == "$in" else (lambda v: not inside(v))
    if operator == "$exists":
        if not isinstance(argument, bool):
            raise FilterError(f"$exists on {name!r} needs true or false")
        return lambda v: (v is not None) == argument
    if operator == "$match":
        pattern = _regex(name, argument)
        return lambda v: v is not None and pattern.search(str(v)) is not None
    if operator == "$phrase":
        if not isinstance(argument, str):
            raise FilterError(f"$phrase on {name!r} needs a string")
        needle = argument.casefold()
        return lambda v: v is not None and needle in str(v).casefold()
    if operator == "$not":
        if isinstance(argument, str):
            pattern = _regex(name, argument)
            return lambda v: v is None or pattern.search(str(v)) is None
        if isinstance(argument, dict) and argument and all(str(k).startswith("$") for k in argument):
            tests = [_compile_operator(name, op, arg) for op, arg in argument.items()]
            return lambda v: not _all_hold(tests, v)
        raise FilterError(f"$not on {name!r} needs an operator object or a pattern")
    raise FilterError(f"unsupported operator: {operator}")


def _regex(name: str, pattern: Any) -> re.Pattern[str]:
    if not isinstance(pattern, str):
        raise FilterError(f"$match on {name!r} needs a string pattern")
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        raise FilterError(f"$match on {name!r}: invalid pattern ({error})") from None


def _equal(value: Any, target: Any) -> bool:
    if isinstance(value, bool) != isinstance(target, bool):
        return False
    return value == target


def _compare(value: Any, operator: str, target: Any) -> bool:
    numbers = (int, float)
    same_kind = (
        isinstance(value, numbers) and isinstance(target, numbers)
        and not isinstance(value, bool) and not isinstance(target, bool)
    ) or (isinstance(value, str) and isinstance(target, str))
    if not same_kind:
        return False
    if operator == "$gt":
        return value > target
    if operator == "$gte":
        return value >= target
    if operator == "$lt":
        return value < target
    return value <= target


def _sorted(ds: Dataset, mode: str, matches: list[int], sort_spec: Any) -> list[int]:
    """Stable multi-key sort; rows lacking a value go last whatever the direction."""
    if not isinstance(sort_spec, dict) or not sort_spec:
        raise FilterError("$sort needs an object like {\"field\": -1}")
    ordered = list(matches)
    for name, direction in reversed(list(sort_spec.items())):
        if direction not in (1, -1) or isinstance(direction, bool):
            raise FilterError(f"$sort direction for {name!r} must be 1 or -1")
        get = _getter(ds, mode, name)
        values = {i: get(i) for i in ordered}
        present = [i for i in ordered if values[i] is not None]
        missing = [i for i in ordered if values[i] is None]
        try:
            present.sort(key=values.__getitem__, reverse=direction == -1)
        except TypeError:
            raise FilterError(f"cannot sort by {name!r}: its values are not comparable") from None
        ordered = present + missing
    return ordered
