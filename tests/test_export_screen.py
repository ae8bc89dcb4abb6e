"""The export modal against the real sandbox, engine and export flow, driven through the Pilot."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from sixtyfour_tui.jobs.engine import JobEngine
from sixtyfour_tui.jobs.events import DownloadProgressed, JobUpdated
from sixtyfour_tui.jobs.records import JobKind, JobRecord
from sixtyfour_tui.ui.screens.confirm import ConfirmScreen
from sixtyfour_tui.ui.screens.error_modal import ErrorScreen
from sixtyfour_tui.ui.screens.export_screen import ExportScreen
from tests.engines import finished_search
from tests.modal_host import Host, screen_text
from tests.waiting import wait_until

SIZE = (110, 40)
QUERY = "VP of Engineering at Series B SaaS startups in New York"


def static_text(screen, widget_id: str) -> str:
    return str(screen.query_one(f"#{widget_id}", Static).visual)


@pytest.fixture
def engine_for(engine_on):
    async def build(server) -> JobEngine:
        return await engine_on(server, poll_interval=0.05)

    return build


async def finished(engine: JobEngine, max_results: int = 40) -> JobRecord:
    return await finished_search(engine, QUERY, max_results)


def exports(engine: JobEngine) -> list[JobRecord]:
    return engine.jobs(kind=JobKind.EXPORT)


def csv_rows(path: Path) -> list[list[str]]:
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


async def test_export_shows_stages_then_summary_and_done_returns_the_record(fast_sandbox, engine_for, tmp_path):
    engine = await engine_for(fast_sandbox)
    search = await finished(engine)
    destination = tmp_path / "vps.csv"
    app = Host(lambda: ExportScreen(search, engine, tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        shown = screen_text(app)
        assert QUERY in shown and f"{search.total_results:,} results" in shown
        default = screen.query_one("#destination", Input).value
        assert default.startswith(str(tmp_path / "vp-of-engineering-at-series-b-saas-startups-in-new-york-"))

        # The screen subscribed first, so this sees what it shows right after each event.
        seen_stages: list[str] = []
        seen_bytes: list[str] = []

        def watch(event) -> None:
            if isinstance(event, JobUpdated) and event.job.kind == "export":
                seen_stages.append(static_text(screen, "stage"))
            elif isinstance(event, DownloadProgressed):
                seen_bytes.append(static_text(screen, "bytes"))

        engine.subscribe(watch)
        screen.query_one("#destination", Input).value = str(destination)
        screen.query_one("#max-rows", Input).value = "25"
        await pilot.press("ctrl+s")
        await wait_until(pilot=pilot, condition=lambda: screen.phase == "done")
        await pilot.pause()

        assert any(stage.startswith("Step 1 of 3 · Exporting") for stage in seen_stages)
        assert any(stage.startswith("Step 2 of 3 · Waiting for the export") for stage in seen_stages)
        assert any(stage.startswith("Step 3 of 3 · Downloading") for stage in seen_stages)
        assert seen_bytes and re.fullmatch(r"[\d.]+ (bytes|kB|MB) of [\d.]+ (bytes|kB|MB)", seen_bytes[-1])
        shown = screen_text(app)
        assert "Saved 25 rows (" in shown and str(destination) in shown
        await pilot.press("enter")  # Done has the focus
        await pilot.pause()

    record = app.result
    assert isinstance(record, JobRecord) and record.status == "completed"
    assert record.saved_file == str(destination) and record.parent_job_id == search.job_id
    rows = csv_rows(destination)
    assert len(rows) - 1 == record.total_results == 25
    assert not [p for p in destination.parent.iterdir() if p.name.startswith(".")]


async def test_at_80x24_the_outcome_and_its_button_scroll_into_view(fast_sandbox, engine_for, tmp_path):
    engine = await engine_for(fast_sandbox)
    search = await finished(engine, max_results=30)
    destination = tmp_path / "small.csv"
    app = Host(lambda: ExportScreen(search, engine, tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#destination", Input).value = str(destination)
        await pilot.press("ctrl+s")
        await wait_until(pilot=pilot, condition=lambda: screen.phase == "done")
        await wait_until(pilot=pilot, condition=lambda: "Saved 30 rows (" in screen_text(app))
        assert "Done" in screen_text(app)
    assert len(csv_rows(destination)) - 1 == 30


async def test_blank_max_rows_exports_every_row(fast_sandbox, engine_for, tmp_path):
    engine = await engine_for(fast_sandbox)
    search = await finished(engine, max_results=30)
    destination = tmp_path / "all.csv"
    app = Host(lambda: ExportScreen(search, engine, tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#destination", Input).value = str(destination)
        await pilot.press("ctrl+s")
        await wait_until(pilot=pilot, condition=lambda: screen.phase == "done")
        await pilot.press("escape")  # after success, escape also returns the record
        await pilot.pause()
    assert app.result.total_results == search.total_results == len(csv_rows(destination)) - 1


async def test_existing_file_asks_first_and_no_keeps_it(fast_sandbox, engine_for, tmp_path):
    engine = await engine_for(fast_sandbox)
    search = await finished(engine)
    destination = tmp_path / "taken [1].csv"
    destination.write_text("precious\n")
    app = Host(lambda: ExportScreen(search, engine, tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        export_screen = app.screen
        export_screen.query_one("#destination", Input).value = str(destination)
        await pilot.press("ctrl+s")
        await wait_until(pilot=pilot, condition=lambda: isinstance(app.screen, ConfirmScreen)
                         and "This file already exists. Overwrite it?" in screen_text(app))
        assert "[1].csv" in screen_text(app)  # the path itself may wrap at the space
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is export_screen and export_screen.phase == "idle"
        assert destination.read_text() == "precious\n" and exports(engine) == []

        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await wait_until(pilot=pilot, condition=lambda: export_screen.phase == "done")
    assert csv_rows(destination)[0][0] != "precious"
    assert len(csv_rows(destination)) - 1 == search.total_results


@pytest.mark.parametrize(("destination", "max_rows", "message"), [
    ("", "", "Enter a file path for the CSV."),
    ("{tmp}", "", "That is a folder; add a file name"),
    ("{tmp}/ok.csv", "0", "Max rows must be a whole number from 1 to 5,000"),
    ("{tmp}/ok.csv", "5001", "Max rows must be a whole number from 1 to 5,000"),
    ("{tmp}/ok.csv", "ten", "Max rows must be a whole number from 1 to 5,000"),
])
async def test_invalid_input_is_explained_inline(fast_sandbox, engine_for, tmp_path, destination, max_rows, message):
    engine = await engine_for(fast_sandbox)
    search = await finished(engine)
    app = Host(lambda: ExportScreen(search, engine, tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#destination", Input).value = destination.format(tmp=tmp_path)
        screen.query_one("#max-rows", Input).value = max_rows
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert message in screen_text(app)
        assert screen.phase == "idle" and exports(engine) == []
        assert not (tmp_path / "ok.csv").exists()
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None


async def test_cancel_while_waiting_leaves_nothing_behind(make_sandbox, engine_for, tmp_path):
    server = make_sandbox(speed=2000.0)
    engine = await engine_for(server)
    search = await finished(engine)
    # Keep the export waiting: the next status polls answer 429 (Retry-After: 1 s).
    server.state.faults.force(429, count=20, path_prefix="/search/status")
    destination = tmp_path / "cancelled.csv"
    app = Host(lambda: ExportScreen(search, engine, tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#destination", Input).value = str(destination)
        screen.query_one("#max-rows", Input).value = "5"
        await pilot.press("ctrl+s")
        await wait_until(pilot=pilot, condition=lambda: "Waiting for the export" in static_text(screen, "stage"))
        assert screen.phase == "running"
        await pilot.press("escape")
        await wait_until(pilot=pilot, condition=lambda: screen.phase == "idle")
        assert "Export cancelled" in screen_text(app)
        assert [job.status for job in exports(engine)] == ["cancelled"]
        await pilot.press("escape")  # idle again: escape now closes
        await pilot.pause()
    assert app.result is None
    assert list(tmp_path.glob("*cancelled*")) == [] and list(tmp_path.glob(".*")) == []


async def test_failure_is_shown_inline_with_details(make_sandbox, engine_for, tmp_path):
    server = make_sandbox(speed=2000.0)
    engine = await engine_for(server)
    search = await finished(engine)
    server.state.faults.force(402, count=1, path_prefix="/search/export")
    app = Host(lambda: ExportScreen(search, engine, tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#destination", Input).value = str(tmp_path / "fails.csv")
        screen.query_one("#max-rows", Input).value = "5"
        await pilot.press("ctrl+s")
        await wait_until(pilot=pilot, condition=lambda: screen.phase == "failed")
        assert "Export failed:" in screen_text(app)
        await pilot.click("#details")
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        assert exports(engine)[0].error in app.screen.text and search.job_id in app.screen.text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None and not (tmp_path / "fails.csv").exists()


async def test_unmount_unsubscribes_from_the_engine(fast_sandbox, engine_for, tmp_path):
    engine = await engine_for(fast_sandbox)
    search = await finished(engine)
    before = engine.listeners
    app = Host(lambda: ExportScreen(search, engine, tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert engine.listeners == before + 1
        await pilot.press("escape")
        await pilot.pause()
    assert engine.listeners == before
