"""A results table that renders only the rows on screen, so 100,000 rows cost what 100 do.

Textual's DataTable measures every cell as rows arrive; this widget instead asks a
`RowStore` for the handful of rows in view each frame (Line API: `render_line(y)`), sizes
columns from the store's bounded width estimate, and caches the strips it builds.
Cell text goes into plain `Segment`s and is never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable
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

from sixtyfour_tui.api.rows import sanitize_text
from sixtyfour_tui.table.row_store import RowStore

GUTTER_WIDTH = 2
"""Fixed left margin that shows the selection mark; it does not scroll horizontally."""
SELECTED_MARK = "●"
CELL_PADDING = 1
"""Blank cells either side of every value."""
NEAR_END_PAGES = 2
"""How close (in screenfuls) the cursor or scroll must come to the end to ask for more rows."""
ELLIPSIS = "…"


class ColumnSlot(NamedTuple):
    """Where one visible column sits in the unscrolled table body."""

    name: str
    x: int
    width: int


class ResultsTable(ScrollView, can_focus=True):
    """Keyboard-first table over a `RowStore`: cursor, multi-select, hideable columns."""

    HELP_TITLE = "Results table"

    COMPONENT_CLASSES = {
        "results-table--header",
        "results-table--odd-row",
        "results-table--even-row",
        "results-table--cursor",
        "results-table--cell-cursor",
        "results-table--selected",
        "results-table--mark",
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
    ]

    class CursorMoved(Message):
        """The cursor landed on another row."""

        def __init__(self, row_index: int, position: int, table: ResultsTable | None = None) -> None:
            self.row_index = row_index
            """Index of the row in the store."""
            self.position = position
            """Position of the row in the current (filtered/sorted) view."""
            self.table = table
            super().__init__()

        @property
        def control(self) -> ResultsTable | None:
            return self.table

    class RowActivated(Message):
        """Enter (or a double click) on a row: the caller usually opens its details."""

        def __init__(self, row_index: int, table: ResultsTable | None = None) -> None:
            self.row_index = row_index
            self.table = table
            super().__init__()

        @property
        def control(self) -> ResultsTable | None:
            return self.table

    class NearEnd(Message):
        """The user is within a couple of screens of the last loaded row: time to fetch more."""

        def __init__(self, table: ResultsTable | None = None) -> None:
            self.table = table
            super().__init__()

        @property
        def control(self) -> ResultsTable | None:
            return self.table

    class SelectionChanged(Message):
        """The set of marked rows changed."""

        def __init__(self, count: int, table: ResultsTable | None = None) -> None:
            self.count = count
            self.table = table
            super().__init__()

        @property
        def control(self) -> ResultsTable | None:
            return self.table

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
        self.cell_cursor = cell_cursor
        """When on, left/right move a highlighted cell; when off they scroll sideways."""
        self._cursor_row = 0
        self._cursor_column = 0
        self._selected: set[int] = set()
        self._near_end_posted_for = -1
        self._layout_key: tuple = ()
        self._layout: list[ColumnSlot] = []
        self._line_cache: LRUCache[tuple, Strip] = LRUCache(1024)

    # -- data ---------------------------------------------------------------------------

    @property
    def store(self) -> RowStore:
        return self._store

    def set_store(self, store: RowStore) -> None:
        """Show another store from the top; selection is per store, so it is cleared."""
        self._store = store
        self._selected.clear()
        self._near_end_posted_for = -1
        self._cursor_row = 0
        self._cursor_column = 0
        self._line_cache.clear()
        self.scroll_to(0, 0, animate=False, force=True)
        self.refresh_rows()

    def refresh_rows(self) -> None:
        """Call after the store changed (append, filter, sort): resizes, redraws what's visible."""
        self._update_virtual_size()
        last = max(0, self._store.view_len - 1)
        if self._cursor_row > last:
            self._cursor_row = last
        self.refresh()
        self._check_near_end()

    def _update_virtual_size(self) -> None:
        layout = self._column_layout()
        body_width = layout[-1].x + layout[-1].width if layout else 0
        self.virtual_size = Size(GUTTER_WIDTH + body_width, self._store.view_len + 1)

    # -- columns ------------------------------------------------------------------------

    @property
    def visible_columns(self) -> list[str]:
        """Columns on screen, in order: the caller's defaults (or every column), minus hidden."""
        order = self._column_order if self._column_order is not None else self._store.columns
        return [column for column in order if column not in self._hidden]

    @visible_columns.setter
    def visible_columns(self, columns: list[str]) -> None:
        self._column_order = list(columns)
        self._hidden.clear()
        self._columns_changed()

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

    def _columns_changed(self) -> None:
        self._cursor_column = min(self._cursor_column, max(0, len(self.visible_columns) - 1))
        self._update_virtual_size()
        self.refresh()

    def _column_layout(self) -> list[ColumnSlot]:
        """Column positions, rebuilt only when the columns or their estimated widths change."""
        columns = self.visible_columns
        widths = [self._store.column_width(column) + 2 * CELL_PADDING for column in columns]
        key = (tuple(columns), tuple(widths))
        if key != self._layout_key:
            layout, x = [], 0
            for column, width in zip(columns, widths):
                layout.append(ColumnSlot(column, x, width))
                x += width
            self._layout_key, self._layout = key, layout
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
        if not self._selected:
            current = self.current_row_index()
            return [] if current is None else [current]
        store = self._store
        if store.sort_column is None and not store.filter_text:
            return sorted(self._selected)
        return [i for i in (store.view_row(p) for p in range(store.view_len)) if i in self._selected]

    @property
    def selection_count(self) -> int:
        return len(self._selected)

    def clear_selection(self) -> None:
        if self._selected:
            self._selected.clear()
            self.refresh()
            self.post_message(self.SelectionChanged(0, self))

    def move_cursor(self, position: int) -> None:
        """Put the cursor on a view position (clamped) and scroll it into view."""
        view_len = self._store.view_len
        position = max(0, min(position, view_len - 1)) if view_len else 0
        previous = self._cursor_row
        self._cursor_row = position
        self._scroll_to_cursor()
        if position != previous:
            self.refresh_line(previous + 1)
            self.refresh_line(position + 1)
            if view_len:
                self.post_message(self.CursorMoved(self._store.view_row(position), position, self))
        self._check_near_end()

    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        top, height = round(self.scroll_y), self._body_height()
        if self._cursor_row < top:
            self.scroll_to(y=self._cursor_row, animate=False, force=True)
        elif self._cursor_row >= top + height:
            self.scroll_to(y=self._cursor_row - height + 1, animate=False, force=True)

    def _scroll_to_cell(self) -> None:
        layout = self._column_layout()
        if not layout:
            return
        slot = layout[min(self._cursor_column, len(layout) - 1)]
        left, visible = round(self.scroll_x), max(1, self.scrollable_content_region.width - GUTTER_WIDTH)
        if slot.x < left:
            self.scroll_to(x=slot.x, animate=False, force=True)
        elif slot.x + slot.width > left + visible:
            self.scroll_to(x=min(slot.x, slot.x + slot.width - visible), animate=False, force=True)

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

    def on_resize(self, event: events.Resize) -> None:
        self._check_near_end()

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
            self.scroll_to(x=self.scroll_x - 8, animate=False)

    def action_cursor_right(self) -> None:
        if self.cell_cursor:
            self._move_cell_cursor(+1)
        else:
            self.scroll_to(x=self.scroll_x + 8, animate=False)

    def _move_cell_cursor(self, step: int) -> None:
        last = max(0, len(self.visible_columns) - 1)
        self._cursor_column = max(0, min(self._cursor_column + step, last))
        self._scroll_to_cell()
        self.refresh_line(self._cursor_row + 1)

    def action_toggle_selection(self) -> None:
        index = self.current_row_index()
        if index is None:
            return
        self._selected.symmetric_difference_update((index,))
        self.refresh_line(self._cursor_row + 1)
        self.post_message(self.SelectionChanged(len(self._selected), self))
        self.action_cursor_down()  # like a file manager: space, space, space marks a run of rows

    def action_activate_row(self) -> None:
        index = self.current_row_index()
        if index is not None:
            self.post_message(self.RowActivated(index, self))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        self.move_cursor(round(self.scroll_y) + offset.y - 1)
        body_x = offset.x - GUTTER_WIDTH + round(self.scroll_x)
        for column, slot in enumerate(self._column_layout()):
            if slot.x <= body_x < slot.x + slot.width:
                self._cursor_column = column
                self.refresh_line(self._cursor_row + 1)
        if event.chain == 2:
            self.action_activate_row()

    # -- rendering ----------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_cache.clear()
        self.refresh()

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        super()._on_blur(event)
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
        index = self._store.view_row(position)
        is_cursor = position == self._cursor_row
        key = (
            position,
            index,
            scroll_x,
            width,
            self._layout_key,
            is_cursor,
            self._cursor_column if is_cursor and self.cell_cursor else -1,
            index in self._selected,
            self.has_focus,
        )
        strip = self._line_cache.get(key)
        if strip is None:
            strip = self._line_cache[key] = self._render_row(position, index, scroll_x, width)
        return strip

    def _row_style(self, position: int, index: int) -> Style:
        style = self.get_component_rich_style(
            "results-table--odd-row" if position % 2 else "results-table--even-row"
        )
        if index in self._selected:
            style += self.get_component_rich_style("results-table--selected")
        if position == self._cursor_row:
            style += self.get_component_rich_style("results-table--cursor")
        return style

    def _render_row(self, position: int, index: int, scroll_x: int, width: int) -> Strip:
        style = self._row_style(position, index)
        mark = SELECTED_MARK if index in self._selected else ""
        mark_style = style + self.get_component_rich_style("results-table--mark")
        gutter = Segment(set_cell_size(mark, GUTTER_WIDTH), mark_style)
        cell_style = style
        if position == self._cursor_row and self.cell_cursor:
            cell_style = style + self.get_component_rich_style("results-table--cell-cursor")
        cursor_column = self._cursor_column if position == self._cursor_row and self.cell_cursor else -1
        text_of = self._store.cell_text
        body = self._render_body(
            lambda column: text_of(index, column), style, cursor_column, cell_style, scroll_x, width
        )
        return Strip([gutter, *body], width)

    def _render_header(self, scroll_x: int, width: int) -> Strip:
        style = self.get_component_rich_style("results-table--header")
        key = ("header", scroll_x, width, self._layout_key, self._store.sort_column,
               self._store.sort_descending, self.has_focus)
        strip = self._line_cache.get(key)
        if strip is None:
            sort_column = self._store.sort_column
            arrow = " ▼" if self._store.sort_descending else " ▲"

            def label(column: str) -> str:
                # Column names come from the rows: untrusted, so cleaned like any cell.
                name = sanitize_text(column)
                return name + arrow if column == sort_column else name

            body = self._render_body(label, style, -1, style, scroll_x, width)
            strip = Strip([Segment(" " * GUTTER_WIDTH, style), *body], width)
            self._line_cache[key] = strip
        return strip

    def _render_body(self, text_of: Callable[[str], str], style: Style, highlight: int, highlight_style: Style,
                     scroll_x: int, width: int) -> list[Segment]:
        """Segments for the columns that intersect the window [scroll_x, scroll_x + body width)."""
        body_width = max(0, width - GUTTER_WIDTH)
        right = scroll_x + body_width
        segments: list[Segment] = []
        run: list[str] = []  # cells sharing the row style become one segment: fewer to crop and draw
        start = None
        pad = " " * CELL_PADDING
        for column_number, slot in enumerate(self._column_layout()):
            if slot.x + slot.width <= scroll_x:
                continue
            if slot.x >= right:
                break
            if start is None:
                start = slot.x
            text = pad + _fit(text_of(slot.name), slot.width - 2 * CELL_PADDING) + pad
            if column_number == highlight:
                if run:
                    segments.append(Segment("".join(run), style))
                    run = []
                segments.append(Segment(text, highlight_style))
            else:
                run.append(text)
        if run:
            segments.append(Segment("".join(run), style))
        if start is None:
            return [Segment(" " * body_width, style)]
        body = Strip(segments).crop(scroll_x - start, scroll_x - start + body_width)
        return list(body.extend_cell_length(body_width, style))

    def _render_empty(self, width: int) -> Strip:
        style = self.get_component_rich_style("results-table--empty")
        message = "No rows match the filter" if self._store.filter_text else "No rows"
        return Strip([Segment(set_cell_size(" " * GUTTER_WIDTH + message, width), style)], width)


def _fit(text: str, width: int) -> str:
    """Crop or pad to exactly `width` cells (wide characters aware), marking cropped text."""
    if width <= 0:
        return ""
    if text.isascii():  # one cell per character: plain slicing is exact and much cheaper
        return text.ljust(width) if len(text) <= width else text[: width - 1] + ELLIPSIS
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + ELLIPSIS
