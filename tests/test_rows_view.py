"""`sixtyfour-tui rows` as a view, through real processes on a workspace a real headless search filled:
values, sort, text filter, limit, formats and files, and what it says when asked the impossible."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from sixtyfour_tui.sandbox.config import DEMO_API_KEY, SandboxConfig
from sixtyfour_tui.sandbox.server import SandboxServer
from sixtyfour_tui.table.labels import header_labels

QUERY = "engineers in the United States"


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    """A workspace holding one 80-row search, and the rows as the search printed them."""
    folder = tmp_path_factory.mktemp("rows-view")
    with SandboxServer(SandboxConfig(speed=2000.0, requests_per_minute=0)) as server:
        env = {**os.environ, "SIXTYFOUR_API_ENDPOINT": server.base_url, "SIXTYFOUR_API_KEY": DEMO_API_KEY,
               "SIXTYFOUR_TUI_WORKSPACE": str(folder / "workspace.sqlite3"),
               "XDG_STATE_HOME": str(folder / "state"), "XDG_CONFIG_HOME": str(folder / "config")}
        done = subprocess.run([sys.executable, "-m", "sixtyfour_tui", "search", QUERY, "--max-results", "80"],
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    offline = {**env, "SIXTYFOUR_API_ENDPOINT": "http://127.0.0.1:9"}  # nothing listens: no request can succeed
    jobs = subprocess.run([sys.executable, "-m", "sixtyfour_tui", "jobs", "--json"], env=env,
                          capture_output=True, text=True, timeout=60)
    job_id = json.loads(jobs.stdout.splitlines()[0])["job_id"]
    return offline, job_id, rows, folder


def rows_command(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sixtyfour_tui", "rows", *args], env=env, capture_output=True,
                          timeout=60)


def test_values_sort_filter_and_limit_choose_the_rows_and_their_order(searched):
    env, job_id, rows, _ = searched
    columns = ["fullName", "title", "seniority"]
    seniorities = sorted({row["seniority"] for row in rows})[:2]
    done = rows_command(env, job_id, "--columns", ",".join(columns), "--csv", "--sort", "title:desc",
                        "--sort", "fullName", *[part for value in seniorities for part in ("--where",
                                                                                             f"seniority={value}")])
    assert done.returncode == 0, done.stderr
    printed = list(csv.reader(io.StringIO(done.stdout.decode("utf-8"), newline="")))
    kept = [row for row in rows if row["seniority"] in seniorities]
    kept.sort(key=lambda row: row["fullName"].casefold())
    kept.sort(key=lambda row: row["title"].casefold(), reverse=True)
    assert printed[0] == header_labels(columns)
    assert printed[1:] == [[row[column] for column in columns] for row in kept]

    word = rows[0]["title"].split()[0].lower()
    limited = rows_command(env, job_id, "--filter", word.upper(), "--limit", "3", "--format", "jsonl",
                           "--columns", "fullName,title")
    assert limited.returncode == 0, limited.stderr
    objects = [json.loads(line) for line in limited.stdout.decode().splitlines()]
    matching = [row for row in rows if any(word in str(value).lower() for value in row.values())]
    assert objects == [{"Full name": row["fullName"], "Title": row["title"]} for row in matching[:3]]


def test_output_files_are_written_whole_and_never_overwritten_unasked(searched):
    env, job_id, rows, folder = searched
    target = folder / "view.csv"
    first = rows_command(env, job_id, "--columns", "fullName", "--format", "excel-csv", "--output", str(target))
    assert first.returncode == 0, first.stderr
    assert b"Wrote 80 rows" in first.stderr
    body = target.read_bytes()
    assert body.startswith("\ufeff".encode()) and body.count(b"\r\n") == 81
    again = rows_command(env, job_id, "--columns", "fullName", "--output", str(target))
    assert again.returncode == 2 and b"already exists (use --force to overwrite)" in again.stderr
    forced = rows_command(env, job_id, "--columns", "title", "--output", str(target), "--force")
    assert forced.returncode == 0 and target.read_bytes().startswith(b"Title\r\n")
    assert not [path for path in folder.iterdir() if path.name.startswith(".view.csv")]  # no leftovers


def test_impossible_views_are_refused_with_what_would_work(searched):
    env, job_id, _, _ = searched
    unknown = rows_command(env, job_id, "--where", "shoeSize=44")
    assert unknown.returncode == 2 and b"no column 'shoeSize'" in unknown.stderr and b"fullName" in unknown.stderr
    malformed = rows_command(env, job_id, "--where", "seniority")
    assert malformed.returncode == 2 and b"COLUMN=VALUE" in malformed.stderr
    both = rows_command(env, job_id, "--csv", "--format", "jsonl")
    assert both.returncode == 2 and b"two formats" in both.stderr


def test_output_follows_the_same_folder_rule_as_search_and_the_export_screen(searched, tmp_path):
    env, job_id, _, _ = searched
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    for target, words in ((blocker / "out.csv", "not-a-folder is a file"),
                          (tmp_path / "missing" / "out.csv", "missing does not exist"),
                          (tmp_path, "That is a folder")):
        done = rows_command(env, job_id, "--csv", "--output", str(target), "--force")
        stderr = done.stderr.decode()
        assert done.returncode == 2, stderr
        assert words in stderr and "Traceback" not in stderr
    assert not (tmp_path / "missing").exists()


def test_a_limit_stops_the_reading_as_well_as_the_printing(searched, monkeypatch, capsys):
    """`--limit 3` on a big search reads one batch of rows, not all of them."""
    import argparse
    import functools

    from sixtyfour_tui.commands.stored import _stream_rows, find_job
    from sixtyfour_tui.workspace.store import Workspace

    _, job_id, rows, folder = searched
    workspace = Workspace(folder / "workspace.sqlite3").open()
    reads: list[int] = []
    read_rows = Workspace.read_rows

    def counted(self, job_id, start, count):
        reads.append(start)
        return read_rows(self, job_id, start, count)

    monkeypatch.setattr(Workspace, "read_rows", counted)
    monkeypatch.setattr(Workspace, "iter_rows", functools.partialmethod(Workspace.iter_rows, batch=10))
    try:
        printed = _stream_rows(workspace, find_job(workspace, job_id), argparse.Namespace(columns=None, limit=3), None)
    finally:
        workspace.close()
    assert printed == 3
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == rows[:3]
    assert reads == [0]  # eight batches of ten are stored; only the first was read
