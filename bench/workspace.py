"""The workspace's costs, each as a ratio measured in the same run.

- job update at 10,000 stored jobs vs 10: one `save_jobs` of one record (what every progress
  change costs), median of many, the two sizes interleaved;
- keypress → frame with 5 running + 25 queued searches vs none: `down` in the jobs panel and a
  character typed in the composer, through the real app on an in-process sandbox (slow clock,
  so every job stays where it is);
- reopen a stored search → first frame with rows: 100,000 stored rows vs 1,000 (the results
  browser reads the first screenful from SQLite, the rest follows in the background);
- workspace size per 100,000 stored people rows;
- a facet (value, count) over a column of a 100,000-row stored search, in SQL over the
  workspace, against counting the same column of the same rows held in a `RowStore` in Python
  (what the table would do without the workspace); the column with the most distinct values
  of the people defaults is the one judged.

Run alone: .venv/bin/python -m bench.workspace [--smoke]
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import time
from pathlib import Path

from bench.common import Row, judged, mib, ms, percentile, secs, temp_dir

UPDATE_RATIO = 1.2
KEY_P95_MS = 50.0
REOPEN_SECONDS = 0.3
REOPEN_RATIO = 1.2
FACET_MS = 100.0
FACET_COLUMNS = ("seniority", "locationName", "currentCompanies", "title")
SCREEN = (140, 40)


def _jobs(count: int, backend: str = "bench"):
    from sixtyfour_tui.jobs.records import JobRecord, JobStatus

    now = time.time()
    return [JobRecord(query=f"search number {n}", backend=backend, status=JobStatus.COMPLETED,
                      created_at=now - count + n, total_results=n) for n in range(count)]


def job_update_costs(root: Path, big: int, updates: int) -> tuple[list[float], list[float]]:
    import msgspec

    from sixtyfour_tui.jobs.records import JobRecord, JobStatus
    from sixtyfour_tui.workspace.store import Workspace

    small_ws, big_ws = Workspace(root / "small.sqlite3").open(), Workspace(root / "big.sqlite3").open()
    small_ws.save_jobs(_jobs(10))
    batch = _jobs(big)
    for first in range(0, len(batch), 1000):
        big_ws.save_jobs(batch[first:first + 1000])
    running = JobRecord(query="the one that runs", backend="bench", status=JobStatus.RUNNING)
    timings: dict[str, list[float]] = {"small": [], "big": []}
    for n in range(updates):
        for name, workspace in (("small", small_ws), ("big", big_ws)):
            record = msgspec.structs.replace(running, progress_message=f"Iteration {n}", results_so_far=n)
            started = time.perf_counter()
            workspace.save_jobs([record])
            timings[name].append(time.perf_counter() - started)
    return timings["small"], timings["big"]


async def keypress_costs(root: Path, busy: bool, samples: int) -> dict[str, list[float]]:
    from textual import events

    from bench.table import FrameClock
    from sixtyfour_tui.backend import SANDBOX_BACKEND, Backend
    from sixtyfour_tui.config import Settings
    from sixtyfour_tui.sandbox.config import SandboxConfig
    from sixtyfour_tui.sandbox.server import SandboxServer
    from sixtyfour_tui.ui.app import SixtyfourApp

    server = SandboxServer(SandboxConfig(speed=0.02, requests_per_minute=0)).start()
    backend = Backend(base_url=server.base_url, api_key=server.api_key, label="bench", workspace_key=SANDBOX_BACKEND,
                      poll_interval=1.0, server=server)
    folder = root / ("busy" if busy else "idle")
    if not busy:  # the same 30 rows in the jobs panel, all finished
        from sixtyfour_tui.workspace.store import Workspace

        Workspace(folder / "workspace.sqlite3").open().save_jobs(_jobs(30, backend=SANDBOX_BACKEND))
    app = SixtyfourApp(sandbox=True, settings=Settings(download_dir=folder), backend=backend,
                       workspace_path=folder / "workspace.sqlite3")
    timings: dict[str, list[float]] = {"down": [], "type": []}
    async with app.run_test(size=SCREEN) as pilot:
        while not app.ready:
            await pilot.pause(0.05)
        if busy:
            for n in range(30):
                app.engine.submit(f"VP of Engineering at Series B SaaS startups {n}", max_results=50)
            while app.engine.own_running_count < 5:
                await pilot.pause(0.05)
            await pilot.pause(1.0)
        clock = FrameClock(app)

        async def press(key: str, character: str | None) -> float:
            await asyncio.sleep(0.03)
            clock.frame.clear()
            started = time.perf_counter()
            event = events.Key(key, character)
            event.set_sender(app)
            app._driver.send_message(event)
            return await clock.next_frame() - started

        jobs = app.query_one("#jobs")
        jobs.focus()
        # On the newest (last) job, so every k/j moves the cursor. Jobs submitted after start-up
        # leave it on the first one, where the first "k" drew nothing and was timed until the
        # clock's next tick (~1 s).
        jobs.move_cursor(jobs.row_count - 1)
        await pilot.pause()
        for n in range(samples):
            key = "k" if n % 2 == 0 else "j"
            timings["down"].append(await press(key, key))
        app.query_one("#query").focus()
        await pilot.pause()
        for _ in range(samples):
            timings["type"].append(await press("a", "a"))
    server.stop()
    return timings


async def reopen_seconds(workspace, job) -> float:
    from textual.app import App, ComposeResult

    from bench.table import FrameClock
    from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser

    class BrowserApp(App):
        def compose(self) -> ComposeResult:
            yield ResultsBrowser()

    app = BrowserApp()
    async with app.run_test(size=SCREEN) as pilot:
        await pilot.pause()
        browser = app.query_one(ResultsBrowser)
        clock = FrameClock(app)
        started = time.perf_counter()
        browser.show_job(job, None, workspace)
        while True:
            clock.frame.clear()
            at = await clock.next_frame(timeout=10)
            if len(browser.store) and browser.table.render_line(1).text.strip():
                return at - started


def stored_search(root: Path, name: str, count: int):
    from sixtyfour_tui.jobs.records import JobRecord, JobStatus
    from sixtyfour_tui.sandbox.dataset import load_dataset
    from sixtyfour_tui.workspace.store import Workspace

    workspace = Workspace(root / f"{name}.sqlite3").open()
    dataset = load_dataset()
    job = JobRecord(query=f"{count} stored rows", backend="bench", status=JobStatus.COMPLETED, max_results=count,
                    total_results=count)
    workspace.save_jobs([job])
    total = dataset.count("people")
    chunk = 2000
    for first in range(0, count, chunk):
        rows = [dataset.row("people", i % total) for i in range(first, min(count, first + chunk))]
        workspace.store_rows(job, first, rows, complete=first + chunk >= count)
    return workspace, job


def facet_costs(workspace, job, rounds: int) -> tuple[str, list[float], list[float], int]:
    """(slowest column, SQL facet seconds, Python count seconds, its distinct values)."""
    from sixtyfour_tui.table.row_store import RowStore

    store = RowStore()
    for batch in workspace.iter_rows(job.job_id):
        store.append(batch)
    slowest: tuple[str, list[float], list[float], int] | None = None
    for column in FACET_COLUMNS:
        sql, python = [], []
        for _ in range(rounds):
            started = time.perf_counter()
            facet = workspace.facet(job.job_id, column)
            sql.append(time.perf_counter() - started)
            started = time.perf_counter()
            counted = store.value_counts(column)
            python.append(time.perf_counter() - started)
        assert dict(facet.values) == {text: count for text, count in counted.items() if text}, column
        if slowest is None or percentile(sql, 0.5) > percentile(slowest[1], 0.5):
            slowest = (column, sql, python, facet.distinct)
    assert slowest is not None
    return slowest


def run(smoke: bool = False) -> list[Row]:
    root = temp_dir("workspace")
    rows: list[Row] = []
    try:
        big = 200 if smoke else 10_000
        small_times, big_times = job_update_costs(root, big, 20 if smoke else 400)
        small_p50, big_p50 = percentile(small_times, 0.5), percentile(big_times, 0.5)
        ratio = big_p50 / small_p50
        rows.append(Row(figure=f"workspace: job update at {big:,} stored jobs vs 10",
                        value=f"p50 {ms(big_p50)} p95 {ms(percentile(big_times, 0.95))}",
                        baseline=f"10 jobs: p50 {ms(small_p50)}", ratio=f"{ratio:.2f}x",
                        target=f"<= {UPDATE_RATIO}x", status=judged(ratio <= UPDATE_RATIO, smoke),
                        note="one save_jobs of one record, WAL, synchronous=NORMAL"))

        samples = 10 if smoke else 60
        idle = asyncio.run(keypress_costs(root, busy=False, samples=samples))
        busy = asyncio.run(keypress_costs(root, busy=True, samples=samples))
        for key, label in (("down", "j/k in the jobs panel"), ("type", "a character in the composer")):
            busy_p95, idle_p95 = percentile(busy[key], 0.95), percentile(idle[key], 0.95)
            rows.append(Row(figure=f"workspace: keypress -> frame, {label}, 5 running + 25 queued",
                            value=f"p50 {ms(percentile(busy[key], 0.5))} p95 {ms(busy_p95)}",
                            baseline=f"no jobs: p95 {ms(idle_p95)}", ratio=f"{busy_p95 / idle_p95:.2f}x",
                            target=f"p95 < {KEY_P95_MS:g} ms",
                            status=judged(busy_p95 * 1000 < KEY_P95_MS, smoke)))

        large = 5_000 if smoke else 100_000
        big_ws, big_job = stored_search(root, "large", large)
        small_ws, small_job = stored_search(root, "small", 1_000)
        large_times, small_reopen = [], []
        for _ in range(1 if smoke else 5):
            large_times.append(asyncio.run(reopen_seconds(big_ws, big_job)))
            small_reopen.append(asyncio.run(reopen_seconds(small_ws, small_job)))
        large_p50, small_p50 = percentile(large_times, 0.5), percentile(small_reopen, 0.5)
        ratio = large_p50 / small_p50
        ok = large_p50 <= REOPEN_SECONDS and ratio <= REOPEN_RATIO
        rows.append(Row(figure=f"workspace: reopen a stored {large:,}-row search -> first frame",
                        value=secs(large_p50), baseline=f"1,000 rows: {secs(small_p50)}", ratio=f"{ratio:.2f}x",
                        target=f"<= {REOPEN_SECONDS} s, <= {REOPEN_RATIO}x", status=judged(ok, smoke),
                        note="no request: the rows come from SQLite"))
        column, sql, python, distinct = facet_costs(big_ws, big_job, 2 if smoke else 7)
        sql_p50, python_p50 = percentile(sql, 0.5), percentile(python, 0.5)
        rows.append(Row(figure=f"workspace: facet over a column at {large:,} stored rows",
                        value=f"p50 {ms(sql_p50)} max {ms(max(sql))}",
                        baseline=f"Python count of the RowStore: {ms(python_p50)}",
                        ratio=f"{sql_p50 / python_p50:.2f}x time", target=f"< {FACET_MS:g} ms",
                        status=judged(sql_p50 * 1000 < FACET_MS, smoke),
                        note=f"slowest of {', '.join(FACET_COLUMNS)}: {column} ({distinct:,} values); SQL over "
                             "dictionary-coded cells"))
        size = sum(path.stat().st_size for path in root.glob("large.sqlite3*"))
        rows.append(Row(figure="workspace: size per 100,000 stored rows", value=mib(size * 100_000 / large),
                        note="rows as JSON + dictionary-coded facet cells + seen-set"))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return rows


if __name__ == "__main__":
    from bench.__main__ import print_table

    print_table(run("--smoke" in sys.argv))
