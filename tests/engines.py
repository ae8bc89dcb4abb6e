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
    """Deep-search starts the server received: repeats of a search_id count too (the sandbox
    would answer them with the same task, so counting task ids could not catch a duplicate)."""
    return int(server.state.request_log.count("/search/start-deep-search"))
