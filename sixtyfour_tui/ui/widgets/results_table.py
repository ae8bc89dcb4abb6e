"""A results table that renders only the rows on screen, so 100,000 rows cost what 100 do.

Textual's DataTable measures every cell as rows arrive; this widget instead asks a
`RowStore` for the handful of rows in view each frame (Line API: `render_line(y)`), sizes
columns from the store's bounded width estimate, and caches the strips it builds. While the
user reads, it draws the screens a key is likely to show next (the pages above and below, the
next find match) into that cache, so paging into rows never drawn before costs what paging
over drawn ones does. Cell text goes into plain `Segment`s and is never parsed as markup.

Every per-keypress operation is O(visible rows) or a lookup in a structure built once: find
matches are computed when the find text changes and `n`/`N` bisect them; marks are a byte per
row in the store, so marking everything is one C-level pass.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from sixtyfour_tui.table.labels import header_labels
from sixtyfour_tui.table.row_store import RowFlag, RowStore
from sixtyfour_tui.table.view import ViewSpec, next_sort, spec_of

GUTTER_WIDTH = 2
"""Fixed left margin: the mark of a marked row, then the mark of a row seen before."""
SELECTED_MARK = "●"
SEEN_MARK = "◦"
"""A row whose entity appeared in an earlier search (dim, and a glyph: not colour alone)."""
CELL_PADDING = 1
"""Blank cells either side of every value."""
NEAR_END_PAGES = 2
"""How close (in screenfuls) the cursor or scroll must come to the end to ask for more rows."""
ELLIPSIS = "…"
WIDTH_STEP = 4
"""Cells a column grows or shrinks per `>` / `<`."""
MIN_WIDTH = 3
MAX_WIDTH = 200
PREPARE_DELAY = 0.012
"""Seconds of quiet after a frame before drawing likely next screens ahead of time."""
PREPARE_ROWS_PER_STEP = 12
"""Rows drawn ahead per step; the event loop gets a turn between steps, so a key is never
kept waiting for more than a few milliseconds."""
LINE_CACHE_SIZE = 1024


class ColumnSlot(NamedTuple):
    """Where one visible column sits: in the pinned area, or in the unscrolled table body."""

    name: str
    label: str
    x: int
    width: int
    number: int
    """Index into `visible_columns`."""


class FindResult(NamedTuple):
    """Where a find stands after a move."""

    text: str
    match: int | None
    """1-based number of the match under the cursor, or None when there is none."""
    total: int
    wrapped: bool
    """The search went past the end (or start) and came round."""


class _Layout(NamedTuple):
    pinned: ColumnSlot | None
    body: list[ColumnSlot]
    body_width: int

    @property
    def pinned_width(self) -> int:
        return self.pinned.width if self.pinned is not None else 0


class TableMessage(Message):
    """A message from a ResultsTable, which `control` names (for `@on(..., "#id")` selectors)."""

    def __init__(self, table: ResultsTable | None = None) -> None:
        self.table = table
        super().__init__()

    @property
    def control(self) -> ResultsTable | None:
        return self.table


class ResultsTable(ScrollView, can_focus=True):
    """Keyboard-first table over a `RowStore`: cursor, marks, find, pinned and movable columns."""

    HELP_TITLE = "Results table"

    COMPONENT_CLASSES = {
        "results-table--header",
        "results-table--odd-row",
        "results-table--even-row",
        "results-table--cursor",
        "results-table--cell-cursor",
        "results-table--selected",
        "results-table--mark",
        "results-table--seen",
        "results-table--match",
        "results-table--pinned",
        "results-table--empty",
    }

    DEFAULT_CSS = """
    ResultsTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        &:focus { background-tint: $foreground 5%; }
        & > .results-table--header { background: $panel; color: $foreground; text-style: bold; }
        & > .results-table--odd-row { }
        & > .results-table--even-row { background: $surface-lighten-1 50%; }
        & > .results-table--selected { background: $accent 25%; }
        & > .results-table--mark { color: $accent; text-style: bold; }
        & > .results-table--seen { color: $text-muted; text-style: dim; }
        & > .results-table--match { background: $warning 70%; color: $foreground; text-style: bold underline; }
        & > .results-table--pinned { text-style: bold; }
        & > .results-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .results-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .results-table--cell-cursor { background: $accent 60%; color: $foreground; text-style: bold; }
        & > .results-table--empty { color: $text-muted; text-style: italic; }
    }
    """

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="results.cursor_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="results.cursor_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="results.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="results.page_down"),
        Binding("home,g", "first_row", "First", show=False, id="results.first_row"),
        Binding("end,G", "last_row", "Last", show=False, id="results.last_row"),
        Binding("left,h", "cursor_left", "Left", show=False, id="results.cursor_left"),
        Binding("right,l", "cursor_right", "Right", show=False, id="results.cursor_right"),
        Binding("space", "toggle_selection", "Select", id="results.toggle_selection"),
        Binding("enter", "activate_row", "Open", id="results.activate_row"),
        Binding("u", "clear_selection", "Clear selection", show=False, id="results.clear_selection"),
        Binding("asterisk", "invert_selection", "Invert selection", show=False, key_display="*",
                id="results.invert_selection"),
        Binding("greater_than_sign", "widen_column", "Widen column", show=False, key_display=">",
                id="results.widen_column"),
        Binding("less_than_sign", "narrow_column", "Narrow column", show=False, key_display="<",
                id="results.narrow_column"),
        Binding("H", "move_column(-1)", "Move column left", show=False, id="results.move_column_left"),
        Binding("L", "move_column(1)", "Move column right", show=False, id="results.move_column_right"),
        Binding("exclamation_mark", "pin_column", "Pin column", show=False, key_display="!",
                id="results.pin_column"),
    ]

    class CursorMoved(TableMessage):
        """The cursor landed on another row."""

        def __init__(self, row_index: int, position: int, table: ResultsTable | None = None) -> None:
            self.row_index = row_index
            """Index of the row in the store."""
            self.position = position
            """Position of the row in the current (filtered/sorted) view."""
            super().__init__(table)

    class RowActivated(TableMessage):
        """Enter (or a double click) on a row: the caller usually opens its details."""

        def __init__(self, row_index: int, table: ResultsTable | None = None) -> None:
            self.row_index = row_index
            super().__init__(table)

    class NearEnd(TableMessage):
        """The user is within a couple of screens of the last loaded row: time to fetch more."""

    class SelectionChanged(TableMessage):
        """The set of marked rows changed."""

        def __init__(self, count: int, table: ResultsTable | None = None) -> None:
            self.count = count
            super().__init__(table)

    class SortChanged(TableMessage):
        """The sort keys changed (a header click, `s`, `S`)."""

    class FindMoved(TableMessage):
        """The find text changed or the cursor went to another match."""

        def __init__(self, result: FindResult, table: ResultsTable | None = None) -> None:
            self.result = result
            super().__init__(table)

    def __init__(
        self,
        store: RowStore | None = None,
        *,
        columns: list[str] | None = None,
        cell_cursor: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._store = store if store is not None else RowStore()
        self._column_order: list[str] | None = list(columns) if columns is not None else None
        self._hidden: set[str] = set()
        self._pinned: str | None = None
        self._widths: dict[str, int] = {}
        """Widths the user set with `<` / `>`; other columns follow the store's estimate."""
        self.cell_cursor = cell_cursor
        """When on, left/right move a highlighted cell; when off they scroll a column sideways."""
        self._cursor_row = 0
        self._cursor_column = 0
        self._cursor_index: int | None = None
        """Store index of the row under the cursor: where the cursor goes back to when the view
        is rebuilt (a filter cleared, a sort changed)."""
        self._seen_view_version = self._store.view_version
        self._near_end_posted_for = -1
        self._layout_key: tuple[object, ...] = ()
        self._layout_token: tuple[int, int, int] = (0, -1, -1)
        self._columns_version = 0
        """Bumped by every change to the columns (order, hidden, pinned, widths)."""
        self._layout = _Layout(None, [], 0)
        self._labels_for: tuple[tuple[str, ...], list[str]] = ((), [])
        self._find_text = ""
        self._find_cache: tuple[tuple[object, ...], list[int]] = ((), [])
        self._line_cache: LRUCache[tuple[object, ...], Strip] = LRUCache(LINE_CACHE_SIZE)
        self._prepare_timer: Timer | None = None
        self._prepare_generation = 0
        self.prepare_delay = PREPARE_DELAY
        """Seconds of quiet before drawing ahead (a test can make it longer than itself)."""
        self.rows_drawn = 0
        """Rows drawn from scratch (line-cache misses) so far: tests and the bench read it."""

    # -- data ---------------------------------------------------------------------------

    @property
    def store(self) -> RowStore:
        return self._store

    def set_store(self, store: RowStore) -> None:
        """Show another store from the top; marks belong to the store, so none carry over."""
        self._store = store
        self._near_end_posted_for = -1
        self._cursor_row = 0
        self._cursor_column = 0
        self._cursor_index = None
        self._seen_view_version = store.view_version
        self._widths.clear()
        self._columns_version += 1
        self._find_text = ""
        self._line_cache.clear()
        self.scroll_to(0, 0, animate=False, force=True)
        self.refresh_rows()

    def refresh_rows(self) -> None:
        """Call after the store changed (append, filter, sort, marks): resizes, redraws.

        When the view was rebuilt, the cursor goes back to the row it was on if that row is
        still in view (clearing a filter keeps your place), else to the first row.
        """
        self._update_virtual_size()
        store = self._store
        if store.view_version != self._seen_view_version:
            self._seen_view_version = store.view_version
            self._follow_cursor_row()
        last = max(0, store.view_len - 1)
        if self._cursor_row > last:
            self._cursor_row = last
        self._remember_cursor_row()
        self.refresh()
        self._check_near_end()
        self._schedule_prepare()

    def _follow_cursor_row(self) -> None:
        index = self._cursor_index
        position = self._store.view_position(index) if index is not None else None
        self._cursor_row = position if position is not None else 0
        top, height = round(self.scroll_y), self._body_height()
        if not top <= self._cursor_row < top + height:
            self.scroll_to(y=max(0, self._cursor_row - height // 2), animate=False, force=True)

    def _remember_cursor_row(self) -> None:
        store = self._store
        self._cursor_index = store.view_row(self._cursor_row) if store.view_len else None

    def _update_virtual_size(self) -> None:
        layout = self._column_layout()
        # Room to scroll the last columns to the left edge: scrolling stops on column starts,
        # and the furthest stop must be one too, or its left column would show cut.
        visible = self._body_view_width()
        last_stop = next((slot.x for slot in layout.body if layout.body_width - slot.x <= visible), 0)
        slack = max(0, last_stop - (layout.body_width - visible))
        width = GUTTER_WIDTH + layout.pinned_width + layout.body_width + slack
        self.virtual_size = Size(width, self._store.view_len + 1)

    def view_spec(self) -> ViewSpec:
        """What this table shows, as data (for files and the headless CLI)."""
        return spec_of(self._store, self.visible_columns)

    # -- columns ------------------------------------------------------------------------

    @property
    def visible_columns(self) -> list[str]:
        """Columns on screen, in order: the pinned one first, then the caller's defaults (or
        every column), minus hidden ones."""
        order = self._column_order if self._column_order is not None else self._store.columns
        shown = [column for column in order if column not in self._hidden]
        pinned = self._pinned
        if pinned is not None and pinned in shown and shown[0] != pinned:
            shown.remove(pinned)
            shown.insert(0, pinned)
        return shown

    @visible_columns.setter
    def visible_columns(self, columns: list[str]) -> None:
        self._column_order = list(columns)
        self._hidden.clear()
        self._columns_changed()

    @property
    def pinned_column(self) -> str | None:
        """The column that stays on screen while the others scroll sideways."""
        return self._pinned

    @pinned_column.setter
    def pinned_column(self, column: str | None) -> None:
        current = self.current_column()
        self._pinned = column
        self._columns_changed(keep=current)

    def toggle_column(self, name: str) -> bool:
        """Hide a shown column or show a hidden one; returns whether it is now visible."""
        if self._column_order is not None and name not in self._column_order:
            self._column_order.append(name)
            self._hidden.discard(name)
        elif name in self._hidden:
            self._hidden.discard(name)
        else:
            self._hidden.add(name)
        self._columns_changed()
        return name not in self._hidden

    def column_width(self, column: str) -> int:
        """Cells for a column's text (padding not included)."""
        return self._width_of(column, self.header_label(column))

    def _width_of(self, column: str, label: str) -> int:
        """The user's width, else the wider of the store's estimate and the label."""
        width = self._widths.get(column)
        if width is not None:
            return width
        return min(MAX_WIDTH, max(self._store.column_width(column), cell_len(label)))

    def resize_column(self, column: str, width: int) -> None:
        self._widths[column] = max(MIN_WIDTH, min(MAX_WIDTH, width))
        self._columns_changed(keep=column)

    def move_column(self, column: str, step: int) -> bool:
        """Swap a column with its visible neighbour; False at an edge or for the pinned one."""
        shown = self.visible_columns
        if column not in shown or column == self._pinned:
            return False
        at = shown.index(column)
        other_at = at + step
        if not 0 <= other_at < len(shown) or shown[other_at] == self._pinned:
            return False
        order = list(self._column_order if self._column_order is not None else self._store.columns)
        first, second = order.index(column), order.index(shown[other_at])
        order[first], order[second] = order[second], order[first]
        self._column_order = order
        self._columns_changed(keep=column)
        return True

    def jump_to_column(self, column: str) -> bool:
        """Put the cell cursor on a visible column and scroll it into view."""
        shown = self.visible_columns
        if column not in shown:
            return False
        self._cursor_column = shown.index(column)
        self._scroll_to_cell()
        self.refresh_line(self._cursor_row + 1)
        return True

    def _columns_changed(self, keep: str | None = None) -> None:
        self._columns_version += 1
        shown = self.visible_columns
        if keep is not None and keep in shown:
            self._cursor_column = shown.index(keep)
        self._cursor_column = min(self._cursor_column, max(0, len(shown) - 1))
        self._update_virtual_size()
        if keep is not None:
            self._scroll_to_cell()
        self.refresh()

    def _labels(self) -> tuple[tuple[str, ...], list[str]]:
        """(visible columns, their header labels), rebuilt only when the columns change."""
        columns = tuple(self.visible_columns)
        if columns != self._labels_for[0]:
            self._labels_for = (columns, header_labels(columns))
        return self._labels_for

    def header_label(self, column: str) -> str:
        columns, labels = self._labels()
        return labels[columns.index(column)] if column in columns else header_labels([column])[0]

    def _column_layout(self) -> _Layout:
        """Column positions, rebuilt only when the columns or their widths change.

        Checked once per line drawn, so the check itself is a comparison of two counters unless
        the store or the columns changed since the last one.
        """
        token = (id(self._store), self._store.version, self._columns_version)
        if token == self._layout_token:
            return self._layout
        self._layout_token = token
        columns, labels = self._labels()
        widths = tuple(self._width_of(column, label) + 2 * CELL_PADDING for column, label in zip(columns, labels))
        key = (columns, widths, self._pinned)
        if key != self._layout_key:
            pinned, body, x = None, [], 0
            for number, (column, label, width) in enumerate(zip(columns, labels, widths)):
                if number == 0 and column == self._pinned:
                    pinned = ColumnSlot(column, label, 0, width, number)
                    continue
                body.append(ColumnSlot(column, label, x, width, number))
                x += width
            self._layout_key, self._layout = key, _Layout(pinned, body, x)
        return self._layout

    # -- cursor and selection -----------------------------------------------------------

    @property
    def cursor_row(self) -> int:
        """Cursor position in the current view."""
        return self._cursor_row

    @cursor_row.setter
    def cursor_row(self, position: int) -> None:
        self.move_cursor(position)

    @property
    def cursor_column(self) -> int:
        """Index into `visible_columns` of the highlighted cell."""
        return self._cursor_column

    def current_row_index(self) -> int | None:
        """Store index of the row under the cursor, or None when the view is empty."""
        if self._store.view_len == 0:
            return None
        return self._store.view_row(self._cursor_row)

    def current_column(self) -> str | None:
        columns = self.visible_columns
        return columns[self._cursor_column] if columns else None

    def selected_indices(self) -> list[int]:
        """Marked rows in view order; just the cursor row when nothing is marked.

        Marked rows that the current filter hides are left out: what you see is what you copy.
        """
        if not self._store.mark_count:
            current = self.current_row_index()
            return [] if current is None else [current]
        return self._store.marked_in_view()

    @property
    def selection_count(self) -> int:
        return self._store.mark_count

    def clear_selection(self) -> None:
        if self._store.clear_marks():
            self._selection_changed()

    def select_all(self) -> int:
        """Mark every row of the view (all loaded rows, or those the filters keep)."""
        added = self._store.mark_view()
        self._selection_changed()
        return added

    def invert_selection(self) -> None:
        self._store.invert_marks()
        self._selection_changed()

    def select_matching(self, column: str, pattern: str, on: bool = True) -> int:
        """(Un)mark rows of the view whose `column` matches `pattern`; returns how many changed."""
        changed = self._store.mark_matching(column, pattern, on)
        if changed:
            self._selection_changed()
        return changed

    def select_values(self, column: str, values: Sequence[str], on: bool = True) -> int:
        """(Un)mark rows of the view whose `column` text is one of `values` (a facet's values)."""
        changed = self._store.mark_values(column, values, on)
        if changed:
            self._selection_changed()
        return changed

    def _selection_changed(self) -> None:
        if self._store.only_marked:
            self.refresh_rows()  # marks decide which rows show
        else:
            self.refresh()
        self.post_message(self.SelectionChanged(self._store.mark_count, self))

    def move_cursor(self, position: int) -> None:
        """Put the cursor on a view position (clamped) and scroll it into view."""
        view_len = self._store.view_len
        position = max(0, min(position, view_len - 1)) if view_len else 0
        previous = self._cursor_row
        self._cursor_row = position
        self._remember_cursor_row()
        self._scroll_to_cursor()
        if position != previous:
            self.refresh_line(previous + 1)
            self.refresh_line(position + 1)
            if view_len:
                self.post_message(self.CursorMoved(self._store.view_row(position), position, self))
        self._check_near_end()
        self._schedule_prepare()

    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        top, height = round(self.scroll_y), self._body_height()
        if self._cursor_row < top:
            self.scroll_to(y=self._cursor_row, animate=False, force=True)
        elif self._cursor_row >= top + height:
            self.scroll_to(y=self._cursor_row - height + 1, animate=False, force=True)

    def _body_view_width(self) -> int:
        layout = self._column_layout()
        return max(1, self.scrollable_content_region.width - GUTTER_WIDTH - layout.pinned_width)

    def _scroll_to_cell(self) -> None:
        """Scroll sideways a whole column at a time: the leftmost body column is never cut."""
        layout = self._column_layout()
        slot = next((slot for slot in layout.body if slot.number == self._cursor_column), None)
        if slot is None:
            return  # the pinned column is always on screen
        left, visible = round(self.scroll_x), self._body_view_width()
        if slot.x < left:
            self.scroll_to(x=slot.x, animate=False, force=True)
        elif slot.x + slot.width > left + visible:
            start = next((other.x for other in layout.body if slot.x + slot.width - other.x <= visible), slot.x)
            self.scroll_to(x=min(start, slot.x), animate=False, force=True)

    def _scroll_by_column(self, step: int) -> None:
        starts = [slot.x for slot in self._column_layout().body]
        if not starts:
            return
        left = round(self.scroll_x)
        if step > 0:
            at = bisect_right(starts, left)
            target = starts[at] if at < len(starts) else left
        else:
            at = bisect_left(starts, left) - 1
            target = starts[at] if at >= 0 else 0
        self.scroll_to(x=target, animate=False, force=True)

    def _check_near_end(self) -> None:
        """Post NearEnd once per store length when the cursor or scroll nears the end."""
        store_len = len(self._store)
        if not store_len or self._near_end_posted_for == store_len or not self.size.height:
            return
        page = self._body_height()
        bottom = max(self._cursor_row, round(self.scroll_y) + page - 1)
        if self._store.view_len - 1 - bottom <= NEAR_END_PAGES * page:
            self._near_end_posted_for = store_len
            self.post_message(self.NearEnd(self))

    def on_mount(self) -> None:
        self.refresh_rows()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._check_near_end()
        self._schedule_prepare()

    def on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self._check_near_end()

    # -- sort ---------------------------------------------------------------------------

    def sort_by_column(self, column: str, *, add: bool = False) -> None:
        """One press on a column: see `view.next_sort` (alone: ▲ ▼ off; added: joins the keys)."""
        self._store.set_sort(next_sort(self._store.sort_keys, column, add=add))
        self.refresh_rows()
        self.post_message(self.SortChanged(self))

    # -- find ---------------------------------------------------------------------------

    @property
    def find_text(self) -> str:
        return self._find_text

    def set_find(self, text: str) -> None:
        """Highlight `text` in the visible columns and go to the first match from the cursor."""
        self._find_text = text.casefold()
        self.refresh()
        if self._find_text:
            self._go_to_match(self._cursor_row, forward=True, inclusive=True)
        else:
            self.post_message(self.FindMoved(FindResult("", None, 0, False), self))

    def clear_find(self) -> None:
        self.set_find("")

    def find_matches(self) -> list[int]:
        """View positions of the rows that match, computed once per find text and view."""
        key = (self._find_text, self._store.version, tuple(self.visible_columns))
        if self._find_cache[0] != key:
            self._find_cache = (key, self._store.find_positions(self._find_text, key[2]))
        return self._find_cache[1]

    def find_next(self, forward: bool = True) -> FindResult | None:
        """Go to the next (or previous) match, coming round at the end; None with no find.

        The result is returned as well as posted (FindMoved): a caller that shows it right away
        gets it into the same frame as the cursor's move.
        """
        if not self._find_text:
            return None
        return self._go_to_match(self._cursor_row, forward=forward, inclusive=False)

    def _go_to_match(self, start: int, *, forward: bool, inclusive: bool) -> FindResult:
        matches = self.find_matches()
        if not matches:
            result = FindResult(self._find_text, None, 0, False)
        else:
            target, wrapped = _next_match(matches, start, forward=forward, inclusive=inclusive)
            self.move_cursor(matches[target])
            self._cell_cursor_to_match()
            result = FindResult(self._find_text, target + 1, len(matches), wrapped)
        self.post_message(self.FindMoved(result, self))
        return result

    def _cell_cursor_to_match(self) -> None:
        index = self.current_row_index()
        if index is None or not self.cell_cursor:
            return
        columns = self.visible_columns
        texts = self._store.row_texts(index, columns)
        if self._find_text in texts[self._cursor_column].casefold():
            return
        for number, text in enumerate(texts):
            if self._find_text in text.casefold():
                self._cursor_column = number
                self._scroll_to_cell()
                self.refresh_line(self._cursor_row + 1)
                return

    # -- actions ------------------------------------------------------------------------

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor_row - self._body_height())

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor_row + self._body_height())

    def action_first_row(self) -> None:
        self.move_cursor(0)

    def action_last_row(self) -> None:
        self.move_cursor(self._store.view_len - 1)

    def action_cursor_left(self) -> None:
        if self.cell_cursor:
            self._move_cell_cursor(-1)
        else:
            self._scroll_by_column(-1)

    def action_cursor_right(self) -> None:
        if self.cell_cursor:
            self._move_cell_cursor(+1)
        else:
            self._scroll_by_column(+1)

    def _move_cell_cursor(self, step: int) -> None:
        last = max(0, len(self.visible_columns) - 1)
        self._cursor_column = max(0, min(self._cursor_column + step, last))
        self._scroll_to_cell()
        self.refresh_line(self._cursor_row + 1)

    def action_toggle_selection(self) -> None:
        index = self.current_row_index()
        if index is None:
            return
        store = self._store
        now_marked = store.toggle_mark(index)
        self.post_message(self.SelectionChanged(store.mark_count, self))
        if store.only_marked and not now_marked:
            self.refresh_rows()  # the row left the view; the next one moved up under the cursor
            return
        self.refresh_line(self._cursor_row + 1)
        self.action_cursor_down()  # like a file manager: space, space, space marks a run of rows

    def action_clear_selection(self) -> None:
        self.clear_selection()

    def action_invert_selection(self) -> None:
        self.invert_selection()

    def action_activate_row(self) -> None:
        index = self.current_row_index()
        if index is not None:
            self.post_message(self.RowActivated(index, self))

    def action_widen_column(self) -> None:
        column = self.current_column()
        if column is not None:
            self.resize_column(column, self.column_width(column) + WIDTH_STEP)

    def action_narrow_column(self) -> None:
        column = self.current_column()
        if column is not None:
            self.resize_column(column, self.column_width(column) - WIDTH_STEP)

    def action_move_column(self, step: int) -> None:
        column = self.current_column()
        if column is not None and column == self._pinned:
            self.notify("The pinned column stays first (! unpins it)", markup=False, timeout=3)
        elif column is not None:
            self.move_column(column, step)

    def action_pin_column(self) -> None:
        column = self.current_column()
        if column is not None:
            self.pinned_column = None if column == self._pinned else column

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        slot = self._slot_at(offset.x)
        if offset.y < 1:
            if slot is not None:
                self.sort_by_column(slot.name, add=event.shift)
            return
        self.move_cursor(round(self.scroll_y) + offset.y - 1)
        if slot is not None:
            self._cursor_column = slot.number
            self.refresh_line(self._cursor_row + 1)
        if event.chain == 2:
            self.action_activate_row()

    def _slot_at(self, x: int) -> ColumnSlot | None:
        """The column under content column `x` (pinned area, then the scrolled body)."""
        layout = self._column_layout()
        x -= GUTTER_WIDTH
        if x < 0:
            return None
        if layout.pinned is not None and x < layout.pinned_width:
            return layout.pinned
        body_x = x - layout.pinned_width + round(self.scroll_x)
        return next((slot for slot in layout.body if slot.x <= body_x < slot.x + slot.width), None)

    # -- rendering ----------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_cache.clear()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        """Line 0 is the header; below it, view position scroll_y + y - 1."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        self._column_layout()  # refreshes the layout key if the store's widths moved
        if y == 0:
            return self._render_header(scroll_x, width)
        view_len = self._store.view_len
        if view_len == 0:
            return self._render_empty(width) if y == 1 else Strip.blank(width, self.rich_style)
        position = scroll_y + y - 1
        if position >= view_len:
            return Strip.blank(width, self.rich_style)
        return self._row_strip(position, scroll_x, width)

    def _row_strip(self, position: int, scroll_x: int, width: int) -> Strip:
        store = self._store
        index = store.view_row(position)
        is_cursor = position == self._cursor_row
        key = (
            position,
            index,
            scroll_x,
            width,
            self._layout_key,
            is_cursor,
            self._cursor_column if is_cursor and self.cell_cursor else -1,
            store.is_marked(index),
            store.has_flag(index, RowFlag.SEEN),
            self.has_focus,
            self._find_text,
        )
        strip = self._line_cache.get(key)
        if strip is None:
            strip = self._line_cache[key] = self._render_row(position, index, scroll_x, width)
        return strip

    def _row_style(self, position: int, index: int) -> Style:
        style = self.get_component_rich_style(
            "results-table--odd-row" if position % 2 else "results-table--even-row"
        )
        if self._store.is_marked(index):
            style += self.get_component_rich_style("results-table--selected")
        if position == self._cursor_row:
            style += self.get_component_rich_style("results-table--cursor")
        return style

    def _render_row(self, position: int, index: int, scroll_x: int, width: int) -> Strip:
        self.rows_drawn += 1
        store = self._store
        style = self._row_style(position, index)
        mark = SELECTED_MARK if store.is_marked(index) else " "
        gutter = [Segment(mark, style + self.get_component_rich_style("results-table--mark"))]
        if store.has_flag(index, RowFlag.SEEN):
            gutter.append(Segment(SEEN_MARK, style + self.get_component_rich_style("results-table--seen")))
        else:
            gutter.append(Segment(" " * (GUTTER_WIDTH - 1), style))
        is_cursor = position == self._cursor_row and self.cell_cursor
        cursor_column = self._cursor_column if is_cursor else -1
        cursor_style = style + self.get_component_rich_style("results-table--cell-cursor")
        layout = self._column_layout()
        body_width = max(0, width - GUTTER_WIDTH - layout.pinned_width)
        slots = self._slots_in_window(layout, scroll_x, body_width)
        names = [slot.name for slot in slots]
        if layout.pinned is not None:
            names.append(layout.pinned.name)
        texts = dict(zip(names, store.row_texts(index, names)))
        text_of = texts.__getitem__
        pinned: list[Segment] = []
        if layout.pinned is not None:
            pinned_style = style + self.get_component_rich_style("results-table--pinned")
            pinned = self._render_cells([layout.pinned], text_of, pinned_style, cursor_column, cursor_style,
                                        0, layout.pinned_width)
        body = self._render_cells(slots, text_of, style, cursor_column, cursor_style, scroll_x, body_width)
        return Strip([*gutter, *pinned, *body], width)

    def _render_header(self, scroll_x: int, width: int) -> Strip:
        style = self.get_component_rich_style("results-table--header")
        store = self._store
        key = ("header", scroll_x, width, self._layout_key, store.sort_keys, self.has_focus)
        strip = self._line_cache.get(key)
        if strip is None:
            arrows = _sort_arrows(store.sort_keys)
            layout = self._column_layout()

            def label(slot: ColumnSlot) -> str:
                # Labels come from column names, which come from the rows: sanitized text only.
                inner = slot.width - 2 * CELL_PADDING
                arrow = arrows.get(slot.name)
                if arrow is None:
                    return _fit(slot.label, inner)
                room = inner - cell_len(arrow)  # the arrow is never the part that gets cut
                if room <= 0:
                    return _fit(arrow.strip(), inner)
                label = slot.label if cell_len(slot.label) <= room else _fit(slot.label, room)
                return _fit(label + arrow, inner)

            body_width = max(0, width - GUTTER_WIDTH - layout.pinned_width)
            pinned = []
            if layout.pinned is not None:
                pinned = self._render_cells([layout.pinned], None, style, -1, style, 0, layout.pinned_width,
                                            fitted=label)
            slots = self._slots_in_window(layout, scroll_x, body_width)
            body = self._render_cells(slots, None, style, -1, style, scroll_x, body_width, fitted=label)
            strip = Strip([Segment(" " * GUTTER_WIDTH, style), *pinned, *body], width)
            self._line_cache[key] = strip
        return strip

    @staticmethod
    def _slots_in_window(layout: _Layout, scroll_x: int, body_width: int) -> list[ColumnSlot]:
        right = scroll_x + body_width
        slots = []
        for slot in layout.body:
            if slot.x + slot.width <= scroll_x:
                continue
            if slot.x >= right:
                break
            slots.append(slot)
        return slots

    def _render_cells(
        self,
        slots: list[ColumnSlot],
        text_of: Callable[[str], str] | None,
        style: Style,
        highlight: int,
        highlight_style: Style,
        scroll_x: int,
        body_width: int,
        fitted: Callable[[ColumnSlot], str] | None = None,
    ) -> list[Segment]:
        """Segments for `slots` cropped to the window [scroll_x, scroll_x + body_width)."""
        if body_width <= 0:
            return []
        if not slots:
            return [Segment(" " * body_width, style)]
        segments: list[Segment] = []
        run: list[str] = []  # cells sharing the row style become one segment: fewer to crop and draw
        pad = " " * CELL_PADDING
        needle = self._find_text if text_of is not None else ""
        match_style = self.get_component_rich_style("results-table--match") if needle else style
        for slot in slots:
            if fitted is not None:
                inner = fitted(slot)
            else:
                assert text_of is not None
                inner = _fit(text_of(slot.name), slot.width - 2 * CELL_PADDING)
            text = pad + inner + pad
            cell_style = highlight_style if slot.number == highlight else style
            has_match = bool(needle) and needle in inner.casefold()
            if cell_style is style and not has_match:
                run.append(text)
                continue
            if run:
                segments.append(Segment("".join(run), style))
                run = []
            if has_match:
                segments.extend(_highlighted(text, needle, cell_style, cell_style + match_style))
            else:
                segments.append(Segment(text, cell_style))
        if run:
            segments.append(Segment("".join(run), style))
        return _window(segments, scroll_x - slots[0].x, body_width, slots[-1].x + slots[-1].width - slots[0].x, style)

    def _render_empty(self, width: int) -> Strip:
        style = self.get_component_rich_style("results-table--empty")
        message = "No rows match the filter" if self._store.is_filtered else "No rows"
        return Strip([Segment(set_cell_size(" " * GUTTER_WIDTH + message, width), style)], width)

    # -- drawing ahead ------------------------------------------------------------------

    def _schedule_prepare(self) -> None:
        """After a quiet moment, draw the screens a key is likely to show next."""
        self._prepare_generation += 1
        if self._prepare_timer is not None:
            self._prepare_timer.stop()
            self._prepare_timer = None
        if self.is_mounted and self.size.height:
            self._prepare_timer = self.set_timer(self.prepare_delay, self._start_preparing)

    def _start_preparing(self) -> None:
        self._prepare_timer = None
        self._prepare_step(self._prepare_generation, self._likely_next_positions())

    def _likely_next_positions(self) -> list[int]:
        """Pages below and above, the next find match's screen, the last page: nearest first."""
        view_len = self._store.view_len
        top, height = round(self.scroll_y), self._body_height()
        wanted = [*range(top + height, top + 2 * height), *range(top - height, top)]  # pagedown, pageup
        if self._find_text:
            matches = self.find_matches()
            if matches:
                target, _ = _next_match(matches, self._cursor_row, forward=True, inclusive=False)
                if not top <= matches[target] < top + height:
                    wanted.extend(range(matches[target] - height + 1, matches[target] + 1))  # n
        wanted.extend(range(view_len - height, view_len))  # end
        return [position for position in dict.fromkeys(wanted) if 0 <= position < view_len]

    def _prepare_step(self, generation: int, positions: list[int]) -> None:
        """Draw a few rows into the line cache, then let the event loop run before the next few;
        a keypress (or any change) in between starts a new generation and this one stops."""
        if generation != self._prepare_generation or not positions or not self.is_mounted:
            return
        scroll_x, width = self.scroll_offset.x, self.size.width
        self._column_layout()
        for position in positions[:PREPARE_ROWS_PER_STEP]:
            if position < self._store.view_len:
                self._row_strip(position, scroll_x, width)
        if len(positions) > PREPARE_ROWS_PER_STEP:
            self.call_later(self._prepare_step, generation, positions[PREPARE_ROWS_PER_STEP:])


def _window(segments: list[Segment], left: int, width: int, total: int, style: Style) -> list[Segment]:
    """Cells [left, left + width) of a line `total` cells wide, padded with `style` past its end.

    Rich's divide on plain segments: cropping through Strip objects would build caches for
    every intermediate strip, for every row drawn.
    """
    _, window = Segment.divide(segments, (left, left + width))
    covered = min(total, left + width) - left
    if covered < width:
        window.append(Segment(" " * (width - covered), style))
    return window


def _next_match(matches: list[int], start: int, *, forward: bool, inclusive: bool) -> tuple[int, bool]:
    """(index into `matches`, wrapped) of the match after (or before) view position `start`."""
    if forward:
        at = bisect_left(matches, start) if inclusive else bisect_right(matches, start)
        return (at, False) if at < len(matches) else (0, True)
    at = (bisect_right(matches, start) if inclusive else bisect_left(matches, start)) - 1
    return (at, False) if at >= 0 else (len(matches) - 1, True)


def _sort_arrows(keys: Sequence[tuple[str, bool]]) -> dict[str, str]:
    """Header suffix per sort column: ' ▲' alone, ' ▲1' ' ▼2' when there are several keys."""
    if len(keys) == 1:
        column, descending = keys[0]
        return {column: " ▼" if descending else " ▲"}
    return {column: (" ▼" if descending else " ▲") + str(number)
            for number, (column, descending) in enumerate(keys, start=1)}


def _highlighted(text: str, needle: str, style: Style, match_style: Style) -> list[Segment]:
    """The cell with every occurrence of `needle` (casefolded) styled as a match.

    Where casefolding changes the text's length (ß -> ss), offsets would not line up: the
    whole cell is styled instead.
    """
    folded = text.casefold()
    if len(folded) != len(text):
        return [Segment(text, match_style)]
    segments, start = [], 0
    at = folded.find(needle)
    while at >= 0:
        if at > start:
            segments.append(Segment(text[start:at], style))
        segments.append(Segment(text[at : at + len(needle)], match_style))
        start = at + len(needle)
        at = folded.find(needle, start)
    if start < len(text):
        segments.append(Segment(text[start:], style))
    return segments


def _fit(text: str, width: int) -> str:
    """Crop or pad to exactly `width` cells (wide characters aware), marking cropped text."""
    if width <= 0:
        return ""
    if text.isascii():  # one cell per character: plain slicing is exact and much cheaper
        return text.ljust(width) if len(text) <= width else text[: width - 1] + ELLIPSIS
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + ELLIPSIS
