"""Every key binding of the app by id: what `[keymap]` in the settings file can remap.

The list is read from the widgets' and screens' own `BINDINGS`, so it cannot drift from what
the keys do; the README's table is checked against it by a test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from textual.binding import Binding


class BindingInfo(NamedTuple):
    binding_id: str
    keys: str
    description: str
    where: str


def _owners() -> list[tuple[str, type]]:
    """(where, class) for every class with bindings, in the order the README lists them."""
    from sixtyfour_tui.ui.app import SixtyfourApp
    from sixtyfour_tui.ui.screens.columns import ColumnsScreen
    from sixtyfour_tui.ui.screens.confirm import ConfirmScreen
    from sixtyfour_tui.ui.screens.detail import DetailScreen
    from sixtyfour_tui.ui.screens.error_modal import ErrorScreen
    from sixtyfour_tui.ui.screens.export_screen import ExportScreen
    from sixtyfour_tui.ui.screens.filter_builder import ConditionList, FieldFilter, FilterBuilderScreen, ValueInput
    from sixtyfour_tui.ui.screens.help_screen import HelpScreen
    from sixtyfour_tui.ui.screens.history_screen import HistoryScreen
    from sixtyfour_tui.ui.screens.refine_screen import KindPickerScreen, RefineScreen, ValuePickerScreen
    from sixtyfour_tui.ui.screens.settings_screen import SettingsScreen
    from sixtyfour_tui.ui.screens.welcome import WelcomeScreen
    from sixtyfour_tui.ui.widgets.composer import Composer, QueryInput
    from sixtyfour_tui.ui.widgets.controls import ModeSwitch, PressButton
    from sixtyfour_tui.ui.widgets.jobs_panel import JobsPanel
    from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser
    from sixtyfour_tui.ui.widgets.results_table import ResultsTable

    return [
        ("anywhere", SixtyfourApp),
        ("query composer", Composer),
        ("query composer", QueryInput),
        ("query composer", ModeSwitch),
        ("query composer", PressButton),
        ("jobs panel", JobsPanel),
        ("results", ResultsBrowser),
        ("results table", ResultsTable),
        ("export dialog", ExportScreen),
        ("preview and refine", RefineScreen),
        ("preview and refine", KindPickerScreen),
        ("preview and refine", ValuePickerScreen),
        ("filter search", FilterBuilderScreen),
        ("filter search", FieldFilter),
        ("filter search", ValueInput),
        ("filter search", ConditionList),
        ("settings dialog", SettingsScreen),
        ("history dialog", HistoryScreen),
        ("columns dialog", ColumnsScreen),
        ("row detail", DetailScreen),
        ("error / messages dialog", ErrorScreen),
        ("confirm dialog", ConfirmScreen),
        ("help", HelpScreen),
        ("first start", WelcomeScreen),
    ]


def bindings() -> Iterator[BindingInfo]:
    """Each binding with an id, once, with the keys it has by default."""
    seen: set[str] = set()
    for where, owner in _owners():
        for item in owner.__dict__.get("BINDINGS", ()):
            if isinstance(item, Binding) and item.id and item.id not in seen:
                seen.add(item.id)
                yield BindingInfo(item.id, item.key, item.description, where)


def binding_ids() -> set[str]:
    return {info.binding_id for info in bindings()}


def unknown_ids(keymap: dict[str, str]) -> list[str]:
    """Ids in a `[keymap]` table that no binding has (a typo, or a binding that was renamed)."""
    known = binding_ids()
    return sorted(binding_id for binding_id in keymap if binding_id not in known)


def readme_table() -> str:
    """The README's table of binding ids: `python -m sixtyfour_tui.ui.keymap` prints it."""
    rows: dict[str, list[str]] = {}
    for info in bindings():
        rows.setdefault(info.where, []).append(f"`{info.binding_id}` {info.keys}")
    lines = ["| where | binding ids and default keys |", "|---|---|"]
    lines += [f"| {where} | {' · '.join(items)} |" for where, items in rows.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    print(readme_table())
