"""Regenerate screenshots/ from the real app driving a real embedded sandbox (no hand edits).

Run: .venv/bin/python scripts/make_screenshots.py [app] [refine] [lists]  (all of them by default)

It runs with its own settings and workspace in a temporary folder (XDG variables), so the
screenshots never show (or change) the developer's own jobs, theme or layout.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sixtyfour_tui.backend import SANDBOX_BACKEND, Backend  # noqa: E402
from sixtyfour_tui.config import Settings  # noqa: E402
from sixtyfour_tui.sandbox.config import SandboxConfig  # noqa: E402
from sixtyfour_tui.sandbox.server import SandboxServer  # noqa: E402
from sixtyfour_tui.ui.app import SixtyfourApp  # noqa: E402

SIZE = (140, 40)
SMALL = (80, 24)
OUT = ROOT / "screenshots"
QUERIES = [
    ("VP of Engineering at Series B SaaS startups in New York", "people"),
    ("Heads of Growth at Series A startups in San Francisco", "people"),
    ("Series B fintech companies in London", "company"),
    ("Founders of AI startups in Berlin", "people"),
    ("Directors of Sales at healthcare companies in Boston", "people"),
    ("Data scientists in Toronto", "people"),
    ("Cybersecurity companies with over 1000 employees", "company"),
]


async def until(pilot, condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            import traceback

            raise SystemExit("timed out waiting for the app at:\n" + "".join(traceback.format_stack(limit=2)))
        await pilot.pause(0.05)


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="sixtyfour-screens-"))
    for variable in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        os.environ[variable] = str(work / variable.lower())
    os.environ.pop("SIXTYFOUR_TUI_CONFIG", None)
    server = SandboxServer(SandboxConfig(speed=3.0)).start()
    backend = Backend(base_url=server.base_url, api_key=server.api_key, label="Sandbox (local)",
                      workspace_key=SANDBOX_BACKEND, poll_interval=0.5, server=server)
    backend.close_with_app = False  # the small-terminal run below uses the same sandbox
    downloads = work / "Downloads"
    downloads.mkdir()
    app = SixtyfourApp(sandbox=True, settings=Settings(download_dir=downloads), backend=backend,
                       workspace_path=work / "workspace.sqlite3")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.ready)
        composer_query = app.query_one("#query")
        for query, mode in QUERIES:
            composer_query.text = query
            app.query_one("#mode").value = mode
            composer_query.focus()
            await pilot.press("ctrl+s")
            await pilot.pause(0.1)
        composer_query.text = "Chief Revenue Officers at Series C SaaS companies"
        await until(pilot, lambda: sum(j.iterations >= 2 for j in app.engine.jobs()) >= 3)
        app.save_screenshot(str(OUT / "composer-and-jobs.svg"))

        first = app.engine.jobs()[0]
        await until(pilot, lambda: app.engine.job(first.job_id).status == "completed")
        app.open_job(first.job_id)
        from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser

        browser = app.query_one(ResultsBrowser)
        await until(pilot, lambda: len(browser.store) >= 100)
        browser.table.focus()
        await pilot.press("j", "j", "space", "space")
        await pilot.pause(0.3)
        app.save_screenshot(str(OUT / "results.svg"))

        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "DetailScreen")
        await pilot.pause(0.3)
        app.save_screenshot(str(OUT / "detail.svg"))
        await pilot.press("escape")

        await pilot.press("e")
        await until(pilot, lambda: type(app.screen).__name__ == "ExportScreen" and app.screen.query("#destination"))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any(p.suffix == ".csv" for p in downloads.iterdir()))
        await pilot.pause(0.5)
        app.save_screenshot(str(OUT / "export.svg"))
        opened_job = first.job_id

    # The smallest real terminal: the same workspace, the search reopened, a dozen rows in view.
    small = SixtyfourApp(sandbox=True, settings=Settings(download_dir=downloads), backend=backend,
                         workspace_path=work / "workspace.sqlite3")
    async with small.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: small.ready)
        from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser

        small.open_job(opened_job)
        browser = small.query_one(ResultsBrowser)
        await until(pilot, lambda: browser.job is not None and browser.job.job_id == opened_job
                    and len(browser.store) >= 100)
        browser.table.focus()
        await pilot.press("j", "j", "space")
        await pilot.pause(0.3)
        small.save_screenshot(str(OUT / "small-terminal.svg"))
    server.stop()
    for name in ("composer-and-jobs", "results", "detail", "export", "small-terminal"):
        print(OUT / f"{name}.svg")


async def refine_and_filter_screens() -> None:
    """screenshots/refine.svg (a preview with one chip changed) and screenshots/filter-builder.svg."""
    from sixtyfour_tui.ui.screens.filter_builder import FilterBuilderScreen
    from sixtyfour_tui.ui.screens.refine_screen import RefineScreen, ValuePickerScreen

    OUT.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="sixtyfour-screens-"))
    server = SandboxServer(SandboxConfig(speed=50.0)).start()
    backend = Backend(base_url=server.base_url, api_key=server.api_key, label="Sandbox (local)",
                      workspace_key=SANDBOX_BACKEND, poll_interval=0.5, server=server)
    app = SixtyfourApp(sandbox=True, settings=Settings(download_dir=work), backend=backend,
                       workspace_path=work / "workspace.sqlite3")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.ready)
        app.query_one("#query").text = "VP of Engneering at Series B SaaS startups in New York"
        app.query_one("#query").focus()
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, RefineScreen) and app.screen.last_preview is not None)
        refine = app.screen
        first = refine.last_preview
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ValuePickerScreen) and app.screen.known)
        await pilot.press(*"director", "enter")
        await until(pilot, lambda: app.screen is refine and refine.last_preview is not first)
        await pilot.pause(0.3)
        app.save_screenshot(str(OUT / "refine.svg"))
        await pilot.press("escape")

        await pilot.press("f5")
        await until(pilot, lambda: isinstance(app.screen, FilterBuilderScreen) and app.screen.fields)
        builder = app.screen
        await pilot.press("ctrl+t")
        await until(pilot, lambda: builder.mode == "company" and builder.fields)
        await pilot.press(*"industry", "enter")
        await until(pilot, lambda: builder.values)
        builder.query_one("#fb-op").value = "any of"
        await pilot.press("down", "enter", "down", "down", "down", "enter")
        builder.query_one("#fb-value").focus()
        await pilot.press("enter")
        await pilot.press(*"employees_count", "enter")
        builder.query_one("#fb-op").value = "range"
        await pilot.press(*"100", "tab", *"1000", "enter")
        await until(pilot, lambda: len(builder.conditions) == 2)
        builder.choose_field(next(f for f in builder.fields if f.field == "last_funding_round.type"))
        await until(pilot, lambda: builder.values and builder.matches is not None)
        await pilot.pause(0.1)
        builder.query_one("#fb-values").focus()
        await pilot.pause(0.3)
        app.save_screenshot(str(OUT / "filter-builder.svg"))
    server.stop()
    for name in ("refine", "filter-builder"):
        print(OUT / f"{name}.svg")


# -- building a list over many runs: the facet view and the exclusion picker ---------------------

LIST_QUERY = "engineers in the United States"


def list_building_app(work: Path, server: SandboxServer) -> SixtyfourApp:
    backend = Backend(base_url=server.base_url, api_key=server.api_key, label="Sandbox (local)",
                      workspace_key=SANDBOX_BACKEND, poll_interval=0.2, server=server, close_with_app=False)
    downloads = work / "Downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    return SixtyfourApp(sandbox=True, settings=Settings(download_dir=downloads), backend=backend,
                        workspace_path=work / "workspace.sqlite3")


async def finished(pilot, app, query: str, max_results: int):
    """Submit through the composer; the job once its rows are all in the workspace."""
    before = {job.job_id for job in app.engine.jobs()}
    app.query_one("#query").text = query
    app.query_one("#max-results").value = str(max_results)
    app.query_one("#query").focus()
    await pilot.press("ctrl+s")
    await until(pilot, lambda: any(job.job_id not in before for job in app.engine.jobs()))
    job = next(job for job in app.engine.jobs() if job.job_id not in before)
    await until(pilot, lambda: app.engine.job(job.job_id).status == "completed"
                and (info := app.workspace.result_info(job.job_id)) is not None and info.complete)
    return app.engine.job(job.job_id)


async def facet_scene(work: Path, server: SandboxServer) -> Path:
    """F on Seniority over a 500-row result stored in the workspace, two values chosen."""
    from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser

    app = list_building_app(work / "facet", server)
    target = OUT / "facets.svg"
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.ready)
        await finished(pilot, app, "engineers in San Francisco", 200)  # an earlier run: its rows are seen
        job = await finished(pilot, app, LIST_QUERY, 500)
        app.open_job(job.job_id)
        browser = app.query_one(ResultsBrowser)
        await until(pilot, lambda: browser.job is not None and browser.job.job_id == job.job_id
                    and len(browser.store) == 500 and " new · " in browser.title_text)
        browser.table.focus()
        await pilot.press("right", "right", "F")
        await until(pilot, lambda: type(app.screen).__name__ == "FacetScreen" and app.screen.counts is not None)
        await pilot.press("space", "space")
        await pilot.pause(0.3)
        app.save_screenshot(str(target))
    return target


async def exclusion_picker_scene(work: Path, server: SandboxServer) -> Path:
    """F8 in the composer after two runs: everything seen and the people sets, two of them ticked."""
    app = list_building_app(work / "picker", server)
    target = OUT / "exclusion-picker.svg"
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.ready)
        first = await finished(pilot, app, LIST_QUERY, 300)
        second = await finished(pilot, app, "Heads of Growth at Series A startups in San Francisco", 80)
        ids = [entity for entity in app.workspace.entity_ids(first.job_id) if entity]
        app.workspace.create_set("Customers", "people", ids[:140])
        app.workspace.create_set("Contacted in November", "people", ids[100:220])
        app.workspace.create_set("Growth leads", "people",
                                 [entity for entity in app.workspace.entity_ids(second.job_id) if entity])
        app.workspace.create_set("Competitors", "company", ["co_1", "co_2"])
        app.query_one("#query").text = "VP of Engineering at Series B SaaS startups in New York"
        app.query_one("#query").focus()
        await pilot.press("f8")
        await until(pilot, lambda: type(app.screen).__name__ == "ExclusionPicker" and app.screen.sets)
        await pilot.press("space", "down", "down", "space")
        await pilot.pause(0.3)
        app.save_screenshot(str(target))
    return target


async def list_building_scenes() -> None:
    OUT.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="sixtyfour-screens-lists-"))
    server = SandboxServer(SandboxConfig(speed=500.0, requests_per_minute=0)).start()
    try:
        for scene in (facet_scene, exclusion_picker_scene):
            print(await scene(work, server))
    finally:
        server.stop()


SCENES = {"app": main, "refine": refine_and_filter_screens, "lists": list_building_scenes}
"""Run all, or name some: `python scripts/make_screenshots.py refine`."""

if __name__ == "__main__":
    for name in sys.argv[1:] or list(SCENES):
        asyncio.run(SCENES[name]())
