"""ResultPager against a real sandbox: ordered pages, honest totals, recovery from expired cursors."""

from __future__ import annotations

import asyncio
import time

import pytest

from sixtyfour_tui.api.client import SixtyfourClient
from sixtyfour_tui.api.errors import BadRequestError, NotFoundError
from sixtyfour_tui.api.models import QueryPage
from sixtyfour_tui.api.pager import ResultPager, row_identity
from tests.engines import finished_on_server

QUERY = "software engineers in Berlin"


async def read_all(pager: ResultPager) -> list[dict]:
    rows: list[dict] = []
    while page := await pager.next_page():
        rows.extend(page)
    return rows


async def wait_until_cursor_refused(client: SixtyfourClient, cursor: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            await client.query_next(cursor)
        except BadRequestError:
            return
        assert time.monotonic() < deadline, "cursor never expired"
        await asyncio.sleep(0.02)


async def test_pages_arrive_in_order_without_duplicates_and_totals_are_honest(fast_sandbox):
    async with SixtyfourClient(fast_sandbox.api_key, fast_sandbox.base_url) as client:
        search_id = (await finished_on_server(client, QUERY, 250)).search_id
        pager = ResultPager(client, mode="people", search_id=search_id, max_results=250, page_size=100)
        assert pager.expected_total is None and pager.has_more

        first = await pager.next_page()
        assert len(first) == 100 and pager.loaded == 100 and pager.has_more
        assert pager.total_available is not None
        assert pager.expected_total == min(250, pager.total_available)

        rest = await read_all(pager)
        rows = first + rest
        ids = [row_identity(row) for row in rows]
        assert len(rows) == pager.loaded == pager.expected_total <= 250
        assert len(set(ids)) == len(ids) and None not in ids
        assert not pager.has_more
        assert await pager.next_page() == []


async def test_expired_cursor_is_recovered_with_no_gap_and_no_duplicate(make_sandbox):
    server = make_sandbox(speed=2000.0, cursor_ttl=0.3)
    async with SixtyfourClient(server.api_key, server.base_url) as client:
        search_id = (await finished_on_server(client, QUERY, 450)).search_id
        fresh = await read_all(ResultPager(client, mode="people", search_id=search_id, max_results=450))
        assert len(fresh) > 300

        pager = ResultPager(client, mode="people", search_id=search_id, max_results=450)
        held = await pager.next_page() + await pager.next_page()
        assert held == fresh[:200]
        await wait_until_cursor_refused(client, pager.cursor)
        recoveries_before = pager.recoveries  # a slow machine may already have needed one

        after_expiry = await pager.next_page()
        assert pager.recoveries == recoveries_before + 1
        assert after_expiry == fresh[200:300]
        assert held + after_expiry + await read_all(pager) == fresh


async def test_errors_other_than_an_expired_cursor_propagate(fast_sandbox):
    async with SixtyfourClient(fast_sandbox.api_key, fast_sandbox.base_url) as client:
        pager = ResultPager(client, mode="people", search_id="no-such-search", max_results=100)
        with pytest.raises(NotFoundError):
            await pager.next_page()
        assert pager.loaded == 0


class ReorderingClient:
    """A fake service: `reorder()` expires every cursor and changes what a replay returns."""

    def __init__(self, rows: list[dict]) -> None:
        self.rows = rows
        self.generation = 0

    def reorder(self, rows: list[dict]) -> None:
        self.rows = rows
        self.generation += 1

    async def query_first(self, **kwargs) -> QueryPage:
        return self._page(0, kwargs["page_size"])

    async def query_next(self, cursor: str) -> QueryPage:
        offset, size, generation = (int(part) for part in cursor.split(":"))
        if generation != self.generation:
            raise BadRequestError("cursor expired or invalid", status=400)
        return self._page(offset, size)

    def _page(self, offset: int, size: int) -> QueryPage:
        chunk = self.rows[offset : offset + size]
        end = offset + len(chunk)
        more = end < len(self.rows)
        cursor = f"{end}:{size}:{self.generation}" if more else None
        return QueryPage(results=chunk, next_cursor=cursor, has_more=more, total_available=len(self.rows))


async def test_recovery_drops_a_held_row_when_the_replay_shifted():
    rows = [{"publicId": f"p{i}"} for i in range(8)]
    client = ReorderingClient(rows)
    pager = ResultPager(client, mode="people", search_id="s", max_results=100, page_size=3)
    assert await pager.next_page() == rows[:3]
    # A new match now ranks first: skipping 3 rows by count lands on p2, which we already hold.
    client.reorder([{"publicId": "new"}, *rows])
    resumed = await pager.next_page()
    assert pager.recoveries == 1
    assert resumed == rows[3:5]
    assert await read_all(pager) == rows[5:]


async def test_a_cursor_other_400_is_not_mistaken_for_expiry():
    class Refusing(ReorderingClient):
        async def query_next(self, cursor: str) -> QueryPage:
            raise BadRequestError("page_size must be at most 100", status=400)

    pager = ResultPager(Refusing([{"publicId": f"p{i}"} for i in range(5)]), mode="people",
                        search_id="s", max_results=100, page_size=2)
    await pager.next_page()
    with pytest.raises(BadRequestError, match="page_size"):
        await pager.next_page()
    assert pager.loaded == 2 and pager.recoveries == 0


async def test_endless_empty_pages_end_the_paging_instead_of_looping():
    class Stuck:
        calls = 0

        async def query_first(self, **kwargs) -> QueryPage:
            self.calls += 1
            return QueryPage(results=[{"publicId": "a"}], next_cursor="c", has_more=True, total_available=99)

        async def query_next(self, cursor: str) -> QueryPage:
            self.calls += 1
            return QueryPage(results=[], next_cursor="c", has_more=True, total_available=99)

    client = Stuck()
    pager = ResultPager(client, mode="people", search_id="s", max_results=99, page_size=1)
    assert await pager.next_page() == [{"publicId": "a"}]
    assert await pager.next_page() == []
    assert not pager.has_more
    calls = client.calls
    assert await pager.next_page() == [] and client.calls == calls  # nothing more is asked
