"""Exports and downloads against the real sandbox: 409s, refreshed links, dropped connections, leaks."""

from __future__ import annotations

import csv
import time

import pytest

from sixtyfour_tui.api.client import SixtyfourClient
from sixtyfour_tui.api.errors import (
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NetworkError,
    NotFoundError,
    PaymentRequiredError,
    RateLimitedError,
    ServerError,
    UnauthorizedError,
    ValidationError,
)
from sixtyfour_tui.api.retry import RetryPolicy
from sixtyfour_tui.jobs.export_flow import Exporter, ExportError
from sixtyfour_tui.jobs.records import ErrorKind, JobSource
from sixtyfour_tui.sandbox.config import DEMO_API_KEY, FaultConfig
from tests.engines import close, finished_search, start_engine


def read_rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


async def test_export_saves_the_search_csv_with_the_right_rows(fast_sandbox, tmp_path):
    engine = await start_engine(fast_sandbox, tmp_path)
    try:
        search = await finished_search(engine, "VP of Engineering at Series B SaaS startups in New York", 500)
        record = await Exporter(engine).export(search.job_id, tmp_path / "vp.csv")
    finally:
        await close(engine)
    assert record.status == "completed", record.error
    rows = read_rows(tmp_path / "vp.csv")
    assert len(rows) == search.total_results == record.total_results
    assert all(r["seniority"] == "VP" and r["job_function"] == "Engineering" for r in rows)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    import os
    import stat

    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE((tmp_path / "vp.csv").stat().st_mode) == 0o666 & ~umask  # not the temp file's 0600


async def test_a_filter_search_the_restarted_server_forgot_is_asked_again_and_exports(make_sandbox, tmp_path):
    """Ids of searches answered at once live only as long as the sandbox process; after a
    restart the export asks the same filters again and exports that (the default export used to
    fail with "search ... not found")."""
    state = tmp_path / "sandbox-state.json"
    first_server = make_sandbox(speed=50.0, state_file=state)
    engine = await start_engine(first_server, tmp_path)
    try:
        job = engine.run_query(JobSource.FILTER, query="title matches *engineer*", mode="people", max_results=40,
                               simple_filters={"title": {"$match": "*engineer*"}})
        done = await engine.wait(job.job_id)
        assert done.status == "completed" and done.search_id
    finally:
        await close(engine)
    first_server.stop()

    restarted = make_sandbox(speed=50.0, state_file=state)
    engine = await start_engine(restarted, tmp_path)
    try:
        record = await Exporter(engine).export(job.job_id, tmp_path / "engineers.csv")
        assert record.status == "completed", record.error
        renewed = engine.job(job.job_id)
        assert renewed.search_id and renewed.search_id != done.search_id and record.search_id == renewed.search_id
    finally:
        await close(engine)
    rows = read_rows(tmp_path / "engineers.csv")
    assert len(rows) == done.total_results and all("engineer" in row["title"].lower() for row in rows)


async def test_a_row_limit_runs_a_server_export(fast_sandbox, tmp_path):
    engine = await start_engine(fast_sandbox, tmp_path)
    try:
        search = await finished_search(engine, "engineers", 300)
        record = await Exporter(engine).export(search.job_id, tmp_path / "few.csv", max_results=120)
    finally:
        await close(engine)
    assert record.status == "completed" and record.task_id
    assert len(read_rows(tmp_path / "few.csv")) == 120


async def test_a_409_attaches_to_the_export_already_running(make_sandbox, tmp_path):
    server = make_sandbox(speed=3.0)
    engine = await start_engine(server, tmp_path)
    try:
        engine.poll_interval = 0.05
        search = await finished_search(engine, "designers in London", 30)
        running = await engine.client.export(mode="people", search_id=search.search_id, max_results=20)
        record = await Exporter(engine).export(search.job_id, tmp_path / "attached.csv", max_results=20)
    finally:
        await close(engine)
    assert record.status == "completed", record.error
    assert record.task_id == running.task_id
    assert len(read_rows(tmp_path / "attached.csv")) == 20


async def test_an_expired_signed_url_is_refreshed(make_sandbox, tmp_path):
    server = make_sandbox(speed=2000.0, url_ttl=1.0)
    engine = await start_engine(server, tmp_path)
    try:
        search = await finished_search(engine)
        stale = await engine.client.download_link(search.resource_handle_id)
        import httpx

        async with httpx.AsyncClient() as plain:
            deadline = time.monotonic() + 10
            while (await plain.get(stale.url)).status_code != 403:
                assert time.monotonic() < deadline
        result = await engine.client.download_to(search.resource_handle_id, tmp_path / "fresh.csv", link=stale)
    finally:
        await close(engine)
    assert result.rows == search.total_results
    refused = [r for r in server.state.storage_requests if r["path"].endswith(".csv")]
    assert len(refused) >= 2


async def test_a_dropped_download_leaves_nothing_and_a_retry_completes(make_sandbox, tmp_path):
    server = make_sandbox(speed=2000.0, faults=FaultConfig(drop_downloads=5))
    client = SixtyfourClient(server.api_key, server.base_url, retry=RetryPolicy(max_attempts=2, base_delay=0.01))
    engine = await start_engine(server, tmp_path)
    dest = tmp_path / "out.csv"
    try:
        search = await finished_search(engine)
        with pytest.raises(NetworkError):
            await client.download_to(search.resource_handle_id, dest)
        assert not dest.exists()
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
        server.state.faults.break_downloads(drops=-3)  # one drop left: a retry gets through
        result = await client.download_to(search.resource_handle_id, dest)
    finally:
        await client.aclose()
        await close(engine)
    assert result.rows == search.total_results == len(read_rows(dest))


async def test_a_truncated_download_is_caught_by_the_row_count(make_sandbox, tmp_path):
    server = make_sandbox(speed=2000.0, faults=FaultConfig(truncate_downloads=1))
    engine = await start_engine(server, tmp_path)
    try:
        search = await finished_search(engine, max_results=400)
        record = await Exporter(engine).export(search.job_id, tmp_path / "whole.csv")
    finally:
        await close(engine)
    assert record.status == "completed", record.error
    assert len(read_rows(tmp_path / "whole.csv")) == 400


async def test_the_key_never_reaches_the_storage_host(make_sandbox, tmp_path):
    server = make_sandbox(speed=2000.0, storage_host="127.0.0.2")
    engine = await start_engine(server, tmp_path)
    try:
        search = await finished_search(engine)
        record = await Exporter(engine).export(search.job_id, tmp_path / "s.csv")
    finally:
        await close(engine)
    assert record.status == "completed"
    seen = server.state.storage_requests
    assert seen and all(r["host"] == "127.0.0.2" for r in seen)
    for request in seen:
        assert "x-api-key" not in request["headers"]
        assert DEMO_API_KEY not in " ".join(request["headers"].values())


async def test_export_refuses_to_overwrite_and_needs_a_completed_search(fast_sandbox, tmp_path):
    engine = await start_engine(fast_sandbox, tmp_path)
    try:
        search = await finished_search(engine)
        existing = tmp_path / "keep.csv"
        existing.write_text("precious")
        with pytest.raises(ExportError):
            await Exporter(engine).export(search.job_id, existing)
        assert existing.read_text() == "precious"
        failed = engine.submit("CTOs #fail")
        await engine.wait(failed.job_id)
        with pytest.raises(ExportError):
            await Exporter(engine).export(failed.job_id, tmp_path / "x.csv")
    finally:
        await close(engine)


async def test_an_unwritable_destination_fails_cleanly(fast_sandbox, tmp_path):
    engine = await start_engine(fast_sandbox, tmp_path)
    blocker = tmp_path / "locked"
    blocker.write_text("a file where a folder should be")  # fails for root too, unlike permissions
    try:
        search = await finished_search(engine)
        record = await Exporter(engine).export(search.job_id, blocker / "x.csv")
    finally:
        await close(engine)
    assert record.status == "failed" and record.error_kind == ErrorKind.DISK
    assert str(blocker / "x.csv") in record.error
    assert blocker.read_text() == "a file where a folder should be"


# -- every error class reaches the caller with the server's message --------------------------------
NO_RETRY = RetryPolicy(max_attempts=1)


async def test_error_classes_carry_the_servers_message(make_sandbox):
    server = make_sandbox(api_keys=(DEMO_API_KEY, "sk-broke", "sk-denied"), payment_required_keys=("sk-broke",),
                          forbidden_keys=("sk-denied",), speed=1.0)
    base = server.base_url

    async def attempt(key, call):
        async with SixtyfourClient(key, base, retry=NO_RETRY) as client:
            with pytest.raises(Exception) as caught:
                await call(client)
            return caught.value

    error = await attempt("sk-wrong", lambda c: c.task_status("x"))
    assert isinstance(error, UnauthorizedError) and error.message == "Invalid API key"
    error = await attempt("sk-broke", lambda c: c.task_status("x"))
    assert isinstance(error, PaymentRequiredError) and "balance" in error.message
    error = await attempt("sk-denied", lambda c: c.task_status("x"))
    assert isinstance(error, ForbiddenError) and "not enabled" in error.message
    error = await attempt(DEMO_API_KEY, lambda c: c.task_status("nope"))
    assert isinstance(error, NotFoundError) and "not found" in error.message
    error = await attempt(DEMO_API_KEY, lambda c: c.start_deep_search("x", max_results=0))
    assert isinstance(error, ValidationError) and "max_results" in error.message
    error = await attempt(DEMO_API_KEY, lambda c: c.query_next("forged.cursor"))
    assert isinstance(error, BadRequestError) and error.message == "cursor expired or invalid"
    async with SixtyfourClient(DEMO_API_KEY, base, retry=NO_RETRY) as client:
        started = await client.start_deep_search("engineers in Denver", max_results=5)
        status = await client.task_status(started.task_id)
        await client.export(mode="people", search_id=status.search_id)
        with pytest.raises(ConflictError) as conflict:
            await client.export(mode="people", search_id=status.search_id)
        assert conflict.value.task_id and "already running" in conflict.value.message
    server.state.faults.force(503, 1)
    error = await attempt(DEMO_API_KEY, lambda c: c.task_status("x"))
    assert isinstance(error, ServerError) and error.status == 503 and "unavailable" in error.message
    server.state.faults.force(429, 1)
    error = await attempt(DEMO_API_KEY, lambda c: c.task_status("x"))
    assert isinstance(error, RateLimitedError) and error.retry_after == 1


async def test_an_export_killed_mid_way_is_marked_interrupted_and_its_leftovers_go(fast_sandbox, tmp_path):
    import os

    from sixtyfour_tui.jobs.records import JobKind, JobRecord, JobStatus
    from sixtyfour_tui.workspace.store import Workspace

    dest = tmp_path / "out" / "people.csv"
    dest.parent.mkdir()
    leftovers = [dest.parent / ".people.csv.ab12.part", dest.parent / ".people.csv.checking",
                 dest.parent / "..people.csv.checking.cd34.part"]
    for path in leftovers:
        path.write_bytes(b"half a file")
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    fresh = dest.parent / ".people.csv.ef56.part"  # someone is writing this one right now
    fresh.write_bytes(b"in progress")
    other = dest.parent / "keep.csv"
    other.write_text("not ours")
    dead = Workspace(tmp_path / "workspace.sqlite3", owner=f"{os.uname().nodename}:999999999:gone").open()
    export = JobRecord(kind=JobKind.EXPORT, query="q", backend="test", status=JobStatus.RUNNING,
                       destination=str(dest), progress_message="Downloading")
    dead.save_jobs([export])
    engine = await start_engine(fast_sandbox, tmp_path)
    try:
        record = engine.job(export.job_id)
        assert record.status == JobStatus.INTERRUPTED and "e exports again" in record.progress_message
    finally:
        await close(engine)
    assert sorted(p.name for p in dest.parent.iterdir()) == sorted([fresh.name, other.name])
