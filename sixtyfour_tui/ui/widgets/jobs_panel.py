"""The jobs panel: every search with its status, progress, iterations, results and a sparkline.

Cells are `Text` objects: the stock DataTable parses plain strings as markup, and queries and
progress messages are untrusted.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from sixtyfour_tui.jobs.ledger import JobRecord
from sixtyfour_tui.ui import job_text
from sixtyfour_tui.ui.job_text import elapsed_text, progress_text, results_text, short_query, status_label
from sixtyfour_tui.ui.sparkline import sparkline

COLUMNS = (
    ("status", "Status", 11),
    ("query", "Query", 34),
    ("progress", "Progress", 34),
    ("iter", "It.", 3),
    ("results", "Results", 7),
    ("trend", "Trend", 8),
    ("elapsed", "Time", 7),
)
FLEXIBLE = ("query", "progress")
STATUS_STYLES = {"completed": "green", "failed": "red", "running": "yellow", "starting": "yellow"}


class JobsPanel(DataTable):
    """Oldest job first, like a log. `enter` asks the app to open the job under the cursor."""

    BINDINGS = [
        Binding("enter", "open_job", "Open", id="jobs.open"),
        Binding("j", "cursor_down", "Down", show=False, id="jobs.down"),
        Binding("k", "cursor_up", "Up", show=False, id="jobs.up"),
        Binding("g", "scroll_top", "First", show=False, id="jobs.first"),
        Binding("G", "scroll_bottom", "Last", show=False, id="jobs.last"),
    ]

    @dataclass
    class OpenRequested(Message):
        job_id: str

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._jobs: dict[str, JobRecord] = {}
        self._positions: dict[str, int | None] = {}
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
                self.update_cell(job.job_id, key, cell)
        else:
            self.add_row(*cells, key=job.job_id)
            if focus_new:
                self.move_cursor(row=self.row_count - 1)
        self._update_title()

    def _cells(self, job: JobRecord, queue_position: int | None) -> list[Text]:
        style = STATUS_STYLES.get(job.status, "")
        return [
            Text(status_label(job, queue_position), style=style, no_wrap=True),
            Text(short_query(job, 60), no_wrap=True),
            Text(progress_text(job), style="red" if job.status == "failed" else "", no_wrap=True),
            Text(str(job.iterations or ""), justify="right"),
            Text(results_text(job), justify="right"),
            Text(sparkline(job.results_history), style="cyan"),
            Text(elapsed_text(job), justify="right"),
        ]

    def _tick_elapsed(self) -> None:
        now = job_text.clock()
        for job in self._jobs.values():
            if job.status in ("starting", "running") and job.job_id in self.rows:
                self.update_cell(job.job_id, "elapsed", Text(elapsed_text(job, now), justify="right"))

    def _update_title(self) -> None:
        running = sum(1 for j in self._jobs.values() if j.status in ("starting", "running"))
        queued = sum(1 for j in self._jobs.values() if j.status == "queued")
        parts = [f"{running}/5 running"]
        if queued:
            parts.append(f"{queued} queued")
        self.border_title = "Jobs · " + " · ".join(parts)

    def action_open_job(self) -> None:
        if self.current_job_id is not None:
            self.post_message(self.OpenRequested(self.current_job_id))
