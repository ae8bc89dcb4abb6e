"""The jobs panel: every search with its status, progress, iterations, results and a sparkline.

Cells are `Text` objects: the stock DataTable parses plain strings as markup, and queries and
progress messages are untrusted.

The panel sits on screen for hours while searches run, so it touches only cells whose text
changed: every DataTable update re-renders the whole visible table.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from sixtyfour_tui.api.rows import sanitize_text
from sixtyfour_tui.jobs.records import JobRecord
from sixtyfour_tui.ui import job_text
from sixtyfour_tui.ui.job_text import elapsed_text, progress_text, results_text, short_query, status_label
from sixtyfour_tui.ui.sparkline import sparkline

COLUMNS = (
    ("status", "Status", 11),
    ("query", "Query", 34),
    ("progress", "Progress", 34),
    ("iter", "It.", 3),
    ("results", "Results", 7),
    ("new", "New", 6),
    ("trend", "Trend", 6),
    ("elapsed", "Time", 6),
)
FLEXIBLE = ("query", "progress")
STATUS_STYLES = {"completed": "green", "failed": "red", "running": "yellow", "starting": "yellow"}


class JobsPanel(DataTable):
    """Oldest job first, like a log. `enter` asks the app to open the job under the cursor."""

    HELP_TITLE = "Jobs"

    BINDINGS = [
        Binding("enter", "open_job", "Open", id="jobs.open"),
        Binding("delete,x", "remove_job", "Cancel/remove", id="jobs.remove"),
        Binding("j", "cursor_down", "Down", show=False, id="jobs.down"),
        Binding("k", "cursor_up", "Up", show=False, id="jobs.up"),
        Binding("g", "scroll_top", "First", show=False, id="jobs.first"),
        Binding("G", "scroll_bottom", "Last", show=False, id="jobs.last"),
    ]

    @dataclass
    class OpenRequested(Message):
        job_id: str

    @dataclass
    class RemoveRequested(Message):
        job_id: str

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._jobs: dict[str, JobRecord] = {}
        self._positions: dict[str, int | None] = {}
        self._shown: dict[str, dict[str, tuple]] = {}  # job_id -> column -> what its cell shows
        self._described = ""  # the line under the table, for the highlighted job
        self._counts: dict[str, tuple[int, int | None, int | None]] = {}  # job_id -> (stored, new, seen)
        self.border_title = "Jobs"

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(Text(label), key=key, width=width)
        self.set_interval(1.0, self._tick_elapsed)

    def on_resize(self) -> None:
        """Give the query and progress columns whatever width the fixed columns leave."""
        fixed = sum(width for key, _, width in COLUMNS if key not in FLEXIBLE)
        padding = 2 * self.cell_padding * len(COLUMNS)
        spare = max(2 * 12, self.scrollable_content_region.width - fixed - padding - 1)
        for key in FLEXIBLE:
            column = self.columns.get(key)
            if column is not None:
                column.width = spare // len(FLEXIBLE)
        self._require_update_dimensions = True
        self._clear_caches()  # rows rendered at the old widths must not be reused
        self.refresh()

    @property
    def current_job_id(self) -> str | None:
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value

    def show_job(self, job: JobRecord, queue_position: int | None = None, *, focus_new: bool = False) -> None:
        """Add or update one job's row; jobs stay in the order they were created, like a log."""
        if job.kind != "search":
            return
        self._jobs[job.job_id] = job
        self._positions[job.job_id] = queue_position
        cells = self._cells(job, queue_position)
        if job.job_id in self.rows:
            for (key, _, _), cell in zip(COLUMNS, cells):
                self._set_cell(job.job_id, key, cell)
        else:
            self.add_row(*cells, key=job.job_id)
            self._shown[job.job_id] = {key: _looks(cell) for (key, _, _), cell in zip(COLUMNS, cells)}
            if focus_new:
                self.move_cursor(row=self.row_count - 1)
        self._update_title()
        if job.job_id == self.current_job_id:
            self._describe(job)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        job = self._jobs.get(event.row_key.value) if event.row_key is not None else None
        if job is not None:
            self._describe(job)

    def _describe(self, job: JobRecord) -> None:
        """The highlighted job in full under the table: columns cut long text short."""
        parts = [progress_text(job)]
        counts = self._counts.get(job.job_id)
        if counts is not None and counts[1] is not None:
            parts.append(f"{counts[0]:,} stored · {counts[1]:,} new · {counts[2] or 0:,} seen")
        if job.interpretation and job.interpretation != job.progress_message:
            parts.append(sanitize_text(job.interpretation))
        line = " · ".join(part for part in parts if part)
        if line != self._described:  # setting a border title repaints the whole panel
            self._described = line
            self.border_subtitle = Content(line)

    def _set_cell(self, job_id: str, column: str, cell: Text) -> None:
        """Update one cell, unless it would look exactly as it does now."""
        looks = _looks(cell)
        shown = self._shown.setdefault(job_id, {})
        if shown.get(column) != looks:
            shown[column] = looks
            self.update_cell(job_id, column, cell)

    def show_counts(self, job_id: str, stored: int, new: int | None, seen: int | None) -> None:
        """How many of a search's rows are new (never in an earlier search) and how many were seen."""
        self._counts[job_id] = (stored, new, seen)
        job = self._jobs.get(job_id)
        if job is not None:
            self.show_job(job, self._positions.get(job_id))

    def _new_cell(self, job: JobRecord) -> Text:
        counts = self._counts.get(job.job_id)
        if counts is None or counts[1] is None:
            return Text("", justify="right")
        return Text(f"{counts[1]:,}", justify="right", style="green" if counts[1] else "dim")

    def _cells(self, job: JobRecord, queue_position: int | None) -> list[Text]:
        style = STATUS_STYLES.get(job.status, "")
        return [
            Text(status_label(job, queue_position), style=style, no_wrap=True),
            Text(short_query(job, 60), no_wrap=True),
            Text(progress_text(job), style="red" if job.status == "failed" else "", no_wrap=True),
            Text(str(job.iterations or ""), justify="right"),
            Text(results_text(job), justify="right"),
            self._new_cell(job),
            Text(sparkline(job.results_history, width=6), style="cyan"),
            Text(elapsed_text(job), justify="right"),
        ]

    def _tick_elapsed(self) -> None:
        """Advance the running jobs' clocks, while anyone can see them (a hidden panel catches up
        on the first tick after it shows again)."""
        if not self._can_be_seen():
            return
        now = job_text.clock()
        changed: dict[str, Text] = {}
        for job in self._jobs.values():
            if job.status in ("starting", "running") and job.job_id in self.rows:
                cell = Text(elapsed_text(job, now), justify="right")
                shown = self._shown.setdefault(job.job_id, {})
                if shown.get("elapsed") != _looks(cell):
                    shown["elapsed"] = _looks(cell)
                    changed[job.job_id] = cell
        if changed:
            self._repaint_elapsed(changed)

    def _repaint_elapsed(self, cells: dict[str, Text]) -> None:
        """Put new times in the Time column and re-render only those cells.

        `update_cell` bumps the table's update counter, which is part of every render cache key:
        the whole visible table would be rendered again each second (most of the app's idle
        CPU). Here only the cached renders that show these cells are dropped. This leans on
        DataTable internals; if they are not as expected, `update_cell` does it the sure way.
        """
        column = ColumnKey("elapsed")
        try:
            rows = {RowKey(job_id): self._row_locations.get(RowKey(job_id)) for job_id in cells}
            for job_id, cell in cells.items():
                self._data[RowKey(job_id)][column] = cell
            indexes = set(rows.values())
            _discard(self._cell_render_cache, lambda key: key[1] == column and key[0] in rows)
            _discard(self._row_render_cache, lambda key: key[0] in rows)
            _discard(self._row_renderable_cache, lambda key: key[1] in indexes)
            self._line_cache.clear()
        except (AttributeError, KeyError, TypeError, IndexError):
            for job_id, cell in cells.items():
                self.update_cell(job_id, "elapsed", cell)
            return
        self.refresh_column(self.get_column_index("elapsed"))

    def _can_be_seen(self) -> bool:
        current = self.app.screen
        return self.is_on_screen and (current is self.screen or current.is_modal)

    def _update_title(self) -> None:
        running = sum(1 for j in self._jobs.values() if j.status in ("starting", "running"))
        queued = sum(1 for j in self._jobs.values() if j.status == "queued")
        parts = [f"{running}/5 running"]
        if queued:
            parts.append(f"{queued} queued")
        title = "Jobs · " + " · ".join(parts)
        if title != self.border_title:  # setting it repaints the whole panel, even when unchanged
            self.border_title = title

    def action_remove_job(self) -> None:
        if self.current_job_id is not None:
            self.post_message(self.RemoveRequested(self.current_job_id))

    def forget_job(self, job_id: str) -> None:
        if job_id in self.rows:
            self.remove_row(job_id)
        self._jobs.pop(job_id, None)
        self._shown.pop(job_id, None)
        self._positions.pop(job_id, None)
        self._update_title()
        if not self.row_count:
            self._described = ""
            self.border_subtitle = ""

    def action_open_job(self) -> None:
        if self.current_job_id is not None:
            self.post_message(self.OpenRequested(self.current_job_id))


def _discard(cache, matches) -> None:
    for key in [key for key in cache.keys() if matches(key)]:
        cache.discard(key)


def _looks(cell: Text) -> tuple:
    """What decides a cell's appearance (Text equality ignores the style and justification)."""
    return cell.plain, str(cell.style), cell.justify, tuple(cell.spans)
