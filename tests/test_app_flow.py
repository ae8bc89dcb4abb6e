"""The whole app driven with the pilot against a real sandbox: search, watch, browse, copy, export."""

from __future__ import annotations

import csv

from sixtyfour_tui.sandbox.config import SandboxConfig
from sixtyfour_tui.sandbox.server import SandboxServer
from sixtyfour_tui.ui.widgets.jobs_panel import JobsPanel
from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser
from tests.app_harness import build_app, screen_text, submit_query, wait_until
from tests.waiting import focus_on

SIZE = (160, 45)


def jobs_of(app):
    return app.engine.jobs() if app.engine else []


async def test_search_progress_browse_copy_and_export(tmp_path):
    app = build_app(tmp_path, speed=100.0)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot=pilot, condition=lambda: app.ready, what="backend ready")
        await submit_query(pilot, "VP of Engineering at Series B SaaS startups in New York", "150")
        job = (await wait_until(pilot=pilot, condition=lambda: jobs_of(app), what="job created"))[0]
        assert job.query == "VP of Engineering at Series B SaaS startups in New York" and job.max_results == 150
        seen_running = await wait_until(
            pilot=pilot, condition=lambda: app.engine.job(job.job_id).status in ("running", "completed")
        )
        assert seen_running
        await wait_until(
            pilot=pilot, condition=lambda: app.engine.job(job.job_id).status == "completed", what="search completed"
        )
        final = app.engine.job(job.job_id)
        assert final.iterations >= 3 and final.total_results == 150
        browser = app.query_one(ResultsBrowser)
        await wait_until(pilot=pilot, condition=lambda: len(browser.store) >= 100, what="first page")
        loaded = len(browser.store)  # the engine may have stored all 150 before the browser opened
        assert (f"Showing {loaded} of 150" if loaded < 150 else "All 150") in browser.title_text
        table = browser.table
        await focus_on(pilot, table)
        await pilot.press("j", "j")
        row = browser.store.raw(table.current_row_index())
        await pilot.press("y")
        await wait_until(pilot=pilot, condition=lambda: app.copied, what="copy")
        header, line = app.copied[-1].splitlines()[:2]
        assert "Full name" in header.split("\t") and row["fullName"] in line.split("\t")
        await pilot.press("G")
        await wait_until(
            pilot=pilot, condition=lambda: len(browser.store) == 150, what="second page on reaching the end"
        )
        assert "All 150" in browser.title_text

        await pilot.press("e")
        await wait_until(
            pilot=pilot, condition=lambda: type(app.screen).__name__ == "ExportScreen", what="export screen"
        )
        destination = tmp_path / "vp.csv"
        app.screen.query_one("#destination").value = str(destination)
        await pilot.press("ctrl+s")
        await wait_until(pilot=pilot, condition=lambda: destination.exists(), what="file saved")
        await wait_until(pilot=pilot, condition=lambda: "Saved 150 rows" in screen_text(app), what="summary")
        shown_names = [browser.store.raw(i)["fullName"] for i in range(100)]
    with destination.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 150
    assert all(r["seniority"] == "VP" and r["job_function"] == "Engineering" for r in rows)
    assert [r["full_name"] for r in rows[:100]] == shown_names


async def test_six_searches_five_run_one_waits(tmp_path):
    app = build_app(tmp_path, speed=1.0)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot=pilot, condition=lambda: app.ready)
        for n in range(6):
            await submit_query(pilot, f"product designers in Toronto {n}", "10")
        await wait_until(pilot=pilot, condition=lambda: len(jobs_of(app)) == 6)
        await wait_until(
            pilot=pilot, condition=lambda: sum(j.status == "running" for j in jobs_of(app)) == 5, what="five running"
        )
        waiting = [j for j in jobs_of(app) if j.status == "queued"]
        assert len(waiting) == 1 and waiting[0].query.endswith("5")
        panel = app.query_one(JobsPanel)
        assert "5/5 running · 1 queued" in str(panel.border_title)
        text = screen_text(app)
        assert "queued #1" in text and "5/5 running" in text


async def test_bad_inputs_get_clear_messages_and_start_nothing(tmp_path):
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot=pilot, condition=lambda: app.ready)
        message = app.query_one("#composer-message")
        for query, max_results, expected in [
            ("", "100", "Write a query first"),
            ("   ", "100", "Write a query first"),
            ("CTOs", "", "Max results is empty"),
            ("CTOs", "0", "between 1 and 10,000"),
            ("CTOs", "20000", "between 1 and 10,000"),
        ]:
            await submit_query(pilot, query, max_results)
            assert expected in str(message.render()), (query, max_results)
            assert "error" in message.classes
        assert jobs_of(app) == []
        await submit_query(pilot, "CTOs in Berlin", "5")
        await wait_until(pilot=pilot, condition=lambda: len(jobs_of(app)) == 1)
        assert str(message.render()) == ""


async def test_hostile_text_is_shown_literally(tmp_path):
    hostile = "[bold]x[/] [@click=app.quit]q[/] \x1b[31mred\x1b[0m bell\x07"
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot=pilot, condition=lambda: app.ready)
        await submit_query(pilot, hostile, "5")
        await wait_until(
            pilot=pilot, condition=lambda: jobs_of(app) and jobs_of(app)[0].status in ("completed", "failed")
        )
        text = screen_text(app)
        assert "[bold]x[/]" in text and "[@click=app.quit]q[/]" in text
        assert "\x1b[31m" not in text and "\x07" not in text
        assert app.is_running
        browser = app.query_one(ResultsBrowser)
        browser.store.append([{"fullName": hostile, "title": "[red]boss[/red]", "seniority": "\x1b]0;pwned\x07VP"}])
        browser.table.visible_columns = ["fullName", "title", "seniority"]  # the hostile search itself finds nothing
        browser.table.refresh_rows()
        text = await wait_until(
            pilot=pilot, condition=lambda: "boss" in screen_text(app) and screen_text(app), what="row shown"
        )
        assert "[red]boss[/red]" in text, text
        assert "pwned" not in text and "\x1b" not in text  # the OSC title sequence is dropped whole


async def test_failed_search_shows_its_error_in_a_copyable_modal(tmp_path):
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot=pilot, condition=lambda: app.ready)
        await submit_query(pilot, "CTOs in Madrid #fail", "5")
        await wait_until(pilot=pilot, condition=lambda: jobs_of(app) and jobs_of(app)[0].status == "failed")
        assert "#fail" in screen_text(app)
        await focus_on(pilot, app.query_one(JobsPanel))
        await pilot.press("enter")
        await wait_until(pilot=pilot, condition=lambda: type(app.screen).__name__ == "ErrorScreen")
        assert "#fail" in app.screen.query_one("TextArea").text


async def test_quitting_with_running_jobs_asks_first_and_they_resume_on_restart(tmp_path):
    server = SandboxServer(SandboxConfig(speed=2.0, requests_per_minute=0)).start()
    try:
        first = build_app(tmp_path, server=server)
        first.backend.close_with_app = False
        async with first.run_test(size=SIZE) as pilot:
            await wait_until(pilot=pilot, condition=lambda: first.ready)
            await submit_query(pilot, "data scientists in Boston", "20")
            await wait_until(pilot=pilot, condition=lambda: jobs_of(first) and jobs_of(first)[0].status == "running")
            await pilot.press("ctrl+q")
            await wait_until(
                pilot=pilot, condition=lambda: type(first.screen).__name__ == "ConfirmScreen", what="confirm"
            )
            assert "still running" in screen_text(first)
            await pilot.press("n")
            assert first.is_running
            await pilot.press("ctrl+q")
            await wait_until(pilot=pilot, condition=lambda: type(first.screen).__name__ == "ConfirmScreen")
            await pilot.press("y")
        job_id = jobs_of(first)[0].job_id

        second = build_app(tmp_path, server=server)
        async with second.run_test(size=SIZE) as pilot:
            await wait_until(pilot=pilot, condition=lambda: second.ready)
            assert second.engine.job(job_id).status in ("running", "completed")
            await wait_until(pilot=pilot, condition=lambda: second.engine.job(job_id).status == "completed", timeout=60)
            assert second.engine.job(job_id).total_results == 20
    finally:
        server.stop()


async def test_f1_help_lists_the_focused_panels_keys(tmp_path):
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot=pilot, condition=lambda: app.ready)
        await focus_on(pilot, app.query_one("#query"))
        await pilot.press("f1")
        await wait_until(pilot=pilot, condition=lambda: type(app.screen).__name__ == "HelpScreen")
        text = await wait_until(pilot=pilot, condition=lambda: "How it works" in screen_text(app) and screen_text(app))
        assert "Search" in text and "ctrl+s" in text and "How it works" in text
        await pilot.press("escape")
        await focus_on(pilot, app.query_one(JobsPanel))
        await pilot.press("f1")
        await wait_until(pilot=pilot, condition=lambda: type(app.screen).__name__ == "HelpScreen")
        text = await wait_until(pilot=pilot, condition=lambda: "How it works" in screen_text(app) and screen_text(app))
        assert "Jobs" in text and "Open" in text


async def test_f1_help_scrolls_with_the_keyboard_at_80x24(tmp_path):
    from textual.containers import VerticalScroll

    app = build_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot=pilot, condition=lambda: app.ready)
        await pilot.press("f1")
        await wait_until(pilot=pilot, condition=lambda: type(app.screen).__name__ == "HelpScreen")
        body = app.screen.query_one(VerticalScroll)
        await wait_until(pilot=pilot, condition=lambda: app.screen.focused is body and body.max_scroll_y > 0)
        top = screen_text(app)
        await pilot.press("end")
        await wait_until(pilot=pilot, condition=lambda: body.scroll_y == body.max_scroll_y)
        assert screen_text(app) != top
        await pilot.press("k")
        await wait_until(pilot=pilot, condition=lambda: body.scroll_y == body.max_scroll_y - 1)


async def test_history_recalls_an_earlier_query(tmp_path):
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot=pilot, condition=lambda: app.ready)
        await submit_query(pilot, "Heads of Growth at Series A startups", "42")
        await wait_until(pilot=pilot, condition=lambda: jobs_of(app))
        await pilot.press("ctrl+r")
        await wait_until(pilot=pilot, condition=lambda: type(app.screen).__name__ == "HistoryScreen")
        await pilot.press("enter")
        await wait_until(pilot=pilot, condition=lambda: type(app.screen).__name__ != "HistoryScreen")
        assert app.query_one("#query").text == "Heads of Growth at Series A startups"
        assert app.query_one("#max-results").value == "42"


async def test_command_palette_lists_the_apps_commands(tmp_path):
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot=pilot, condition=lambda: app.ready)
        await pilot.press("ctrl+p")
        await wait_until(pilot=pilot, condition=lambda: type(app.screen).__name__ == "CommandPalette")
        await pilot.press(*"copy rows as")
        await wait_until(pilot=pilot, condition=lambda: "Copy rows as JSON" in screen_text(app), what="palette hit")


async def test_palette_shows_queries_with_markup_literally(tmp_path):
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot=pilot, condition=lambda: app.ready)
        await submit_query(pilot, "VP [/] of [red]Sales[/red] in Boston", "5")
        await wait_until(pilot=pilot, condition=lambda: jobs_of(app) and jobs_of(app)[0].status == "completed")
        await pilot.press("ctrl+p")
        await wait_until(pilot=pilot, condition=lambda: type(app.screen).__name__ == "CommandPalette")
        await pilot.press(*"open results")
        text = await wait_until(
            pilot=pilot, condition=lambda: "Open results: VP" in screen_text(app) and screen_text(app)
        )
        assert "[/] of [red]Sales[/red]" in text
        assert app.is_running


async def test_error_text_never_reaches_the_terminal_as_escapes(tmp_path):
    from sixtyfour_tui.ui.screens.error_modal import ErrorScreen

    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot=pilot, condition=lambda: app.ready)
        app.push_screen(ErrorScreen("Search \x1b[31mfailed", "boom \x1b]2;PWNED\x07 [bold]x[/]\nline two"))
        await wait_until(
            pilot=pilot, condition=lambda: type(app.screen).__name__ == "ErrorScreen" and app.screen.query("TextArea")
        )
        shown = app.screen.query_one("TextArea").text
        assert "\x1b" not in shown and "PWNED" not in shown
        assert "[bold]x[/]" in shown and "line two" in shown


async def test_x_cancels_a_queued_job_and_removes_a_finished_one(tmp_path):
    app = build_app(tmp_path, speed=1.0)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot=pilot, condition=lambda: app.ready)
        for n in range(6):
            await submit_query(pilot, f"sales managers in Denver {n}", "5")
        await wait_until(
            pilot=pilot,
            condition=lambda: len(jobs_of(app)) == 6 and sum(j.status == "running" for j in jobs_of(app)) == 5,
        )
        panel = app.query_one(JobsPanel)
        await focus_on(pilot, panel)
        await pilot.press("G", "x")  # the sixth, still in the local queue
        await wait_until(pilot=pilot, condition=lambda: jobs_of(app)[-1].status == "cancelled")
        assert app.engine.queued_count == 0
        await pilot.press("enter")
        await wait_until(pilot=pilot, condition=lambda: any("was cancelled" in n for n in app.notices))
        await pilot.press("g", "x")  # the first is running: it cannot be stopped, so it stays
        await wait_until(lambda: any("remove it once it ends" in n for n in app.notices), pilot=pilot)
        assert jobs_of(app)[0].status == "running" and len(jobs_of(app)) == 6
        await pilot.press("G", "x")  # the cancelled one is finished: removed from the list and the ledger
        await wait_until(pilot=pilot, condition=lambda: len(jobs_of(app)) == 5)
        assert panel.row_count == 5
        assert "Cancelled" not in str(panel.border_subtitle)  # the line under the panel follows the cursor
    from tests.engines import open_workspace

    workspace = open_workspace(tmp_path)  # what the next start (or another window) would read
    assert "sales managers in Denver 5" not in [job.query for job in workspace.recent_jobs("sandbox")]
    assert len(workspace.recent_jobs("sandbox")) == 5


async def test_fast_typing_submits_exactly_the_text_in_the_box_each_time(tmp_path):
    """Keys arrive as a terminal sends them, with no pause for the app between them."""
    from textual import events

    queries = [f"software engineers in city {n}" for n in range(12)]
    app = build_app(tmp_path, speed=1.0)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        await focus_on(pilot, app.query_one("#query"))
        for query in queries:
            for char in query:
                app.post_message(events.Key("space" if char == " " else char, char))
            app.post_message(events.Key("ctrl+s", None))
        await wait_until(lambda: len(jobs_of(app)) == len(queries), pilot=pilot, what="one job per query")
        assert sorted(job.query for job in jobs_of(app)) == sorted(queries)
        assert app.query_one("#query").text == ""


async def one_search_running(pilot) -> None:
    app = pilot.app
    await wait_until(pilot=pilot, condition=lambda: app.ready)
    await submit_query(pilot, "CTOs in Paris", "20")
    await wait_until(pilot=pilot, condition=lambda: app.engine.own_running_count == 1)


async def test_the_open_quit_question_follows_the_searches_as_they_end(tmp_path):
    app = build_app(tmp_path, speed=20.0)
    async with app.run_test(size=SIZE) as pilot:
        await one_search_running(pilot)
        await pilot.press("ctrl+q")
        await wait_until(pilot=pilot, condition=lambda: type(app.screen).__name__ == "ConfirmScreen")
        assert "1 search is still running" in screen_text(app)
        await wait_until(pilot=pilot, condition=lambda: not app.engine.busy, timeout=60)
        await wait_until(pilot=pilot, condition=lambda: "No searches are running any more" in screen_text(app))
        await pilot.press("n")  # stay
        await wait_until(pilot=pilot, condition=lambda: app.screen is app.main_screen)


async def test_the_palettes_quit_asks_too_while_a_search_runs(tmp_path):
    app = build_app(tmp_path, speed=1.0)  # the search runs for the whole test
    async with app.run_test(size=SIZE) as pilot:
        await one_search_running(pilot)
        await pilot.press("ctrl+p")
        await wait_until(pilot=pilot, condition=lambda: type(app.screen).__name__ == "CommandPalette")
        await pilot.press(*"quit")
        await wait_until(pilot=pilot, condition=lambda: "Quit sixtyfour" in screen_text(app))
        assert "Quit the application as soon as possible" not in screen_text(app)  # Textual's, which does not ask
        await pilot.press("enter")
        await wait_until(pilot=pilot, condition=lambda: type(app.screen).__name__ == "ConfirmScreen")
        assert "1 search is still running" in screen_text(app) and app.is_running


def test_the_quit_question_counts_running_and_queued_searches():
    from sixtyfour_tui.ui.app import quit_question

    assert quit_question(0, 1).startswith("1 is waiting in the queue")
    assert quit_question(2, 3).startswith("2 searches are still running and 3 are waiting in the queue")
    assert quit_question(1, 0).startswith("1 search is still running.")


async def test_a_toast_and_its_f9_entry_never_carry_a_servers_escape_sequences(tmp_path):
    app = build_app(tmp_path)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        app.say("Refused: field \x1b[2Jtitle\x1b]52;c;cHduZWQ=\x07 unknown", severity="warning",
                details="the server said \x1b[31mno\x1b[0m")
        def drawn_toast() -> str | None:  # Textual's toast widget, by its type name, as it draws itself
            for toast in app.screen.query("Toast"):
                drawn = "".join(strip.text for strip in toast.render_lines(toast.region.reset_offset))
                if "Refused" in drawn:
                    return drawn
            return None

        drawn = await wait_until(drawn_toast, pilot=pilot)
        assert "Refused: field title unknown" in drawn and "\x1b" not in drawn and "\x07" not in drawn
        await pilot.press("f9")  # the recent messages: the toast's own text, and its details
        await wait_until(lambda: "the server said no" in screen_text(app), pilot=pilot)
        await pilot.press("c")  # copy: the very text the dialog holds
        copied = await wait_until(lambda: app.copied and app.copied[-1], pilot=pilot)
        assert "Refused: field title unknown" in copied and "the server said no" in copied
        assert "\x1b" not in copied and "\x07" not in copied
