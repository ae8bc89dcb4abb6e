"""Mongo-style `simple_filters` (contract sections 3 and 8), evaluated over the data set.

Why compile first: the filter document is turned once into a predicate `index -> bool` built from
the data set's fast field getters, then run over every row; a malformed document, or one beyond
`LIMITS`, fails before any row is scanned, with a FilterError whose message names the offending
operator, field or limit.

Supported (`OPERATORS`):
- Field conditions: a bare value (equality) or an operator object with `$eq $ne $gt $gte $lt $lte
  $in $nin $exists $match $phrase $search $not`, and `$elemMatch` on a list field such as
  `currentCompanies`. Field names are row fields, dotted for nested ones (`last_funding_round.type`,
  `currentCompanies.company.name`).
- Logic: `$and`, `$or`, `$nor` (lists of filter objects) and `$not` (one filter object).
- Full text: a top-level `{"$search": "words"}` over the row's text fields.
- Top level only: `$sort: {field: 1 | -1, ...}` (missing values always last) and `$limit: n`
  (0 means no limit, as in MongoDB).

Semantics, all case- and accent-insensitive for text:
- `$match` is a wildcard pattern, not a regular expression: `*` stands for any run of characters
  and the pattern must then cover the whole value (`*engineer*` contains, `vp*` starts with); a
  pattern without `*` matches anywhere in the value. Every other character is literal.
- `$phrase` matches the words of the phrase in order, on word boundaries ("vp of" matches
  "VP of Sales", not "VP offers").
- `$search` needs every word of the query to start a word of the text (`engineer` finds
  "Engineering"); on a field it looks only at that field.
- `$elemMatch` applies its conditions (sub-fields relative to the element: `company.name`,
  `positions.title`) to one and the same element of the list.
- On a list value (or a path through a list) a condition holds when any item passes; `$ne`, `$nin`
  and `$not` hold when no item passes the positive test.
- `$exists: false` holds for null (and empty lists); comparisons between different types (or with
  null) are false; `true` never equals `1`.
Anything else starting with `$` raises FilterError("unsupported operator: $op").
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sixtyfour_tui.sandbox.field_types import field_types

Predicate = Callable[[Any], bool]  # on a row index, or on a list element inside $elemMatch
Test = Callable[[Any], bool]  # on one field value
Accessor = Callable[[str], Callable[[Any], Any]]

OPERATORS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$match", "$phrase",
             "$and", "$or", "$not", "$nor", "$elemMatch", "$search", "$sort", "$limit")
LOGIC_OPERATORS = ("$and", "$or", "$nor", "$not")
TOP_LEVEL_ONLY = ("$sort", "$limit")
COMPARISONS = ("$gt", "$gte", "$lt", "$lte")


@dataclass(frozen=True)
class FilterLimits:
    """How big a filter document may be; `filter-capabilities` publishes these numbers."""

    max_query_depth: int = 8  # nesting of filter objects ($and/$or/$nor/$not/$elemMatch)
    max_clause_count: int = 100  # field conditions and $search clauses in the whole document
    max_terms_per_clause: int = 1000  # items of one $in / $nin, words of one $search
    max_sort_clauses: int = 3
    max_string_length: int = 1000  # any string value or pattern

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


LIMITS = FilterLimits()


class FilterError(ValueError):
    """A simple_filters document the sandbox cannot run (answered with HTTP 400)."""


def run_simple_filters(ds: Any, simple_filters: dict[str, Any], mode: str,
                       limits: FilterLimits = LIMITS) -> list[int]:
    """Indices of the rows of `mode` matching the filter document, sorted and limited if asked."""
    if not isinstance(simple_filters, dict):
        raise FilterError("simple_filters must be a JSON object")
    document = dict(simple_filters)
    sort_spec = document.pop("$sort", None)
    limit = document.pop("$limit", None)
    compiler = _Compiler(ds, mode, limits)
    predicate = compiler.document(document, 1, compiler.row_accessor, rows=True)
    if sort_spec is not None:
        compiler.check_sort(sort_spec)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise FilterError("$limit must be a non-negative integer")
    total = ds.count(mode)
    matches = list(range(total)) if predicate is None else [i for i in range(total) if predicate(i)]
    if sort_spec is not None:
        matches = _sorted(compiler, matches, sort_spec)
    if limit:
        matches = matches[:limit]
    return matches


class _Compiler:
    def __init__(self, ds: Any, mode: str, limits: FilterLimits) -> None:
        self.ds = ds
        self.mode = mode
        self.limits = limits
        self.clauses = 0
        self.fields = {f.name: f for f in field_types(ds, mode)}
        self.nested = {f.nested_path for f in self.fields.values() if f.nested_path}

    # -- structure ------------------------------------------------------------------------------
    def document(self, document: Any, depth: int, accessor: Accessor, *, rows: bool) -> Predicate | None:
        """A predicate for one filter object (None when it matches everything)."""
        if not isinstance(document, dict):
            raise FilterError("a filter must be a JSON object")
        if depth > self.limits.max_query_depth:
            raise FilterError(f"simple_filters exceeds max_query_depth (limit {self.limits.max_query_depth})")
        cheap: list[Predicate] = []
        costly: list[Predicate] = []  # $search and $elemMatch run after the cheap clauses ruled rows out
        for key, value in document.items():
            key = str(key)
            if key == "$search":
                if not rows:
                    raise FilterError("$search is allowed on a field or at the top level, not inside $elemMatch")
                costly.append(self.full_text(value))
            elif key.startswith("$"):
                cheap.append(self.logic(key, value, depth, accessor, rows=rows))
            elif rows and key in self.nested and _uses_elem_match(value):
                costly.append(self.elem_match(key, value, depth))
            elif rows and key in self.nested:
                cheap.append(self.field(key, value, depth, self.list_accessor))
            else:
                cheap.append(self.field(key, value, depth, accessor))
        return _all_of(cheap + costly)

    def logic(self, operator: str, value: Any, depth: int, accessor: Accessor, *, rows: bool) -> Predicate:
        if operator in TOP_LEVEL_ONLY:
            raise FilterError(f"{operator} is only allowed at the top level of simple_filters")
        if operator not in LOGIC_OPERATORS:
            raise FilterError(f"unsupported operator: {operator}")
        if operator == "$not":
            inner = self.document(value, depth + 1, accessor, rows=rows)
            return (lambda s: False) if inner is None else (lambda s: not inner(s))
        if not isinstance(value, list) or not value:
            raise FilterError(f"{operator} needs a non-empty list of filter objects")
        parts = [self.document(item, depth + 1, accessor, rows=rows) or (lambda s: True) for item in value]
        if operator == "$and":
            return lambda s: all(part(s) for part in parts)
        if operator == "$or":
            return lambda s: any(part(s) for part in parts)
        return lambda s: not any(part(s) for part in parts)

    def field(self, name: str, condition: Any, depth: int, accessor: Accessor) -> Predicate:
        test = self.condition(name, condition, depth)
        get = accessor(name)
        return lambda s: test(get(s))

    def condition(self, name: str, condition: Any, depth: int) -> Test:
        """A test on one field value: a bare value means equality, else every operator must hold."""
        if isinstance(condition, dict) and any(str(k).startswith("$") for k in condition):
            if not all(str(k).startswith("$") for k in condition):
                raise FilterError(f"field {name!r} mixes operators with plain keys")
            tests = [self.operator(name, str(op), argument, depth) for op, argument in condition.items()]
            return lambda v: all(test(v) for test in tests)
        self.count_clause()
        self.check_value(name, condition)
        return lambda v: _any_item(v, lambda x: _equal(x, condition))

    # -- operators ------------------------------------------------------------------------------
    def operator(self, name: str, operator: str, argument: Any, depth: int) -> Test:
        if operator == "$not":
            if isinstance(argument, str):
                matches = self.operator(name, "$match", argument, depth)
                return lambda v: not matches(v)
            if isinstance(argument, dict) and argument and all(str(k).startswith("$") for k in argument):
                inner = self.condition(name, argument, depth + 1)
                return lambda v: not inner(v)
            raise FilterError(f"$not on {name!r} needs an operator object or a pattern")
        if operator == "$elemMatch":
            paths = ", ".join(sorted(self.nested)) or "none"
            raise FilterError(f"$elemMatch needs a list field (list fields here: {paths}), not {name!r}")
        self.count_clause()
        if operator == "$eq":
            self.check_value(name, argument)
            return lambda v: _any_item(v, lambda x: _equal(x, argument))
        if operator == "$ne":
            self.check_value(name, argument)
            return lambda v: not _any_item(v, lambda x: _equal(x, argument))
        if operator in COMPARISONS:
            if argument is None or isinstance(argument, (dict, list, bool)):
                raise FilterError(f"{operator} on {name!r} needs a number or a string")
            self.check_value(name, argument)
            return lambda v: _any_item(v, lambda x: _compare(x, operator, argument))
        if operator in ("$in", "$nin"):
            if not isinstance(argument, list):
                raise FilterError(f"{operator} on {name!r} needs a list")
            self.check_terms(operator, len(argument))
            for option in argument:
                self.check_value(name, option)

            def inside(v: Any) -> bool:
                return _any_item(v, lambda x: any(_equal(x, option) for option in argument))

            return inside if operator == "$in" else (lambda v: not inside(v))
        if operator == "$exists":
            if not isinstance(argument, bool):
                raise FilterError(f"$exists on {name!r} needs true or false")
            return lambda v: _present(v) == argument
        if operator == "$match":
            pattern = self.pattern(name, argument)
            return lambda v: _any_item(v, lambda x: isinstance(x, str) and pattern(fold(x)))
        if operator == "$phrase":
            phrase = self.words(name, "$phrase", argument)
            needle = f" {' '.join(phrase)} "
            return lambda v: _any_item(v, lambda x: isinstance(x, str) and needle in _token_text(x))
        if operator == "$search":
            words = [f" {w}" for w in self.words(name, "$search", argument)]
            return lambda v: _any_item(v, lambda x: isinstance(x, str) and _has_words(_token_text(x), words))
        raise FilterError(f"unsupported operator: {operator}")

    def pattern(self, name: str, argument: Any) -> Callable[[str], bool]:
        if not isinstance(argument, str):
            raise FilterError(f"$match on {name!r} needs a string pattern")
        self.check_string(argument)
        folded = fold(argument)
        if "*" not in folded:
            return lambda text: folded in text
        expression = re.compile(".*".join(re.escape(part) for part in folded.split("*")), re.DOTALL)
        return lambda text: expression.fullmatch(text) is not None

    def words(self, name: str, operator: str, argument: Any) -> list[str]:
        if not isinstance(argument, str):
            raise FilterError(f"{operator} on {name!r} needs a string")
        self.check_string(argument)
        words = _tokens(argument)
        if not words:
            raise FilterError(f"{operator} on {name!r} needs at least one word")
        self.check_terms(operator, len(words))
        return words

    def full_text(self, argument: Any) -> Predicate:
        """Top-level `$search`: every word must start a word somewhere in the row's text fields."""
        self.count_clause()
        words = [f" {w}" for w in self.words("$search", "$search", argument)]
        texts = search_texts(self.ds, self.mode)
        return lambda i: _has_words(texts[i], words)

    def elem_match(self, path: str, condition: dict[str, Any], depth: int) -> Predicate:
        """`{path: {"$elemMatch": {...}}}`: the inner conditions must hold for one element."""
        if set(condition) != {"$elemMatch"}:
            raise FilterError(f"$elemMatch on {path!r} cannot be combined with other operators")
        inner_document = condition["$elemMatch"]
        if not isinstance(inner_document, dict) or not inner_document:
            raise FilterError(f"$elemMatch on {path!r} needs a non-empty filter object")
        inner = self.document(inner_document, depth + 1, self.element_accessor(path), rows=False)
        elements = self.list_getter(path)
        if inner is None:
            return lambda i: bool(elements(i))
        return lambda i: any(inner(element) for element in elements(i) or ())

    def check_sort(self, sort_spec: Any) -> None:
        if not isinstance(sort_spec, dict) or not sort_spec:
            raise FilterError("$sort needs an object like {\"field\": -1}")
        if len(sort_spec) > self.limits.max_sort_clauses:
            raise FilterError(
                f"$sort exceeds max_sort_clauses: {len(sort_spec)} keys (limit {self.limits.max_sort_clauses})"
            )
        for name, direction in sort_spec.items():
            if direction not in (1, -1) or isinstance(direction, bool):
                raise FilterError(f"$sort direction for {name!r} must be 1 or -1")
            self.row_accessor(name)

    # -- fields ---------------------------------------------------------------------------------
    def row_accessor(self, name: str) -> Callable[[Any], Any]:
        try:
            getter: Callable[[Any], Any] = self.ds.field_getter(self.mode, name)
            return getter
        except KeyError:
            known = ", ".join(self.ds.field_names(self.mode))
            raise FilterError(f"unknown field: {name} (known fields: {known})") from None

    def list_accessor(self, path: str) -> Callable[[Any], Any]:
        return self.list_getter(path)

    def list_getter(self, path: str) -> Callable[[int], Any]:
        try:
            getter: Callable[[int], Any] = self.ds.field_getter(self.mode, path)
            return getter
        except KeyError:
            row = self.ds.row
            mode = self.mode
            return lambda i: row(mode, i).get(path)

    def element_accessor(self, path: str) -> Accessor:
        prefix = f"{path}."
        known: set[str] = set()
        for name in self.fields:
            if name.startswith(prefix):
                parts = name[len(prefix):].split(".")
                known.update(".".join(parts[: n + 1]) for n in range(len(parts)))

        def accessor(name: str) -> Callable[[Any], Any]:
            relative = name[len(prefix):] if name.startswith(prefix) else name
            if relative not in known:
                raise FilterError(
                    f"unknown field in $elemMatch on {path}: {name} (known: {', '.join(sorted(known))})"
                )
            parts = relative.split(".")
            return lambda element: _walk(element, parts)

        return accessor

    # -- limits ---------------------------------------------------------------------------------
    def count_clause(self) -> None:
        self.clauses += 1
        if self.clauses > self.limits.max_clause_count:
            raise FilterError(f"simple_filters exceeds max_clause_count (limit {self.limits.max_clause_count})")

    def check_terms(self, operator: str, count: int) -> None:
        if count > self.limits.max_terms_per_clause:
            raise FilterError(
                f"{operator} exceeds max_terms_per_clause: {count} terms (limit {self.limits.max_terms_per_clause})"
            )

    def check_string(self, text: str) -> None:
        if len(text) > self.limits.max_string_length:
            raise FilterError(
                f"a string of {len(text)} characters exceeds max_string_length (limit {self.limits.max_string_length})"
            )

    def check_value(self, name: str, value: Any) -> None:
        if isinstance(value, str):
            self.check_string(value)


# -- values -----------------------------------------------------------------------------------
def _uses_elem_match(condition: Any) -> bool:
    return isinstance(condition, dict) and "$elemMatch" in condition


def _all_of(clauses: list[Predicate]) -> Predicate | None:
    if not clauses:
        return None
    if len(clauses) == 1:
        return clauses[0]
    return lambda s: all(clause(s) for clause in clauses)


def _walk(element: Any, parts: list[str]) -> Any:
    """The value at a dotted path inside one element; a path through lists gives every item."""
    values = [element]
    for part in parts:
        found: list[Any] = []
        for value in values:
            if isinstance(value, dict):
                item = value.get(part)
                if isinstance(item, list):
                    found.extend(item)
                else:
                    found.append(item)
        values = found
    return values[0] if len(values) == 1 else values


def _any_item(value: Any, test: Test) -> bool:
    if test(value):
        return True
    return isinstance(value, list) and any(test(item) for item in value)


def _present(value: Any) -> bool:
    return value is not None and value != []


def _equal(value: Any, target: Any) -> bool:
    if isinstance(value, bool) != isinstance(target, bool):
        return False
    return bool(value == target)


def _compare(value: Any, operator: str, target: Any) -> bool:
    numbers = (int, float)
    same_kind = (
        isinstance(value, numbers) and isinstance(target, numbers)
        and not isinstance(value, bool) and not isinstance(target, bool)
    ) or (isinstance(value, str) and isinstance(target, str))
    if not same_kind:
        return False
    if operator == "$gt":
        return bool(value > target)
    if operator == "$gte":
        return bool(value >= target)
    if operator == "$lt":
        return bool(value < target)
    return bool(value <= target)


def _sorted(compiler: _Compiler, matches: list[int], sort_spec: dict[str, int]) -> list[int]:
    """Stable multi-key sort; rows lacking a value go last whatever the direction."""
    ordered = list(matches)
    for name, direction in reversed(list(sort_spec.items())):
        get = compiler.row_accessor(name)
        values = {i: get(i) for i in ordered}
        present = [i for i in ordered if _present(values[i])]
        missing = [i for i in ordered if not _present(values[i])]
        try:
            present.sort(key=values.__getitem__, reverse=direction == -1)
        except TypeError:
            raise FilterError(f"cannot sort by {name!r}: its values are not comparable") from None
        ordered = present + missing
    return ordered


# -- text ---------------------------------------------------------------------------------------
WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case ASCII spelling, so matching ignores case and accents."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def _tokens(text: str) -> list[str]:
    return WORD.findall(fold(text))


@functools.lru_cache(maxsize=65_536)
def _token_text(text: str) -> str:
    """The words of a text between single spaces, with a space at each end, for word-bounded tests."""
    return f" {' '.join(_tokens(text))} "


def _has_words(text: str, words: list[str]) -> bool:
    return all(word in text for word in words)


_SEARCH_TEXTS: weakref.WeakKeyDictionary[Any, dict[str, list[str]]] = weakref.WeakKeyDictionary()
_SEARCH_LOCK = threading.Lock()


def search_texts(ds: Any, mode: str) -> list[str]:
    """Each row's searchable text fields as one word-bounded string (built once per data set and mode)."""
    with _SEARCH_LOCK:
        per_mode = _SEARCH_TEXTS.setdefault(ds, {})
        if mode not in per_mode:
            getters = [ds.field_getter(mode, f.name) for f in field_types(ds, mode) if f.searchable]
            texts = []
            for i in range(ds.count(mode)):
                parts: list[str] = []
                for get in getters:
                    value = get(i)
                    for item in value if isinstance(value, list) else (value,):
                        if isinstance(item, str):
                            parts.append(item)
                texts.append(_token_text(" ".join(parts)))
            per_mode[mode] = texts
        return per_mode[mode]
