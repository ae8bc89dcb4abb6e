"""Page through a finished search, one `/search/query` page at a time, surviving expired cursors.

Cursors expire (contract section 3), and a user who reads slowly will meet that. The pager then
replays the `search_id` from the start and pages forward past the rows it already handed out, so
the caller sees one continuous stream: no page fetched twice from its point of view, no duplicates,
no gaps. No Textual here: the UI, the CLI and the tests share it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..entities import entity_id
from .errors import BadRequestError

if TYPE_CHECKING:
    from .client import SixtyfourClient
    from .models import QueryPage

FirstPage = Callable[[], Awaitable["QueryPage"]]

IDENTITY_KEYS = ("publicId", "source_id")
"""Fields that name an entity in a row (people, companies)."""
_REPLAY: Any = object()
"""Stands in for a cursor when the next page can only be reached by replaying the search."""
MAX_EMPTY_PAGES = 5
"""Empty pages in a row tolerated while the server still says `has_more` (a server bug guard)."""
MAX_REPLAYS = 3
"""Replays in a row before giving up: each replay walks pages and can itself meet an expired cursor."""


def row_identity(row: dict[str, Any]) -> str | None:
    """The entity id of a row, or None when it carries none (then only counting can dedupe it)."""
    for key in IDENTITY_KEYS:
        value = row.get(key)
        if value not in (None, ""):
            return f"{key}:{value}"
    return None


def is_expired_cursor(error: Exception) -> bool:
    """The sandbox (and, we assume, the service) answers 400 'cursor expired or invalid'."""
    if not isinstance(error, BadRequestError):
        return False
    text = (error.message or "").lower()
    return "cursor" in text and ("expired" in text or "invalid" in text)


class ResultPager:
    """Hands out the rows of one search in order; `next_page()` returns [] once everything is read."""

    def __init__(
        self,
        client: SixtyfourClient,
        *,
        mode: str,
        search_id: str,
        max_results: int,
        page_size: int = 100,
        exclude_entity_ids: Sequence[str] = (),
        exclude_list_ids: Sequence[str] = (),
        first_page: FirstPage | None = None,
    ) -> None:
        self._client = client
        self.mode = mode
        self.search_id = search_id
        self.max_results = max_results
        self.page_size = page_size
        # The API drops exclusions on a replay, so every first request carries them again.
        self.exclude_entity_ids = list(exclude_entity_ids)
        self.exclude_list_ids = list(exclude_list_ids)
        self._run_first = first_page
        """The very first request when it is not a search_id replay (a filter search, a preview);
        replays after that go through the search_id the server answered with."""
        self._cursor: str | None = None
        self._started = False
        self._has_more = True
        self._held_ids: set[str] = set()
        self._lock = asyncio.Lock()
        self.loaded = 0
        """Rows handed out so far."""
        self.last_page: QueryPage | None = None
        """The most recent answer (its cursor's lifetime, counts), for whoever stores the rows."""
        self.total_available: int | None = None
        """Matches in the index as the server reported them (capped by the server at 50,000)."""
        self.recoveries = 0
        """How many times an expired cursor was recovered from (shown in logs and tests)."""

    def resume(self, loaded: int, held_ids: Iterable[str | None], cursor: str | None, *,
               complete: bool = False) -> None:
        """Carry on after rows someone already holds (the workspace): the next page starts at row
        `loaded`, through `cursor` while it lives, else by replaying the search past them."""
        self.loaded = loaded
        self._held_ids = {value for value in held_ids if value}
        self._started = loaded > 0 or complete
        self._cursor = cursor
        self._has_more = not complete and loaded < self.max_results
        if self._started and cursor is None and self._has_more:
            self._cursor = _REPLAY

    @property
    def has_more(self) -> bool:
        """True until the server said the last page has been read."""
        return self._has_more

    @property
    def started(self) -> bool:
        return self._started

    @property
    def cursor(self) -> str | None:
        """The server's cursor for the next page (None before the first page and at the end)."""
        return self._cursor

    @property
    def expected_total(self) -> int | None:
        """How many rows this search will yield in all: exact once done, else the best estimate."""
        if self._started and not self._has_more:
            return self.loaded
        if self.total_available is None:
            return None
        return min(self.max_results, self.total_available)

    async def next_page(self) -> list[dict[str, Any]]:
        """The next rows in order; [] when there are none left. Non-cursor errors propagate."""
        async with self._lock:
            if not self._has_more:
                return []
            for _ in range(MAX_EMPTY_PAGES):
                if not self._started:
                    page = await self._first_page()
                    rows = page.results
                else:
                    rows, page = await self._following_page()
                self._started = True
                accepted = self._accept(rows, page)
                # An empty page while more are promised (e.g. a replay that only found rows we
                # hold) must not look like the end to the caller.
                if accepted or not self._has_more:
                    return accepted
            # Several empty pages in a row while the server still says "more": treat it as the
            # end rather than asking forever.
            self._has_more = False
            return []

    async def _first_page(self) -> QueryPage:
        if self._run_first is not None:
            first, self._run_first = self._run_first, None
            page = await first()
            if page.search_id:
                self.search_id = page.search_id
            return page
        return await self._client.query_first(
            mode=self.mode,
            search_id=self.search_id,
            page_size=self.page_size,
            max_results=self.max_results,
            exclude_entity_ids=self.exclude_entity_ids or None,
            exclude_list_ids=self.exclude_list_ids or None,
        )

    async def _following_page(self) -> tuple[list[dict[str, Any]], QueryPage]:
        assert self._cursor is not None
        if self._cursor is _REPLAY:
            return await self._replay(None)
        try:
            page = await self._client.query_next(self._cursor)
        except BadRequestError as error:
            if not is_expired_cursor(error):
                raise
            return await self._replay(error)
        return page.results, page

    async def _replay(self, first_error: BadRequestError | None) -> tuple[list[dict[str, Any]], QueryPage]:
        """Start the search over and walk forward to the first row not yet handed out."""
        last_error = first_error
        for _ in range(MAX_REPLAYS):
            try:
                result = await self._walk_past_held_rows()
            except BadRequestError as error:
                if not is_expired_cursor(error):
                    raise
                last_error = error
                continue
            if first_error is not None:
                self.recoveries += 1
            return result
        assert last_error is not None
        raise last_error

    async def _walk_past_held_rows(self) -> tuple[list[dict[str, Any]], QueryPage]:
        page = await self._first_page()
        seen = 0
        while seen + len(page.results) <= self.loaded and page.has_more and page.next_cursor:
            seen += len(page.results)
            page = await self._client.query_next(page.next_cursor)
        kept = page.results[max(0, self.loaded - seen):]
        # Counting is the primary rule; identity catches a replay whose order shifted under us.
        held = self._held_ids
        kept = [row for row in kept if (identity := entity_id(self.mode, row)) is None or identity not in held]
        return kept, page

    def _accept(self, rows: list[dict[str, Any]], page: QueryPage) -> list[dict[str, Any]]:
        self.last_page = page
        if page.total_available is not None:
            self.total_available = page.total_available
        self._cursor = page.next_cursor
        self._has_more = bool(page.has_more and page.next_cursor)
        room = max(0, self.max_results - self.loaded)
        rows = rows[:room]
        if self.loaded + len(rows) >= self.max_results:
            self._has_more = False
        for row in rows:
            identity = entity_id(self.mode, row)
            if identity is not None:
                self._held_ids.add(identity)
        self.loaded += len(rows)
        return rows
