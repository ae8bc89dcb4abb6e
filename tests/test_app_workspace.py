"""The TUI on the workspace: a search reopens from it with the server gone, and a full or
read-only disk never stops the app."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

from sixtyfour_tui.jobs.records import JobStatus
from sixtyfour_tui.sandbox.config import SandboxConfig
from sixtyfour_tui.sandbox.server import SandboxServer
from sixtyfour_tui.table.labels import header_labels
from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser
from tests.app_harness import build_app, submit_query
from tests.conftest import fill
from tests.terminal import screen_text
from tests.waiting import focus_on, wait_until

SIZE = (140, 40)


def jobs_of(app):
    return app.engine.jobs() if app.engine else []


async def test_a_search_reopens_from_the_workspace_with_the_server_stopped(tmp_path):
    server = SandboxServer(SandboxConfig(speed=400.0, requests_per_minute=0)).start()
    first = build_app(tmp_path, server=server)
    async with first.run_test(size=SIZE) as pilot:
        await wait_until(lambda: first.ready, pilot=pilot)
        await submit_query(pilot, "product designers in Berlin", "60")
        await wait_until(lambda: jobs_of(first) and jobs_of(first)[0].status == JobStatus.COMPLETED, pilot=pilot)
        job = jobs_of(first)[0]
        # The finished search's rows are fetched into the workspace on completion.
        await wait_until(lambda: (info := first.workspace.result_info(job.job_id)) and info.complete, pilot=pilot)
    server.stop()
    requests_before = len(server.state.request_log.entries())

    second = build_app(tmp_path, server=server)  # same workspace; its API is gone
    second.backend.close_with_app = False
    async with second.run_test(size=SIZE) as pilot:
        await wait_until(lambda: second.ready, pilot=pilot)
        second.open_job(job.job_id)
        browser = second.query_one(ResultsBrowser)
        await wait_until(lambda: len(browser.store) == 60 and not browser.is_loading, pilot=pilot)
        assert "All 60 results" in browser.title_text and "from the workspace" in browser.title_text
        assert "Could not" not in browser.status_text
        columns = browser.table.visible_columns
        shown = [[browser.store.cell_text(i, column) for column in columns] for i in range(len(browser.store))]
        assert "product designers in Berlin" in screen_text(second)
    assert len(server.state.request_log.entries()) == requests_before  # not one request

    env = {**os.environ, "SIXTYFOUR_TUI_WORKSPACE": str(second.workspace_path)}
    done = subprocess.run([sys.executable, "-m", "sixtyfour_tui", "rows", job.job_id, "--csv", "--columns",
                           ",".join(columns)], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    printed = list(csv.reader(io.StringIO(done.stdout)))
    assert printed[0] == header_labels(columns) and printed[1:] == shown  # the table's headers and cells


async def test_a_full_workspace_disk_keeps_the_app_working_and_says_so(tmp_path, tiny_disk):
    disk = tiny_disk("data", size="1m")
    server = SandboxServer(SandboxConfig(speed=400.0, requests_per_minute=0)).start()
    app = build_app(tmp_path, server=server)
    app.workspace_path = disk / "workspace.sqlite3"
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        fill(disk)
        await submit_query(pilot, "nurses in Chicago", "10")
        await wait_until(lambda: any("disk is full" in notice for notice in app.notices), pilot=pilot,
                         what="the full disk reported")
        await wait_until(lambda: jobs_of(app) and jobs_of(app)[0].status == JobStatus.COMPLETED, pilot=pilot)
        await pilot.press("ctrl+r")  # the query could not be saved, yet it is in the history
        await wait_until(lambda: type(app.screen).__name__ == "HistoryScreen"
                         and "nurses in Chicago" in screen_text(app), pilot=pilot)
        await pilot.press("escape")
        await focus_on(pilot, app.query_one("#jobs"))
        await pilot.press("x")  # remove: refused by the disk, said so, nothing breaks
        await wait_until(lambda: any("remove" in notice.lower() for notice in app.notices), pilot=pilot)
        assert app.is_running
        (disk / "filler").unlink()
        await wait_until(lambda: any("accepts writes again" in notice for notice in app.notices), timeout=60,
                         pilot=pilot, what="the workspace writable again")
    server.stop()


async def test_a_read_only_workspace_folder_keeps_the_app_working(tmp_path, tiny_disk):
    disk = tiny_disk("ro", readonly=True)
    server = SandboxServer(SandboxConfig(speed=400.0, requests_per_minute=0)).start()
    app = build_app(tmp_path, server=server)
    app.workspace_path = disk / "workspace.sqlite3"
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        assert any("read-only" in notice or "cannot be opened" in notice for notice in app.notices)
        await submit_query(pilot, "lawyers in Dallas", "10")
        await wait_until(lambda: jobs_of(app) and jobs_of(app)[0].status == JobStatus.COMPLETED, pilot=pilot)
        app.open_job(jobs_of(app)[0].job_id)
        browser = app.query_one(ResultsBrowser)
        await wait_until(lambda: len(browser.store) == 10, pilot=pilot)  # shown from the API, in memory
        await pilot.press("ctrl+r")
        await wait_until(lambda: any("history cannot be shown" in notice for notice in app.notices), pilot=pilot)
        app.export_job(jobs_of(app)[0].job_id)
        await wait_until(lambda: type(app.screen).__name__ == "ExportScreen" and app.screen.query("#destination"),
                         pilot=pilot)
        app.screen.query_one("#destination").value = str(tmp_path / "lawyers.csv")
        await pilot.press("ctrl+s")
        await wait_until(lambda: (tmp_path / "lawyers.csv").exists(), pilot=pilot)
        assert app.is_running
    server.stop()
