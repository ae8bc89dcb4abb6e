"""The jobs panel's clock: running jobs' times advance on screen, and only what changed is redrawn."""

from __future__ import annotations

import msgspec
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from sixtyfour_tui.jobs.records import JobRecord
from sixtyfour_tui.ui import job_text
from sixtyfour_tui.ui.widgets.jobs_panel import JobsPanel

START = 1_700_000_000.0


class PanelApp(App):
    def compose(self) -> ComposeResult:
        yield JobsPanel(id="jobs")


def job(query: str, status: str = "running", **fields) -> JobRecord:
    return JobRecord(query=query, status=status, created_at=START, started_at=START, **fields)


def screen_line(panel: JobsPanel, y: int) -> str:
    return panel.render_line(y).text


async def test_the_tick_redraws_running_times_and_leaves_the_rest_of_the_row_intact(monkeypatch):
    monkeypatch.setattr(job_text, "clock", lambda: START + 5)
    async with PanelApp().run_test(size=(150, 12)) as pilot:
        panel = pilot.app.query_one(JobsPanel)
        panel.show_job(job("VP of Sales", progress_message="Iteration 1"))
        panel.show_job(job("CTOs", status="completed", finished_at=START + 60, total_results=42))
        await pilot.pause()
        assert "0:05" in screen_line(panel, 1) and "VP of Sales" in screen_line(panel, 1)
        monkeypatch.setattr(job_text, "clock", lambda: START + 75)
        panel._tick_elapsed()
        await pilot.pause()
        running, done = screen_line(panel, 1), screen_line(panel, 2)
        assert "1:15" in running and "VP of Sales" in running and "Iteration 1" in running
        assert "1:00" in done and "42" in done  # a finished job's time stays put


async def test_an_update_after_a_tick_shows_both_changes(monkeypatch):
    monkeypatch.setattr(job_text, "clock", lambda: START + 5)
    async with PanelApp().run_test(size=(150, 12)) as pilot:
        panel = pilot.app.query_one(JobsPanel)
        record = job("VP of Sales", progress_message="Iteration 1")
        panel.show_job(record)
        await pilot.pause()
        monkeypatch.setattr(job_text, "clock", lambda: START + 9)
        panel._tick_elapsed()
        panel.show_job(msgspec.structs.replace(record, progress_message="Iteration 2"))
        await pilot.pause()
        line = screen_line(panel, 1)
        assert "Iteration 2" in line and "0:09" in line


async def test_times_wait_while_the_panel_is_hidden_and_catch_up_when_it_shows(monkeypatch):
    monkeypatch.setattr(job_text, "clock", lambda: START + 5)
    async with PanelApp().run_test(size=(150, 12)) as pilot:
        panel = pilot.app.query_one(JobsPanel)
        record = job("VP of Sales")
        panel.show_job(record)
        await pilot.pause()
        other = Screen()
        await pilot.app.push_screen(other)
        await other.mount(Static("elsewhere"))
        monkeypatch.setattr(job_text, "clock", lambda: START + 30)
        panel._tick_elapsed()
        assert panel.get_cell(record.job_id, "elapsed").plain == "0:05"
        pilot.app.pop_screen()
        await pilot.pause()
        panel._tick_elapsed()
        await pilot.pause()
        assert "0:30" in screen_line(panel, 1)
