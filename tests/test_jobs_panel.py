"""The jobs panel: running jobs' times advance on screen and only what changed is redrawn; columns
collapse by priority in narrow panels; a job's status and progress never contradict each other."""

from __future__ import annotations

import msgspec
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from sixtyfour_tui.jobs.records import JobRecord
from sixtyfour_tui.ui import job_text
from sixtyfour_tui.ui.widgets.jobs_panel import COLUMNS, JobsPanel, plan_columns, progress_text, status_text

START = 1_700_000_000.0


class PanelApp(App):
    def compose(self) -> ComposeResult:
        yield JobsPanel(id="jobs")


def job(query: str, status: str = "running", **fields) -> JobRecord:
    fields.setdefault("created_at", START)
    return JobRecord(query=query, status=status, started_at=START, **fields)


def screen_line(panel: JobsPanel, y: int) -> str:
    return panel.render_line(y).text


async def test_the_tick_redraws_running_times_and_leaves_the_rest_of_the_row_intact(monkeypatch):
    monkeypatch.setattr(job_text, "clock", lambda: START + 5)
    async with PanelApp().run_test(size=(150, 12)) as pilot:
        panel = pilot.app.query_one(JobsPanel)
        panel.show_job(job("VP of Sales", progress_message="Iteration 1"))
        panel.show_job(job("CTOs", status="completed", finished_at=START + 60, total_results=42, created_at=START + 1))
        await pilot.pause()
        assert "0:05" in screen_line(panel, 1) and "VP of Sales" in screen_line(panel, 1)
        monkeypatch.setattr(job_text, "clock", lambda: START + 75)
        panel.advance_clocks()
        await pilot.pause()
        running, done = screen_line(panel, 1), screen_line(panel, 2)
        assert "1:15" in running and "VP of Sales" in running and "Iteration 1" in running
        assert "1:00" in done and "42" in done  # a finished job's time stays put


async def test_an_update_after_a_tick_shows_both_changes_and_a_finished_clock_stops(monkeypatch):
    monkeypatch.setattr(job_text, "clock", lambda: START + 5)
    async with PanelApp().run_test(size=(150, 12)) as pilot:
        panel = pilot.app.query_one(JobsPanel)
        record = job("VP of Sales", progress_message="Iteration 1")
        panel.show_job(record)
        await pilot.pause()
        monkeypatch.setattr(job_text, "clock", lambda: START + 9)
        panel.advance_clocks()
        panel.show_job(msgspec.structs.replace(record, progress_message="Iteration 2"))
        await pilot.pause()
        line = screen_line(panel, 1)
        assert "Iteration 2" in line and "0:09" in line
        # finished: its clock stops, and later ticks draw nothing
        panel.show_job(msgspec.structs.replace(record, status="completed", finished_at=START + 10, total_results=3))
        await pilot.pause()
        drawn = panel.lines_drawn
        monkeypatch.setattr(job_text, "clock", lambda: START + 40)
        panel.advance_clocks()
        await pilot.pause()
        assert panel.lines_drawn == drawn and "0:10" in screen_line(panel, 1)


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
        panel.advance_clocks()
        assert panel.cell_text(record.job_id, "elapsed") == "0:05"
        pilot.app.pop_screen()
        await pilot.pause()
        panel.advance_clocks()
        await pilot.pause()
        assert "0:30" in screen_line(panel, 1)


async def test_a_tick_redraws_only_the_rows_of_running_jobs(monkeypatch):
    """Idle cost: with five searches running and five finished, the clock's tick draws five lines."""
    monkeypatch.setattr(job_text, "clock", lambda: START + 5)
    async with PanelApp().run_test(size=(150, 16)) as pilot:
        panel = pilot.app.query_one(JobsPanel)
        for n in range(5):
            panel.show_job(job(f"running {n}", progress_message="Iteration 1", created_at=START - 10 + 2 * n))
            panel.show_job(job(f"finished {n}", status="completed", finished_at=START + 2, total_results=3,
                               created_at=START - 9 + 2 * n))
        await pilot.pause()
        await pilot.pause()
        drawn = panel.lines_drawn
        monkeypatch.setattr(job_text, "clock", lambda: START + 6)
        panel.advance_clocks()
        await pilot.pause()
        assert panel.lines_drawn - drawn == 5
        assert all("0:06" in screen_line(panel, y) for y in (1, 3, 5, 7, 9))
        drawn = panel.lines_drawn
        panel.advance_clocks()  # the same second again: nothing changes, nothing is drawn
        await pilot.pause()
        assert panel.lines_drawn == drawn



def test_narrow_panels_keep_status_query_progress_and_results():
    for width in (45, 46, 60):
        slots = plan_columns(width, longest_query=52)
        assert [slot.column.key for slot in slots] == ["status", "query", "progress", "results"], width
        assert slots[-1].x + slots[-1].width <= width
    wide = plan_columns(156, longest_query=52)
    assert [slot.column.key for slot in wide] == [column.key for column in COLUMNS]
    assert next(slot.width for slot in wide if slot.column.key == "query") >= 52  # the whole query fits


def test_columns_drop_least_important_first_and_never_overflow():
    order = sorted(COLUMNS, key=lambda column: column.priority)
    previous: list[str] = []
    for width in range(150, 20, -1):
        slots = plan_columns(width, longest_query=40)
        keys = [slot.column.key for slot in slots]
        assert slots[-1].x + slots[-1].width <= width, width
        assert keys == [column.key for column in COLUMNS if column.key in keys]  # their usual order
        dropped = set(previous) - set(keys)
        survivors = {column.key for column in order[: len(keys)]}
        assert set(keys) == survivors, width  # strictly by priority
        assert not dropped or len(keys) < len(previous), width
        previous = keys


async def test_at_80_columns_the_panel_shows_status_query_results_and_progress_without_sideways_scrolling():
    class Narrow(App):
        def compose(self) -> ComposeResult:
            yield JobsPanel(id="jobs")

    async with Narrow().run_test(size=(48, 10)) as pilot:
        panel = pilot.app.query_one(JobsPanel)
        for n in range(12):
            panel.show_job(job(f"VP of Engineering at Series B SaaS startups {n}", progress_message="Ranking 40",
                               created_at=START + n))
        await pilot.pause()
        header = screen_line(panel, 0)
        assert all(word in header for word in ("Status", "Query", "Progress", "Results")), header
        assert not panel.show_horizontal_scrollbar
        assert panel.virtual_size.width <= panel.scrollable_content_region.width


def test_status_and_progress_never_contradict():
    running = job("CTOs", progress_message="Queued locally: #3 in line")
    assert progress_text(running, None) == "Starting on the server…"
    queued = job("CTOs", status="queued", progress_message="Queued locally: #3 in line")
    assert status_text(queued, 1) == "◌ queued #1"
    assert progress_text(queued, 1) == "Waiting for a free slot · #1 in line"  # where it is now, not then
    assert progress_text(queued, None) == "Queued in another window"
    failed = job("CTOs", status="failed", error="boom \x1b[31m", progress_message="Iteration 2")
    assert progress_text(failed, None).startswith("Error: boom") and "\x1b" not in progress_text(failed, None)


async def test_queue_places_follow_the_queue_and_the_line_below_follows_the_cursor():
    async with PanelApp().run_test(size=(150, 12)) as pilot:
        panel = pilot.app.query_one(JobsPanel)
        first, second = job("first", status="queued"), job("second", status="queued", created_at=START + 1)
        panel.show_job(first, 1)
        panel.show_job(second, 2, focus_new=True)
        await pilot.pause()
        assert panel.cell_text(second.job_id, "status") == "◌ queued #2"
        panel.show_job(msgspec.structs.replace(first, status="cancelled", progress_message="Cancelled here"))
        panel.refresh_queue({second.job_id: 1}.get)
        assert panel.cell_text(second.job_id, "status") == "◌ queued #1"
        assert "#1 in line" in str(panel.border_subtitle)
        panel.forget_job(second.job_id)
        await pilot.pause()
        assert panel.current_job_id == first.job_id
        assert str(panel.border_subtitle) == "Cancelled here"


async def test_enter_opens_x_removes_m_asks_for_older_jobs_and_a_click_on_the_cursor_row_opens():
    seen: list[object] = []

    class Recording(PanelApp):
        def on_jobs_panel_open_requested(self, message) -> None:
            seen.append(("open", message.job_id))

        def on_jobs_panel_remove_requested(self, message) -> None:
            seen.append(("remove", message.job_id))

        def on_jobs_panel_older_requested(self, message) -> None:
            seen.append("older")

    async with Recording().run_test(size=(150, 12)) as pilot:
        panel = pilot.app.query_one(JobsPanel)
        jobs = [job(f"query {n}", status="completed", finished_at=START + 1, created_at=START + n) for n in range(3)]
        for record in jobs:
            panel.show_job(record)
        panel.focus()
        await pilot.press("G", "enter", "k", "x", "m")
        await pilot.click(JobsPanel, offset=(5, 1))  # the first job, under the header: the cursor goes there
        await pilot.pause()
        assert panel.current_job_id == jobs[0].job_id and len(seen) == 3
        await pilot.click(JobsPanel, offset=(5, 1))  # on the cursor row: opens it
        await pilot.pause()
        assert seen == [("open", jobs[2].job_id), ("remove", jobs[1].job_id), "older", ("open", jobs[0].job_id)]


async def test_a_filter_search_and_an_edited_search_are_marked_and_the_line_below_says_what_changed():
    from sixtyfour_tui.jobs.records import Exclusions, JobSource

    async with PanelApp().run_test(size=(150, 12)) as pilot:
        panel = pilot.app.query_one(JobsPanel)
        filtered = job("seniority is VP", status="completed", source=JobSource.FILTER, finished_at=START + 2)
        edited = job("VP of Engineering in New York", status="completed", source=JobSource.PARSED,
                     edit_note="Seniority: VP → Director", finished_at=START + 3, created_at=START + 1,
                     exclusions=Exclusions(seen=True, count=12, description="everything seen"))
        panel.show_job(filtered)
        panel.show_job(edited)
        await pilot.pause()
        assert job_text.SOURCE_MARKS["filter"] + "seniority is VP" in screen_line(panel, 1)
        assert job_text.SOURCE_MARKS["parsed"] + "VP of Engineering" in screen_line(panel, 2)
        panel.move_cursor(1)
        await pilot.pause()
        below = str(panel.border_subtitle)
        assert "edited: Seniority: VP → Director" in below and "excluding 12: everything seen" in below
        panel.move_cursor(0)
        await pilot.pause()
        assert "edited" not in str(panel.border_subtitle)
