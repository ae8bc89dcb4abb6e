"""One search's rows, the workspace first: what is stored is read back with no request, and only
the rows past it come from the API, each page stored as it arrives. The TUI's results browser,
the headless `search`/`rows` and the engine's keep-the-rows step all go through here, so a row
is never fetched twice and a reopened search needs no network.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from sixtyfour_tui.api.pager import FirstPage, ResultPager
from sixtyfour_tui.jobs.records import JobRecord
from sixtyfour_tui.workspace.database import StorageError
from sixtyfour_tui.workspace.results import StoredResult
from sixtyfour_tui.workspace.store import Workspace

if TYPE_CHECKING:
    from sixtyfour_tui.api.client import SixtyfourClient

log = logging.getLogger(__name__)

PAGE_SIZE = 100


class StoredRows:
    def __init__(self, client: SixtyfourClient | Any | None, workspace: Workspace, job: JobRecord, *,
                 page_size: int = PAGE_SIZE, first_page: FirstPage | None = None) -> None:
        self.client = client
        self.workspace = workspace
        self.job = job
        self.page_size = page_size
        self._first_page = first_page
        self.info: StoredResult | None = None
        self._pager: ResultPager | None = None
        self.storage_error: StorageError | None = None
        """The last refusal to store a page (the rows were still handed out)."""

    async def open(self) -> StoredResult | None:
        try:
            self.info = await asyncio.to_thread(self.workspace.result_info, self.job.job_id)
        except StorageError as problem:
            self.storage_error = problem
            self.info = None
        return self.info

    @property
    def stored(self) -> int:
        return self.info.stored if self.info is not None else 0

    @property
    def total_available(self) -> int | None:
        """Matches in the index, as the server last said (capped by the server at 50,000)."""
        if self._pager is not None and self._pager.total_available is not None:
            return self._pager.total_available
        return self.info.total_available if self.info is not None else None

    @property
    def asked_api(self) -> bool:
        return self._pager is not None and self._pager.started

    @property
    def complete(self) -> bool:
        """Everything the search has is in the workspace."""
        if self.info is not None and (self.info.complete or self.info.stored >= self.job.max_results):
            return True
        return self._pager is not None and not self._pager.has_more

    async def read_stored(self, start: int, limit: int) -> list[dict[str, Any]]:
        try:
            return await asyncio.to_thread(self.workspace.read_rows, self.job.job_id, start, limit)
        except StorageError as problem:
            self.storage_error = problem
            return []

    def pager(self, held: int) -> ResultPager:
        """The API pager, resumed after the `held` rows already handed out."""
        if self._pager is None:
            if self.client is None:
                raise RuntimeError("no API client: only stored rows can be read")
            job = self.job
            self._pager = ResultPager(
                self.client, mode=job.mode, search_id=job.search_id, max_results=job.max_results,
                page_size=self.page_size, exclude_entity_ids=job.exclusions.entity_ids,
                exclude_list_ids=job.exclusions.list_ids, first_page=self._first_page,
            )
            if held:
                info = self.info
                cursor = info.usable_cursor() if info is not None and info.stored == held else None
                ids = self._held_ids(held)
                self._pager.resume(held, ids, cursor, complete=self.complete)
        return self._pager

    def _held_ids(self, held: int) -> list[str | None]:
        try:
            return self.workspace.entity_ids(self.job.job_id)[:held]
        except StorageError:
            return []

    def has_more_after(self, held: int) -> bool:
        """Rows past the first `held`: stored ones, or more on the server."""
        return held < self.stored or not self.complete

    async def rows_after(self, held: int) -> list[dict[str, Any]]:
        """The next rows past the first `held`: from the workspace when it holds them (the engine or
        another window may have stored them while this reader was paging), else the API's next page."""
        if held >= self.stored and not self.complete:
            await self.open()  # what the others stored since, before a request is spent on it
        if held < self.stored:
            self._pager = None  # when the API is asked again, it resumes after the rows really held
            before = self.storage_error
            rows = await self.read_stored(held, self.page_size)
            if not rows and self.storage_error is not None and self.storage_error is not before:
                # Rows the workspace says it holds but cannot give back: said, not asked for again
                # and again by a caller waiting for them.
                raise self.storage_error
            return rows
        return await self.fetch_page(held)

    async def fetch_page(self, held: int) -> list[dict[str, Any]]:
        """The next page from the API (rows `held`..), stored before it is returned."""
        pager = self.pager(held)
        start = pager.loaded
        rows = await pager.next_page()
        page = pager.last_page
        try:
            stored = await asyncio.to_thread(
                self.workspace.store_rows, self.job, start, rows, complete=not pager.has_more,
                next_cursor=pager.cursor, cursor_ttl=page.cursor_expires_in_seconds if page else None,
                total_available=pager.total_available,
                parsed_query=page.parsed_query if page is not None and isinstance(page.parsed_query, dict) else None)
            self.storage_error = None
        except StorageError as problem:
            if self.storage_error is None or self.storage_error.message != problem.message:
                log.warning("rows of %s not stored: %s", self.job.job_id, problem.message)
            self.storage_error = problem
        else:
            self.info = await asyncio.to_thread(self.workspace.result_info, self.job.job_id) \
                if stored else self.info
        return rows


async def keep_rows(engine: Any, job: JobRecord) -> None:
    """After a search completes: fetch its rows into the workspace, then say how many are new."""
    source = StoredRows(engine.client, engine.workspace, job)
    await source.open()
    held = source.stored
    while not source.complete:
        rows = await source.fetch_page(held)
        if not rows and not source.pager(held).has_more:
            break
        held += len(rows)
        if source.storage_error is not None:
            return  # the disk refuses; the rows are fetched again when the search is opened
    await announce_counts(engine, job)


async def announce_counts(engine: Any, job: JobRecord) -> None:
    from sixtyfour_tui.jobs.events import RowsStored

    try:
        info = await asyncio.to_thread(engine.workspace.result_info, job.job_id)
        if info is None:
            return
        seen = len(await asyncio.to_thread(engine.workspace.seen_positions, job))
        await asyncio.to_thread(engine.workspace.set_seen_counts, job.job_id, info.stored - seen, seen)
    except StorageError:
        return
    engine.rows_stored(RowsStored(job.job_id, info.stored, info.complete, new=info.stored - seen, seen=seen))
