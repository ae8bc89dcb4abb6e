"""Pick a past query to run again, filtering as you type."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from sixtyfour_tui.jobs.records import HistoryEntry
from sixtyfour_tui.sanitize import clean_text, shorten
from sixtyfour_tui.ui.job_text import age_text


class HistoryScreen(ModalScreen[HistoryEntry | None]):
    """Dismisses with the chosen entry (enter), or None (escape)."""

    DEFAULT_CSS = """
    HistoryScreen {
        align: center middle;
    }
    HistoryScreen > #dialog {
        width: 90%;
        max-width: 120;
        height: 80%;
        padding: 1 2;
        background: $surface;
        border: thick $primary;
    }
    HistoryScreen #history-list {
        height: 1fr;
        margin-top: 1;
    }
    HistoryScreen #history-empty {
        color: $text-muted;
        margin-top: 1;
        display: none;
    }
    HistoryScreen #history-empty.-shown {
        display: block;
    }
    """

    BINDINGS = [
        Binding("escape", "close", "Close", id="history.close"),
        Binding("down", "focus_list", "To the list", show=False, id="history.focus-list"),
    ]

    def __init__(self, entries: list[HistoryEntry]) -> None:
        super().__init__()
        self.entries = sorted(entries, key=lambda entry: entry.used_at, reverse=True)
        self.shown: list[HistoryEntry] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Past searches"
            yield Input(placeholder="Filter past searches…", id="history-filter")
            yield OptionList(id="history-list")
            yield Static(id="history-empty")

    def on_mount(self) -> None:
        self._show_matching("")
        self.query_one("#history-filter", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show_matching(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter picks the highlighted (by default the newest) match."""
        event.stop()
        options = self.query_one("#history-list", OptionList)
        if self.shown:
            self.dismiss(self.shown[options.highlighted or 0])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.shown[event.option_index])

    def action_focus_list(self) -> None:
        self.query_one("#history-list", OptionList).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def _show_matching(self, filter_text: str) -> None:
        words = filter_text.lower().split()
        self.shown = [e for e in self.entries if all(word in e.query.lower() for word in words)]
        options = self.query_one("#history-list", OptionList)
        options.clear_options()
        now = time.time()
        options.add_options(Option(_describe(entry, now)) for entry in self.shown)
        if self.shown:
            options.highlighted = 0
        empty = self.query_one("#history-empty", Static)
        if not self.entries:
            empty.update("No past searches yet.")
        elif not self.shown:
            empty.update(Text(f"No past search matches “{filter_text.strip()}”."))
        empty.set_class(not self.shown, "-shown")


HISTORY_QUERY_LIMIT = 160
"""Characters of a query a history line shows: a very long one would fill the list by itself."""


def _describe(entry: HistoryEntry, now: float) -> Text:
    """The query as typed (never markup, one line, cut when very long), then its mode, size and
    age, dimmed."""
    line = Text(shorten(clean_text(entry.query), HISTORY_QUERY_LIMIT))
    line.append(f"   {entry.mode} · up to {entry.max_results:,} · {age_text(now - entry.used_at)}", style="dim")
    return line
