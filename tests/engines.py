"""Engines on a real sandbox and a real workspace file, and the one way tests get a finished search."""

from __future__ import annotations

from pathlib import Path

from sixtyfour_tui.api.client import SixtyfourClient
from sixtyfour_tui.api.retry import RetryPolicy
from sixtyfour_tui.jobs.engine import JobEngine
from sixtyfour_tui.jobs.records import JobRecord
from sixtyfour_tui.workspace.store import Workspace

FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05)


def open_workspace(tmp_path: Path, name: str = "workspace.sqlite3") -> Workspace:
    return Workspace(tmp_path / name).open()


async def start_engine(server, tmp_path: Path, *, workspace: Workspace | None = None, client=None,
                       **options) -> JobEngine:
    client = client or SixtyfourClient(server.api_key, server.base_url, retry=FAST_RETRY)
    options.setdefault("poll_interval", 0.02)
    options.setdefault("backend", "test")
    engine = JobEngine(client, workspace or open_workspace(tmp_path), **options)
    await engine.start()
    return engine


async def close(engine: JobEngine) -> None:
    await engine.shutdown()
    await engine.client.aclose()


async def finished_search(engine: JobEngine, query: str = "engineers in Seattle", max_results: int = 50,
                          **options) -> JobRecord:
    """Submit a search and wait for it to complete (asserting it did)."""
    job = engine.submit(query, max_results=max_results, **options)
    final = await engine.wait(job.job_id)
    assert final.status == "completed", (final.status, final.error)
    return final


def start_requests(server) -> int:
    """Deep-search starts the server accepted: repeats of a search_id count too (the sandbox
    would answer them with the same task, so counting task ids could not catch a duplicate).
    Starts refused with 429 (all five slots busy) started nothing and are not counted."""
    return sum(1 for entry in server.state.request_log.entries("/search/start-deep-search", "POST")
               if entry.status == 200)


def started_search_ids(server) -> list[str]:
    """The search_id of every accepted start, repeats included."""
    return [entry.body.get("search_id") for entry in server.state.request_log.entries("/search/start-deep-search",
                                                                                      "POST")
            if entry.status == 200 and isinstance(entry.body, dict)]


async def finished_on_server(client, query: str, max_results: int, mode: str = "people",
                             timeout: float = 30.0) -> JobRecord:
    """A deep search run to completion straight through a client (no engine, nothing stored), as
    the record a job would have; for tests of the pager and the results browser."""
    import asyncio
    import time

    from sixtyfour_tui.jobs.records import JobStatus

    task = await client.start_deep_search(query, mode=mode, max_results=max_results)
    deadline = time.monotonic() + timeout
    while not (status := await client.task_status(task.task_id)).is_completed:  # wait on the status itself
        assert not status.is_failed, status
        assert time.monotonic() < deadline, "the search did not finish"
        await asyncio.sleep(0.01)
    return JobRecord(query=query, mode=mode, max_results=max_results, search_id=status.search_id or "",
                     status=JobStatus.COMPLETED, total_results=status.total_results)


async def read_rows_after(source, held: int = 0) -> list[dict]:
    """Every row of `source` (a StoredRows) after the first `held`, the way the app reads them:
    stored rows first, then API pages, until the search has no more."""
    rows: list[dict] = []
    while source.has_more_after(held + len(rows)):
        page = await source.rows_after(held + len(rows))
        if not page and not source.pager(held + len(rows)).has_more:
            break
        rows.extend(page)
    return rows


async def rows_of(engine: JobEngine, job: JobRecord) -> list[dict]:
    """Every row of a search, through a fresh reader on the engine's client and workspace."""
    from sixtyfour_tui.jobs.stored_rows import StoredRows

    source = StoredRows(engine.client, engine.workspace, job)
    await source.open()
    return await read_rows_after(source)
