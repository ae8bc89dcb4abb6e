"""The workspace on a real SQLite file: jobs, leases, the change feed, history, rows, facets,
the seen-set, diffs, migrations, the legacy import, damage and full disks."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import time
from collections import Counter
from pathlib import Path

import msgspec
import pytest

from sixtyfour_tui.api.rows import flatten_row
from sixtyfour_tui.jobs.records import HistoryEntry, JobRecord, JobStatus, SavedFile
from sixtyfour_tui.sandbox.dataset import load_dataset
from sixtyfour_tui.workspace.database import StorageError
from sixtyfour_tui.workspace.schema import SCHEMA_VERSION
from sixtyfour_tui.workspace.store import LEASE_SECONDS, Workspace
from sixtyfour_tui.workspace.writer import JobWriter
from tests.conftest import fill
from tests.waiting import wait_for


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "ws" / "workspace.sqlite3"


@pytest.fixture
def workspace(path: Path) -> Workspace:
    store = Workspace(path).open()
    yield store
    store.close()


def people(count: int, start: int = 0) -> list[dict]:
    ds = load_dataset()
    return [ds.row("people", i) for i in range(start, start + count)]


def completed(query: str = "q", **fields) -> JobRecord:
    fields.setdefault("created_at", time.time())
    return JobRecord(query=query, backend="sandbox", status=JobStatus.COMPLETED, **fields)


# -- the file ---------------------------------------------------------------------------------

def test_the_file_is_private_in_a_private_folder_and_in_wal_mode(workspace: Workspace, path: Path) -> None:
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_workspace_from_a_newer_version_is_refused_by_name(path: Path) -> None:
    Workspace(path).open().close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StorageError, match="newer sixtyfour-tui"):
        Workspace(path).open()


# -- jobs -------------------------------------------------------------------------------------

def test_jobs_are_saved_found_and_listed_newest_last(workspace: Workspace) -> None:
    first = completed("first", created_at=100.0)
    second = completed("second", created_at=200.0)
    assert workspace.save_jobs([second, first]) == []
    assert [job.query for job in workspace.recent_jobs("sandbox")] == ["first", "second"]
    assert workspace.get_job(first.job_id) == first
    assert workspace.find_jobs(first.job_id[:6], backend=None)[0].job_id == first.job_id
    assert workspace.find_jobs(second.search_id)[0].job_id == second.job_id
    assert workspace.recent_jobs("sandbox", limit=1)[0].query == "second"
    assert workspace.recent_jobs("another backend") == []


def test_another_process_cannot_overwrite_a_job_it_does_not_own(path: Path) -> None:
    mine, theirs = Workspace(path, owner=None).open(), Workspace(path).open()
    job = JobRecord(query="running here", backend="sandbox", status=JobStatus.RUNNING)
    assert mine.save_jobs([job]) == []
    assert theirs.save_jobs([msgspec.structs.replace(job, progress_message="hijack")]) == [job.job_id]
    assert mine.get_job(job.job_id).progress_message == ""
    assert theirs.claim(job.job_id) is None  # its owner lives and renews


def test_a_dead_owners_jobs_are_claimed_at_once_and_an_expired_lease_after_it_runs_out(path: Path) -> None:
    ghost = Workspace(path, owner=f"{os.uname().nodename}:999999999:dead").open()
    alive = Workspace(path).open()
    orphan = JobRecord(query="orphan", backend="sandbox", status=JobStatus.RUNNING, task_id="t1")
    stale = JobRecord(query="stale", backend="sandbox", status=JobStatus.RUNNING, task_id="t2")
    ghost.save_jobs([orphan])
    alive.save_jobs([stale])
    with sqlite3.connect(path) as db:  # the living owner stopped renewing (a suspended laptop)
        db.execute("UPDATE jobs SET lease_until = ? WHERE job_id = ?", (time.time() - 1, stale.job_id))
    newcomer = Workspace(path).open()
    claimed = {job.query for job in newcomer.claim_orphans("sandbox")}
    assert claimed == {"orphan", "stale"}
    assert newcomer.claim_orphans("sandbox") == []  # claimed once
    assert alive.save_jobs([msgspec.structs.replace(stale, progress_message="late")]) == [stale.job_id]


def test_leases_are_renewed_and_released(path: Path, workspace: Workspace) -> None:
    job = JobRecord(query="q", backend="sandbox", status=JobStatus.QUEUED)
    workspace.save_jobs([job])
    with sqlite3.connect(path) as db:
        before = db.execute("SELECT lease_until FROM jobs").fetchone()[0]
    time.sleep(0.01)  # a lease time must be able to move; this is not waiting for a result
    workspace.renew_leases()
    with sqlite3.connect(path) as db:
        after = db.execute("SELECT lease_until FROM jobs").fetchone()[0]
    assert after > before and after <= time.time() + LEASE_SECONDS
    workspace.release_leases()
    assert [job.query for job in Workspace(path).open().claim_orphans("sandbox")] == ["q"]


def test_the_change_feed_shows_other_processes_writes(path: Path) -> None:
    writer, reader = Workspace(path).open(), Workspace(path).open()
    rev = reader.current_rev()
    job = JobRecord(query="from the other window", backend="sandbox", status=JobStatus.RUNNING)
    writer.save_jobs([job])
    rev2, changes = reader.changes_since(rev, "sandbox")
    assert rev2 > rev and [change.record.query for change in changes] == ["from the other window"]
    assert changes[0].owner == writer.owner
    assert reader.changes_since(rev2, "sandbox")[1] == []


def test_forget_hides_a_job_and_its_rows_go_after_the_grace_period(workspace: Workspace) -> None:
    job = completed()
    workspace.save_jobs([job])
    workspace.store_rows(job, 0, people(5), complete=True)
    assert workspace.forget_job(job.job_id)
    assert workspace.get_job(job.job_id) is None and workspace.recent_jobs("sandbox") == []
    assert workspace.unforget_job(job.job_id)
    assert workspace.get_job(job.job_id) is not None and workspace.result_info(job.job_id).stored == 5
    workspace.forget_job(job.job_id)
    assert workspace.purge_forgotten(older_than=0.0) == 1
    assert workspace.result_info(job.job_id) is None and not workspace.unforget_job(job.job_id)


def test_an_unfinished_job_cannot_be_forgotten(workspace: Workspace) -> None:
    job = JobRecord(query="q", backend="sandbox", status=JobStatus.RUNNING)
    workspace.save_jobs([job])
    assert not workspace.forget_job(job.job_id)


# -- history ----------------------------------------------------------------------------------

def test_history_keeps_one_entry_per_query_and_mode_newest_first(workspace: Workspace) -> None:
    workspace.add_history([HistoryEntry("a", "people", 10, 1.0), HistoryEntry("b", "people", 10, 2.0)])
    workspace.add_history([HistoryEntry("a", "people", 99, 3.0), HistoryEntry("a", "company", 5, 0.5)])
    assert [(e.query, e.mode, e.max_results) for e in workspace.history()] == [
        ("a", "people", 99), ("b", "people", 10), ("a", "company", 5)]


# -- rows -------------------------------------------------------------------------------------

def test_pages_are_stored_once_and_read_back_in_order(workspace: Workspace) -> None:
    job = completed(max_results=250)
    rows = people(250)
    workspace.store_rows(job, 0, rows[:100], next_cursor="c1", cursor_ttl=600)
    workspace.store_rows(job, 0, rows[:100])  # the same page again (a replay): nothing doubles
    info = workspace.result_info(job.job_id)
    assert (info.stored, info.complete, info.usable_cursor()) == (100, False, "c1")
    workspace.store_rows(job, 100, rows[100:], complete=True)
    info = workspace.result_info(job.job_id)
    assert (info.stored, info.complete, info.usable_cursor()) == (250, True, None)
    assert workspace.read_rows(job.job_id) == rows
    assert workspace.read_rows(job.job_id, 200, 10) == rows[200:210]
    assert workspace.entity_ids(job.job_id)[:2] == [rows[0]["publicId"], rows[1]["publicId"]]



def test_domains_turn_into_the_stored_companies_ids_and_unknown_ones_are_named(workspace: Workspace) -> None:
    ds = load_dataset()
    companies = [ds.row("company", i) for i in range(30)]
    workspace.store_rows(completed(mode="company"), 0, companies, complete=True)
    workspace.store_rows(completed(), 0, people(5), complete=True)  # people rows never answer for a domain
    asked = [f"domain:{companies[3]['website_domain']}", "co_plain", f"domain:{companies[17]['website_domain']}",
             "domain:nowhere.example"]
    ids, missing = workspace.resolve_domains(asked)
    assert ids == ["co_plain", companies[3]["source_id"], companies[17]["source_id"]]
    assert missing == ["nowhere.example"]

def test_csv_rows_keep_their_columns_and_get_ids_from_the_linkedin_url(workspace: Workspace, tmp_path) -> None:
    job = completed()
    csv_file = tmp_path / "r.csv"
    csv_file.write_text("full_name,title,linkedin_url\nAda,CTO,https://linkedin.com/in/Ada-L/\n"
                        'Bob,"VP, Sales",https://www.linkedin.com/in/bob?x=1\n')
    assert workspace.store_csv(job, csv_file) == 2
    info = workspace.result_info(job.job_id)
    assert info.origin == "csv" and info.columns == ("full_name", "title", "linkedin_url") and info.complete
    assert workspace.read_rows(job.job_id)[1]["title"] == "VP, Sales"
    assert workspace.entity_ids(job.job_id) == ["ada-l", "bob"]


def test_rows_already_seen_in_an_earlier_search_are_marked(workspace: Workspace) -> None:
    earlier = completed("last week", created_at=100.0)
    later = completed("this week", created_at=200.0)
    workspace.save_jobs([earlier, later])
    workspace.store_rows(later, 0, people(10, start=5), complete=True)  # stored first, but created later
    workspace.store_rows(earlier, 0, people(10), complete=True)
    assert workspace.seen_positions(later) == [0, 1, 2, 3, 4]  # people 5..9 were in last week's run
    assert workspace.seen_positions(earlier) == []
    workspace.forget_job(earlier.job_id)
    workspace.purge_forgotten(older_than=0.0)
    assert workspace.seen_positions(later) == []  # nothing earlier holds them any more


def test_the_seen_and_exported_counts_equal_the_ids_they_count(workspace: Workspace) -> None:
    earlier, later = completed("last week", created_at=100.0), completed("this week", created_at=200.0)
    workspace.save_jobs([earlier, later])
    workspace.store_rows(earlier, 0, people(10), complete=True)
    workspace.store_rows(later, 0, people(10, start=5), complete=True)  # five of them seen twice
    for n, ids in enumerate((["p-1", "p-2", "p-3"], ["p-2", "p-3", "p-4"])):  # p-2 and p-3 exported twice
        saved = SavedFile(path=f"/tmp/export-{n}.csv", job_id=later.job_id, rows=3, format="csv",
                          kind="export", created_at=float(n), export_id=f"export-{n}")
        workspace.record_saved_file(saved, "people", ids)
    assert workspace.seen_count("people") == len(workspace.seen_entities("people")) == 15
    assert workspace.exported_count("people") == len(workspace.exported_entities("people")) == 4
    assert workspace.seen_count("company") == workspace.exported_count("company") == 0


def test_facets_count_every_stored_value(workspace: Workspace) -> None:
    job = completed()
    rows = people(3000)
    for start in range(0, len(rows), 1000):
        workspace.store_rows(job, start, rows[start:start + 1000])
    for column in ("seniority", "locationName", "title", "currentCompanies"):
        facet = workspace.facet(job.job_id, column)
        expected = Counter(str(flatten_row(row)[column]) for row in rows if flatten_row(row).get(column))
        assert dict(facet.values) == dict(expected)
        assert [count for _, count in facet.values] == sorted(expected.values(), reverse=True)
        assert facet.total == 3000 and facet.missing == 3000 - sum(expected.values())
    chosen = workspace.facet(job.job_id, "seniority").values[0][0]
    assert workspace.facet_positions(job.job_id, "seniority", [chosen]) == [
        i for i, row in enumerate(rows) if row["seniority"] == chosen]


def test_a_run_diff_equals_the_set_computation(workspace: Workspace) -> None:
    before, after = completed("before", created_at=1.0), completed("after", created_at=2.0)
    workspace.store_rows(before, 0, people(300), complete=True)
    workspace.store_rows(after, 0, people(300, start=200), complete=True)
    old = {row["publicId"] for row in people(300)}
    new = {row["publicId"] for row in people(300, start=200)}
    diff = workspace.diff(before.job_id, after.job_id)
    assert (diff.new, diff.dropped, diff.common) == (len(new - old), len(old - new), len(new & old))
    job_id, positions = workspace.diff_positions(before.job_id, after.job_id, "new")
    assert job_id == after.job_id
    assert {workspace.entity_ids(after.job_id)[p] for p in positions} == new - old


# -- the legacy ledger ------------------------------------------------------------------------

def test_the_old_json_files_are_imported_once_and_kept_as_a_backup(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    old_job = {"job_id": "j-1", "kind": "search", "query": "old", "backend": "sandbox", "status": "running",
               "task_id": "t", "results_history": [1, 2], "created_at": 5.0, "unknown_future_field": 1}
    (state / "jobs.json").write_text(json.dumps({"version": 1, "jobs": [old_job, {"no": "id"}]}))
    (state / "history.json").write_text(json.dumps({"version": 1, "entries": [
        {"query": "old", "mode": "people", "max_results": 5, "used_at": 1.0}]}))
    workspace = Workspace(tmp_path / "w.sqlite3", legacy_dir=state).open()
    assert any("Imported 1 job" in notice for notice in workspace.notices)
    assert workspace.get_job("j-1").results_history == (1, 2)
    assert [entry.query for entry in workspace.history()] == ["old"]
    assert (state / "jobs.json.imported").exists() and not (state / "jobs.json").exists()
    assert [job.job_id for job in workspace.claim_orphans("sandbox")] == ["j-1"]  # resumable
    again = Workspace(tmp_path / "w.sqlite3", legacy_dir=state).open()
    assert again.notices == [] and len(again.recent_jobs("sandbox")) == 1


# -- damage and full disks --------------------------------------------------------------------

def test_a_file_that_is_not_a_database_is_moved_aside_and_a_new_one_started(path: Path) -> None:
    path.parent.mkdir(mode=0o700)
    path.write_bytes(b"this is not SQLite at all" * 100)
    workspace = Workspace(path).open()
    assert workspace.recovered_from is not None and workspace.recovered_from.exists()
    assert "damaged" in workspace.notices[0] and str(workspace.recovered_from) in workspace.notices[0]
    job = completed()
    workspace.save_jobs([job])
    assert workspace.get_job(job.job_id) == job


def test_a_damaged_workspace_carries_over_what_can_still_be_read(path: Path) -> None:
    workspace = Workspace(path).open()
    jobs = [completed(f"job {n}", created_at=float(n)) for n in range(300)]
    workspace.save_jobs(jobs)
    workspace.add_history([HistoryEntry("kept", "people", 5, 1.0)])
    workspace.close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    with open(path, "r+b") as handle:  # scribble over the last pages: some jobs are lost for good
        handle.seek(size - 3 * 4096)
        handle.write(os.urandom(3 * 4096))
    repaired = Workspace(path).open()
    assert repaired.recovered_from is not None
    kept = repaired.recent_jobs("sandbox", limit=None)
    assert kept and {job.job_id for job in kept} <= {job.job_id for job in jobs}
    assert all(repaired.get_job(job.job_id) == job for job in jobs if job.job_id in {k.job_id for k in kept})


def test_a_full_disk_keeps_jobs_pending_and_writes_them_once_there_is_room(tiny_disk) -> None:
    disk = tiny_disk("state", size="512k")
    workspace = Workspace(disk / "workspace.sqlite3").open()
    problems: list[str | None] = []
    writer = JobWriter(workspace, on_problem=lambda problem: problems.append(problem and problem.message))
    fill(disk)
    jobs = [JobRecord(query=f"q{n} " + "x" * 2000, backend="sandbox", status=JobStatus.QUEUED) for n in range(50)]
    for job in jobs:
        writer.save(job)
    assert not writer.flush(timeout=10)
    assert problems and "disk is full" in problems[0]
    assert writer.pending == len(jobs)  # nothing dropped
    (disk / "filler").unlink()
    # The writer says the trouble is over just after its write lands: wait for both.
    wait_for(lambda: writer.pending == 0 and problems[-1] is None, timeout=60, what="pending jobs written, said")
    assert {job.job_id for job in Workspace(disk / "workspace.sqlite3").open().recent_jobs("sandbox")} == {
        job.job_id for job in jobs}
    writer.close()


def test_a_flush_whose_waiter_gave_up_does_not_stop_later_saves(workspace: Workspace) -> None:
    """`flushed()` awaited by a task that is cancelled (a screen closing, the app quitting) cancels
    its future; the writer resolving it anyway raised, and its thread died with every later save."""
    writer = JobWriter(workspace, on_problem=lambda problem: None)
    with writer._wake:  # the writer cannot take the work until the waiter has given up
        writer.save(completed("first"))
        abandoned = writer.flush_future()
        assert abandoned.cancel()
    later = completed("later")
    writer.save(later)
    assert writer.flush(timeout=10)
    assert workspace.get_job(later.job_id) == later
    writer.close()


def test_a_read_only_folder_is_reported_not_raised_into_the_caller(tiny_disk) -> None:
    disk = tiny_disk("ro", readonly=True)
    workspace = Workspace(disk / "workspace.sqlite3")
    with pytest.raises(StorageError) as refused:
        workspace.open()
    assert refused.value.kind in ("readonly", "unavailable") and str(disk) in refused.value.message
    writer = JobWriter(workspace, on_problem=lambda problem: None)
    writer.save(JobRecord(query="kept in memory", backend="sandbox"))
    assert not writer.flush(timeout=5) and writer.pending == 1 and writer.problem is not None


def test_a_workspace_of_the_first_schema_is_migrated_and_keeps_its_jobs(path: Path) -> None:
    from sixtyfour_tui.workspace.schema import MIGRATIONS

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        for statement in MIGRATIONS[0]:
            db.execute(statement)
        db.execute("PRAGMA user_version = 1")
    kept = completed("kept", created_at=100.0)
    with sqlite3.connect(path) as db:  # a job as version 1 stored it
        db.execute("INSERT INTO jobs (job_id, backend, kind, status, mode, query, created_at, updated_at, rev, "
                   "record) VALUES (?, 'sandbox', 'search', 'completed', 'people', 'kept', 100.0, 100.0, 1, ?)",
                   (kept.job_id, msgspec.json.encode(kept).decode()))
    workspace = Workspace(path).open()
    try:
        assert [job.query for job in workspace.recent_jobs("sandbox", kind=None)] == ["kept"]
    finally:
        workspace.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_the_start_read_of_recent_jobs_walks_an_index_instead_of_sorting_every_job(
        workspace: Workspace, path: Path) -> None:
    """The app reads the newest 200 jobs of every kind on its way to "ready"; sorting all of a
    10,000-job workspace to find them cost ~21 ms."""
    with sqlite3.connect(path) as db:
        plan = " ".join(row[3] for row in db.execute(
            "EXPLAIN QUERY PLAN SELECT record FROM jobs WHERE forgotten_at IS NULL AND backend = ? "
            "ORDER BY created_at DESC, job_id DESC LIMIT 200", ("sandbox",)))
    assert "jobs_by_time" in plan and "TEMP B-TREE" not in plan
