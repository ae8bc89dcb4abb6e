"""Choose which of the flattened columns the results table shows.

The table starts with a short, mode-specific set of columns; every other field the API sent is a
tick away here. Each entry shows the header label and, dimmed, the raw field name the API uses.
Column names come from the API, so prompts are plain `Content`, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widgets import Button, Footer, OptionList, SelectionList
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import Selection

from sixtyfour_tui.api.rows import sanitize_text
from sixtyfour_tui.table.labels import header_labels

TICKED = "[✓] "
UNTICKED = "[ ] "
"""Ticked and unticked entries differ by a glyph, not only by shade (same width: 4 cells)."""


def chosen_order(all_columns: Sequence[str], visible: Sequence[str], ticked: Sequence[str]) -> list[str]:
    """Keep the current order for columns still ticked; newly ticked ones follow in data order."""
    ticked_set = set(ticked)
    kept = [column for column in visible if column in ticked_set]
    added = [column for column in all_columns if column in ticked_set and column not in kept]
    return kept + added


class CheckList(SelectionList[str]):
    """A SelectionList whose entries start with a visible check mark when ticked."""

    def render_line(self, y: int) -> Strip:
        line = OptionList.render_line(self, y)  # the prompt alone, without the stock toggle button
        index = self.scroll_offset.y + y
        try:
            option = self.get_option_at_index(index)
        except OptionDoesNotExist:
            return line
        ticked = isinstance(option, Selection) and option.value in self.selected
        component = "selection-list--button" + ("-selected" if ticked else "")
        if self.highlighted == index:
            component += "-highlighted"
        style = self.get_component_rich_style(component) + Style(meta={"option": index})
        return Strip([Segment(TICKED if ticked else UNTICKED, style), *line])


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
        selections = [
            Selection(Content.assemble(label, "  ", (sanitize_text(column), "dim")), column, column in shown)
            for column, label in zip(ordered, header_labels(ordered))
        ]
        with Vertical(id="columns-panel"):
            yield CheckList(*selections, id="columns-list")
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
