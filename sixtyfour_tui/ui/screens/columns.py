"""Choose which of the flattened columns the results table shows.

The table starts with a short, mode-specific set of columns; every other field the API sent is a
tick away here. Column names come from the API, so prompts are plain `Content`, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, SelectionList
from textual.widgets.selection_list import Selection

from sixtyfour_tui.api.rows import sanitize_text


def chosen_order(all_columns: Sequence[str], visible: Sequence[str], ticked: Sequence[str]) -> list[str]:
    """Keep the current order for columns still ticked; newly ticked ones follow in data order."""
    ticked_set = set(ticked)
    kept = [column for column in visible if column in ticked_set]
    added = [column for column in all_columns if column in ticked_set and column not in kept]
    return kept + added


class ColumnsScreen(ModalScreen[list[str] | None]):
    """Tick columns with space; apply with `a` (or the button), cancel with escape."""

    DEFAULT_CSS = """
    ColumnsScreen {
        align: center middle;
        & > #columns-panel {
            width: 60;
            max-width: 90%;
            height: 80%;
            background: $surface;
            border: round $primary;
            border-title-color: $accent;
        }
        & #columns-list { height: 1fr; }
        & #columns-buttons { height: auto; align-horizontal: right; padding: 0 1; }
        & #columns-buttons > Button { margin-left: 1; }
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="columns.cancel"),
        Binding("a,ctrl+s", "apply", "Apply", id="columns.apply"),
    ]

    def __init__(self, all_columns: Sequence[str], visible: Sequence[str]) -> None:
        super().__init__()
        self.all_columns = list(all_columns)
        self.shown_columns = list(visible)

    def compose(self) -> ComposeResult:
        shown = set(self.shown_columns)
        ordered = self.shown_columns + [column for column in self.all_columns if column not in shown]
        selections = [Selection(Content(sanitize_text(column)), column, column in shown) for column in ordered]
        with Vertical(id="columns-panel"):
            yield SelectionList[str](*selections, id="columns-list")
            with Horizontal(id="columns-buttons"):
                yield Button("Apply", variant="primary", id="columns-apply")
                yield Button("Cancel", id="columns-cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#columns-panel").border_title = "Columns"
        self.query_one("#columns-list").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "columns-apply":
            self.action_apply()
        else:
            self.action_cancel()

    def action_apply(self) -> None:
        ticked = self.query_one("#columns-list", SelectionList).selected
        self.dismiss(chosen_order(self.all_columns, self.shown_columns, ticked))

    def action_cancel(self) -> None:
        self.dismiss(None)
