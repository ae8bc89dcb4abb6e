"""Snapshot tests: each screen at a fixed size with deterministic data (pytest --snapshot-update to accept)."""

from __future__ import annotations

import pytest

from sixtyfour_tui.sandbox.config import SandboxConfig
from sixtyfour_tui.sandbox.server import SandboxServer
from tests.app_harness import wait_until
from tests.snapshot_scenes import SIZE, add_exclusion_sets, build_scene, open_results, panels_ready, show_jobs
from tests.waiting import focus_on


@pytest.fixture(scope="module")
def scene_sandbox():
    with SandboxServer(SandboxConfig(speed=5000.0, requests_per_minute=0)) as server:
        yield server


def test_composer_with_running_jobs(snap_compare, tmp_path, monkeypatch):
    app = build_scene(tmp_path, monkeypatch)

    async def prepare(pilot):
        await panels_ready(pilot)
        show_jobs(app)
        app.query_one("#query").text = "Founders of climate tech startups in Berlin"
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=prepare)


def test_composer_validation_message(snap_compare, tmp_path, monkeypatch):
    app = build_scene(tmp_path, monkeypatch)

    async def prepare(pilot):
        await panels_ready(pilot)
        app.query_one("#max-results").value = "20000"
        app.query_one("#query").text = "CTOs in Paris"
        await pilot.press("ctrl+s")

    assert snap_compare(app, terminal_size=SIZE, run_before=prepare)


def test_results_browser(snap_compare, tmp_path, monkeypatch, scene_sandbox):
    app = build_scene(tmp_path, monkeypatch)

    async def prepare(pilot):
        await open_results(pilot, app, scene_sandbox)
        await pilot.press("j", "j", "space", "space")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=prepare)


def test_results_browser_at_80x24(snap_compare, tmp_path, monkeypatch, scene_sandbox):
    """The smallest real terminal: a dozen table rows, the jobs' key columns, whole keys in the footer."""
    app = build_scene(tmp_path, monkeypatch)

    async def prepare(pilot):
        await open_results(pilot, app, scene_sandbox)
        await pilot.press("j", "j", "space")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=prepare)


def test_jobs_zoomed_at_80x24(snap_compare, tmp_path, monkeypatch):
    app = build_scene(tmp_path, monkeypatch)

    async def prepare(pilot):
        await panels_ready(pilot)
        show_jobs(app)
        await focus_on(pilot, app.query_one("#jobs"))
        await pilot.press("z")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=prepare)


def test_results_find_prompt(snap_compare, tmp_path, monkeypatch, scene_sandbox):
    """Typing a find: the prompt line is open and the matches are highlighted as you type."""
    app = build_scene(tmp_path, monkeypatch)

    async def prepare(pilot):
        browser = await open_results(pilot, app, scene_sandbox)
        await pilot.press("ctrl+f", *"infra")
        await wait_until(pilot=pilot, condition=lambda: "Find 'infra'" in browser.status_text)

    assert snap_compare(app, terminal_size=SIZE, run_before=prepare)


def test_results_find_next_match(snap_compare, tmp_path, monkeypatch, scene_sandbox):
    """After enter and `n`: the prompt is closed, the cursor on the second match, the status says so."""
    app = build_scene(tmp_path, monkeypatch)

    async def prepare(pilot):
        browser = await open_results(pilot, app, scene_sandbox)
        await pilot.press("ctrl+f", *"infra", "enter", "n")
        await wait_until(pilot=pilot, condition=lambda: "match 2 of" in browser.status_text and browser.table.has_focus)

    assert snap_compare(app, terminal_size=SIZE, run_before=prepare)


def test_detail_view(snap_compare, tmp_path, monkeypatch, scene_sandbox):
    app = build_scene(tmp_path, monkeypatch)

    async def prepare(pilot):
        await open_results(pilot, app, scene_sandbox)
        await pilot.press("j", "enter")
        await wait_until(pilot=pilot, condition=lambda: type(app.screen).__name__ == "DetailScreen")

    assert snap_compare(app, terminal_size=SIZE, run_before=prepare)


def test_export_screen(snap_compare, tmp_path, monkeypatch):
    app = build_scene(tmp_path, monkeypatch)

    async def prepare(pilot):
        await panels_ready(pilot)
        show_jobs(app)
        app.export_job("job-1")
        await wait_until(lambda: type(app.screen).__name__ == "ExportScreen" and app.screen.query("#destination"),
                         pilot=pilot)
        app.screen.query_one("#destination").value = "/home/user/Downloads/vp-of-engineering.csv"
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=prepare)


def test_help_screen(snap_compare, tmp_path, monkeypatch):
    app = build_scene(tmp_path, monkeypatch)

    async def prepare(pilot):
        await panels_ready(pilot)
        await pilot.press("f1")
        await wait_until(pilot=pilot, condition=lambda: type(app.screen).__name__ == "HelpScreen")

    assert snap_compare(app, terminal_size=SIZE, run_before=prepare)


def test_facet_view(snap_compare, tmp_path, monkeypatch, scene_sandbox):
    """F on the Title column: values by count with share and bars, two chosen, over the stored rows."""
    app = build_scene(tmp_path, monkeypatch)

    async def prepare(pilot):
        browser = await open_results(pilot, app, scene_sandbox)
        await pilot.press("right", "F")
        await wait_until(pilot=pilot, condition=lambda: type(app.screen).__name__ == "FacetScreen"
                         and app.screen.counts is not None)
        await pilot.press("space", "space")
        assert browser.table.current_column() == "title"

    assert snap_compare(app, terminal_size=SIZE, run_before=prepare)


def test_exclusion_picker(snap_compare, tmp_path, monkeypatch):
    """F8 in the composer: everything seen and the mode's sets, with their sizes."""
    app = build_scene(tmp_path, monkeypatch)

    async def prepare(pilot):
        await panels_ready(pilot)
        show_jobs(app)
        add_exclusion_sets(app)
        app.query_one("#query").text = "VP of Engineering at Series B SaaS startups in New York"
        await focus_on(pilot, app.query_one("#query"))
        await pilot.press("f8")
        await wait_until(pilot=pilot, condition=lambda: type(app.screen).__name__ == "ExclusionPicker"
                         and app.screen.sets)
        await pilot.press("down", "space")

    assert snap_compare(app, terminal_size=SIZE, run_before=prepare)
