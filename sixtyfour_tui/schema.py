"""The one schema layer: msgspec Structs describe API answers, job records, settings and what the
workspace stores. This module holds the two ways they are read.

- `tolerant(cls, data, what)` reads a server's JSON the way the contract asks: unknown fields are
  ignored, a field whose value cannot be read falls back to its default (a required one fails,
  naming it), numbers that arrive as text or floats are accepted, and list items that cannot be
  read are skipped. The fast path is one `msgspec.convert`; only an irregular answer pays for the
  field-by-field salvage.
- `strict(cls, data, what)` reads our own data (settings files, form input): every rule is
  enforced and the error names the field (`SchemaError.field`), so a caller can point at it.

Structs declared with `dict=True` carry the untouched answer as `.raw` (see `keep_raw`), outside
the fields: equality and hashing ignore it.
"""

from __future__ import annotations

import math
import re
import types
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin

import msgspec

S = TypeVar("S", bound=msgspec.Struct)

_MISSING = object()
_PATH = re.compile(r" - at `\$((?:\.[A-Za-z_][\w]*|\[\d+\])*)`$")


class SchemaError(ValueError):
    """Data that does not fit its schema; `field` is the dotted path of the culprit, if known."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@cache
def fields_of(cls: type[msgspec.Struct]) -> tuple[msgspec.structs.FieldInfo, ...]:
    """A Struct's fields, worked out once per class: msgspec resolves the (string) annotations on
    every call, and a status answer is read every second per running search."""
    return msgspec.structs.fields(cls)


def tolerant(cls: type[S], data: Any, what: str) -> S:
    """Read an API answer leniently; raises SchemaError only for a non-object or a missing
    required field."""
    if not isinstance(data, dict):
        raise SchemaError(f"{what}: expected a JSON object, got {type(data).__name__}")
    try:
        value = msgspec.convert(data, cls, strict=False)
    except msgspec.ValidationError:
        value = _salvage_struct(cls, data, what)
    return keep_raw(value, data)


def keep_raw(value: S, data: dict[str, Any]) -> S:
    """Remember the answer as it came (for the detail view and future fields), nested ones too."""
    if not hasattr(value, "__dict__") or "raw" in value.__dict__:
        return value
    value.__dict__["raw"] = data
    for field in fields_of(type(value)):
        inner, given = getattr(value, field.name), data.get(field.encode_name)
        if isinstance(inner, msgspec.Struct) and isinstance(given, dict):
            keep_raw(inner, given)
        elif isinstance(inner, (list, tuple)) and isinstance(given, list) and len(inner) == len(given):
            for item, item_data in zip(inner, given):
                if isinstance(item, msgspec.Struct) and isinstance(item_data, dict):
                    keep_raw(item, item_data)
    return value


def raw_of(value: msgspec.Struct) -> dict[str, Any]:
    """The answer a tolerant Struct was read from ({} when built by hand)."""
    raw = getattr(value, "__dict__", {}).get("raw")
    return raw if isinstance(raw, dict) else {}


def strict(cls: type[S], data: Any, what: str) -> S:
    """Read our own data with every rule enforced; the message names the field and the rule."""
    try:
        return msgspec.convert(data, cls, strict=False)
    except msgspec.ValidationError as error:
        text = str(error)
        match = _PATH.search(text)
        field = match.group(1).lstrip(".") if match and match.group(1) else None
        reason = text[: match.start()] if match else text
        where = f"{field}: " if field else ""
        raise SchemaError(f"{what}: {where}{friendly(reason)}", field) from None


def friendly(reason: str) -> str:
    """msgspec says "Expected `int`, got `str`"; people read "expected a whole number, got text"."""
    names = {"int": "a whole number", "float": "a number", "str": "text", "bool": "true or false",
             "array": "a list", "object": "a table", "null": "nothing"}

    def name(match: re.Match[str]) -> str:
        parts = [names.get(part.strip(), part.strip()) for part in match.group(1).split("|")]
        return " or ".join(parts)

    return re.sub(r"`([^`]+)`", name, reason).replace("Expected", "expected").replace("Object missing",
                                                                                      "missing")


def _salvage_struct(cls: type[S], data: dict[str, Any], what: str) -> S:
    values: dict[str, Any] = {}
    for field in fields_of(cls):
        if field.encode_name not in data:
            if field.required:
                raise SchemaError(f"{what}: missing {field.encode_name!r}", field.encode_name)
            continue
        salvaged = _salvage(data[field.encode_name], field.type)
        if salvaged is _MISSING:
            if field.required:
                raise SchemaError(f"{what}: unreadable {field.encode_name!r}", field.encode_name)
            continue
        values[field.name] = salvaged
    return cls(**values)


def _salvage(value: Any, annotation: Any) -> Any:
    """The value converted to `annotation`, by the lax rules above, or _MISSING."""
    try:
        return msgspec.convert(value, annotation, strict=False)
    except (msgspec.ValidationError, TypeError):
        pass
    origin = get_origin(annotation)
    options = get_args(annotation)
    if origin in (Union, types.UnionType):
        for option in options:
            if option is type(None):
                continue
            salvaged = _salvage(value, option)
            if salvaged is not _MISSING:
                return salvaged
        return None if type(None) in options else _MISSING
    if origin in (list, tuple) and isinstance(value, list):
        item_type = options[0] if options else Any
        items = [_salvage(item, item_type) for item in value]
        for item, item_data in zip(items, value):
            if isinstance(item, msgspec.Struct) and isinstance(item_data, dict):
                keep_raw(item, item_data)
        kept = [item for item in items if item is not _MISSING]
        return tuple(kept) if origin is tuple else kept
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        if not isinstance(value, dict):
            return _MISSING
        try:
            return keep_raw(_salvage_struct(annotation, value, annotation.__name__), value)
        except SchemaError:
            return _MISSING
    if annotation is int:
        return _lax_int(value)
    if annotation is float:
        return _lax_float(value)
    if annotation is str and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return _MISSING


def _lax_int(value: Any) -> Any:
    number = _lax_float(value)
    if number is _MISSING or not math.isfinite(number):
        return _MISSING
    return int(number)


def _lax_float(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return _MISSING
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return _MISSING
    return number if not math.isnan(number) else _MISSING


def field_names(cls: type[msgspec.Struct]) -> tuple[str, ...]:
    return tuple(field.name for field in fields_of(cls))


def to_builtins(value: Any) -> Any:
    """JSON-ready Python objects (dicts, lists, str, numbers) for storing or printing."""
    return msgspec.to_builtins(value)


__all__ = ["SchemaError", "field_names", "keep_raw", "raw_of", "strict", "to_builtins", "tolerant"]
