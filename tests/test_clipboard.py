"""copy_text always uses OSC 52, tries the system clipboard too, and says where the text went."""

from __future__ import annotations

import pyperclip
from textual.app import App

from sixtyfour_tui.ui.clipboard import CopyOutcome, copy_text


class CapturingApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.osc52: list[str] = []

    def copy_to_clipboard(self, text: str) -> None:
        self.osc52.append(text)


async def test_copies_to_both_clipboards_when_a_system_clipboard_exists():
    system: list[str] = []
    app = CapturingApp()
    async with app.run_test():
        outcome = await copy_text(app, "a\tb\n", system_copy=system.append)
    assert app.osc52 == ["a\tb\n"] and system == ["a\tb\n"]
    assert outcome.terminal and outcome.system
    assert outcome.destinations == ["terminal clipboard (OSC 52)", "system clipboard"]
    assert outcome.describe("3 rows as TSV") == (
        "Copied 3 rows as TSV to the terminal clipboard (OSC 52) and the system clipboard"
    )


async def test_a_missing_system_clipboard_is_reported_not_raised():
    def no_clipboard(text: str) -> None:
        raise pyperclip.PyperclipException("could not find a copy/paste mechanism")

    app = CapturingApp()
    async with app.run_test():
        outcome = await copy_text(app, "x", system_copy=no_clipboard)
    assert app.osc52 == ["x"]
    assert not outcome.system and "copy/paste mechanism" in outcome.system_error
    assert outcome.describe("1 row as TSV") == (
        "Copied 1 row as TSV to the terminal clipboard only "
        "(OSC 52; needs a terminal that supports it) — no system clipboard found"
    )


async def test_any_other_failure_of_the_system_copy_is_contained():
    def broken(text: str) -> None:
        raise RuntimeError("helper crashed")

    app = CapturingApp()
    async with app.run_test():
        outcome = await copy_text(app, "x", system_copy=broken)
    assert outcome == CopyOutcome(terminal=True, system=False, system_error="helper crashed")


def test_describe_names_only_the_system_clipboard_when_osc52_was_not_sent():
    assert CopyOutcome(terminal=False, system=True).describe("the JSON") == "Copied the JSON to the system clipboard"
