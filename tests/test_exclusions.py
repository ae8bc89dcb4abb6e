"""Building a list over runs, end to end on a real sandbox: exclude everything seen, exclusion sets
small (inline) and large (a saved list on the server), URL and id forms, the 20-list cap, and the
headless flags and commands."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time

import pytest

from sixtyfour_tui.jobs.exclusion_lists import INLINE_LIMIT, SERVER_LIST_CAP, server_list_for
from sixtyfour_tui.jobs.records import Exclusions, JobStatus
from sixtyfour_tui.sandbox.config import DEMO_API_KEY, SandboxConfig
from sixtyfour_tui.sandbox.server import SandboxServer
from sixtyfour_tui.workspace.exclusions import ServerList, fingerprint
from tests.engines import close, finished_search, rows_of, start_engine
from tests.waiting import wait_until

QUERY = "software engineers in San Francisco"


async def test_a_second_run_excluding_everything_seen_returns_no_one_from_the_first(make_sandbox, tmp_path):
    server = make_sandbox(speed=2000.0)
    engine = await start_engine(server, tmp_path)
    try:
        first = await finished_search(engine, QUERY, 40)
        first_ids = {row["publicId"] for row in await rows_of(engine, first)}
        assert len(first_ids) == 40
        server.state.request_log.clear()
        second = await finished_search(engine, QUERY, 40, exclusions=Exclusions(seen=True,
                                                                                 description="everything seen"))
        assert second.exclusions.count == 40 and second.exclusions.entity_ids  # small: sent inline
        rows = await rows_of(engine, second)
        assert len(rows) == 40 and not first_ids & {row["publicId"] for row in rows}
        # Every first request carried them: the start, and each /search/query replay of its search_id.
        start = server.state.request_log.entries("/search/start-deep-search", "POST")[0]
        assert set(start.body["exclude_entity_ids"]) == first_ids
        # The second search's own replays: the first search may still be storing its rows in the
        # background (its pager resumes with a query of its own) after it reported completion.
        firsts = [entry for entry in server.state.request_log.first_queries()
                  if entry.body.get("search_id") == second.search_id]
        assert firsts and all(set(entry.body.get("exclude_entity_ids") or []) == first_ids for entry in firsts)
    finally:
        await close(engine)


async def test_a_large_set_becomes_a_saved_list_that_removes_exactly_its_entities(make_sandbox, tmp_path):
    server = make_sandbox(speed=2000.0)
    engine = await start_engine(server, tmp_path)
    try:
        broad = await finished_search(engine, "engineers in the United States", INLINE_LIMIT + 200)
        members = [row["publicId"] for row in await rows_of(engine, broad)]
        chosen = members[:INLINE_LIMIT + 100]
        customers = engine.workspace.create_set("Contacted", "people", chosen)
        again = await finished_search(engine, "engineers in the United States", INLINE_LIMIT + 200,
                                      exclusions=Exclusions(set_ids=(customers.set_id,), description="Contacted"))
        assert again.exclusions.list_ids and not again.exclusions.entity_ids
        assert again.exclusions.count == len(chosen)
        rows = await rows_of(engine, again)
        assert not set(chosen) & {row["publicId"] for row in rows}
        assert set(members) - set(chosen) <= {row["publicId"] for row in rows}  # nobody else was dropped
        start = server.state.request_log.entries("/search/start-deep-search", "POST")[-1]
        assert start.body["exclude_list_ids"] == list(again.exclusions.list_ids)
        # The same set again reuses the list instead of making another.
        lists_before = len(server.state.request_log.entries("/search/exclusion-lists", "POST"))
        await finished_search(engine, "engineers in Texas", 10,
                              exclusions=Exclusions(set_ids=(customers.set_id,), description="Contacted"))
        assert len(server.state.request_log.entries("/search/exclusion-lists", "POST")) == lists_before
    finally:
        await close(engine)


async def test_the_twentieth_list_makes_room_by_deleting_this_apps_oldest(make_sandbox, tmp_path):
    server = make_sandbox(speed=2000.0)
    engine = await start_engine(server, tmp_path)
    try:
        broad = await finished_search(engine, "engineers in the United States", 2000)
        members = [row["publicId"] for row in await rows_of(engine, broad)]
        made = []
        for n in range(SERVER_LIST_CAP + 1):  # one more list than the server allows at once
            chosen = members[n:n + INLINE_LIMIT + 1]
            found = engine.workspace.create_set(f"batch {n}", "people", chosen)
            job = await finished_search(engine, "engineers in Ohio", 5,
                                        exclusions=Exclusions(set_ids=(found.set_id,), description=f"batch {n}"))
            made.extend(job.exclusions.list_ids)
        lists = await engine.client.exclusion_lists()
        assert len([found for found in lists if not found.is_failed]) <= SERVER_LIST_CAP
        assert made[-1] in {found.id for found in lists} and made[0] not in {found.id for found in lists}
    finally:
        await close(engine)


def test_headless_exclusions_and_diff(tmp_path):
    with SandboxServer(SandboxConfig(speed=2000.0, requests_per_minute=0)) as server:
        env = {**os.environ, "SIXTYFOUR_API_ENDPOINT": server.base_url, "SIXTYFOUR_API_KEY": DEMO_API_KEY}

        def cli(*args):
            done = subprocess.run([sys.executable, "-m", "sixtyfour_tui", *args], env=env, capture_output=True,
                                  text=True, timeout=120)
            assert done.returncode == 0, (args, done.stderr)
            return done

        first = [json.loads(line) for line in cli("search", QUERY, "--max-results", "30").stdout.splitlines()]
        contacted = tmp_path / "contacted.csv"
        with contacted.open("w", newline="") as handle:  # the same people as URLs in three spellings
            writer = csv.writer(handle)
            writer.writerow(["name", "linkedin_url"])
            for n, row in enumerate(first[:10]):
                url = [f"https://www.linkedin.com/in/{row['publicId']}/", f"linkedin.com/in/{row['publicId']}?x=1",
                       f"http://LINKEDIN.com/in/{row['publicId']}"][n % 3]
                writer.writerow([row["fullName"], url])
        done = cli("search", QUERY, "--max-results", "30", "--exclude", str(contacted))
        second = [json.loads(line) for line in done.stdout.splitlines()]
        assert len(second) == 30 and not {r["publicId"] for r in first[:10]} & {r["publicId"] for r in second}
        assert "excluding" in done.stderr
        listing = cli("exclusions").stdout
        assert "file:contacted.csv" in listing and " 10 " in listing.replace(",", "")

        jobs = [json.loads(line) for line in cli("jobs", "--json").stdout.splitlines()]
        before, after = jobs[0]["job_id"], jobs[1]["job_id"]
        counts = cli("diff", before, after).stdout
        old, new = {r["publicId"] for r in first}, {r["publicId"] for r in second}
        assert counts.split() == ["new", str(len(new - old)), "dropped", str(len(old - new)), "common",
                                  str(len(new & old))]
        dropped = [json.loads(line) for line in cli("diff", before, after, "--dropped").stdout.splitlines()]
        assert {r["publicId"] for r in dropped} == old - new

        cli("exclusions", "create", "Seen so far", "--from-seen")
        third = [json.loads(line) for line in
                 cli("search", QUERY, "--max-results", "20", "--exclude-set", "Seen so far").stdout.splitlines()]
        assert not (old | new) & {r["publicId"] for r in third}
        cli("exclusions", "delete", "Seen so far")
        assert "Seen so far" not in cli("exclusions").stdout


async def test_an_exclusion_set_that_cannot_be_read_fails_the_search_clearly(fast_sandbox, tmp_path):
    engine = await start_engine(fast_sandbox, tmp_path)
    try:
        job = engine.submit(QUERY, max_results=5, exclusions=Exclusions(set_ids=("set_missing",)))
        final = await engine.wait(job.job_id)
        assert final.status == JobStatus.COMPLETED and final.exclusions.count == 0  # an empty set excludes nobody
        await wait_until(lambda: not engine.busy)
    finally:
        await close(engine)


def test_the_same_exclude_file_keeps_its_set_and_follows_the_files_changes(tmp_path):
    """A re-run of `search --exclude FILE` names the same set (so it can attach to its unfinished
    search), holding what the file holds now."""
    import argparse

    from sixtyfour_tui.commands.searching import exclusions_asked
    from tests.engines import open_workspace

    workspace = open_workspace(tmp_path)
    listed = tmp_path / "contacted.txt"
    args = argparse.Namespace(exclude_set=[], exclude=[listed], exclude_seen=False, mode="people")
    listed.write_text("alice-1\nbob-2\n")
    first = exclusions_asked(workspace, args)
    listed.write_text("bob-2\ncarol-3\n")
    second = exclusions_asked(workspace, args)
    assert first.set_ids == second.set_ids and len(second.set_ids) == 1
    assert sorted(workspace.set_members(second.set_ids)) == ["bob-2", "carol-3"]
    assert "(2)" in second.description
    workspace.close()


def _entity_ids(count: int) -> list[str]:
    return [f"p-{n:05d}" for n in range(count)]


async def test_a_list_still_being_built_is_waited_for_not_built_twice(make_sandbox, tmp_path):
    """A start interrupted while its list was building left it recorded but not ready: the next
    start with the same entities waits for that list instead of making a second one."""
    server = make_sandbox(speed=2.0)  # a list takes ~1 s to build: still pending when first looked at
    engine = await start_engine(server, tmp_path)
    ids = _entity_ids(INLINE_LIMIT + 1)
    try:
        building = await engine.client.create_exclusion_list(name="interrupted", entity_type="person",
                                                             entity_ids=ids)
        assert not building.is_ready
        engine.workspace.record_server_list(ServerList(
            list_id=building.id, backend="test", set_id=None, fingerprint=fingerprint(ids), size=len(ids),
            status=building.status, created_at=time.time()))
        made_before = len(server.state.request_log.entries("/search/exclusion-lists", "POST"))
        list_id = await server_list_for(engine.client, engine.workspace, "people", ids, backend="test")
        assert list_id == building.id
        assert (await engine.client.exclusion_list(list_id)).is_ready
        assert len(server.state.request_log.entries("/search/exclusion-lists", "POST")) == made_before
    finally:
        await close(engine)


async def test_a_failed_list_is_forgotten_and_a_new_one_made(fast_sandbox, tmp_path):
    engine = await start_engine(fast_sandbox, tmp_path)
    ids = _entity_ids(INLINE_LIMIT + 1)
    try:
        failing = engine.submit("CTOs in Paris #fail")
        failed_search = await engine.wait(failing.job_id)
        assert failed_search.status == "failed" and failed_search.search_id
        broken = await engine.client.create_exclusion_list(name="from a failed search", entity_type="person",
                                                           search_id=failed_search.search_id)
        engine.workspace.record_server_list(ServerList(
            list_id=broken.id, backend="test", set_id=None, fingerprint=fingerprint(ids), size=len(ids),
            status=broken.status, created_at=time.time()))
        list_id = await server_list_for(engine.client, engine.workspace, "people", ids, backend="test")
        assert list_id != broken.id
        assert (await engine.client.exclusion_list(list_id)).is_ready
        assert broken.id not in {known.list_id for known in engine.workspace.server_lists("test")}
    finally:
        await close(engine)


async def test_a_list_stuck_building_is_forgotten_and_not_waited_for_again(make_sandbox, tmp_path, monkeypatch):
    from sixtyfour_tui.jobs import exclusion_lists

    monkeypatch.setattr(exclusion_lists, "READY_WAIT_SECONDS", 0.3)
    server = make_sandbox(speed=0.05)  # a list takes ~40 s to build: stuck, for this test
    engine = await start_engine(server, tmp_path)
    ids = _entity_ids(INLINE_LIMIT + 1)
    try:
        stuck = await engine.client.create_exclusion_list(name="stuck", entity_type="person", entity_ids=ids)
        engine.workspace.record_server_list(ServerList(
            list_id=stuck.id, backend="test", set_id=None, fingerprint=fingerprint(ids), size=len(ids),
            status=stuck.status, created_at=time.time()))
        made_before = len(server.state.request_log.entries("/search/exclusion-lists", "POST"))
        with pytest.raises(exclusion_lists.ExclusionTrouble, match="still not ready"):
            await server_list_for(engine.client, engine.workspace, "people", ids, backend="test")
        assert stuck.id not in {known.list_id for known in engine.workspace.server_lists("test")}
        assert len(server.state.request_log.entries("/search/exclusion-lists", "POST")) == made_before + 1
    finally:
        await close(engine)
