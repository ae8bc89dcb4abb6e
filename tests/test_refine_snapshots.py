"""Snapshots of the filter builder and the refine screen on deterministic sandbox data
(pytest --snapshot-update to accept an intended change; look at the SVGs)."""

from __future__ import annotations

from sixtyfour_tui.api.client import SixtyfourClient
from sixtyfour_tui.filters import Condition, FieldCatalog, Op
from sixtyfour_tui.ui.screens.filter_builder import FilterBuilderScreen
from sixtyfour_tui.ui.screens.refine_screen import RefineScreen
from tests import test_snapshots
from tests.app_harness import wait_until
from tests.snapshot_scenes import SIZE, build_scene, panels_ready, show_jobs

scene_sandbox = test_snapshots.scene_sandbox  # one sandbox for the module, as for the other snapshots

BUILDER_CONDITIONS = [
    Condition("industry", Op.ANY_OF, ("SaaS", "Fintech")),
    Condition("employees_count", Op.RANGE, low=100, high=1000),
]


def attach_client(app, server) -> FieldCatalog:
    app.client = SixtyfourClient(server.api_key, server.base_url)  # closed with the app
    return FieldCatalog(app.client)


def test_filter_builder(snap_compare, tmp_path, monkeypatch, scene_sandbox):
    app = build_scene(tmp_path, monkeypatch)

    async def prepare(pilot):
        await panels_ready(pilot)
        show_jobs(app)
        catalog = attach_client(app, scene_sandbox)
        app.push_screen(FilterBuilderScreen(catalog, mode="company", max_results=500, conditions=BUILDER_CONDITIONS))
        screen = await wait_until(lambda: isinstance(app.screen, FilterBuilderScreen) and app.screen.fields
                                  and app.screen, pilot=pilot)
        screen.choose_field(next(f for f in screen.fields if f.field == "last_funding_round.type"))
        await wait_until(lambda: screen.values and screen.matches is not None, pilot=pilot)
        await pilot.press("down")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=prepare)


def test_refine_screen_after_an_edit(snap_compare, tmp_path, monkeypatch, scene_sandbox):
    app = build_scene(tmp_path, monkeypatch)

    async def prepare(pilot):
        await panels_ready(pilot)
        show_jobs(app)
        catalog = attach_client(app, scene_sandbox)
        screen = RefineScreen(catalog, app.client, mode="people", max_results=500,
                              query="VP of Engneering at Series B SaaS startups in New York")
        app.push_screen(screen)
        await wait_until(lambda: screen.last_preview is not None, pilot=pilot)
        first = screen.last_preview
        await pilot.press("d")  # the first chip, seniority
        await wait_until(lambda: screen.last_preview is not first, pilot=pilot)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=prepare)
