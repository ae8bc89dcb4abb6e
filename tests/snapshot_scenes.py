"""Deterministic scenes of the real widgets for snapshot tests: fixed jobs, fixed clock, fixed data."""

from __future__ import annotations

from pathlib import Path

from sixtyfour_tui.config import Settings
from sixtyfour_tui.jobs.engine import JobEngine
from sixtyfour_tui.jobs.records import JobRecord
from sixtyfour_tui.ui.app import SixtyfourApp
from sixtyfour_tui.ui.widgets.jobs_panel import JobsPanel
from sixtyfour_tui.workspace.store import Workspace

NOW = 1_790_000_000.0  # a fixed "now" so elapsed times never change between runs
SIZE = (140, 40)


def fixture_jobs() -> list[JobRecord]:
    base = dict(backend="sandbox", mode="people", search_id="s", max_results=500)
    return [
        JobRecord(job_id="job-1", query="VP of Engineering at Series B SaaS startups in New York", status="completed",
                  progress_message="Completed: 231 results", iterations=5, results_so_far=231, total_results=231,
                  results_history=[46, 92, 139, 185, 231], created_at=NOW - 300, started_at=NOW - 298,
                  finished_at=NOW - 262, **base),
        JobRecord(job_id="job-2", query="CTOs of fintech startups [bold]not markup[/]", status="failed",
                  error="Simulated failure: the query contains #fail", progress_message="Failed", iterations=2,
                  results_so_far=20, results_history=[10, 20], created_at=NOW - 200, started_at=NOW - 199,
                  finished_at=NOW - 180, **base),
        JobRecord(job_id="job-3", query="Heads of Growth at Series A startups in San Francisco", status="running",
                  progress_message="Scanning 1,221 Series A companies", iterations=2, results_so_far=40,
                  results_history=[12, 40], created_at=NOW - 60, started_at=NOW - 58, **base),
        JobRecord(job_id="job-4", query="Series B fintech companies in London", status="running",
                  progress_message="Ranking 312 candidates", iterations=4, results_so_far=240,
                  results_history=[60, 120, 180, 240], created_at=NOW - 50, started_at=NOW - 49,
                  **{**base, "mode": "company"}),
        JobRecord(job_id="job-5", query="engineers in Austin", status="queued",
                  progress_message="Queued locally: #1 in line", created_at=NOW - 10, **base),
    ]


class SceneApp(SixtyfourApp):
    """The real app with no live backend: scenes fill its widgets with fixed data."""

    def _connect(self) -> None:
        from rich.text import Text

        self.query_one("#topbar").update(Text.assemble(("sixtyfour", "bold"), "  ", (" SANDBOX ", "reverse"),
                                                        " Sandbox (local)   2/5 running · 1 queued"))
        self.run_worker(self._mount_results())


def build_scene(tmp_path: Path, monkeypatch) -> SceneApp:
    import sixtyfour_tui.ui.job_text as job_text

    monkeypatch.setattr(job_text, "clock", lambda: NOW)
    workspace = Workspace(tmp_path / "workspace.sqlite3").open()
    app = SceneApp(sandbox=True, settings=Settings(download_dir=Path("/home/user/Downloads")),
                   workspace_path=workspace.path)
    app.workspace = workspace
    app.engine = JobEngine(client=None, workspace=workspace, backend="sandbox")  # type: ignore[arg-type]
    for job in fixture_jobs():
        app.engine.remember(job)
    return app


async def panels_ready(pilot) -> None:
    """The jobs panel and results browser are mounted just after the first frame."""
    from tests.waiting import wait_until

    await wait_until(pilot=pilot, condition=lambda: pilot.app.main_screen.query("#results"), what="panels mounted")


def show_jobs(app: SceneApp) -> None:
    panel = app.query_one(JobsPanel)
    for job in app.engine.jobs():
        panel.show_job(job, 1 if job.status == "queued" else None)


def show_results(app: SceneApp, server, query: str = "VP of Engineering at Series B SaaS startups in New York"):
    """Run a real search on the sandbox and open it in the results browser."""
    import httpx
    import msgspec

    from sixtyfour_tui.api.client import SixtyfourClient
    from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser
    from tests.waiting import wait_for

    with httpx.Client(base_url=server.base_url, headers={"x-api-key": server.api_key}) as api:
        task = api.post("/search/start-deep-search", json={"query": query, "max_results": 231}).json()
        status = wait_for(lambda: (body := api.get(f"/search/status/{task['task_id']}").json())["status"] == "completed"
                          and body)
    job = msgspec.structs.replace(app.engine.job("job-1"), search_id=status["search_id"])
    app.engine._known[job.job_id] = job
    app.client = SixtyfourClient(server.api_key, server.base_url)
    browser = app.query_one(ResultsBrowser)
    browser.show_job(job, app.client, app.workspace)
    return browser


async def open_results(pilot, app: SceneApp, server):
    """Jobs shown, a real search opened in the results browser, its first page loaded, table focused."""
    from tests.waiting import focus_on, wait_until

    await panels_ready(pilot)
    show_jobs(app)
    browser = show_results(app, server)
    await wait_until(pilot=pilot, condition=lambda: len(browser.store) == 100)
    await focus_on(pilot, browser.table)
    return browser


def add_exclusion_sets(app: SceneApp) -> None:
    """Two earlier searches' rows (the seen-set) and three exclusion sets, from the sandbox's data."""
    from sixtyfour_tui.sandbox.dataset import load_dataset

    dataset = load_dataset()
    workspace = app.workspace
    rows = [dataset.row("people", index) for index in range(400)]
    for job, chunk in ((app.engine.job("job-1"), rows[:231]), (app.engine.job("job-2"), rows[200:])):
        workspace.store_rows(job, 0, chunk, complete=True)
    ids = [row["publicId"] for row in rows]
    workspace.create_set("Customers", "people", ids[:120])
    workspace.create_set("Contacted in November", "people", ids[100:160])
    workspace.create_set("Do not contact", "people", ids[390:])
    workspace.create_set("Competitors", "company", ["co_1", "co_2"])

