"""Browse one finished search: an honest title, a paging worker, filter, find, sort, marks, copy.

Pages are fetched on demand (the table nearing its end, `m`, or `M` for everything) by a single
worker per job in its own group `results-<job_id>`, so browsing never cancels other jobs' workers
and a page is never fetched twice. Every string from the API reaches the screen as `Content`.

One prompt line under the title serves the short questions: find (`ctrl+f`/`?`), jump to a
column (`:`), mark or unmark rows by pattern (`+`/`-`). The filter keeps its own line because it
stays on screen while it is in force.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static

from sixtyfour_tui.api.rows import sanitize_text
from sixtyfour_tui.jobs.stored_rows import StoredRows
from sixtyfour_tui.sanitize import shorten
from sixtyfour_tui.table.row_store import RowFlag, RowStore
from sixtyfour_tui.table.view import ViewSpec
from sixtyfour_tui.ui.clipboard import SystemCopy, copy_text
from sixtyfour_tui.ui.job_text import age_text
from sixtyfour_tui.ui.links import open_link
from sixtyfour_tui.ui.messages import PageLoaded, ResultsFailed, RowsCopied
from sixtyfour_tui.ui.screens.columns import ColumnsScreen
from sixtyfour_tui.ui.screens.detail import DetailScreen, record_link
from sixtyfour_tui.ui.widgets.results_table import FindResult, ResultsTable

if TYPE_CHECKING:
    from sixtyfour_tui.api.client import SixtyfourClient
    from sixtyfour_tui.jobs.records import JobRecord
    from sixtyfour_tui.ui.screens.exclusion_sets import SetTarget
    from sixtyfour_tui.ui.screens.export_screen import ViewExport
    from sixtyfour_tui.ui.screens.facets import FacetChoice, FacetCounts
    from sixtyfour_tui.workspace.store import Workspace

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

PINNED_COLUMNS = {"people": "fullName", "company": "company_name"}
"""Per mode, the identity column that stays on screen while the table scrolls sideways."""

COPY_FORMATS = {"tsv": "TSV", "csv": "CSV", "json": "JSON", "markdown": "Markdown"}
TITLE_QUERY_LIMIT = 160
EMPTY_TITLE = Content("No search open · press enter on a completed job (F3 focuses the jobs)")
"""A 10,000-character query must not push the table off screen; the jobs panel shows it whole."""
STORED_FIRST_CHUNK = 200
"""Stored rows read before the first frame of a reopened search: a screenful and then some."""
STORED_CHUNK = 2000


def _age(moment: float) -> str:
    return age_text(time.time() - moment)

PromptMode = Literal["find", "column", "mark", "unmark"]
PROMPT_TITLES: dict[PromptMode, str] = {
    "find": "Find in the shown columns · enter keeps it, then n/N · escape cancels",
    "column": "Jump to column · part of its name · enter · escape goes back",
    "mark": "Mark rows where {column} matches · a regular expression, any case · enter",
    "unmark": "Unmark rows where {column} matches · a regular expression, any case · enter",
}
PROMPT_PLACEHOLDERS: dict[PromptMode, str] = {
    "find": "text to find…",
    "column": "column name…",
    "mark": "pattern…",
    "unmark": "pattern…",
}


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
        & > #results-prompt { display: none; height: auto; border: tall $secondary; }
        & > #results-prompt.-visible { display: block; }
        & > #results-status { height: 1; padding: 0 1; color: $text-muted; background: $surface; }
        & > #results-status.-error { color: $error; }
    }
    """

    BINDINGS = [
        Binding("m", "load_more", "More", id="results.load_more"),
        Binding("M", "load_all", "Load all", show=False, id="results.load_all"),
        Binding("slash", "open_filter", "Filter", key_display="/", id="results.filter"),
        Binding("ctrl+f,question_mark", "open_prompt('find')", "Find", key_display="^f",
                id="results.find"),
        Binding("n", "find_next", "Next match", show=False, id="results.find_next"),
        Binding("N", "find_next(False)", "Previous match", show=False, id="results.find_previous"),
        Binding("colon", "open_prompt('column')", "Jump to column", show=False, key_display=":",
                id="results.jump_to_column"),
        Binding("escape", "cancel", "Close find / cancel", show=False, id="results.cancel"),
        Binding("escape", "close_filter", "Clear filter", id="results.close_filter"),
        Binding("s", "sort", "Sort", id="results.sort"),
        Binding("S", "sort(True)", "Add sort key", show=False, id="results.sort_add"),
        Binding("ctrl+a", "select_all", "Select all", show=False, id="results.select_all"),
        Binding("plus", "open_prompt('mark')", "Mark matching", show=False, key_display="+",
                id="results.mark_matching"),
        Binding("minus", "open_prompt('unmark')", "Unmark matching", show=False, key_display="-",
                id="results.unmark_matching"),
        Binding("quotation_mark", "toggle_only_marked", "Only marked rows", show=False, key_display='"',
                id="results.only_marked"),
        Binding("y", "copy_rows('tsv')", "Copy", id="results.copy_tsv"),
        Binding("c", "copy_cell", "Copy cell", show=False, id="results.copy_cell"),
        Binding("C", "choose_columns", "Columns", show=False, id="results.columns"),
        Binding("d", "show_detail", "Details", show=False, id="results.detail"),
        Binding("o", "open_link", "Open link", id="results.open_link"),
        Binding("apostrophe", "toggle_new_only", "New rows only", show=False, key_display="'",
                id="results.new_only"),
        Binding("F", "facet", "Facets", show=False, id="results.facet"),
        Binding("x", "add_marked_to_set", "Add marked rows to an exclusion set", show=False,
                id="results.add_to_set"),
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
        self.source: StoredRows | None = None
        self._opened = False
        self._from_workspace_at: float | None = None
        self._pages_wanted = 0
        self._want_all = False
        self._loading = False
        self._columns_chosen = False
        self._error: str | None = None
        self._near_end_while_filtered = False
        self._prompt_mode: PromptMode | None = None
        self._prompt_origin: tuple[int, int] = (0, 0)
        """(cursor row, cursor column) when the prompt opened: escape goes back there."""
        self._select_all_pending = False
        self._find_line = ""
        self.preferred_columns: dict[str, list[str]] = {}
        """Per mode, the columns (in order) the user chose last time; the app keeps them."""
        self._subset: list[int] | None = None
        """Stored positions this view is restricted to (a run diff's part), in order; None = all."""
        self._subset_label: str | None = None
        self._seen_counted = False
        self._workspace: Workspace | None = None
        self._had_more = True

    def compose(self) -> ComposeResult:
        yield Static(EMPTY_TITLE, id="results-title")
        # Disabled while hidden: a hidden Input could otherwise take the app's first focus.
        yield Input(placeholder="Filter loaded rows…", id="results-filter", disabled=True)
        yield Input(id="results-prompt", disabled=True)
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
    def prompt_input(self) -> Input:
        return self.query_one("#results-prompt", Input)

    @property
    def prompt_mode(self) -> PromptMode | None:
        """Which question the prompt line asks, or None while it is closed."""
        return self._prompt_mode

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

    def show_job(self, job: JobRecord, client: SixtyfourClient | None, workspace: Workspace, *,
                 page_size: int = 100, positions: list[int] | None = None, label: str | None = None) -> None:
        """Show a finished search: its stored rows at once (no request), then pages from the API
        past them on demand. The previous job's loading stops.

        With `positions`, only those stored rows (a run diff's new, dropped or common rows),
        under `label`, and nothing from the API."""
        self._let_go()
        self.job = job
        self._workspace = workspace
        self._subset = sorted(set(positions)) if positions is not None else None
        self._subset_label = label if positions is not None else None
        self.source = StoredRows(client, workspace, job, page_size=page_size)
        self._refresh_title()
        self._refresh_status()
        self.request_pages(1)

    def close_job(self) -> None:
        """Back to "no search open" (its search was removed): loading stops, the rows go."""
        self._let_go()
        self.job = None
        self.source = None
        self._subset = None
        self._subset_label = None
        self.query_one("#results-title", Static).update(EMPTY_TITLE)
        self._refresh_status()
        self._had_more = True
        self.refresh_bindings()

    def _let_go(self) -> None:
        """Stop loading the search shown and forget its rows, view and progress."""
        if self.job is not None:
            self.workers.cancel_group(self, self._group(self.job.job_id))
        self._seen_counted = False
        self._opened = False
        self._from_workspace_at = None
        self._pages_wanted = 0
        self._want_all = False
        self._loading = False
        self._columns_chosen = False
        self._error = None
        self._near_end_while_filtered = False
        self.filter_input.value = ""
        self._hide_filter()
        self._reset_view_state()
        self.table.set_store(RowStore())
        self.table.visible_columns = []

    @property
    def has_more(self) -> bool:
        """Rows the search has that are not on screen yet (stored or on the server)."""
        source = self.source
        if source is None:
            return False
        if not self._opened:
            return True
        if self._subset is not None:
            return False  # a diff's part: exactly the stored rows it names
        return source.has_more_after(len(self.store))

    def request_pages(self, count: int = 1) -> None:
        """Ask for `count` more pages; one worker per job serves every request in order."""
        self._pages_wanted += count
        self._ensure_loading()

    def load_all(self) -> None:
        """Keep loading until the search has no more rows."""
        self._want_all = True
        self._ensure_loading()

    def _ensure_loading(self) -> None:
        source, job = self.source, self.job
        if source is None or job is None or self._loading or not self.has_more:
            return
        self._loading = True
        self._error = None
        self._refresh_status()
        self.run_worker(
            self._load(source, job.job_id),
            name=f"results-pages-{job.job_id}",
            group=self._group(job.job_id),
            exclusive=True,
            exit_on_error=False,
        )

    @staticmethod
    def _group(job_id: str) -> str:
        return f"results-{job_id}"

    async def _load(self, source: StoredRows, job_id: str) -> None:
        try:
            if not self._opened:
                await self._load_stored(source)
                if source is not self.source:
                    return
            while self._subset is None and source.has_more_after(len(self.store)) \
                    and (self._want_all or self._pages_wanted > 0):
                rows = await source.rows_after(len(self.store))
                if source is not self.source:
                    return  # another job took over while this page was in flight
                self._pages_wanted = max(0, self._pages_wanted - 1)
                self._add_rows(rows)
                self.post_message(PageLoaded(job_id, len(self.store), self.expected_total))
                if not rows and not source.pager(len(self.store)).has_more:
                    break
            await self._load_stored_since_opened(source, job_id)
            if source is self.source:
                # Apart from the paging: a page asked for meanwhile (the table nearing its end) is
                # not held up, and a later load cancels this one and marks again when it ends.
                async def mark_seen() -> None:  # a function, not a coroutine: a worker that never
                    await self._mark_seen_rows(source)  # starts (the browser closing) leaves none behind

                self.run_worker(mark_seen, name=f"results-seen-{job_id}",  # type: ignore[arg-type]  # Textual types async callables with Coroutine[None, None, T]
                                group=self._group(job_id), exit_on_error=False)
        except Exception as error:  # an API error, or anything else: keep the rows, tell the user
            if source is self.source:
                self._show_failure(job_id, error)
        finally:
            if source is self.source:
                self._loading = False
                self._pages_wanted = 0
                self._want_all = False
                self._refresh_title()
                self._refresh_status()

    async def _load_stored(self, source: StoredRows) -> None:
        """Everything the workspace holds, in chunks (the first screenful comes first)."""
        info = await source.open()
        self._opened = True
        if info is None or info.stored == 0:
            return
        self._from_workspace_at = info.fetched_at
        if self._subset is not None:
            await self._load_subset(source, info.stored)
            return
        chunk = STORED_FIRST_CHUNK
        while len(self.store) < info.stored:
            rows = await source.read_stored(len(self.store), chunk)
            if not rows or source is not self.source:
                return
            self._add_rows(rows)
            if chunk == STORED_FIRST_CHUNK:
                await self.wait_for_refresh()  # the first screenful shows before the rest is taken in
            chunk = STORED_CHUNK
        self._pages_wanted = max(0, self._pages_wanted - 1)
        if self.job is not None:
            self.post_message(PageLoaded(self.job.job_id, len(self.store), self.expected_total))

    async def _load_stored_since_opened(self, source: StoredRows, job_id: str) -> None:
        """Rows the engine (or another window) stored after this search was opened: a search
        opened as it completes is still being kept, and its pager then finds them held."""
        added = False
        while self._subset is None and source is self.source and len(self.store) < source.stored:
            rows = await source.read_stored(len(self.store), STORED_CHUNK)
            if not rows or source is not self.source:
                break
            self._add_rows(rows)
            added = True
        if added:
            self.post_message(PageLoaded(job_id, len(self.store), self.expected_total))

    async def _load_subset(self, source: StoredRows, stored: int) -> None:
        """Only the stored rows at `self._subset`'s positions, in their order."""
        wanted = self._subset or []
        start, chunk, taken = 0, STORED_FIRST_CHUNK, 0
        while start < stored and taken < len(wanted):
            rows = await source.read_stored(start, chunk)
            if not rows or source is not self.source:
                return
            end = start + len(rows)
            picked = []
            while taken < len(wanted) and wanted[taken] < end:
                if wanted[taken] >= start:
                    picked.append(rows[wanted[taken] - start])
                taken += 1
            if picked:
                self._add_rows(picked)
            start, chunk = end, STORED_CHUNK
        if self.job is not None:
            self.post_message(PageLoaded(self.job.job_id, len(self.store), self.expected_total))

    async def _mark_seen_rows(self, source: StoredRows) -> None:
        """Flag the rows whose entity an earlier search of the mode returned (SQL in a thread)."""
        import asyncio

        from sixtyfour_tui.workspace.database import StorageError

        try:
            positions = await asyncio.to_thread(source.workspace.seen_positions, source.job)
        except StorageError:
            return
        if source is not self.source:
            return
        if self._subset is not None:
            index_of = {position: index for index, position in enumerate(self._subset)}
            indices = [index_of[position] for position in positions if position in index_of]
        else:
            indices = [position for position in positions if position < len(self.store)]
        self._seen_counted = True
        self.mark_seen(indices)

    @property
    def expected_total(self) -> int | None:
        """How many rows this search will show in all: exact once everything is loaded."""
        source, job = self.source, self.job
        if source is None or job is None:
            return None
        if self._subset is not None:
            return len(self._subset)
        if self._opened and source.complete:
            return max(len(self.store), source.stored)
        available = source.total_available
        if available is None:
            return job.total_results
        return min(job.max_results, available)

    def _add_rows(self, rows: list[dict[str, Any]]) -> None:
        store = self.store
        store.append(rows)
        if not self._columns_chosen and len(store):
            mode = self.job.mode if self.job else ""
            preferred = [column for column in self.preferred_columns.get(mode, ()) if column in store.columns]
            self.table.visible_columns = preferred or default_columns(mode, store.columns) or store.columns
            pinned = PINNED_COLUMNS.get(mode)
            self.table.pinned_column = pinned if pinned in store.columns else None
            self._columns_chosen = True
        self.table.refresh_rows()
        self._refresh_title()

    def _more_to_load(self) -> bool:
        return self.has_more

    def _load_progress(self) -> str:
        """'200 of 240' (or '200' when the total is unknown) rows loaded so far."""
        loaded = len(self.store)
        total = self.expected_total
        return f"{loaded:,} of {total:,}" if total is not None else f"{loaded:,}"

    def _show_failure(self, job_id: str, error: Exception) -> None:
        message = sanitize_text(getattr(error, "message", None) or str(error) or type(error).__name__)
        self._error = f"Could not load more results: {message}"
        self.notify(self._error, severity="error", markup=False)
        self.post_message(ResultsFailed(job_id, message))

    # -- title and status ----------------------------------------------------------------

    def _refresh_title(self) -> None:
        source, job = self.source, self.job
        if source is None or job is None:
            return
        if self.has_more != self._had_more:  # what m and M can do changed
            self._had_more = self.has_more
            self.refresh_bindings()
        summary = results_summary(
            started=self._opened and (len(self.store) > 0 or not self.has_more or source.asked_api),
            loaded=len(self.store),
            expected_total=self.expected_total,
            total_available=source.total_available,
            has_more=self.has_more,
        )
        store = self.store
        if self._seen_counted and len(store):
            seen = store.flag_count(RowFlag.SEEN)
            summary += f" · {len(store) - seen:,} new · {seen:,} seen"
        if self._from_workspace_at is not None:
            summary += f" · from the workspace, fetched {_age(self._from_workspace_at)}"
        if job.exclusions.wanted:
            summary += f" · {sanitize_text(job.exclusions.summary)}"
        if store.is_filtered:
            summary += f" · {_filter_words(store)}: {store.view_len:,} of {len(store):,} loaded"
        query = shorten(sanitize_text(job.query), TITLE_QUERY_LIMIT) or "(no query)"
        if self._subset_label is not None:
            title = Content.assemble((sanitize_text(self._subset_label), "bold reverse"), " ", (query, "bold"),
                                     f"  {job.mode} · ", summary)
        else:
            title = Content.assemble((query, "bold"), f"  {job.mode} · ", summary)
        if job.edit_note:
            title = Content.assemble(title, (f" · edited: {sanitize_text(job.edit_note)}", "italic"))
        self.query_one("#results-title", Static).update(title)

    def _refresh_status(self) -> None:
        parts: list[str] = []
        if self._error:
            parts.append(self._error)
        elif self._select_all_pending:
            parts.append(f"Loading every row to select it: {self._load_progress()}… (escape stops)")
        elif self._loading:
            parts.append("Loading all remaining pages…" if self._want_all else "Loading…")
        store = self.store
        if store.sort_keys:
            keys = ", then ".join(  # the same arrows as the table header
                f"{self.table.header_label(column)} {'▼' if descending else '▲'}"
                for column, descending in store.sort_keys
            )
            parts.append(f"Sorted by {keys}" + (" (loaded rows only)" if self.has_more else ""))
        if self._find_line:
            parts.append(self._find_line)
        selected = self.table.selection_count
        if selected:
            shown = store.mark_count_in_view()
            hidden = f" ({selected - shown:,} hidden by the filter)" if shown != selected else ""
            parts.append(f"{selected:,} selected{hidden}")
        status = self.query_one("#results-status", Static)
        status.set_class(bool(self._error), "-error")
        text = "  ·  ".join(parts)
        if text != self.status_text:
            # One line high whatever it says: no layout pass needed (it would cost a frame's worth).
            status.update(Content(text), layout=False)

    # -- table events --------------------------------------------------------------------

    @on(ResultsTable.NearEnd)
    def _on_near_end(self, event: ResultsTable.NearEnd) -> None:
        event.stop()
        if self.store.is_filtered:
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
        if self.store.only_marked:
            self._refresh_title()

    @on(ResultsTable.SortChanged)
    def _on_sort_changed(self, event: ResultsTable.SortChanged) -> None:
        event.stop()
        if not self.store.sort_keys:
            self.notify("Sort cleared: rows in the order they arrived", markup=False, timeout=3)
        self._refresh_status()

    @on(ResultsTable.FindMoved)
    def _on_find_moved(self, event: ResultsTable.FindMoved) -> None:
        event.stop()
        self._show_find(event.result)

    def _show_find(self, result: FindResult) -> None:
        self._find_line = _find_words(result)
        self._refresh_status()

    def action_find_next(self, forward: bool = True) -> None:
        """`n` / `N`. The status line is updated here, in the same turn as the cursor's move, so
        both reach the screen in one frame (through the message they would come a frame later)."""
        result = self.table.find_next(forward)
        if result is None:
            self.notify("Nothing to find yet: ctrl+f (or ?) starts a find", markup=False, timeout=3)
        else:
            self._show_find(result)

    @on(PageLoaded)
    def _on_page_loaded(self, event: PageLoaded) -> None:
        # Not stopped: the app follows pages too.
        if self._select_all_pending:
            if self._more_to_load():
                self._refresh_status()
            else:
                self._finish_select_all()

    @on(ResultsFailed)
    def _on_results_failed(self, event: ResultsFailed) -> None:
        if self._select_all_pending:
            self._select_all_pending = False
            self.notify("Select all stopped: not every row could be loaded, so nothing was selected",
                        severity="warning", markup=False)
            self._refresh_status()

    # -- filter --------------------------------------------------------------------------

    def action_open_filter(self) -> None:
        self.filter_input.disabled = False
        self.filter_input.add_class("-visible")
        self.filter_input.focus()

    def action_close_filter(self) -> None:
        if not self.filter_input.has_class("-visible") and not self.store.filter_text and self.store.value_filters:
            self.set_value_filters({})  # no text filter left: escape lifts the facet's value filters
            self.notify("Value filters cleared", markup=False, timeout=3)
            return
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
        # Escape is claimed only while there is something to close, so parents keep theirs:
        # first the prompt line (or a pending select-all, or the find), then the filter.
        if action == "cancel":
            return self._prompt_mode is not None or self._select_all_pending or bool(self.table.find_text)
        if action == "close_filter":
            store = self.store
            return self.filter_input.has_class("-visible") or bool(store.filter_text or store.value_filters)
        if action in ("load_more", "load_all"):
            return self.source is None or self.has_more  # m and M leave the footer once all is loaded
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
        self._view_changed()

    def _view_changed(self) -> None:
        self.table.refresh_rows()
        if self.table.find_text:  # the matches are others now: say how many, not which one
            self._find_line = _find_words(FindResult(self.table.find_text, None, len(self.table.find_matches()), False))
        self._refresh_title()
        self._refresh_status()

    # -- value filters and view toggles (the facet view drives these) --------------------

    def set_value_filter(self, column: str, values: Iterable[str] | None) -> None:
        """Keep rows whose `column` text is one of `values` (None or empty lifts it); composes
        with the text filter, the other columns' values and the sort."""
        self.store.set_value_filter(column, values)
        self._view_changed()

    def set_value_filters(self, filters: dict[str, Iterable[str]]) -> None:
        """Replace every value filter at once (one rebuild)."""
        self.store.set_view(value_filters=filters)
        self._view_changed()

    def set_new_only(self, on: bool) -> None:
        """Show only rows not seen in earlier searches (flagged by `mark_seen`)."""
        self.store.set_new_only(on)
        self._view_changed()

    def mark_seen(self, indices: Iterable[int]) -> None:
        """Flag rows whose entity appeared in an earlier search (the table shows ◦ for them)."""
        self.store.set_flag(RowFlag.SEEN, indices)
        if self.store.new_only:
            self._view_changed()
        else:  # only the ◦ marks change: the rows, the cursor and a find in progress stay as they are
            self.table.refresh()
            self._refresh_title()

    def action_toggle_new_only(self) -> None:
        self.set_new_only(not self.store.new_only)
        if self.store.new_only and not self.store.flag_count(RowFlag.SEEN):
            self.notify("No row is marked as seen in an earlier search, so every row is new",
                        markup=False, timeout=4)

    def action_toggle_only_marked(self) -> None:
        store = self.store
        if not store.only_marked and not store.mark_count:
            self.notify("No rows are marked: space marks one, ctrl+a all, + by pattern", markup=False)
            return
        store.set_only_marked(not store.only_marked)
        self._view_changed()

    def view_spec(self) -> ViewSpec:
        """Exactly what the table shows, as data: `table.writers.write_view` saves it."""
        return self.table.view_spec()

    # -- sort ----------------------------------------------------------------------------

    def action_sort(self, add: bool = False) -> None:
        """Cycle the current column: ascending, descending, arrival order (`S`: as an extra key)."""
        column = self.table.current_column()
        if column is not None:
            self.table.sort_by_column(column, add=add)

    # -- selection -----------------------------------------------------------------------

    def action_select_all(self) -> None:
        """Every row of the result; with a filter on, every row the filter keeps.

        "All" means all: rows not loaded yet are fetched first (with progress in the status
        line), and the selection is made once the last page is in.
        """
        if self.store.is_filtered or not self._more_to_load():
            self._finish_select_all()
            return
        self._select_all_pending = True
        self._refresh_status()
        self.load_all()

    def _finish_select_all(self) -> None:
        waited = self._select_all_pending
        self._select_all_pending = False
        self.table.select_all()
        if waited:  # after a wait for the rest of the rows, say it is done; else the status line does
            self.notify(f"Selected all {self.store.view_len:,} rows of the result", markup=False, timeout=3)
        self._refresh_status()

    # -- the prompt line: find, jump to column, mark by pattern --------------------------

    def action_open_prompt(self, mode: PromptMode) -> None:
        column = self.table.current_column()
        if mode in ("mark", "unmark", "column") and column is None:
            self.notify("No rows yet", severity="warning", markup=False)
            return
        label = self.table.header_label(column) if column is not None else ""
        self._prompt_mode = mode
        self._prompt_origin = (self.table.cursor_row, self.table.cursor_column)
        prompt = self.prompt_input
        prompt.placeholder = PROMPT_PLACEHOLDERS[mode]
        prompt.border_title = Content(PROMPT_TITLES[mode].format(column=label))  # a label: plain text
        prompt.value = ""
        prompt.disabled = False
        prompt.add_class("-visible")
        prompt.focus()

    def _close_prompt(self) -> None:
        self._prompt_mode = None
        prompt = self.prompt_input
        prompt.remove_class("-visible")
        prompt.disabled = True
        self.table.focus()

    def action_cancel(self) -> None:
        """Escape: close the prompt (undoing its live effect), or stop a select-all, or end the find."""
        mode = self._prompt_mode
        if mode is not None:
            row, column = self._prompt_origin
            if mode == "find":
                self.table.clear_find()
                self.table.move_cursor(row)
            elif mode == "column" and column < len(self.table.visible_columns):
                self.table.jump_to_column(self.table.visible_columns[column])
            self._close_prompt()
        elif self._select_all_pending:
            self._select_all_pending = False
            self.notify("Select all stopped (rows already loaded stay)", markup=False, timeout=3)
        else:
            self.table.clear_find()
        self._refresh_status()

    @on(Input.Changed, "#results-prompt")
    def _on_prompt_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._prompt_mode == "find":
            self.table.set_find(event.value)
        elif self._prompt_mode == "column":
            column = self._column_named(event.value)
            if column is not None:
                self.table.jump_to_column(column)

    @on(Input.Submitted, "#results-prompt")
    def _on_prompt_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        mode, text = self._prompt_mode, event.value
        self._close_prompt()
        if mode in ("mark", "unmark") and text:
            column = self.table.current_column()
            if column is None:
                return
            changed = self.table.select_matching(column, text, on=mode == "mark")
            verb = "Marked" if mode == "mark" else "Unmarked"
            label = self.table.header_label(column)
            self.notify(f"{verb} {changed:,} rows where {label} matches {sanitize_text(text)!r}", markup=False,
                        timeout=3)
        elif mode == "column" and text and self._column_named(text) is None:
            self.notify(f"No visible column is called {sanitize_text(text)!r} (C shows hidden ones)",
                        severity="warning", markup=False)
        self._refresh_status()

    def _column_named(self, text: str) -> str | None:
        """The first visible column at or after the prompt's starting column whose label or
        raw name contains `text` (case-insensitive), coming round to the first."""
        needle = text.casefold().strip()
        if not needle:
            return None
        columns = self.table.visible_columns
        start = self._prompt_origin[1]
        for column in columns[start:] + columns[:start]:
            if needle in self.table.header_label(column).casefold() or needle in column.casefold():
                return column
        return None

    def _reset_view_state(self) -> None:
        """A new job: no prompt, no find, no pending selection."""
        if self._prompt_mode is not None:
            self._close_prompt()
        self._select_all_pending = False
        self._find_line = ""

    # -- paging actions ------------------------------------------------------------------

    def action_load_more(self) -> None:
        if self.source is not None and not self.has_more:
            self.notify("All results are loaded", markup=False)
            return
        self.request_pages(1)

    def action_load_all(self) -> None:
        if self.source is not None and not self.has_more:
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
        text = self.store.cell_full_text(index, column)
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

    # -- list building: facets, exclusion sets, view exports --------------------------------

    @dataclass
    class RefineRequested(Message):
        """A facet's values, in words, to put into the composer as a refined query."""

        query: str
        mode: str
        max_results: int

    def action_facet(self, column: str | None = None) -> None:
        """`F`: how often each value of the current column occurs in the stored result."""
        from sixtyfour_tui.ui.screens.facets import FacetScreen

        column = column or self.table.current_column()
        if self.job is None or column is None or not len(self.store):
            self.notify("No rows yet: open a completed search first", severity="warning", markup=False)
            return
        columns = self.table.visible_columns
        labels = {name: self.table.header_label(name) for name in columns}
        self.app.push_screen(FacetScreen(self.facet_counts, column, columns, filters=self.store.value_filters,
                                         labels=labels), self._facet_chosen)

    def facet_counts(self, column: str) -> FacetCounts:
        """A column's values and counts over the stored result (blocking: the facet screen calls it
        in a thread). SQL over the workspace when it holds every row the table has; else, and
        for a diff's part or a column the workspace does not count, over the table's rows."""
        from sixtyfour_tui.ui.screens.facets import FacetCounts

        job, workspace, loaded = self.job, self._workspace, len(self.store)
        assert job is not None
        info = workspace.result_info(job.job_id) if workspace is not None else None
        if self._counts_in_sql(column, info):
            assert workspace is not None and info is not None
            facet = workspace.facet(job.job_id, column)
            expected = self.expected_total
            if info.complete or (expected is not None and info.stored >= expected):
                scope = f"all {info.stored:,} stored rows of the result"
            else:
                total = f" of {expected:,}" if expected else ""
                scope = f"the {info.stored:,} stored rows{total}; the rest are not fetched yet (M loads them)"
            return FacetCounts(column, facet.values, facet.total, facet.missing, scope)
        counted = Counter(self.store.cell_text(index, column) for index in range(loaded))
        missing = counted.pop("", 0)
        values = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
        scope = (f"the {loaded:,} rows of this view" if self._subset is not None
                 else f"the {loaded:,} rows loaded in the table")
        return FacetCounts(column, values, loaded, missing, scope)

    def _counts_in_sql(self, column: str, info: Any) -> bool:
        from sixtyfour_tui.workspace.results import UNFACETED

        return (self._subset is None and info is not None and info.stored >= len(self.store)
                and column not in UNFACETED)

    def _facet_chosen(self, choice: FacetChoice | None) -> None:
        if choice is None or self.job is None:
            return
        column, values = choice.column, choice.values
        label = self.table.header_label(column)
        words = " or ".join(repr(sanitize_text(value)) for value in values[:5]) + (" …" if len(values) > 5 else "")
        if choice.action == "filter":
            self.set_value_filter(column, values or None)
            if values:
                self.notify(f"Showing rows where {label} is {words}: {self.store.view_len:,} rows · "
                            "escape (or F, nothing chosen) lifts it", markup=False, timeout=5)
            else:
                self.notify(f"The filter on {label} is lifted", markup=False, timeout=3)
        elif choice.action == "mark":
            changed = self.table.select_values(column, values)
            hidden = " (of the rows the view shows)" if self.store.is_filtered else ""
            self.notify(f"Marked {changed:,} rows where {label} is {words}{hidden}", markup=False, timeout=4)
        elif choice.action == "exclude":
            self.run_worker(self._exclude_values(column, values), group="facet-exclude", exit_on_error=False)
        else:
            shown = " or ".join(sanitize_text(value) for value in values)
            job = self.job
            self.post_message(self.RefineRequested(f"{job.query}, {label.lower()} {shown}", job.mode,
                                                   job.max_results))

    async def _exclude_values(self, column: str, values: tuple[str, ...]) -> None:
        import asyncio

        ids = await asyncio.to_thread(self.entities_where, column, values)
        label = self.table.header_label(column)
        self._choose_set_for(ids, f"{label}: " + ", ".join(sanitize_text(value) for value in values[:3])
                             + (" …" if len(values) > 3 else ""))

    def entities_where(self, column: str, values: Iterable[str]) -> list[str]:
        """The entity ids of the stored rows whose `column` shows one of `values` (blocking)."""
        from sixtyfour_tui.entities import entity_id

        job, workspace = self.job, self._workspace
        assert job is not None
        wanted = list(values)
        info = workspace.result_info(job.job_id) if workspace is not None else None
        if self._counts_in_sql(column, info):
            assert workspace is not None
            positions = workspace.facet_positions(job.job_id, column, wanted)
            by_position = workspace.entity_ids(job.job_id)
            found = (by_position[position] for position in positions if position < len(by_position))
        else:
            chosen = set(wanted)
            store = self.store
            found = (entity_id(job.mode, store.flat(index)) for index in range(len(store))
                     if store.cell_text(index, column) in chosen)
        return list(dict.fromkeys(entity for entity in found if entity))

    def marked_entities(self) -> list[str]:
        """The entity ids of every marked row (hidden by a filter or not)."""
        from sixtyfour_tui.entities import entity_id

        if self.job is None or not self.store.mark_count:
            return []
        store, mode = self.store, self.job.mode
        found = (entity_id(mode, store.flat(index)) for index in range(len(store)) if store.is_marked(index))
        return list(dict.fromkeys(entity for entity in found if entity))

    def action_add_marked_to_set(self) -> None:
        """`x`: the marked rows' entities into a new or existing exclusion set."""
        if self.job is None or not self.store.mark_count:
            self.notify("Mark rows first (space, ctrl+a, + by pattern), then x puts them into an exclusion set",
                        markup=False)
            return
        count = self.store.mark_count
        self._choose_set_for(self.marked_entities(), f"{count:,} marked row{'s' if count != 1 else ''}")

    def _choose_set_for(self, ids: list[str], what: str) -> None:
        from sixtyfour_tui.ui.screens.exclusion_sets import SetTargetScreen

        job, workspace = self.job, self._workspace
        if job is None or workspace is None:
            return
        if not ids:
            self.notify("These rows name no entity (no LinkedIn id or company id) to exclude", severity="warning",
                        markup=False)
            return

        def chosen(target: SetTarget | None) -> None:
            if target is not None:
                self.run_worker(self._save_to_set(workspace, job.mode, target, ids), group="save-set",
                                exit_on_error=False)

        self.app.push_screen(SetTargetScreen(workspace, job.mode, len(ids), what), chosen)

    async def _save_to_set(self, workspace: Workspace, mode: str, target: SetTarget, ids: list[str]) -> None:
        import asyncio

        from sixtyfour_tui.ui.screens.exclusion_sets import save_to_set
        from sixtyfour_tui.workspace.database import StorageError

        try:
            said = await asyncio.to_thread(save_to_set, workspace, mode, target, ids)
        except ValueError as problem:
            self.notify(str(problem), severity="warning", markup=False)
            return
        except StorageError as problem:
            self.notify(problem.message, severity="error", markup=False)
            return
        shown = getattr(self.app, "key_display", None)  # the app's, with the user's keymap; a bare host says F8
        key = shown("composer.exclusions", "f8") if shown is not None else "F8"
        self.notify(f"{said} {key} in the composer leaves it out of a search.", markup=False, timeout=6)

    def export_view(self) -> ViewExport | None:
        """What the export dialog needs to write this view from the table (no API call)."""
        from sixtyfour_tui.ui.screens.export_screen import ViewExport

        if self.job is None or self._workspace is None or not len(self.store):
            return None
        return ViewExport(store=self.store, spec=self.view_spec(), workspace=self._workspace, mode=self.job.mode,
                          label=self._subset_label, is_subset=self._subset is not None)


def _filter_words(store: RowStore) -> str:
    """What hides rows, in the title: 'filtered', 'new only', 'marked only', joined."""
    words = []
    if store.filter_text or store.value_filters:
        words.append("filtered")
    if store.new_only:
        words.append("new only")
    if store.only_marked:
        words.append("marked only")
    return ", ".join(words)


def _find_words(result: FindResult) -> str:
    if not result.text:
        return ""
    text = sanitize_text(result.text)
    if not result.total:
        return f"Find {text!r}: no match in the shown columns"
    where = f"match {result.match:,} of {result.total:,}" if result.match else f"{result.total:,} matches"
    return f"Find {text!r}: {where}" + (" (wrapped)" if result.wrapped else "") + " · n/N"
