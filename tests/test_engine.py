"""The job engine against the real sandbox over loopback: slots, queue, 429s, polling, restarts."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx

from sixtyfour_tui.api.client import SixtyfourClient
from sixtyfour_tui.jobs.engine import JobEngine
from sixtyfour_tui.jobs.events import JobUpdated, StorageTrouble
from sixtyfour_tui.sandbox.config import DEMO_API_KEY, FaultConfig
from tests.conftest import fill
from tests.engines import FAST_RETRY, close, open_workspace, start_engine, start_requests, started_search_ids
from tests.waiting import wait_until


async def test_five_run_while_the_sixth_waits_then_starts(make_sandbox, tmp_path):
    server = make_sandbox(speed=20.0)
    engine = await start_engine(server, tmp_path)
    snapshots: list[dict[str, str]] = []
    jobs = []

    def snapshot(event) -> None:
        if isinstance(event, JobUpdated) and len(jobs) == 6:
            snapshots.append({j.job_id: engine.job(j.job_id).status for j in jobs})

    engine.subscribe(snapshot)
    try:
        for n in range(6):
            jobs.append(engine.submit(f"engineers in Boston {n}", max_results=20))
        sixth = jobs[5].job_id
        assert engine.job(sixth).status == "queued"
        assert engine.queue_position(sixth) == 1
        assert "#1" in engine.job(sixth).progress_message
        finals = [await asyncio.wait_for(engine.wait(j.job_id), 60) for j in jobs]
        assert [f.status for f in finals] == ["completed"] * 6
        assert all(f.total_results == 20 for f in finals)
    finally:
        await close(engine)
    active = [sum(s in ("starting", "running") for s in snap.values()) for snap in snapshots]
    assert max(active) == 5
    first_move = next(snap for snap in snapshots if snap[sixth] != "queued")
    assert "completed" in first_move.values()  # the sixth started only once a slot freed


async def test_a_429_on_start_requeues_instead_of_failing(make_sandbox, tmp_path):
    server = make_sandbox(speed=40.0)
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": DEMO_API_KEY}) as other_tool:
        for n in range(3):  # another tool of the same organisation holds three slots
            assert other_tool.post("/search/start-deep-search", json={"query": f"designers {n}"}).status_code == 200
    engine = await start_engine(server, tmp_path)
    seen_requeue = []
    engine.subscribe(lambda e: isinstance(e, JobUpdated) and "Server busy" in e.job.progress_message
                     and seen_requeue.append(e.job.job_id))
    try:
        jobs = [engine.submit(f"marketers in Austin {n}", max_results=5) for n in range(5)]
        finals = [await asyncio.wait_for(engine.wait(j.job_id), 60) for j in jobs]
        assert [f.status for f in finals] == ["completed"] * 5
        assert seen_requeue, "the server's 429 should have sent a job back to the queue"
    finally:
        await close(engine)


async def test_polls_for_a_task_never_overlap(make_sandbox, tmp_path):
    server = make_sandbox(speed=30.0, faults=FaultConfig(latency_ms=30))
    engine = await start_engine(server, tmp_path, poll_interval=0.001)
    in_flight: Counter = Counter()
    most: Counter = Counter()
    real_status = engine.client.task_status

    async def counted(task_id, **kw):
        in_flight[task_id] += 1
        most[task_id] = max(most[task_id], in_flight[task_id])
        try:
            return await real_status(task_id, **kw)
        finally:
            in_flight[task_id] -= 1

    engine.client.task_status = counted
    try:
        jobs = [engine.submit(f"sales directors {n}", max_results=5) for n in range(3)]
        for job in jobs:
            assert (await engine.wait(job.job_id)).status == "completed"
        assert len(most) == 3
        assert set(most.values()) == {1}
    finally:
        await close(engine)


async def test_a_restart_resumes_unfinished_tasks_and_starts_none_twice(make_sandbox, tmp_path):
    server = make_sandbox(speed=20.0)
    workspace = open_workspace(tmp_path)
    first = await start_engine(server, tmp_path, workspace=workspace)
    jobs = [first.submit(f"product managers {n}", max_results=10) for n in range(7)]
    await wait_until(lambda: sum(first.job(j.job_id).status == "running" for j in jobs) == 5)
    await close(first)  # the app quits (or crashes) with five running and two queued
    starts_before = start_requests(server)

    second = await start_engine(server, tmp_path, workspace=open_workspace(tmp_path))
    try:
        assert {j.job_id for j in second.jobs() if second.owns(j.job_id)} == {j.job_id for j in jobs}
        finals = [await asyncio.wait_for(second.wait(j.job_id), 60) for j in jobs]
        assert [f.status for f in finals] == ["completed"] * 7
    finally:
        await close(second)
    # The five running ones were polled, not started again; only the two queued ones were sent.
    assert start_requests(server) - starts_before == 2


async def test_a_start_read_ahead_on_another_thread_resumes_the_same_jobs(make_sandbox, tmp_path):
    """The app reads the engine's start on its backend thread (`read_start`), then starts it on
    the loop with what was read: the unfinished jobs are claimed there and resumed once."""
    server = make_sandbox(speed=20.0)
    first = await start_engine(server, tmp_path)
    jobs = [first.submit(f"designers {n}", max_results=10) for n in range(3)]
    await wait_until(lambda: all(first.job(j.job_id).status == "running" for j in jobs))
    await close(first)
    starts_before = start_requests(server)

    client = SixtyfourClient(server.api_key, server.base_url, retry=FAST_RETRY)
    second = JobEngine(client, open_workspace(tmp_path), backend="test", poll_interval=0.02)
    heard: list[object] = []
    second.subscribe(heard.append)
    state = await asyncio.to_thread(second.read_start)
    assert {record.job_id for record in state.claimed} == {j.job_id for j in jobs}
    assert not heard and not state.problems  # reading publishes nothing: the loop does that
    try:
        await second.start(state=state)
        assert {j.job_id for j in second.jobs() if second.owns(j.job_id)} == {j.job_id for j in jobs}
        finals = [await asyncio.wait_for(second.wait(j.job_id), 60) for j in jobs]
        assert [f.status for f in finals] == ["completed"] * 3
    finally:
        await close(second)
    assert start_requests(server) == starts_before  # polled where they were, not started again


async def test_a_claim_a_full_disk_refuses_while_reading_ahead_is_reported_when_the_engine_starts(
        make_sandbox, tmp_path, tiny_disk):
    server = make_sandbox(speed=20.0)
    disk = tiny_disk(size="2m")
    first = await start_engine(server, disk, workspace=open_workspace(disk))
    job = first.submit("designers in Lyon", max_results=10)
    await wait_until(lambda: first.job(job.job_id).status == "running")
    await close(first)
    fill(disk)

    client = SixtyfourClient(server.api_key, server.base_url, retry=FAST_RETRY)
    second = JobEngine(client, open_workspace(disk), backend="test", poll_interval=0.02)
    state = await asyncio.to_thread(second.read_start)
    assert state.problems and not state.claimed
    assert [record.job_id for record in state.known] == [job.job_id]  # reads still work
    heard: list[object] = []
    second.subscribe(heard.append)
    try:
        await second.start(state=state)
        # Said by start itself, before its own first write (the heartbeat) could meet the disk.
        assert second.storage_problem == state.problems[0].message
        await wait_until(lambda: any(isinstance(event, StorageTrouble) and event.message for event in heard))
    finally:
        await close(second)


async def test_a_failed_search_reports_the_servers_error(fast_sandbox, tmp_path):
    engine = await start_engine(fast_sandbox, tmp_path)
    try:
        job = engine.submit("CTOs in Paris #fail")
        final = await engine.wait(job.job_id)
        assert final.status == "failed"
        assert "#fail" in final.error
    finally:
        await close(engine)


async def test_a_rejected_start_fails_with_the_validation_message(fast_sandbox, tmp_path):
    engine = await start_engine(fast_sandbox, tmp_path)
    try:
        job = engine.submit("CTOs", max_results=20000)
        final = await engine.wait(job.job_id)
        assert final.status == "failed" and "max_results" in final.error
    finally:
        await close(engine)


async def test_the_workspace_never_holds_the_api_key(fast_sandbox, tmp_path):
    engine = await start_engine(fast_sandbox, tmp_path)
    try:
        job = engine.submit("founders in Berlin", max_results=5)
        await engine.wait(job.job_id)
        await engine.writer.flushed()
    finally:
        await close(engine)
    data = b"".join(path.read_bytes() for path in tmp_path.glob("workspace.sqlite3*"))
    assert job.job_id.encode() in data
    assert DEMO_API_KEY.encode() not in data


async def test_progress_is_published_with_growing_results(make_sandbox, tmp_path):
    server = make_sandbox(speed=30.0)
    engine = await start_engine(server, tmp_path)
    updates = []
    engine.subscribe(lambda e: isinstance(e, JobUpdated) and updates.append(e.job))
    try:
        job = engine.submit("VP of Engineering at Series B SaaS startups in New York", max_results=300)
        final = await engine.wait(job.job_id)
    finally:
        await close(engine)
    statuses = [u.status for u in updates if u.job_id == job.job_id]
    assert statuses[0] == "queued" and "running" in statuses and statuses[-1] == "completed"
    history = final.results_history
    assert len(history) >= 3 and list(history) == sorted(history) and history[-1] == final.total_results
    messages = {u.progress_message for u in updates}
    assert any("Ranking" in m or "Scanning" in m or "Matching" in m for m in messages), messages


async def test_a_task_the_server_forgot_is_started_again_once_then_fails(tmp_path):
    """The server restarted without its memory: 404 for a task it had accepted."""
    from sixtyfour_tui.sandbox.config import SandboxConfig
    from sixtyfour_tui.sandbox.server import SandboxServer

    server = SandboxServer(SandboxConfig(speed=2.0, requests_per_minute=0)).start()
    port = int(server.base_url.rsplit(":", 1)[1])
    engine = await start_engine(server, tmp_path)
    try:
        job = engine.submit("data engineers in Denver", max_results=10)
        await wait_until(lambda: engine.job(job.job_id).status == "running" and engine.job(job.job_id).task_id)
        server.stop()
        server = SandboxServer(SandboxConfig(speed=2000.0, requests_per_minute=0), port=port).start()
        assert server.base_url.endswith(f":{port}")
        final = await asyncio.wait_for(engine.wait(job.job_id), 60)
        assert final.status == "completed" and final.restarts == 1
        assert start_requests(server) == 1  # sent once more, with the same search_id
        assert started_search_ids(server) == [job.search_id]

        server.stop()  # a slow server, so the second search is still running when it forgets it
        server = SandboxServer(SandboxConfig(speed=0.01, requests_per_minute=0), port=port).start()
        twice = engine.submit("data engineers in Austin", max_results=10)
        await wait_until(lambda: engine.job(twice.job_id).status == "running" and engine.job(twice.job_id).task_id)
        server.stop()  # the first loss: the search is sent again, and runs on the new server
        server = SandboxServer(SandboxConfig(speed=0.01, requests_per_minute=0), port=port).start()
        await wait_until(lambda: engine.job(twice.job_id).restarts >= 1 and engine.job(twice.job_id).task_id
                         and start_requests(server) == 1, timeout=30)
        server.stop()  # the second loss, of the search as sent again
        server = SandboxServer(SandboxConfig(speed=0.01, requests_per_minute=0), port=port).start()
        final = await asyncio.wait_for(engine.wait(twice.job_id), 60)
        assert final.status == "failed" and final.error_kind == "lost" and "lost this search twice" in final.error
    finally:
        await close(engine)
        server.stop()


async def test_queries_answered_at_once_are_stored_like_any_search(fast_sandbox, tmp_path):
    """A natural-language query, an edited parsed query and a filter search: no deep-search slot,
    rows stored, a search id that replays."""
    from sixtyfour_tui.jobs.records import JobSource
    from sixtyfour_tui.jobs.stored_rows import StoredRows

    engine = await start_engine(fast_sandbox, tmp_path)
    try:
        asked = engine.run_query(JobSource.QUERY, query="VP of Engineering in New York", mode="people",
                                 max_results=30)
        first = await asyncio.wait_for(engine.wait(asked.job_id), 30)
        assert first.status == "completed" and first.parsed_query and first.total_results
        assert first.parsed_query["filters"]["seniority"] == ["VP"]
        edited = {**first.parsed_query, "filters": {**first.parsed_query["filters"], "seniority": ["Director"]}}
        job = engine.run_query(JobSource.PARSED, query=first.query, mode="people", max_results=30,
                               parsed_query=edited, edited_from=first.job_id, edit_note="seniority: VP → Director")
        final = await asyncio.wait_for(engine.wait(job.job_id), 30)
        assert final.status == "completed" and final.edit_note == "seniority: VP → Director"
        await wait_until(lambda: (info := engine.workspace.result_info(final.job_id)) and info.complete)
        rows = engine.workspace.read_rows(final.job_id)
        assert rows and all(row["seniority"] == "Director" for row in rows)
        filtered = engine.run_query(JobSource.FILTER, query="CTOs, filter search", mode="people", max_results=250,
                                    simple_filters={"seniority": "CXO", "title": {"$match": "*CTO*"}})
        done = await asyncio.wait_for(engine.wait(filtered.job_id), 30)
        assert done.status == "completed" and done.search_id != filtered.search_id  # the server's id
        source = StoredRows(engine.client, engine.workspace, done)
        await source.open()
        await wait_until(lambda: engine.workspace.result_info(done.job_id).complete)
        stored = engine.workspace.read_rows(done.job_id)
        assert len(stored) == done.total_results and all("CTO" in row["title"] for row in stored)
        assert engine.running_count == 0  # none of them held a deep-search slot
    finally:
        await close(engine)


async def test_a_start_the_api_does_not_answer_says_it_is_retrying_instead_of_starting(tmp_path):
    """A dead endpoint: the job's line says the client is retrying and why, within the first retry."""
    import socket

    from sixtyfour_tui.api import RetryPolicy, SixtyfourClient

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    client = SixtyfourClient(DEMO_API_KEY, dead, retry=RetryPolicy(error_budget=30.0, base_delay=0.05, jitter=False))
    engine = await start_engine(None, tmp_path, client=client)
    try:
        job = engine.submit("engineers in Seattle", max_results=10)
        said = await wait_until(lambda: (engine.job(job.job_id).progress_message or "").startswith("Retrying in")
                                and engine.job(job.job_id).progress_message, what="a retry said")
        assert "connect" in said.lower() or "reach" in said.lower(), said
        assert engine.job(job.job_id).status == "starting"
    finally:
        await close(engine)
