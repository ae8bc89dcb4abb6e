"""Filter searches as people build them: conditions ⇄ `simple_filters`, the `--where` grammar, the
published limits, and the field catalogue (`filter-capabilities`, kept for its TTL, plus top values).

One representation, shared by the TUI's filter builder and the headless `filter` / `fields`
commands, so a condition reads, builds and checks the same way on either side.

A `Condition` is one field and one operator:

    is        {"seniority": "VP"}                    where  seniority=VP
    is not    {"seniority": {"$ne": "VP"}}                  seniority!=VP
    any of    {"seniority": {"$in": ["VP", "CXO"]}}         seniority=VP|CXO
    none of   {"seniority": {"$nin": ["VP", "CXO"]}}        seniority!=VP|CXO
    range     {"employees_count": {"$gte": 100, "$lte": 500}}   employees_count>=100, employees_count<=500
    contains  {"title": {"$match": "*engineer*"}}           title~engineer  (a pattern with `*` is kept)
    exists    {"email": {"$exists": true}}                  email?
    missing   {"email": {"$exists": false}}                 email!?

Several conditions are combined with `$and` (one condition stands alone). Values are typed by the
field's `value_type` from the capabilities: `employees_count>=100` sends the number 100,
`is_public=false` the boolean.
"""

from __future__ import annotations

import json
import re
import shlex
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sixtyfour_tui.sanitize import clean_text, escape_json_text

if TYPE_CHECKING:
    from sixtyfour_tui.api.models import FieldValues, FilterCapabilities, FilterField, FilterLimits

Scalar = str | int | float | bool
DEFAULT_CACHE_TTL = 60.0
"""Seconds capabilities are kept when the server does not say (`cache_ttl_seconds`)."""


class FilterSyntaxError(ValueError):
    """A condition that cannot be built, or a document the builder cannot show; the message is for people."""


class Op(StrEnum):
    IS = "is"
    IS_NOT = "is not"
    ANY_OF = "any of"
    NONE_OF = "none of"
    RANGE = "range"
    CONTAINS = "contains"
    EXISTS = "exists"
    MISSING = "missing"


SINGLE_VALUE = frozenset({Op.IS, Op.IS_NOT, Op.CONTAINS})
SEVERAL_VALUES = frozenset({Op.ANY_OF, Op.NONE_OF})
NO_VALUE = frozenset({Op.EXISTS, Op.MISSING})


@dataclass(frozen=True)
class Condition:
    """One field and one operator. `values` for is / is not / any of / none of / contains (its
    pattern); `low` and `high` (inclusive, either may be open) for a range."""

    field: str
    op: Op
    values: tuple[Scalar, ...] = ()
    low: int | float | str | None = None
    high: int | float | str | None = None

    def __post_init__(self) -> None:
        if not self.field or self.field.startswith("$"):
            raise FilterSyntaxError(f"not a field name: {self.field!r}")
        count = len(self.values)
        if self.op in SINGLE_VALUE and count != 1:
            raise FilterSyntaxError(f"{self.field} {self.op} needs one value")
        if self.op in SEVERAL_VALUES and count == 0:
            raise FilterSyntaxError(f"{self.field} {self.op} needs at least one value")
        if self.op in NO_VALUE and count:
            raise FilterSyntaxError(f"{self.field} {self.op} takes no value")
        if self.op == Op.RANGE and (count or (self.low is None and self.high is None)):
            raise FilterSyntaxError(f"{self.field} range needs a lower or an upper bound")
        if self.op != Op.RANGE and (self.low is not None or self.high is not None):
            raise FilterSyntaxError(f"only a range has bounds ({self.field} {self.op})")

    def clause(self) -> dict[str, Any]:
        """This condition as a `simple_filters` document of its own."""
        op, values = self.op, list(self.values)
        if op == Op.IS:
            return {self.field: values[0]}
        if op == Op.RANGE:
            bounds = {"$gte": self.low, "$lte": self.high}
            return {self.field: {key: bound for key, bound in bounds.items() if bound is not None}}
        operator = {Op.IS_NOT: "$ne", Op.ANY_OF: "$in", Op.NONE_OF: "$nin", Op.CONTAINS: "$match",
                    Op.EXISTS: "$exists", Op.MISSING: "$exists"}[op]
        argument: Any = {Op.ANY_OF: values, Op.NONE_OF: values, Op.EXISTS: True, Op.MISSING: False}.get(op)
        return {self.field: {operator: values[0] if argument is None else argument}}

    def label(self) -> str:
        """How it reads: 'seniority is VP', 'employees_count 100 to 500', 'title contains *cto*'
        (sanitized: field names and values came from a server)."""
        field = clean_text(self.field)
        shown = [shown_value(value) for value in self.values]
        if self.op == Op.RANGE:
            if self.low is not None and self.high is not None:
                return f"{field} {shown_value(self.low)} to {shown_value(self.high)}"
            if self.low is not None:
                return f"{field} ≥ {shown_value(self.low)}"
            return f"{field} ≤ {shown_value(self.high)}"
        if self.op in NO_VALUE:
            return f"{field} {self.op}"
        return f"{field} {self.op} {' | '.join(shown)}"

    def where_args(self) -> list[str] | None:
        """The `--where` spelling (a range with both bounds takes two); None when the grammar
        cannot say it (a value holding `|`, or starting with an operator sign)."""
        text = [_where_value(value) for value in self.values]
        if any(part is None for part in text) or clean_text(self.field) != self.field:
            return None
        joined = "|".join(part for part in text if part is not None)
        if self.op == Op.IS:
            return [f"{self.field}={joined}"]
        if self.op == Op.IS_NOT:
            return [f"{self.field}!={joined}"]
        if self.op in SEVERAL_VALUES:
            if len(self.values) == 1:
                return None  # `f=a` would read back as "is"; only the JSON keeps a one-value $in
            return [f"{self.field}{'=' if self.op == Op.ANY_OF else '!='}{joined}"]
        if self.op == Op.CONTAINS:
            return [f"{self.field}~{joined}"]
        if self.op == Op.EXISTS:
            return [f"{self.field}?"]
        if self.op == Op.MISSING:
            return [f"{self.field}!?"]
        bounds = []
        if self.low is not None:
            bounds.append(f"{self.field}>={_where_value(self.low)}")
        if self.high is not None:
            bounds.append(f"{self.field}<={_where_value(self.high)}")
        return bounds


def shown_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return clean_text(value)


def _where_value(value: object) -> str | None:
    text = shown_value(value)
    return None if "|" in text or text[:1] in "=<>!~?" else text


def contains(field: str, text: str) -> Condition:
    """A text match: `*` wildcards kept as written; without any, the text may appear anywhere."""
    pattern = text.strip()
    if not pattern.strip("*"):
        raise FilterSyntaxError(f"{field} contains needs some text")
    return Condition(field, Op.CONTAINS, (pattern if "*" in pattern else f"*{pattern}*",))


# -- conditions ⇄ simple_filters ------------------------------------------------------------------


def simple_filters_of(conditions: Sequence[Condition]) -> dict[str, Any]:
    """The document to send: one condition alone, several under `$and`."""
    if not conditions:
        raise FilterSyntaxError("no conditions: add at least one")
    clauses = [condition.clause() for condition in conditions]
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def conditions_of(document: Any) -> list[Condition]:
    """The conditions a document holds, for the builder to show and edit; FilterSyntaxError for what
    it cannot show (`$or`, `$sort`, nested logic…), which still runs as JSON."""
    if not isinstance(document, dict) or not document:
        raise FilterSyntaxError("simple_filters must be a non-empty JSON object")
    found: list[Condition] = []
    for key, value in document.items():
        if key == "$and" and isinstance(value, list) and value:
            for part in value:
                found.extend(conditions_of(part))
        elif str(key).startswith("$"):
            raise FilterSyntaxError(f"the builder cannot show {key}; run it as JSON (--json FILE)")
        else:
            found.extend(_field_conditions(str(key), value))
    return found


def _field_conditions(field: str, value: Any) -> list[Condition]:
    if _is_scalar(value):
        return [Condition(field, Op.IS, (value,))]
    if not isinstance(value, dict) or not value or not all(str(k).startswith("$") for k in value):
        raise FilterSyntaxError(f"the builder cannot show the condition on {field}")
    operators = dict(value)
    found: list[Condition] = []
    low, high = operators.pop("$gte", None), operators.pop("$lte", None)
    if low is not None or high is not None:
        if not all(bound is None or _is_scalar(bound) and not isinstance(bound, bool) for bound in (low, high)):
            raise FilterSyntaxError(f"a range on {field} needs numbers, dates or text")
        found.append(Condition(field, Op.RANGE, low=low, high=high))
    for operator, argument in operators.items():
        found.append(_operator_condition(field, operator, argument))
    return found


def _operator_condition(field: str, operator: str, argument: Any) -> Condition:
    if operator in ("$eq", "$ne", "$match") and _is_scalar(argument):
        op = {"$eq": Op.IS, "$ne": Op.IS_NOT, "$match": Op.CONTAINS}[operator]
        return Condition(field, op, (argument,))
    if operator in ("$in", "$nin") and isinstance(argument, list) and argument and all(map(_is_scalar, argument)):
        return Condition(field, Op.ANY_OF if operator == "$in" else Op.NONE_OF, tuple(argument))
    if operator == "$exists" and isinstance(argument, bool):
        return Condition(field, Op.EXISTS if argument else Op.MISSING)
    raise FilterSyntaxError(f"the builder cannot show {operator} on {field}; run it as JSON (--json FILE)")


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def join_ranges(conditions: Iterable[Condition]) -> list[Condition]:
    """`a>=1` and `a<=9` given apart become one range `a 1 to 9` (where it does not overwrite a bound)."""
    joined: list[Condition] = []
    for condition in conditions:
        earlier = next((i for i, c in enumerate(joined) if c.field == condition.field and c.op == Op.RANGE), None)
        if condition.op == Op.RANGE and earlier is not None:
            before = joined[earlier]
            if (before.low is None or condition.low is None) and (before.high is None or condition.high is None):
                joined[earlier] = Condition(condition.field, Op.RANGE, low=_first(before.low, condition.low),
                                            high=_first(before.high, condition.high))
                continue
        joined.append(condition)
    return joined


def _first(*values: Any) -> Any:
    return next((value for value in values if value is not None), None)


def describe(conditions: Sequence[Condition]) -> str:
    """A name for the search (the job's query text): 'seniority is VP · employees_count ≥ 100'."""
    return " · ".join(condition.label() for condition in conditions)


def document_text(document: Any) -> str:
    """The document as the user reads it: one condition a line under `$and` (sanitized JSON)."""
    def compact(value: Any) -> str:
        return escape_json_text(json.dumps(value, ensure_ascii=False, default=str))

    if isinstance(document, dict) and list(document) == ["$and"] and isinstance(document["$and"], list):
        lines = ",\n".join(f"  {compact(part)}" for part in document["$and"])
        return f'{{"$and": [\n{lines}\n]}}'
    return compact(document)


def cli_command(conditions: Sequence[Condition], mode: str, max_results: int | None = None) -> str | None:
    """The same search as a headless command line, or None when `--where` cannot say it."""
    args = ["sixtyfour-tui", "filter", "--mode", mode]
    for condition in conditions:
        spelled = condition.where_args()
        if spelled is None:
            return None
        for where in spelled:
            args += ["--where", where]
    if max_results is not None:
        args += ["--max-results", str(max_results)]
    return shlex.join(args)


# -- the --where grammar ----------------------------------------------------------------------------

WHERE = re.compile(r"^\s*(?P<field>[A-Za-z_][\w.]*)\s*(?P<op>!=|>=|<=|~|=|!\?|\?)(?P<value>.*)$", re.DOTALL)
WHERE_HELP = ("FIELD=VALUE (is), FIELD!=VALUE (is not), FIELD=A|B|C (any of), FIELD!=A|B (none of), "
              "FIELD>=N, FIELD<=N (range), FIELD~TEXT (contains; * wildcards), FIELD? (exists), FIELD!? (missing)")


def parse_where(text: str, value_type: str | None = None) -> Condition:
    """One `--where` expression as a condition; values typed by `value_type` (the field's, from
    the capabilities), else read as they look (a number, true/false, or text)."""
    match = WHERE.match(text)
    if match is None:
        raise FilterSyntaxError(f"cannot read --where {text!r}: expected {WHERE_HELP}")
    field, op, raw = match["field"], match["op"], match["value"].strip()
    if op in ("?", "!?"):
        if raw:
            raise FilterSyntaxError(f"--where {text!r}: {field}{op} takes no value")
        return Condition(field, Op.EXISTS if op == "?" else Op.MISSING)
    if not raw:
        raise FilterSyntaxError(f"--where {text!r}: no value after {op}")
    if op == "~":
        return contains(field, raw)
    if op in (">=", "<="):
        bound = typed_value(raw, value_type, field, numeric=True)
        return Condition(field, Op.RANGE, low=bound if op == ">=" else None, high=bound if op == "<=" else None)
    parts = [part.strip() for part in raw.split("|")]
    if any(not part for part in parts):
        raise FilterSyntaxError(f"--where {text!r}: an empty value between |")
    values = tuple(typed_value(part, value_type, field) for part in parts)
    if len(values) == 1:
        return Condition(field, Op.IS if op == "=" else Op.IS_NOT, values)
    return Condition(field, Op.ANY_OF if op == "=" else Op.NONE_OF, values)


def typed_value(text: str, value_type: str | None, field: str = "value", *, numeric: bool = False) -> Any:
    """Text as the field's type: integer, number, boolean, else the text itself (dates stay text)."""
    text = text.strip()
    kind = value_type or _looks_like(text)
    if kind == "integer":
        try:
            return int(text.replace(",", "").replace("_", ""))
        except ValueError:
            raise FilterSyntaxError(f"{field} holds whole numbers, not {text!r}") from None
    if kind == "number":
        try:
            number = float(text.replace(",", "").replace("_", ""))
        except ValueError:
            raise FilterSyntaxError(f"{field} holds numbers, not {text!r}") from None
        return int(number) if number.is_integer() else number
    if kind == "boolean":
        lowered = text.lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
        raise FilterSyntaxError(f"{field} is true or false, not {text!r}")
    if numeric and kind not in ("string", "date"):
        raise FilterSyntaxError(f"{field} has no order to compare {text!r} with")
    return text


def _looks_like(text: str) -> str:
    if re.fullmatch(r"-?\d+", text):
        return "integer"
    if re.fullmatch(r"-?\d+\.\d+", text):
        return "number"
    if text.lower() in ("true", "false"):
        return "boolean"
    return "string"


# -- limits -----------------------------------------------------------------------------------------


def limit_problems(document: Any, limits: FilterLimits) -> list[str]:
    """What in the document goes beyond the published limits, named as the server names them
    (the server has the last word; this says it before a request is spent)."""
    problems: list[str] = []
    clauses = 0
    deepest = 0

    def walk(node: Any, depth: int) -> None:
        nonlocal clauses, deepest
        deepest = max(deepest, depth)
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if key in ("$and", "$or", "$nor") and isinstance(value, list):
                for part in value:
                    walk(part, depth + 1)
            elif key in ("$sort", "$limit"):
                continue
            elif isinstance(value, dict) and value and all(str(k).startswith("$") for k in value):
                for operator, argument in value.items():
                    clauses += 1
                    if isinstance(argument, list):
                        check_terms(str(key), str(operator), argument)
                    check_string(str(key), argument)
            else:
                clauses += 1
                check_string(str(key), value)

    def check_terms(field: str, operator: str, values: list[Any]) -> None:
        if limits.max_terms_per_clause is not None and len(values) > limits.max_terms_per_clause:
            problems.append(f"max_terms_per_clause: {field} {operator} has {len(values):,} values "
                            f"(limit {limits.max_terms_per_clause:,})")
        for value in values:
            check_string(field, value)

    def check_string(field: str, value: Any) -> None:
        if isinstance(value, str) and limits.max_string_length is not None and len(value) > limits.max_string_length:
            problems.append(f"max_string_length: a value of {field} has {len(value):,} characters "
                            f"(limit {limits.max_string_length:,})")

    walk(document, 1)
    if limits.max_clause_count is not None and clauses > limits.max_clause_count:
        problems.insert(0, f"max_clause_count: {clauses:,} conditions (limit {limits.max_clause_count:,})")
    if limits.max_query_depth is not None and deepest > limits.max_query_depth:
        problems.insert(0, f"max_query_depth: nested {deepest} deep (limit {limits.max_query_depth})")
    sort = document.get("$sort") if isinstance(document, dict) else None
    if isinstance(sort, dict) and limits.max_sort_clauses is not None and len(sort) > limits.max_sort_clauses:
        problems.append(f"max_sort_clauses: {len(sort)} sort keys (limit {limits.max_sort_clauses})")
    return problems


# -- the field catalogue ------------------------------------------------------------------------------


class FieldCatalog:
    """`filter-capabilities` per mode, kept for the server's `cache_ttl_seconds`, and top values
    (which depend on the filters chosen so far, so they are asked for each time).

    `client` is a `SixtyfourClient` (or anything with its `filter_capabilities` / `field_values`)."""

    def __init__(self, client: Any, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.clock = clock
        self._capabilities: dict[str, tuple[float, FilterCapabilities]] = {}

    async def capabilities(self, mode: str) -> FilterCapabilities:
        kept = self._capabilities.get(mode)
        if kept is not None and self.clock() < kept[0]:
            return kept[1]
        answer: FilterCapabilities = await self.client.filter_capabilities(mode)
        ttl = answer.cache_ttl_seconds if answer.cache_ttl_seconds is not None else DEFAULT_CACHE_TTL
        self._capabilities[mode] = (self.clock() + max(0.0, float(ttl)), answer)
        return answer

    async def field(self, mode: str, name: str) -> FilterField | None:
        return next((f for f in (await self.capabilities(mode)).fields if f.field == name), None)

    async def values(self, field: str, mode: str, *, top_k: int = 25,
                     simple_filters: dict[str, Any] | None = None) -> FieldValues:
        answer: FieldValues = await self.client.field_values(field, mode=mode, top_k=top_k,
                                                             simple_filters=simple_filters or None)
        return answer

    async def conditions(self, wheres: Iterable[str], mode: str) -> list[Condition]:
        """`--where` texts as conditions on known fields, typed by the capabilities."""
        capabilities = await self.capabilities(mode)
        fields = {f.field: f for f in capabilities.fields}
        found = []
        for text in wheres:
            match = WHERE.match(text)
            name = match["field"] if match else None
            if name is not None and name not in fields:
                hint = near_names(name, fields)
                raise FilterSyntaxError(f"--where {text!r}: {mode} mode has no field {name!r}{hint}")
            found.append(parse_where(text, fields[name].value_type if name else None))
        return join_ranges(found)


def near_names(name: str, fields: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(fields), n=3, cutoff=0.5)
    return f" (did you mean {', '.join(close)}?)" if close else " (`sixtyfour-tui fields` lists them)"


def operators_for(field: FilterField) -> list[Op]:
    """The operators that make sense for a field's type, commonest first."""
    if field.field_type == "text":  # full text: no exact values to pick
        return [Op.CONTAINS, Op.EXISTS, Op.MISSING]
    if field.value_type == "boolean":
        return [Op.IS, Op.EXISTS, Op.MISSING]
    if field.value_type in ("object", "array"):
        return [Op.EXISTS, Op.MISSING]
    ops = [Op.IS, Op.IS_NOT, Op.ANY_OF, Op.NONE_OF]
    if field.rangeable:
        ops.append(Op.RANGE)
    if field.value_type in ("string", None):
        ops.append(Op.CONTAINS)
    return ops + [Op.EXISTS, Op.MISSING]


def field_summary(field: FilterField) -> dict[str, Any]:
    """A field as the `fields` command prints it."""
    return {"field": field.field, "field_type": field.field_type, "value_type": field.value_type,
            "sortable": field.sortable, "rangeable": field.rangeable, "top_values": field.supports_top_values,
            "nested_path": field.nested_path}
