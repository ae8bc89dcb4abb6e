"""Request checks that answer 400/422 the way the contract says."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from sixtyfour_tui.sandbox.responses import ApiProblem, detail, validation_failed

MODES = ("people", "company")


async def json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise ApiProblem(detail(400, "request body is not valid JSON")) from None
    if not isinstance(body, dict):
        raise ApiProblem(detail(400, "request body must be a JSON object"))
    return body


class Checker:
    """Collects every problem in a body so one 422 names them all."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.problems: list[tuple[tuple[str, ...], str]] = []

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.body.get(name)
        if value is None:
            if required:
                self.problems.append((("body", name), "field required"))
            return None
        if not isinstance(value, str):
            self.problems.append((("body", name), "must be a string"))
            return None
        if required and not value.strip():
            self.problems.append((("body", name), "must not be empty"))
            return None
        return value

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.body.get(name, default)
        if value not in choices:
            self.problems.append((("body", name), f"must be one of: {', '.join(choices)}"))
            return default
        return str(value)

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self.body.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.append((("body", name), "must be an integer"))
            return default
        if not low <= value <= high:
            self.problems.append((("body", name), f"must be between {low} and {high}"))
            return default
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self.body.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problems.append((("body", name), "must be true or false"))
            return default
        return value

    def number(self, name: str, default: float, low: float, high: float) -> float:
        value = self.body.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problems.append((("body", name), "must be a number"))
            return default
        if not low <= value <= high:
            self.problems.append((("body", name), f"must be between {low:g} and {high:g}"))
            return default
        return float(value)

    def exclusions(self, mode: str) -> tuple[list[str], list[str]]:
        """Inline references (`exclude_entity_ids`, or the older people-only `exclude_public_ids`) and list ids."""
        refs = self.id_list("exclude_entity_ids")
        if self.body.get("exclude_public_ids") is not None and mode != "people":
            self.problems.append((("body", "exclude_public_ids"), "is for people searches; use exclude_entity_ids"))
        refs += self.id_list("exclude_public_ids")
        return refs, self.id_list("exclude_list_ids")

    def id_list(self, name: str) -> list[str]:
        value = self.body.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problems.append((("body", name), "must be a list of strings"))
            return []
        return value

    def finish(self) -> None:
        if self.problems:
            raise ApiProblem(validation_failed(self.problems))
