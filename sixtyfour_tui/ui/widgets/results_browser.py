"""Browse one finished search: an honest title, a paging worker, filter, sort, copy, details.

Pages are fetched on demand (the table nearing its end, `m`, or `M` for everything) by a single
worker per job in its own group `results-<job_id>`, so browsing never cancels other jobs' workers
and a page is never fetched twice. Every string from the API reaches the screen as `Content`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Static

from sixtyfour_tui.api.pager import ResultPager
from sixtyfour_tui.api.rows import sanitize_text
from sixtyfour_tui.table.row_store import RowStore
from sixtyfour_tui.ui.clipboard import SystemCopy, copy_text
from sixtyfour_tui.ui.links import open_link
from sixtyfour_tui.ui.messages import PageLoaded, ResultsFailed, RowsCopied
from sixtyfour_tui.ui.screens.columns import ColumnsScreen
from sixtyfour_tui.ui.screens.detail import DetailScreen, record_link
from sixtyfour_tui.ui.widgets.results_table import ResultsTable

if TYPE_CHECKING:
    from sixtyfour_tui.api.client import SixtyfourClient
    from sixtyfour_tui.jobs.ledger import JobRecord

AVAILABLE_CAP = 50_000
"""The API caps `total_available` here, so a total at the cap means 'at least this many'."""

DEFAULT_COLUMNS: dict[str, tuple[tuple[str, ...], ...]] = {
    "people": (
        ("fullName",), ("title",), ("seniority",), ("jobFunction",), ("currentCompanies",),
        ("locationName",), ("email",), ("linkedinUrl",),
    ),
    "company": (
        ("company_name",), ("industry",), ("size_range", "employees_count"),
        ("last_funding_round.type",), ("hq_city",), ("hq_country",), ("website_domain",),
        ("founded_year",),
    ),
}
"""Per mode, the columns shown first; a tuple lists alternatives, the first present one wins."""

COPY_FORMATS = {"tsv": "TSV", "csv": "CSV", "json": "JSON", "markdown": "Markdown"}


def default_columns(mode: str, available: list[str]) -> list[str] | None:
    """The mode's preferred columns that the data has; None (show all) when it has none of them."""
    present = set(available)
    chosen = []
    for alternatives in DEFAULT_COLUMNS.get(mode, ()):
        first = next((column for column in alternatives if column in present), None)
        if first is not None:
            chosen.append(first)
    return chosen or None


def results_summary(*, started: bool, loaded: int, expected_total: int | None,
                    total_available: int | None, has_more: bool) -> str:
    """'Showing 300 of 500 · more available', 'All 500 results', 'No results'... never a guess."""
    if not started:
        return "Loading results…"
    if not has_more:
        return "No results" if loaded == 0 else f"All {loaded:,} results"
    if total_available is not None and total_available >= AVAILABLE_CAP and (
        expected_total is None or expected_total >= AVAILABLE_CAP
    ):
        return f"Showing {loaded:,} of {AVAILABLE_CAP:,}+ available"
    if expected_total is not None:
        return f"Showing {loaded:,} of {expected_total:,} · more available"
    return f"Showing {loaded:,} · more available"


def rows_phrase(count: int, fmt: str) -> str:
    noun = "row" if count == 1 else "rows"
    return f"{count:,} {noun} as {COPY_FORMATS.get(fmt, fmt.upper())}"


class ResultsBrowser(Widget):
    """The results of one job: title, optional filter, the table, and a status line."""

    HELP_TITLE = "Results"

    DEFAULT_CSS = """
    ResultsBrowser {
        height: 1fr;
        layout: vertical;
        & > #results-title { height: auto; padding: 0 1; background: $panel; color: $foreground; }
        & > #results-filter { display: none; height: auto; border: tall $accent; }
        & > #results-filter.-visible { display: block; }
        & > #results-status { height: 1; padding: 0 1; color: $text-muted; background: $surface; }
        & > #results-status.-error { color: $error; }
    }
    """

    BINDINGS = [
        Binding("m", "load_more", "More", id="results.load_more"),
        Binding("M", "load_all", "Load all", show=False, id="results.load_all"),
        Binding("slash", "open_filter", "Filter", key_display="/", id="results.filter"),
        Binding("escape", "close_filter", "Clear filter", id="results.close_filter"),
        Binding("s", "sort", "Sort", id="results.sort"),
        Binding("y", "copy_rows('tsv')", "Copy", id="results.copy_tsv"),
        Binding("c", "copy_cell", "Copy cell", show=False, id="results.copy_cell"),
        Binding("C", "choose_columns", "Columns", show=False, id="results.columns"),
        Binding("d", "show_detail", "Details", show=False, id="results.detail"),
        Binding("o", "open_link", "Open link", id="results.open_link"),
    ]

    def __init__(
        self,
        *,
        system_copy: SystemCopy | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._system_copy = system_copy
        self.job: JobRecord | None = None
        self.pager: ResultPager | None = None
        self._pages_wanted = 0
        self._want_all = False
        self._loading = False
        self._columns_chosen = False
        self._error: str | None = None
        self._near_end_while_filtered = False

    def compose(self) -> ComposeResult:
        empty_title = Content("No search open · press enter on a completed job (F3 focuses the jobs)")
        yield Static(empty_title, id="results-title")
        # Disabled while hidden: a hidden Input could otherwise take the app's first focus.
        yield Input(placeholder="Filter loaded rows…", id="results-filter", disabled=True)
        yield ResultsTable(RowStore(), id="results-table")
        yield Static(Content(""), id="results-status")

    # -- parts ---------------------------------------------------------------------------

    @property
    def table(self) -> ResultsTable:
        return self.query_one("#results-table", ResultsTable)

    @property
    def store(self) -> RowStore:
        return self.table.store

    @property
    def filter_input(self) -> Input:
        return self.query_one("#results-filter", Input)

    @property
    def title_text(self) -> str:
        """The title as plain text (what the user reads)."""
        return str(self.query_one("#results-title", Static).content)

    @property
    def status_text(self) -> str:
        return str(self.query_one("#results-status", Static).content)

    @property
    def is_loading(self) -> bool:
        return self._loading

    # -- loading -------------------------------------------------------------------------

    def show_job(self, job: JobRecord, client: SixtyfourClient, *, page_size: int = 100) -> None:
        """Show a finished search from its first page; the previous job's paging stops."""
        if self.job is not None:
            self.workers.cancel_group(self, self._group(self.job.job_id))
        self.job = job
        self.pager = ResultPager(
            client, mode=job.mode, search_id=job.search_id, max_results=job.max_results, page_size=page_size
        )
        self._pages_wanted = 0
        self._want_all = False
        self._loading = False
        self._columns_chosen = False
        self._error = None
        self._near_end_while_filtered = False
        self.filter_input.value = ""
        self._hide_filter()
        self.table.set_store(RowStore())
        self.table.visible_columns = []
        self._refresh_title()
        self._refresh_status()
        self.request_pages(1)

    def request_pages(self, count: int = 1) -> None:
        """Ask for `count` more pages; one worker per job serves every request in order."""
        self._pages_wanted += count
        self._ensure_loading()

    def load_all(self) -> None:
        """Keep loading until the search has no more rows."""
        self._want_all = True
        self._ensure_loading()

    def _ensure_loading(self) -> None:
        pager, job = self.pager, self.job
        if pager is None or job is None or self._loading or not pager.has_more:
            return
        self._loading = True
        self._error = None
        self._refresh_status()
        self.run_worker(
            self._load_pages(pager, job.job_id),
            name=f"results-pages-{job.job_id}",
            group=self._group(job.job_id),
            exclusive=True,
            exit_on_error=False,
        )

    @staticmethod
    def _group(job_id: str) -> str:
        return f"results-{job_id}"

    async def _load_pages(self, pager: ResultPager, job_id: str) -> None:
        try:
            while pager.has_more and (self._want_all or self._pages_wanted > 0):
                rows = await pager.next_page()
                if pager is not self.pager:
                    return  # another job took over while this page was in flight
                self._pages_wanted = max(0, self._pages_wanted - 1)
                self._add_rows(rows)
                self.post_message(PageLoaded(job_id, pager.loaded, pager.expected_total))
        except Exception as error:  # an API error, or anything else: keep the rows, tell the user
            if pager is self.pager:
                self._show_failure(job_id, error)
        finally:
            if pager is self.pager:
                self._loading = False
                self._pages_wanted = 0
                self._want_all = False
                self._refresh_title()
                self._refresh_status()

    def _add_rows(self, rows: list[dict[str, Any]]) -> None:
        store = self.store
        store.append(rows)
        if not self._columns_chosen and len(store):
            mode = self.job.mode if self.job else ""
            self.table.visible_columns = default_columns(mode, store.columns) or store.columns
            self._columns_chosen = True
        self.table.refresh_rows()
        self._refresh_title()

    def _show_failure(self, job_id: str, error: Exception) -> None:
        message = sanitize_text(getattr(error, "message", None) or str(error) or type(error).__name__)
        self._error = f"Could not load more results: {message}"
        self.notify(self._error, severity="error", markup=False)
        self.post_message(ResultsFailed(job_id, message))

    # -- title and status ----------------------------------------------------------------

    def _refresh_title(self) -> None:
        pager, job = self.pager, self.job
        if pager is None or job is None:
            return
        summary = results_summary(
            started=pager.started,
            loaded=pager.loaded,
            expected_total=pager.expected_total,
            total_available=pager.total_available,
            has_more=pager.has_more,
        )
        store = self.store
        if store.filter_text:
            summary += f" · filtered: {store.view_len:,} of {len(store):,} loaded"
        query = sanitize_text(job.query) or "(no query)"
        title = Content.assemble((query, "bold"), f"  {job.mode} · ", summary)
        self.query_one("#results-title", Static).update(title)

    def _refresh_status(self) -> None:
        parts: list[str] = []
        if self._error:
            parts.append(self._error)
        elif self._loading:
            parts.append("Loading all remaining pages…" if self._want_all else "Loading…")
        store = self.store
        if store.sort_column is not None:
            arrow = "▼" if store.sort_descending else "▲"  # the same arrows as the table header
            parts.append(f"Sorted by {sanitize_text(store.sort_column)} {arrow} (loaded rows only)")
        selected = self.table.selection_count
        if selected:
            parts.append(f"{selected:,} selected")
        status = self.query_one("#results-status", Static)
        status.set_class(bool(self._error), "-error")
        status.update(Content("  ·  ".join(parts)))

    # -- table events --------------------------------------------------------------------

    @on(ResultsTable.NearEnd)
    def _on_near_end(self, event: ResultsTable.NearEnd) -> None:
        event.stop()
        if self.store.filter_text:
            # A narrow filter keeps the view "near its end": loading on that would fetch the
            # whole search. The filter covers loaded rows; `m`/`M` still load on request.
            self._near_end_while_filtered = True
        elif not self._loading:
            self.request_pages(1)

    @on(ResultsTable.RowActivated)
    def _on_row_activated(self, event: ResultsTable.RowActivated) -> None:
        event.stop()
        self._open_detail(event.row_index)

    @on(ResultsTable.SelectionChanged)
    def _on_selection_changed(self, event: ResultsTable.SelectionChanged) -> None:
        self._refresh_status()

    # -- filter --------------------------------------------------------------------------

    def action_open_filter(self) -> None:
        self.filter_input.disabled = False
        self.filter_input.add_class("-visible")
        self.filter_input.focus()

    def action_close_filter(self) -> None:
        self.filter_input.value = ""
        self._apply_filter("")
        self._hide_filter()
        self.table.focus()
        if self._near_end_while_filtered:
            self._near_end_while_filtered = False
            self.request_pages(1)

    def _hide_filter(self) -> None:
        self.filter_input.remove_class("-visible")
        self.filter_input.disabled = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_filter":
            # Only claim escape while there is a filter to close, so parents keep theirs.
            return self.filter_input.has_class("-visible") or bool(self.store.filter_text)
        return True

    @on(Input.Changed, "#results-filter")
    def _on_filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._apply_filter(event.value)

    @on(Input.Submitted, "#results-filter")
    def _on_filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    def _apply_filter(self, text: str) -> None:
        self.store.set_filter(text)
        self.table.refresh_rows()
        self._refresh_title()

    # -- sort ----------------------------------------------------------------------------

    def action_sort(self) -> None:
        """Cycle the current column: ascending, descending, arrival order."""
        column = self.table.current_column()
        if column is None:
            return
        store = self.store
        if store.sort_column != column:
            store.sort_by(column)
        elif not store.sort_descending:
            store.sort_by(column, descending=True)
        else:
            store.clear_sort()
            self.notify("Sort cleared: rows in the order they arrived", markup=False, timeout=3)
        self.table.refresh_rows()
        self._refresh_status()

    # -- paging actions ------------------------------------------------------------------

    def action_load_more(self) -> None:
        if self.pager is not None and not self.pager.has_more:
            self.notify("All results are loaded", markup=False)
            return
        self.request_pages(1)

    def action_load_all(self) -> None:
        if self.pager is not None and not self.pager.has_more:
            self.notify("All results are loaded", markup=False)
            return
        self.load_all()

    # -- copy ----------------------------------------------------------------------------

    async def copy_rows(self, fmt: str = "tsv") -> None:
        """Copy the selected rows (or the cursor row) in tsv, csv, json or markdown."""
        if fmt not in COPY_FORMATS:
            raise ValueError(f"unknown copy format {fmt!r}; use one of {', '.join(COPY_FORMATS)}")
        indices = self.table.selected_indices()
        if not indices:
            self.notify("No rows to copy", severity="warning", markup=False)
            return
        columns = self.table.visible_columns
        exporters = {
            "tsv": self.store.as_tsv,
            "csv": self.store.as_csv,
            "json": self.store.as_json,
            "markdown": self.store.as_markdown,
        }
        text = exporters[fmt](indices, columns)
        outcome = await copy_text(self.app, text, system_copy=self._system_copy)
        self.notify(outcome.describe(rows_phrase(len(indices), fmt)), markup=False)
        self.post_message(RowsCopied(fmt, len(indices)))

    async def action_copy_rows(self, fmt: str = "tsv") -> None:
        await self.copy_rows(fmt)

    async def action_copy_cell(self) -> None:
        index, column = self.table.current_row_index(), self.table.current_column()
        if index is None or column is None:
            self.notify("No cell to copy", severity="warning", markup=False)
            return
        text = self.store.cell_text(index, column)
        outcome = await copy_text(self.app, text, system_copy=self._system_copy)
        self.notify(outcome.describe(f"the {sanitize_text(column)} cell"), markup=False)
        self.post_message(RowsCopied("cell", 1))

    # -- columns, details, links ---------------------------------------------------------

    def action_choose_columns(self) -> None:
        if not self.store.columns:
            self.notify("No columns yet: no rows are loaded", severity="warning", markup=False)
            return

        def apply(columns: list[str] | None) -> None:
            if columns is not None:
                self.table.visible_columns = columns
                self._columns_chosen = True

        self.app.push_screen(ColumnsScreen(self.store.columns, self.table.visible_columns), apply)

    def action_show_detail(self) -> None:
        index = self.table.current_row_index()
        if index is not None:
            self._open_detail(index)

    def _open_detail(self, index: int) -> None:
        self.app.push_screen(DetailScreen(self.store.raw(index)))

    async def action_open_link(self) -> None:
        index = self.table.current_row_index()
        if index is None:
            return
        url = record_link(self.store.raw(index))
        if url is None:
            self.notify("This row has no LinkedIn URL or website", severity="warning", markup=False)
            return
        await open_link(self.app, url)
