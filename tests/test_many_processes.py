"""Many processes, one workspace: headless searches in parallel with a TUI, a killed search
resumed, a re-run attached — counted at the server, on real processes and a real SQLite file."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys

import pytest

from sixtyfour_tui.backend import Backend
from sixtyfour_tui.config import Settings
from sixtyfour_tui.jobs.records import JobStatus
from sixtyfour_tui.sandbox.config import DEMO_API_KEY, SandboxConfig
from sixtyfour_tui.sandbox.server import SandboxServer
from sixtyfour_tui.workspace.store import Workspace
from tests.app_harness import RecordingApp, submit_query
from tests.engines import start_requests, started_search_ids
from tests.waiting import wait_for, wait_until


@pytest.fixture
def shared_server():
    """One sandbox every process talks to, like the real API, so starts are counted in one place."""
    with SandboxServer(SandboxConfig(speed=60.0, requests_per_minute=0)) as server:
        yield server


@pytest.fixture
def api_env(shared_server, isolated_env):
    env = {key: value for key, value in os.environ.items()}
    env.update({"SIXTYFOUR_API_ENDPOINT": shared_server.base_url, "SIXTYFOUR_API_KEY": DEMO_API_KEY})
    return env


def cli(env, *args, **options) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sixtyfour_tui", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **options)


def workspace_jobs(server) -> list:
    return Workspace().open().recent_jobs(server.base_url, limit=None)


async def test_ten_headless_searches_and_a_tui_share_one_workspace(shared_server, api_env, tmp_path):
    outputs = [tmp_path / f"out-{n}.csv" for n in range(10)]
    processes = [cli(api_env, "search", f"engineers in Boston {n}", "--max-results", "15", "--output", str(out))
                 for n, out in enumerate(outputs)]
    backend = Backend(base_url=shared_server.base_url, api_key=DEMO_API_KEY, label="shared",
                      workspace_key=shared_server.base_url, poll_interval=0.05)
    app = RecordingApp(settings=Settings(download_dir=tmp_path), backend=backend)
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await wait_until(lambda: app.ready, pilot=pilot)
            await submit_query(pilot, "designers in Boston", "15")
            # The headless searches show up in this window (the change feed), without a restart.
            await wait_until(lambda: len([j for j in app.engine.jobs() if j.query.startswith("engineers")]) == 10,
                             timeout=60, pilot=pilot, what="the other processes' jobs in the TUI")
            await wait_until(lambda: all(job.status == JobStatus.COMPLETED for job in app.engine.jobs()),
                             timeout=120, pilot=pilot, what="every job completed")
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
    finally:
        for process in processes:
            process.kill()
    jobs = [job for job in workspace_jobs(shared_server)]
    assert sorted(job.query for job in jobs) == sorted(
        [f"engineers in Boston {n}" for n in range(10)] + ["designers in Boston"])
    assert len({job.job_id for job in jobs}) == 11 and all(job.status == JobStatus.COMPLETED for job in jobs)
    assert start_requests(shared_server) == 11  # every search started exactly once, 429s aside
    assert sorted(started_search_ids(shared_server)) == sorted(job.search_id for job in jobs)
    for out in outputs:
        with out.open(newline="") as handle:
            assert len(list(csv.DictReader(handle))) == 15


def test_a_killed_search_is_resumed_without_a_second_start(shared_server, api_env, tmp_path):
    shared_server.state.clock.set_speed(2.0)  # a minute-long search: time to kill it half-way
    victim = cli(api_env, "search", "data scientists in Austin", "--max-results", "12")
    wait_for(lambda: [j for j in workspace_jobs(shared_server) if j.status == JobStatus.RUNNING],
             timeout=60, what="the search running")
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=20)
    assert start_requests(shared_server) == 1
    listed = subprocess.run([sys.executable, "-m", "sixtyfour_tui", "jobs"], env=api_env, capture_output=True,
                            text=True, timeout=60)
    assert "running*" in listed.stdout and "resume" in listed.stderr  # it says nothing works on it
    shared_server.state.clock.set_speed(200.0)
    resumed = subprocess.run([sys.executable, "-m", "sixtyfour_tui", "resume", "--timeout", "60"], env=api_env,
                             capture_output=True, text=True, timeout=90)
    assert resumed.returncode == 0, resumed.stderr
    assert "completed" in resumed.stderr
    assert start_requests(shared_server) == 1  # polled to the end, never started again
    assert [job.status for job in workspace_jobs(shared_server)] == [JobStatus.COMPLETED]


def test_running_the_same_search_again_attaches_to_the_unfinished_one(shared_server, api_env, tmp_path):
    shared_server.state.clock.set_speed(2.0)
    victim = cli(api_env, "search", "founders in Denver", "--max-results", "8")
    wait_for(lambda: [j for j in workspace_jobs(shared_server) if j.status == JobStatus.RUNNING],
             timeout=60, what="the search running")
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=20)
    shared_server.state.clock.set_speed(200.0)
    again = subprocess.run([sys.executable, "-m", "sixtyfour_tui", "search", "founders in Denver", "--max-results",
                            "8"], env=api_env, capture_output=True, text=True, timeout=90)
    assert again.returncode == 0, again.stderr
    assert "Attaching to the unfinished search" in again.stderr
    assert len(again.stdout.splitlines()) == 8
    assert start_requests(shared_server) == 1
    fresh = subprocess.run([sys.executable, "-m", "sixtyfour_tui", "search", "founders in Denver", "--max-results",
                            "8", "--new"], env=api_env, capture_output=True, text=True, timeout=90)
    assert fresh.returncode == 0, fresh.stderr
    assert start_requests(shared_server) == 2


def test_rows_prints_a_search_with_no_server_and_no_key(shared_server, api_env, tmp_path):
    done = subprocess.run([sys.executable, "-m", "sixtyfour_tui", "search", "marketers in Paris", "--max-results",
                           "7"], env=api_env, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr
    job = workspace_jobs(shared_server)[0]
    offline = {key: value for key, value in api_env.items() if not key.startswith("SIXTYFOUR_API")}
    offline["SIXTYFOUR_API_ENDPOINT"] = "http://127.0.0.1:9"  # nothing listens there
    for key in (job.job_id[:8], job.search_id):
        rows = subprocess.run([sys.executable, "-m", "sixtyfour_tui", "rows", key, "--csv", "--columns",
                               "fullName,currentCompanies.company.name", "--limit", "5"], env=offline,
                              capture_output=True, text=True, timeout=60)
        assert rows.returncode == 0, rows.stderr
        lines = rows.stdout.splitlines()
        assert lines[0] == "Full name,Current companies company name" and len(lines) == 6  # the table's labels
    printed = [line for line in done.stdout.splitlines()]
    whole = subprocess.run([sys.executable, "-m", "sixtyfour_tui", "rows", job.job_id], env=offline,
                           capture_output=True, text=True, timeout=60)
    assert whole.stdout.splitlines() == printed  # the same rows, byte for byte, from the workspace
