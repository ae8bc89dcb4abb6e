"""Textual `Input` validators made from the rules in `sixtyfour_tui.rules`, so a form checks a value
exactly the way the settings file and the headless flags do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.validation import ValidationResult, Validator

from sixtyfour_tui.rules import RuleError


class Rule(Validator):
    """Valid when `check(text)` returns; its RuleError's sentence is the failure's description."""

    def __init__(self, check: Callable[[str], Any]) -> None:
        super().__init__()
        self.check = check

    def validate(self, value: str) -> ValidationResult:
        try:
            self.check(value)
        except (RuleError, ValueError) as problem:
            return self.failure(str(problem), value)
        return self.success()


def first_problem(result: ValidationResult | None) -> str | None:
    if result is None or result.is_valid:
        return None
    descriptions = result.failure_descriptions
    return descriptions[0] if descriptions else "Not a valid value."
