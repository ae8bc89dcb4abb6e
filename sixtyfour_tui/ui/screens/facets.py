"""How often each value of a column occurs in a stored result, and what to do with some of them.

The counts come from a `count` callable the results browser hands over (SQL over the workspace,
or the table's own rows when the workspace does not hold them all); it runs in a thread, so the
screen opens at once and stays responsive whatever the size. Values are chosen with space and
then: filter the table to them, mark their rows, put their rows' entities into an exclusion set,
or refine the query with them. Values come from the API: they are shown as plain `Text`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Literal

import msgspec
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from sixtyfour_tui.sanitize import clean_text, shorten
from sixtyfour_tui.table.labels import column_label

MAX_SHOWN = 1000
"""Values listed at once; the long tail is a few keystrokes away through the narrowing field."""
VALUE_WIDTH = 44
BAR_WIDTH = 16
NO_VALUE = "(no value)"

FacetAction = Literal["filter", "mark", "exclude", "refine"]


class FacetCounts(msgspec.Struct, frozen=True):
    """A column's values, most frequent first, and what they were counted over."""

    column: str
    values: list[tuple[str, int]]
    total: int
    missing: int
    scope: str
    """Which rows were counted, in words: 'all 240 stored rows of the result'."""

    @property
    def distinct(self) -> int:
        return len(self.values)


class FacetChoice(msgspec.Struct, frozen=True):
    action: FacetAction
    column: str
    values: tuple[str, ...]


def share_text(count: int, total: int) -> str:
    return f"{100 * count / total:5.1f}%" if total else "     —"


def bar_text(count: int, largest: int, width: int = BAR_WIDTH) -> str:
    """A bar scaled to the most frequent value (eighth blocks: short bars still differ)."""
    if not largest or not count:
        return ""
    eighths = max(1, round(width * 8 * count / largest))
    full, rest = divmod(eighths, 8)
    return "█" * full + (" ▏▎▍▌▋▊▉"[rest] if rest else "")


def facet_line(value: str, count: int, total: int, largest: int, chosen: bool) -> Text:
    shown = shorten(clean_text(value), VALUE_WIDTH) if value else NO_VALUE
    line = Text("[x] " if chosen else "[ ] ", style="bold" if chosen else "")
    line.append(shown.ljust(VALUE_WIDTH), style="" if value else "italic dim")
    line.append(f" {count:>9,} {share_text(count, total)}  ")
    line.append(bar_text(count, largest), style="cyan")
    return line


class FacetScreen(ModalScreen[FacetChoice | None]):
    """Dismisses with what to do with the chosen values, or None (escape)."""

    DEFAULT_CSS = """
    FacetScreen {
        align: center middle;
    }
    FacetScreen > #dialog {
        width: 100;
        max-width: 95%;
        height: 85%;
        padding: 0 1;
        background: $surface;
        border: thick $primary;
    }
    FacetScreen #facet-summary {
        text-style: bold;
    }
    FacetScreen #facet-scope, FacetScreen #facet-hint, FacetScreen #facet-chosen {
        color: $text-muted;
    }
    FacetScreen #facet-narrow {
        margin-top: 1;
    }
    FacetScreen #facet-values {
        height: 1fr;
    }
    """

    BINDINGS = [
        Binding("space", "choose", "Choose", id="facet.choose"),
        Binding("f", "finish('filter')", "Filter the table", id="facet.filter"),
        Binding("m", "finish('mark')", "Mark rows", id="facet.mark"),
        Binding("x", "finish('exclude')", "Exclusion set", id="facet.exclude"),
        Binding("r", "finish('refine')", "Refine query", id="facet.refine"),
        Binding("slash", "narrow", "Narrow", key_display="/", id="facet.narrow"),
        Binding("left,h", "other_column(-1)", "Previous column", show=False, id="facet.previous_column"),
        Binding("right,l", "other_column(1)", "Next column", show=False, id="facet.next_column"),
        Binding("down", "to_list", "To the list", show=False, id="facet.to_list"),
        Binding("escape", "close", "Close", id="facet.close"),
    ]

    def __init__(self, count: Callable[[str], FacetCounts], column: str, columns: Sequence[str] = (),
                 filters: Mapping[str, Collection[str]] | None = None, labels: dict[str, str] | None = None) -> None:
        """`count(column)` is called in a thread; `columns` are those ←/→ move between; `filters`
        (the table's value filters) preselect each column's values."""
        super().__init__()
        self.count = count
        self.column = column
        self.columns = list(columns) or [column]
        self.labels = labels or {}
        self.filters = filters or {}
        self.chosen: set[str] = set()
        self.filtered_before = False
        self.counts: FacetCounts | None = None
        self.shown: list[tuple[str, int]] = []

    def label(self, column: str) -> str:
        return self.labels.get(column) or column_label(column)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(id="facet-summary")
            yield Static(id="facet-scope")
            yield Input(placeholder="Narrow the values… (/ comes here; enter or down goes back to the list)",
                        id="facet-narrow")
            yield OptionList(id="facet-values")
            yield Static(id="facet-chosen")
            yield Static(Text("space/enter choose · f filter the table · m mark rows · x exclusion set · "
                              "r refine the query · ←/→ another column · escape close"), id="facet-hint")

    def on_mount(self) -> None:
        self._load(self.column)
        self.query_one("#facet-values", OptionList).focus()

    # -- counting -------------------------------------------------------------------------------
    def _load(self, column: str) -> None:
        self.column = column
        self.chosen = set(self.filters.get(column, ()))
        self.filtered_before = bool(self.chosen)
        self.counts = None
        self.query_one("#dialog").border_title = Text(f"Values of {self.label(column)}")
        self.query_one("#facet-summary", Static).update(Text("Counting…"))
        self.query_one("#facet-scope", Static).update("")
        self.query_one("#facet-values", OptionList).clear_options()
        self._count(column)

    @work(thread=True, exclusive=True, group="facet-count", exit_on_error=False)
    def _count(self, column: str) -> None:
        try:
            counts = self.count(column)
        except Exception as problem:  # a refusing disk, a vanished search: say so in the dialog
            message = getattr(problem, "message", None) or str(problem) or type(problem).__name__
            self.app.call_from_thread(self._failed, column, message)
            return
        self.app.call_from_thread(self._counted, counts)

    def _failed(self, column: str, message: str) -> None:
        if column == self.column:
            self.query_one("#facet-summary", Static).update(Text(f"Could not count: {clean_text(message)}"))

    def _counted(self, counts: FacetCounts) -> None:
        if counts.column != self.column:
            return  # an older count, for a column the user has moved away from
        self.counts = counts
        missing = f" · {counts.missing:,} with no value" if counts.missing else ""
        self.query_one("#facet-summary", Static).update(Text(
            f"{counts.total:,} rows · {counts.distinct:,} distinct value{'s' if counts.distinct != 1 else ''}"
            f"{missing}"))
        self.query_one("#facet-scope", Static).update(Text(f"Counted over {counts.scope}"))
        self._show(self.query_one("#facet-narrow", Input).value)

    def _show(self, narrow: str) -> None:
        counts = self.counts
        options = self.query_one("#facet-values", OptionList)
        options.clear_options()
        if counts is None:
            return
        needle = narrow.casefold().strip()
        matching = [item for item in counts.values if needle in item[0].casefold()] if needle else counts.values
        self.shown = matching[:MAX_SHOWN]
        largest = counts.values[0][1] if counts.values else 0
        options.add_options(Option(facet_line(value, count, counts.total, largest, value in self.chosen))
                            for value, count in self.shown)
        if counts.missing and not needle:
            options.add_option(Option(facet_line("", counts.missing, counts.total, largest, False), disabled=True))
        if self.shown:
            options.highlighted = 0
        self._say_chosen(len(matching))

    def _say_chosen(self, matching: int | None = None) -> None:
        counts = self.counts
        parts = []
        if counts is not None and matching is not None and matching > len(self.shown):
            parts.append(f"showing the {len(self.shown):,} most frequent of {matching:,}; type to narrow")
        elif counts is not None and matching is not None and not matching and counts.values:
            parts.append("no value matches")
        elif counts is not None and not counts.values:
            parts.append("nothing to count: no row has a value here")
        if self.chosen:
            rows = sum(count for value, count in (counts.values if counts else []) if value in self.chosen)
            parts.append(f"{len(self.chosen):,} chosen · {rows:,} rows")
        self.query_one("#facet-chosen", Static).update(Text(" · ".join(parts)))

    # -- choosing -------------------------------------------------------------------------------
    def action_choose(self) -> None:
        options = self.query_one("#facet-values", OptionList)
        index = options.highlighted
        if index is None or index >= len(self.shown) or self.counts is None:
            return
        value, count = self.shown[index]
        if value in self.chosen:
            self.chosen.discard(value)
        else:
            self.chosen.add(value)
        largest = self.counts.values[0][1] if self.counts.values else 0
        options.replace_option_prompt_at_index(index, facet_line(value, count, self.counts.total, largest,
                                                                 value in self.chosen))
        if index + 1 < len(self.shown):
            options.highlighted = index + 1
        self._say_chosen()

    @on(OptionList.OptionSelected, "#facet-values")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose()

    def action_finish(self, action: FacetAction) -> None:
        if self.counts is None:
            return
        values = tuple(sorted(self.chosen))
        if not values and action == "filter" and self.filtered_before:
            self.dismiss(FacetChoice(action, self.column, ()))  # every value unchosen: the filter goes
            return
        if not values:
            index = self.query_one("#facet-values", OptionList).highlighted
            if index is None or index >= len(self.shown):
                self.notify("Choose values first (space)", markup=False)
                return
            values = (self.shown[index][0],)  # no choice made: the highlighted value
        self.dismiss(FacetChoice(action, self.column, values))

    def action_other_column(self, step: int) -> None:
        if len(self.columns) < 2:
            return
        at = self.columns.index(self.column) if self.column in self.columns else 0
        self._load(self.columns[(at + step) % len(self.columns)])

    def action_narrow(self) -> None:
        self.query_one("#facet-narrow", Input).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Input.Changed, "#facet-narrow")
    def _narrowed(self, event: Input.Changed) -> None:
        event.stop()
        self._show(event.value)

    @on(Input.Submitted, "#facet-narrow")
    def _narrow_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#facet-values", OptionList).focus()

    def action_to_list(self) -> None:
        self.query_one("#facet-values", OptionList).focus()
