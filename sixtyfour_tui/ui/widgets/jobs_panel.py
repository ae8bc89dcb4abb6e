"""The jobs panel: every search with its status, query, progress and counts, oldest first.

A Line-API widget (`ScrollView.render_line`), like the results table: each row is drawn from
the job's record into a cached strip, and a change (a progress event, the clock's tick) redraws
only that row's line, so a panel on screen for hours while searches run costs next to nothing.
When the panel is narrow, columns drop out by priority (status, query, results and progress
stay longest) instead of scrolling sideways. Cell text goes into plain `Segment`s and is never
parsed as markup: queries and progress messages are untrusted.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sixtyfour_tui.api.rows import sanitize_text
from sixtyfour_tui.jobs.beat import BEAT, next_beat
from sixtyfour_tui.jobs.records import JobRecord
from sixtyfour_tui.ui import job_text
from sixtyfour_tui.ui.job_text import STATUS_ICONS, elapsed_text, query_text, results_text
from sixtyfour_tui.ui.sparkline import sparkline


class JobColumn(NamedTuple):
    key: str
    label: str
    width: int
    """Cells the column takes; for the query and progress, the least they are given."""
    priority: int
    """When the panel is too narrow, the column with the highest number goes first."""
    right: bool = False


QUERY_MIN = 12
QUERY_READABLE = 28
PROGRESS_READABLE = 16
"""Widths worth dropping an optional column for."""
QUERY_MAX = 80
"""The query column never grows past this; the progress column takes the rest."""
ESSENTIAL = 4
"""Columns with this priority or lower (status, query, results, progress) go only when nothing else fits."""

COLUMNS: tuple[JobColumn, ...] = (
    JobColumn("status", "Status", 12, 1),
    JobColumn("query", "Query", QUERY_MIN, 2),
    JobColumn("progress", "Progress", 10, 4),
    JobColumn("iterations", "Iterations", 10, 8, right=True),
    JobColumn("results", "Results", 7, 3, right=True),
    JobColumn("new", "New", 6, 6, right=True),
    JobColumn("trend", "Trend", 6, 7),
    JobColumn("elapsed", "Elapsed", 7, 5, right=True),
)
MARGIN = 1
"""Blank cells left of the first column."""
ELLIPSIS = "…"
LINE_CACHE_SIZE = 512
CLOCK_RUNS = ("starting", "running")
"""Statuses whose elapsed time still grows: the running jobs."""
STATUS_CLASSES = {"completed": "completed", "failed": "failed", "running": "running", "starting": "running",
                  "queued": "muted", "cancelled": "muted", "interrupted": "muted"}
WAITING_PREFIXES = ("Queued", "Waiting for a free slot")
"""Progress messages a job carries while queued: once it runs they no longer describe it."""


class Slot(NamedTuple):
    column: JobColumn
    x: int
    width: int


def plan_columns(width: int, longest_query: int) -> list[Slot]:
    """The columns that fit in `width` cells, and where; nothing ever scrolls sideways.

    The optional columns (elapsed, new, trend, iterations) drop out, least important first,
    until the query and progress can have a readable width (`QUERY_READABLE`,
    `PROGRESS_READABLE`); the essential ones (status, query, progress, results) drop only when
    even their least widths do not fit. Spare cells go to the query and progress up to their
    readable widths, then to the query up to its longest text, then to progress.
    """
    gap = 2 if width >= 70 else 1
    readable = {"query": min(max(longest_query, QUERY_MIN), QUERY_READABLE), "progress": PROGRESS_READABLE}

    def needed(columns: list[JobColumn], widths: dict[str, int] | None = None) -> int:
        chosen_widths = [max(column.width, (widths or {}).get(column.key, 0)) for column in columns]
        return MARGIN + sum(chosen_widths) + gap * (len(columns) - 1)

    chosen = list(COLUMNS)
    while needed(chosen, readable) > width and any(column.priority > ESSENTIAL for column in chosen):
        chosen.remove(max(chosen, key=lambda column: column.priority))
    while len(chosen) > 1 and needed(chosen) > width:
        chosen.remove(max(chosen, key=lambda column: column.priority))
    spare = max(0, width - needed(chosen))
    widths = {column.key: column.width for column in chosen}
    for key, target in (("query", readable["query"]), ("progress", readable["progress"]),
                        ("query", min(longest_query, QUERY_MAX))):
        if key in widths and spare:
            grow = min(spare, max(0, target - widths[key]))
            widths[key] += grow
            spare -= grow
    for key in ("progress", "query"):  # what is left: progress messages are the longest texts
        if key in widths:
            widths[key] += spare
            break
    slots, x = [], MARGIN
    for column in chosen:
        slots.append(Slot(column, x, widths[column.key]))
        x += widths[column.key] + gap
    return slots


def status_text(job: JobRecord, queue_position: int | None) -> str:
    icon = STATUS_ICONS.get(job.status, "?")
    if job.status == "queued" and queue_position:
        return f"{icon} queued #{queue_position}"
    return f"{icon} {job.status}"


def progress_text(job: JobRecord, queue_position: int | None) -> str:
    """What the job is doing, never at odds with its status: a running job does not say
    "Queued", and a queued one says its place in this window's queue as it is now."""
    if job.status == "failed":
        return sanitize_text(f"Error: {job.error or 'unknown error'}")
    message = sanitize_text(job.progress_message)
    if job.status == "queued":
        if queue_position:
            return f"Waiting for a free slot · #{queue_position} in line"
        return message if message and not message.startswith(WAITING_PREFIXES) else "Queued in another window"
    if job.status in CLOCK_RUNS and (not message or message.startswith(WAITING_PREFIXES)):
        return "Starting on the server…"
    return message


class JobsPanel(ScrollView, can_focus=True):
    """Oldest job first, like a log. `enter` asks the app to open the job under the cursor."""

    HELP_TITLE = "Jobs"

    COMPONENT_CLASSES = {
        "jobs-panel--header",
        "jobs-panel--even-row",
        "jobs-panel--cursor",
        "jobs-panel--completed",
        "jobs-panel--failed",
        "jobs-panel--running",
        "jobs-panel--muted",
        "jobs-panel--new",
        "jobs-panel--trend",
        "jobs-panel--empty",
    }

    DEFAULT_CSS = """
    JobsPanel {
        background: $surface;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        & > .jobs-panel--header { background: $panel; color: $foreground; text-style: bold; }
        & > .jobs-panel--even-row { background: $surface-lighten-1 50%; }
        & > .jobs-panel--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .jobs-panel--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .jobs-panel--completed { color: $text-success; }
        & > .jobs-panel--failed { color: $text-error; }
        & > .jobs-panel--running { color: $text-warning; }
        & > .jobs-panel--muted { color: $text-muted; }
        & > .jobs-panel--new { color: $text-success; }
        & > .jobs-panel--trend { color: $text-accent; }
        & > .jobs-panel--empty { color: $text-muted; text-style: italic; }
    }
    """

    BINDINGS = [
        Binding("enter", "open_job", "Open", id="jobs.open"),
        Binding("delete,x", "remove_job", "Cancel/remove", id="jobs.remove"),
        Binding("m", "load_older", "Older jobs", id="jobs.older"),
        Binding("down,j", "cursor_down", "Down", show=False, id="jobs.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="jobs.up"),
        Binding("home,g", "first", "First", show=False, id="jobs.first"),
        Binding("end,G", "last", "Last", show=False, id="jobs.last"),
        Binding("pageup", "page_up", "Page up", show=False, id="jobs.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="jobs.page_down"),
    ]

    @dataclass
    class OpenRequested(Message):
        job_id: str

    @dataclass
    class RemoveRequested(Message):
        job_id: str

    class OlderRequested(Message):
        """The user wants the jobs older than the oldest one shown."""

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._jobs: dict[str, JobRecord] = {}
        self._order: list[str] = []
        self._sort_keys: list[tuple[float, str]] = []
        self._positions: dict[str, int | None] = {}
        self._cells: dict[str, dict[str, tuple[str, str]]] = {}  # job_id -> column -> (text, style class)
        self._versions: dict[str, int] = {}  # bumped whenever a row's cells change: part of its cache key
        self._counts: dict[str, tuple[int, int | None, int | None]] = {}  # job_id -> (stored, new, seen)
        self._cursor = 0
        self._has_older = True
        self._described = ""
        self._longest_query = 0
        self._plan: tuple[int, int, list[Slot]] = (-1, -1, [])
        self._lines: LRUCache[tuple[object, ...], Strip] = LRUCache(LINE_CACHE_SIZE)
        self._cell_styles: dict[tuple[str, bool, bool, bool], Style] = {}
        self._clocked: set[str] = set()  # the jobs whose clock runs: the tick looks at these only
        self.lines_drawn = 0
        """Rows drawn from scratch (line-cache misses): tests read it to see what a change costs."""
        self.border_title = "Jobs"

    def on_mount(self) -> None:
        self._update_virtual_size()
        # On the process's beat, so the clocks, the polls and the change feed share one wake-up.
        self.set_timer(next_beat(), lambda: self.set_interval(BEAT, self.advance_clocks))

    # -- what the app calls ---------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._order)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def job_ids(self) -> list[str]:
        """The jobs shown, oldest first."""
        return list(self._order)

    @property
    def current_job_id(self) -> str | None:
        return self._order[self._cursor] if self._order else None

    @property
    def oldest_created_at(self) -> float | None:
        first = self._order[0] if self._order else None
        return self._jobs[first].created_at if first is not None else None

    def cell_text(self, job_id: str, column: str) -> str:
        """What a cell says (before it is cut to its column's width)."""
        return self._cells[job_id][column][0]

    def show_job(self, job: JobRecord, queue_position: int | None = None, *, focus_new: bool = False) -> None:
        """Add or update one job's row; jobs stay in the order they were created, like a log."""
        if job.kind != "search":
            return
        self._jobs[job.job_id] = job
        self._positions[job.job_id] = queue_position
        if job.status in CLOCK_RUNS:
            self._clocked.add(job.job_id)
        else:
            self._clocked.discard(job.job_id)
        if job.job_id in self._cells:
            self._set_cells(job.job_id)
        else:
            self._insert(job)
            if focus_new:
                self.move_cursor(self._order.index(job.job_id))
        self._update_title()
        if job.job_id == self.current_job_id:
            self._describe()

    def show_jobs(self, jobs: Iterable[JobRecord], position_of: Callable[[str], int | None]) -> None:
        """Many jobs at once (the start, or older ones loaded on request)."""
        for job in jobs:
            self.show_job(job, position_of(job.job_id))

    def refresh_queue(self, position_of: Callable[[str], int | None]) -> None:
        """Places in the queue move whenever one job leaves it: re-read them all."""
        for job_id, job in self._jobs.items():
            if job.status == "queued":
                position = position_of(job_id)
                if position != self._positions.get(job_id):
                    self._positions[job_id] = position
                    self._set_cells(job_id)
        if self.current_job_id is not None:
            self._describe()

    def show_counts(self, job_id: str, stored: int, new: int | None, seen: int | None) -> None:
        """How many of a search's rows are new (never in an earlier search) and how many were seen."""
        self._counts[job_id] = (stored, new, seen)
        if job_id in self._cells:
            self._set_cells(job_id)
            if job_id == self.current_job_id:
                self._describe()

    def forget_job(self, job_id: str) -> None:
        if job_id not in self._jobs:
            return
        at = self._order.index(job_id)
        del self._order[at]
        del self._sort_keys[at]
        self._jobs.pop(job_id)
        self._clocked.discard(job_id)
        self._cells.pop(job_id)
        self._versions.pop(job_id)
        self._positions.pop(job_id, None)
        self._counts.pop(job_id, None)
        if at < self._cursor or self._cursor >= len(self._order):
            self._cursor = max(0, self._cursor - 1)
        self._longest_query = max((cell_len(self._cells[j]["query"][0]) for j in self._order), default=0)
        self._update_virtual_size()
        self.refresh()
        self._update_title()
        self._describe()  # the line under the panel follows the cursor to its new job

    def move_cursor(self, row: int) -> None:
        if not self._order:
            return
        row = max(0, min(row, len(self._order) - 1))
        previous, self._cursor = self._cursor, row
        self._scroll_to_cursor()
        if row != previous:
            self._refresh_row(previous)
            self._refresh_row(row)
        self._describe()

    # -- rows -----------------------------------------------------------------------------------

    def _insert(self, job: JobRecord) -> None:
        key = (job.created_at, job.job_id)
        at = bisect_left(self._sort_keys, key)
        current = self.current_job_id
        self._sort_keys.insert(at, key)
        self._order.insert(at, job.job_id)
        self._versions[job.job_id] = 0
        self._cells[job.job_id] = self._cells_of(job)
        self._longest_query = max(self._longest_query, cell_len(self._cells[job.job_id]["query"][0]))
        if current is not None and at <= self._cursor:
            self._cursor += 1  # the cursor stays on its job
        self._update_virtual_size()
        self.refresh()

    def _set_cells(self, job_id: str) -> None:
        """Redraw one row, unless it would look exactly as it does now."""
        cells = self._cells_of(self._jobs[job_id])
        if cells != self._cells[job_id]:
            self._cells[job_id] = cells
            self._versions[job_id] += 1
            query_width = cell_len(cells["query"][0])
            if query_width > self._longest_query:
                self._longest_query = query_width
                self.refresh()
            else:
                self._refresh_row(self._order.index(job_id))

    def _cells_of(self, job: JobRecord, now: float | None = None) -> dict[str, tuple[str, str]]:
        position = self._positions.get(job.job_id)
        status_class = STATUS_CLASSES.get(job.status, "")
        counts = self._counts.get(job.job_id)
        new = counts[1] if counts is not None else None
        return {
            "status": (status_text(job, position), status_class),
            "query": (query_text(job), ""),
            "progress": (progress_text(job, position), "failed" if job.status == "failed" else ""),
            "iterations": (str(job.iterations or ""), ""),
            "results": (results_text(job), ""),
            "new": ("" if new is None else f"{new:,}", "new" if new else "muted"),
            "trend": (sparkline(list(job.results_history), width=6), "trend"),
            "elapsed": (elapsed_text(job, now), ""),
        }

    def advance_clocks(self) -> None:
        """Advance the running jobs' clocks, while anyone can see them (a hidden panel catches up
        on the first tick after it shows again). Only the rows whose time changed are redrawn."""
        if not self._can_be_seen():
            return
        now = job_text.clock()
        changed: list[int] = []
        for job_id in self._clocked:
            elapsed = (elapsed_text(self._jobs[job_id], now), "")
            cells = self._cells[job_id]
            if cells["elapsed"] != elapsed:
                self._cells[job_id] = {**cells, "elapsed": elapsed}
                self._versions[job_id] += 1
                changed.append(self._order.index(job_id))
        slot = next((slot for slot in self._slots(self.scrollable_content_region.width)
                     if slot.column.key == "elapsed"), None)
        top, bottom = round(self.scroll_y) + 1, round(self.scroll_y) + self._body_height()
        shown = [row - round(self.scroll_y) + 1 for row in changed if top <= row + 1 <= bottom]
        if slot is not None and shown:
            # One region, the clock column from the first changed line to the last: the compositor
            # repaints it in one pass (a region per row costs a pass each).
            self.refresh(Region(slot.x, min(shown), slot.width, max(shown) - min(shown) + 1))

    def _can_be_seen(self) -> bool:
        current = self.app.screen
        return self.is_on_screen and (current is self.screen or current.is_modal)

    def _describe(self) -> None:
        """The highlighted job in full under the table: columns cut long text short."""
        job_id = self.current_job_id
        line = ""
        if job_id is not None:
            job = self._jobs[job_id]
            parts = [progress_text(job, self._positions.get(job_id))]
            counts = self._counts.get(job_id)
            if counts is not None and counts[1] is not None:
                parts.append(f"{counts[0]:,} stored · {counts[1]:,} new · {counts[2] or 0:,} seen")
            if job.edit_note:
                parts.append(sanitize_text(f"edited: {job.edit_note}"))
            if job.exclusions.summary:
                parts.append(sanitize_text(job.exclusions.summary))
            if job.interpretation and job.interpretation != job.progress_message:
                parts.append(sanitize_text(job.interpretation))
            line = " · ".join(part for part in parts if part)
        if line != self._described:  # setting a border title repaints the whole panel
            self._described = line
            self.border_subtitle = Content(line)

    def _update_title(self) -> None:
        running = sum(1 for j in self._jobs.values() if j.status in CLOCK_RUNS)
        queued = sum(1 for j in self._jobs.values() if j.status == "queued")
        parts = [f"{running}/5 running"]
        if queued:
            parts.append(f"{queued} queued")
        title = "Jobs · " + " · ".join(parts)
        if title != self.border_title:  # setting it repaints the whole panel, even when unchanged
            self.border_title = title

    # -- actions --------------------------------------------------------------------------------

    def action_open_job(self) -> None:
        if self.current_job_id is not None:
            self.post_message(self.OpenRequested(self.current_job_id))

    def action_remove_job(self) -> None:
        if self.current_job_id is not None:
            self.post_message(self.RemoveRequested(self.current_job_id))

    def action_load_older(self) -> None:
        self.post_message(self.OlderRequested())

    @property
    def has_older(self) -> bool:
        """Whether the workspace may hold jobs older than those shown (the app says, as it learns)."""
        return self._has_older

    @has_older.setter
    def has_older(self, value: bool) -> None:
        if value != self._has_older:
            self._has_older = value
            self.refresh_bindings()  # m leaves the footer when there is nothing older

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "load_older":
            return self._has_older
        return True

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._order) - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor + self._body_height())

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor - self._body_height())

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        row = round(self.scroll_y) + offset.y - 1
        if row >= len(self._order):
            return
        if row == self._cursor or event.chain >= 2:
            self.move_cursor(row)
            self.action_open_job()
        else:
            self.move_cursor(row)

    # -- scrolling ------------------------------------------------------------------------------

    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(0, len(self._order) + 1)  # as wide as the panel: never scrolls sideways

    def _scroll_to_cursor(self) -> None:
        top, height = round(self.scroll_y), self._body_height()
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, force=True)
        elif self._cursor >= top + height:
            self.scroll_to(y=self._cursor - height + 1, animate=False, force=True)

    def on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self._scroll_to_cursor()

    def _refresh_row(self, row: int) -> None:
        """Repaint the one screen line that shows `row` (nothing when it is scrolled away)."""
        y = row - round(self.scroll_y) + 1
        if 1 <= y <= self._body_height():
            self.refresh(Region(0, y, self.scrollable_content_region.width, 1))

    # -- drawing --------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()
        self._cell_styles.clear()
        self.refresh()

    def _slots(self, width: int) -> list[Slot]:
        if self._plan[:2] != (width, self._longest_query):
            self._plan = (width, self._longest_query, plan_columns(width, self._longest_query))
        return self._plan[2]

    def render_line(self, y: int) -> Strip:
        """Line 0 is the header; below it, the job at scroll_y + y - 1."""
        width = self.scrollable_content_region.width
        slots = self._slots(width)
        if y == 0:
            return self._header(slots, width)
        if not self._order:
            if y == 1:
                style = self.get_component_rich_style("jobs-panel--empty")
                text = " No searches yet"
                return Strip([Segment(set_cell_size(text, width), style)], width)
            return Strip.blank(width, self.rich_style)
        row = round(self.scroll_y) + y - 1
        if row >= len(self._order):
            return Strip.blank(width, self.rich_style)
        job_id = self._order[row]
        is_cursor = row == self._cursor
        key = (job_id, self._versions[job_id], width, self._longest_query, is_cursor,
               is_cursor and self.has_focus, row % 2)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._render_row(job_id, row, slots, width, is_cursor)
            self._lines[key] = strip
        return strip

    def _header(self, slots: list[Slot], width: int) -> Strip:
        key = ("header", width, self._longest_query)
        strip = self._lines.get(key)
        if strip is None:
            style = self.get_component_rich_style("jobs-panel--header")
            texts = [(slot, slot.column.label) for slot in slots]
            strip = Strip(_line(texts, style, lambda _slot: style, width), width)
            self._lines[key] = strip
        return strip

    def _render_row(self, job_id: str, row: int, slots: list[Slot], width: int, is_cursor: bool) -> Strip:
        self.lines_drawn += 1
        cells = self._cells[job_id]
        odd, focused = bool(row % 2), is_cursor and self.has_focus
        row_style = self._cell_style("", odd, is_cursor, focused)
        texts = [(slot, cells[slot.column.key][0]) for slot in slots]
        return Strip(_line(texts, row_style,
                           lambda slot: self._cell_style(cells[slot.column.key][1], odd, is_cursor, focused), width),
                     width)

    def _cell_style(self, style_class: str, odd: bool, is_cursor: bool, focused: bool) -> Style:
        """A cell's style, worked out once per combination until the styles change: the clock
        redraws a running job's row every second, and walking the CSS for it each time showed."""
        key = (style_class, odd, is_cursor, focused)
        style = self._cell_styles.get(key)
        if style is None:
            style = self.rich_style
            if odd:
                style += self.get_component_rich_style("jobs-panel--even-row")
            if style_class:
                # Partial: the cell's colour only, over the row's own background (zebra or cursor).
                style += self.get_component_rich_style(f"jobs-panel--{style_class}", partial=True)
            if is_cursor:
                style += self.get_component_rich_style("jobs-panel--cursor")
            self._cell_styles[key] = style
        return style


def _line(texts: list[tuple[Slot, str]], style: Style, style_of: Callable[[Slot], Style], width: int) -> list[Segment]:
    """One row's segments: each text cut or padded to its slot, blank between and after."""
    segments: list[Segment] = []
    x = 0
    for slot, text in texts:
        if slot.x > x:
            segments.append(Segment(" " * (slot.x - x), style))
        fitted = _fit(text, slot.width)
        padding = " " * (slot.width - cell_len(fitted))
        cell = padding + fitted if slot.column.right else fitted + padding
        segments.append(Segment(cell, style_of(slot)))
        x = slot.x + slot.width
    if width > x:
        segments.append(Segment(" " * (width - x), style))
    return segments


def _fit(text: str, width: int) -> str:
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(0, width - 1)) + ELLIPSIS if width > 0 else ""
