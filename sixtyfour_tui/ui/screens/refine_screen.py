"""Preview a query and refine how it was understood: chips you can add, remove and change.

The preview is one `/search/query` page of ten rows (no job, nothing stored): the chips say how
the server read the query, the count how many match, the rows what they look like. Each edit asks
for a fresh preview of the edited parsed query. The screen dismisses with what to run — the
edited parsed query straight through `/search/query`, or the deep search of the original text —
and the app runs it. Everything shown came from the server and is put on screen as plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option

from sixtyfour_tui import chips
from sixtyfour_tui.api.rows import flatten_row
from sixtyfour_tui.chips import Chip, ChipKind, KnownValue, Preview
from sixtyfour_tui.sanitize import clean_text, shorten
from sixtyfour_tui.table.labels import header_labels
from sixtyfour_tui.table.row_store import display_text

PREVIEW_COLUMNS = 6
"""Columns of the preview rows: enough to judge the matches, few enough to fit."""
CELL_WIDTH = 28


@dataclass(frozen=True)
class RefineRun:
    """What the user asked to run. `action` "run": the parsed query through `/search/query`
    (None: the unedited text as a natural-language query); "deep": a deep search of `query`."""

    action: Literal["run", "deep"]
    query: str
    mode: str
    max_results: int
    parsed_query: dict[str, Any] | None = None
    edit_note: str | None = None
    edited_from: str | None = None


class RefineScreen(ModalScreen[RefineRun | None]):
    """Opened on composer text (`query`, people mode) or on a completed job's `parsed_query`."""

    DEFAULT_CSS = """
    RefineScreen { align: center middle; }
    RefineScreen > #refine-dialog {
        width: 92%; max-width: 150; height: 92%;
        padding: 0 1; background: $surface; border: thick $primary;
    }
    RefineScreen #refine-query { text-style: bold; height: auto; max-height: 3; }
    RefineScreen .refine-heading { color: $text-muted; margin-top: 1; }
    RefineScreen #refine-chips { height: auto; max-height: 12; min-height: 1; }
    RefineScreen #refine-corrections, RefineScreen #refine-note { color: $text-muted; height: auto; }
    RefineScreen #refine-note.-edited { color: $warning; }
    RefineScreen #refine-count { margin-top: 1; height: auto; }
    RefineScreen #refine-count.-error { color: $error; }
    RefineScreen #refine-rows { height: 1fr; min-height: 4; }
    RefineScreen #refine-buttons { height: auto; align-horizontal: right; }
    RefineScreen #refine-buttons > Button { margin-left: 1; }
    """

    BINDINGS = [
        Binding("escape", "close", "Close", id="refine.close"),
        Binding("a", "add_chip", "Add chip", id="refine.add"),
        Binding("c", "change_chip", "Change", id="refine.change"),
        Binding("d,delete", "remove_chip", "Remove", id="refine.remove"),
        Binding("u", "undo", "Undo edit", id="refine.undo"),
        Binding("p", "preview", "Preview again", show=False, id="refine.preview"),
        Binding("ctrl+s", "run", "Run", priority=True, id="refine.run"),
        Binding("ctrl+d", "deep_search", "Deep search", priority=True, id="refine.deep"),
    ]

    def __init__(self, catalog: Any, client: Any, *, mode: str, query: str, max_results: int,
                 parsed_query: dict[str, Any] | None = None, edited_from: str | None = None,
                 exclude_entity_ids: tuple[str, ...] = ()) -> None:
        """`catalog` is a `filters.FieldCatalog` (known values), `client` the API client."""
        super().__init__()
        self.catalog = catalog
        self.client = client
        self.mode = mode
        self.text = query
        self.max_results = max_results
        self.edited_from = edited_from
        self.exclude_entity_ids = exclude_entity_ids
        self.original: dict[str, Any] | None = parsed_query
        self.current: dict[str, Any] | None = parsed_query
        self.undo_stack: list[dict[str, Any]] = []
        self.shown_chips: list[Chip] = []
        self.last_preview: Preview | None = None

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="refine-dialog") as dialog:
            dialog.border_title = "Preview and refine" if self.edited_from is None else "Refine a search"
            dialog.border_subtitle = "a add · c change · d remove · u undo · ctrl+s run · ctrl+d deep search · esc"
            yield Static(Content(shorten(clean_text(self.text), 300) or "(no query text)"), id="refine-query")
            yield Static(Content(f"Understood as ({self.mode})"), classes="refine-heading")
            yield OptionList(id="refine-chips", compact=True, markup=False)
            yield Static("", id="refine-corrections", markup=False)
            yield Static("", id="refine-note", markup=False)
            yield Static(Content("Asking the index…"), id="refine-count")
            yield DataTable(id="refine-rows", cursor_type="row", zebra_stripes=True, show_cursor=False)
            with Horizontal(id="refine-buttons"):
                yield Button("Run this query", id="refine-run", variant="primary", compact=True)
                yield Button("Deep search", id="refine-deep", compact=True, disabled=not self.text.strip())
                yield Button("Close", id="refine-close", compact=True)

    def on_mount(self) -> None:
        self.query_one("#refine-chips", OptionList).focus()
        self._show_chips()
        self.action_preview()

    # -- preview -------------------------------------------------------------------------------
    def action_preview(self) -> None:
        self.query_one("#refine-count", Static).update(Content("Asking the index…"))
        self.query_one("#refine-count").remove_class("-error")
        self._fetch_preview(self.current)

    @work(exclusive=True, group="refine-preview", exit_on_error=False)
    async def _fetch_preview(self, parsed_query: dict[str, Any] | None) -> None:
        from sixtyfour_tui.api.errors import ApiError

        try:
            if parsed_query is None:
                result = await chips.preview(self.client, mode=self.mode, query=self.text,
                                             exclude_entity_ids=self.exclude_entity_ids or None)
            else:
                result = await chips.preview(self.client, mode=self.mode, parsed_query=parsed_query,
                                             exclude_entity_ids=self.exclude_entity_ids or None)
        except (ApiError, chips.PreviewUnavailable) as problem:
            message = getattr(problem, "message", None) or str(problem)
            count = self.query_one("#refine-count", Static)
            count.update(Content(shorten(clean_text(f"No preview: {message}"), 300)))
            count.add_class("-error")
            return
        if parsed_query is None:  # the first look at the text: how the server read it
            self.original = self.current = result.parsed_query
            self._show_chips()
        self.last_preview = result
        self._show_preview(result)

    def _show_preview(self, result: Preview) -> None:
        total = result.total_available
        if total is None:
            counted = f"{len(result.rows):,} shown"
        elif total == 0:
            counted = "Nothing matches"
        else:
            counted = f"{total:,} match" + (f" · the first {len(result.rows):,}:" if result.rows else "")
        self.query_one("#refine-count", Static).update(Content(counted))
        table = self.query_one("#refine-rows", DataTable)
        table.clear(columns=True)
        if not result.rows:
            return
        from sixtyfour_tui.ui.widgets.results_browser import default_columns

        flat = [flatten_row(row) for row in result.rows]
        available = list(dict.fromkeys(name for row in flat for name in row))
        columns = (default_columns(self.mode, available) or available)[:PREVIEW_COLUMNS]
        for label in header_labels(columns):
            table.add_column(Text(label))
        for row in flat:
            table.add_row(*(Text(shorten(display_text(row.get(name)), CELL_WIDTH), no_wrap=True)
                            for name in columns))

    # -- chips ---------------------------------------------------------------------------------
    def _show_chips(self) -> None:
        options = self.query_one("#refine-chips", OptionList)
        highlighted = options.highlighted
        self.shown_chips = chips.chips_of(self.current)
        options.clear_options()
        if self.current is None:
            options.add_option(Option(Text("Reading the query…", style="dim"), disabled=True))
        elif not self.shown_chips:
            options.add_option(Option(Text("No filters: everything matches · a adds one", style="dim"),
                                      disabled=True))
        else:
            options.add_options(Option(Text.assemble(("● ", "bold"), chip.text)) for chip in self.shown_chips)
            options.highlighted = min(highlighted or 0, len(self.shown_chips) - 1)
        read = chips.corrections_text(self.original)  # how the text was read, whatever the edits since
        self.query_one("#refine-corrections", Static).update(Content(read[:1].upper() + read[1:]))
        note = self.note
        note_line = self.query_one("#refine-note", Static)
        note_line.update(Content(f"Edited: {note}" if note else ""))
        note_line.set_class(bool(note), "-edited")

    @property
    def note(self) -> str | None:
        return chips.edit_note(self.original, self.current) if self.current is not None else None

    def _highlighted_chip(self) -> Chip | None:
        index = self.query_one("#refine-chips", OptionList).highlighted
        if index is None or not 0 <= index < len(self.shown_chips):
            return None
        return self.shown_chips[index]

    def _edit(self, edited: dict[str, Any]) -> None:
        if self.current is not None:
            self.undo_stack.append(self.current)
        self.current = edited
        self._show_chips()
        self.action_preview()

    def action_remove_chip(self) -> None:
        chip = self._highlighted_chip()
        if chip is not None and self.current is not None:
            self._edit(chips.remove_chip(self.current, chip))

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo.", markup=False)
            return
        self.current = self.undo_stack.pop()
        self._show_chips()
        self.action_preview()

    def action_change_chip(self) -> None:
        chip = self._highlighted_chip()
        if chip is None or self.current is None:
            return
        current = self.current

        def picked(value: Any) -> None:
            if value is not None and value != chip.value:
                self._edit(chips.change_chip(current, chip, value))

        self.app.push_screen(ValuePickerScreen(self.catalog, chip.kind, self.mode, current=chip.value), picked)

    def action_add_chip(self) -> None:
        if self.current is None:
            return
        current = self.current

        def kind_picked(kind: ChipKind | None) -> None:
            if kind is None:
                return

            def value_picked(value: Any) -> None:
                if value is not None:
                    self._edit(chips.add_chip(current, kind.key, value))

            self.app.push_screen(ValuePickerScreen(self.catalog, kind, self.mode), value_picked)

        self.app.push_screen(KindPickerScreen(chips.addable_kinds(current, self.mode)), kind_picked)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "refine-chips":
            event.stop()
            self.action_change_chip()

    # -- leaving -------------------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {"refine-run": self.action_run, "refine-deep": self.action_deep_search,
         "refine-close": self.action_close}[event.button.id or "refine-close"]()

    def action_run(self) -> None:
        if self.current is None:
            self.notify("The query has not been read yet; wait for the preview.", markup=False)
            return
        note = self.note
        as_text = note is None and self.edited_from is None  # unedited composer text: run it as typed
        self.dismiss(RefineRun("run", self.text, self.mode, self.max_results,
                               parsed_query=None if as_text else self.current, edit_note=note,
                               edited_from=self.edited_from))

    def action_deep_search(self) -> None:
        if not self.text.strip():
            self.notify("There is no original text to search for.", markup=False)
            return
        self.dismiss(RefineRun("deep", self.text, self.mode, self.max_results))

    def action_close(self) -> None:
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("change_chip", "remove_chip"):
            return bool(self.shown_chips)
        if action == "undo":
            return bool(self.undo_stack)
        return True


class KindPickerScreen(ModalScreen[ChipKind | None]):
    """Which kind of chip to add."""

    DEFAULT_CSS = """
    KindPickerScreen { align: center middle; }
    KindPickerScreen > #kind-dialog {
        width: 40; height: auto; max-height: 80%; padding: 0 1; background: $surface; border: thick $primary;
    }
    KindPickerScreen OptionList { height: auto; max-height: 16; }
    """
    BINDINGS = [Binding("escape", "close", "Cancel", id="kinds.close")]

    def __init__(self, kinds: list[ChipKind]) -> None:
        super().__init__()
        self.kinds = kinds

    def compose(self) -> ComposeResult:
        with Vertical(id="kind-dialog") as dialog:
            dialog.border_title = "Add a chip"
            yield OptionList(*(Option(Text(kind.label)) for kind in self.kinds), id="kind-list", markup=False)

    def on_mount(self) -> None:
        self.query_one("#kind-list", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.kinds[event.option_index])

    def action_close(self) -> None:
        self.dismiss(None)


class ValueList(OptionList):
    """The picker's list: up on its first line goes back to the text being typed (down came here)."""

    def action_cursor_up(self) -> None:
        if self.highlighted in (None, 0):
            self.screen.query_one("#value-input", Input).focus()
        else:
            super().action_cursor_up()


class ValuePickerScreen(ModalScreen[Any]):
    """A value for one chip: the known values with their counts (filtered as you type), or, where
    the kind is open (places, keywords, years), the text as typed. Dismisses with None on escape."""

    DEFAULT_CSS = """
    ValuePickerScreen { align: center middle; }
    ValuePickerScreen > #value-dialog {
        width: 70; max-width: 95%; height: 80%; padding: 0 1; background: $surface; border: thick $primary;
    }
    ValuePickerScreen #value-list { height: 1fr; margin-top: 1; }
    ValuePickerScreen #value-message { color: $text-muted; height: auto; }
    ValuePickerScreen #value-message.-error { color: $error; }
    """
    BINDINGS = [
        Binding("escape", "close", "Cancel", id="values.close"),
        Binding("down", "focus_list", "To the list", show=False, id="values.focus-list"),
    ]

    def __init__(self, catalog: Any, kind: ChipKind, mode: str, *, current: Any = None) -> None:
        super().__init__()
        self.catalog = catalog
        self.kind = kind
        self.mode = mode
        self.current = current
        self.known: list[KnownValue] = []
        self.shown: list[Any] = []
        self._counts_line = Content("")
        """What the message line says when nothing is wrong: where the counts come from."""

    @property
    def free_text(self) -> bool:
        return self.kind.free_text

    def compose(self) -> ComposeResult:
        with Vertical(id="value-dialog") as dialog:
            now = "" if self.current is None else f" (now {chips.value_words(self.kind.key, self.current)})"
            dialog.border_title = Content(f"{'Add' if self.current is None else 'Change'} "
                                          f"{self.kind.label.lower()}{now}")
            placeholder = "a year, e.g. 2015" if self.kind.value == "year" else (
                "type a value, or filter the list…" if self.free_text else "filter the list…")
            yield Input(placeholder=placeholder, id="value-input")
            yield Static(Content(""), id="value-message")
            yield ValueList(id="value-list", markup=False)

    def on_mount(self) -> None:
        self.query_one("#value-input", Input).cursor_blink = False
        self.query_one("#value-input", Input).focus()
        self._show_matching("")
        if self.kind.known or self.kind.value == "flag":
            self.query_one("#value-message", Static).update(Content("Loading the known values…"))
            self._load_known()

    @work(exclusive=True, group="known-values", exit_on_error=False)
    async def _load_known(self) -> None:
        from sixtyfour_tui.api.errors import ApiError

        message = self.query_one("#value-message", Static)
        try:
            self.known = await chips.known_values(self.catalog, self.kind)
        except ApiError as problem:
            self._counts_line = Content(shorten(clean_text(f"Known values unavailable: {problem.message}"), 200))
            message.update(self._counts_line)
            message.add_class("-error")
            return
        sources = sorted({f"{value.counted} by {value.field}" for value in self.known if value.field})
        self._counts_line = Content(f"Counts: {', '.join(sources)}" if sources else "")
        message.update(self._counts_line)
        self._show_matching(self.query_one("#value-input", Input).value)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show_matching(event.value)

    def _show_matching(self, text: str) -> None:
        words = text.lower().split()
        matching = [k for k in self.known if all(word in str(k.value).lower() for word in words)]
        options = self.query_one("#value-list", OptionList)
        options.clear_options()
        self.shown = []
        typed = " ".join(text.split())
        problem = None
        if self.free_text and typed and not any(str(k.value).lower() == typed.lower() for k in matching):
            try:
                chips.read_value(self.kind, typed)
            except ValueError as refused:
                problem = str(refused)  # said at once, and not offered as a choice that cannot work
            else:
                self.shown.append(typed)
                options.add_option(Option(Text.assemble("Use “", (clean_text(typed), "bold"), "” as typed")))
        self._say_problem(problem)
        for known in matching:
            self.shown.append(known.value)
            options.add_option(Option(_known_line(self.kind, known)))
        if self.shown:
            options.highlighted = 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one("#value-list", OptionList)
        if self.shown:
            self._pick(self.shown[options.highlighted or 0])
        elif self.free_text:
            self._pick(event.value)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(self.shown[event.option_index])

    def _pick(self, value: Any) -> None:
        if isinstance(value, str):
            try:
                value = chips.read_value(self.kind, value)
            except ValueError as problem:
                self._say_problem(str(problem))
                return
        self.dismiss(value)

    def _say_problem(self, problem: str | None) -> None:
        """The typed value's problem in the message line; with none, the line goes back to what
        it said before (where the counts come from)."""
        message = self.query_one("#value-message", Static)
        if problem is not None:
            message.update(Content(problem))
            message.add_class("-error")
        elif message.has_class("-error"):
            message.update(self._counts_line)
            message.remove_class("-error")

    def action_focus_list(self) -> None:
        self.query_one("#value-list", OptionList).focus()


    def action_close(self) -> None:
        self.dismiss(None)


def _known_line(kind: ChipKind, known: KnownValue) -> Text:
    if kind.value == "flag":
        return Text(chips.Chip(kind.key, known.value).text)
    line = Text(shorten(clean_text(known.value), 40).ljust(42))
    line.append(f"{known.count:>9,} {known.counted}", style="dim")
    return line
