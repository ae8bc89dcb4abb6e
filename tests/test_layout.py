"""Layout and feedback, driven through the real app on a real sandbox: sizes, the footer, zoom,
toasts, undo, a search finishing in the background, older jobs, and what is remembered between runs."""

from __future__ import annotations

import time

import pytest

from sixtyfour_tui import locations
from sixtyfour_tui.config import Settings, load_file_settings, load_settings, save_settings
from sixtyfour_tui.jobs.records import JobRecord
from sixtyfour_tui.sandbox.config import SandboxConfig
from sixtyfour_tui.sandbox.server import SandboxServer
from sixtyfour_tui.ui.widgets.jobs_panel import JobsPanel
from sixtyfour_tui.ui.widgets.keys_footer import KeysFooter
from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser
from tests.app_harness import RecordingApp, build_app, sandbox_backend, screen_text, submit_query, wait_until
from tests.engines import open_workspace
from tests.waiting import focus_on


@pytest.fixture
def server():
    with SandboxServer(SandboxConfig(speed=300.0, requests_per_minute=0)) as running:
        yield running


def app_on(tmp_path, server, settings: Settings | None = None) -> RecordingApp:
    """The app as `sixtyfour-tui` starts it: settings read from the (isolated) config file."""
    return RecordingApp(sandbox=True, settings=settings or load_settings(), backend=sandbox_backend(server),
                        workspace_path=tmp_path / "workspace.sqlite3")


def jobs_of(app):
    return app.engine.jobs() if app.engine else []


async def finished(pilot, query: str, max_results: str = "150") -> JobRecord:
    app = pilot.app
    before = {job.job_id for job in jobs_of(app)}
    await submit_query(pilot, query, max_results)
    job = await wait_until(lambda: next((j for j in jobs_of(app) if j.job_id not in before), None), pilot=pilot)
    await wait_until(lambda: app.engine.job(job.job_id).status == "completed", pilot=pilot, what="search completed")
    return app.engine.job(job.job_id)


async def opened(pilot, job: JobRecord) -> ResultsBrowser:
    app = pilot.app
    app.open_job(job.job_id)
    browser = app.query_one(ResultsBrowser)
    await wait_until(lambda: browser.job is not None and browser.job.job_id == job.job_id and len(browser.store) >= 100,
                     pilot=pilot, what="results loaded")
    return browser


def footer_line(app) -> str:
    return screen_text(app).splitlines()[-1]


VP_QUERY = "VP of Engineering at Series B SaaS startups in New York"


async def vp_search_open(pilot) -> ResultsBrowser:
    """Once the app is ready: a finished search for VP_QUERY, open in the results browser."""
    await wait_until(lambda: pilot.app.ready, pilot=pilot)
    return await opened(pilot, await finished(pilot, VP_QUERY))


def saved_ui():
    return load_file_settings().ui


# -- sizes ------------------------------------------------------------------------------------------

async def test_at_80x24_the_table_shows_12_rows_and_the_jobs_their_key_columns(tmp_path, server):
    app = build_app(tmp_path, server=server)
    async with app.run_test(size=(80, 24)) as pilot:
        browser = await vp_search_open(pilot)
        await focus_on(pilot, browser.table)
        await pilot.pause()
        text = screen_text(app)
        names = [browser.store.cell_text(browser.store.view_row(at), "fullName") for at in range(12)]
        assert all(name in text for name in names), text
        lines = text.splitlines()
        assert len(lines) <= 24 and all(len(line) <= 80 for line in lines)
        header = next(line for line in lines if "Status" in line)
        assert all(word in header for word in ("Status", "Query", "Progress", "Results")), header
        panel = app.query_one(JobsPanel)
        assert not panel.show_horizontal_scrollbar


@pytest.mark.parametrize("size", [(140, 40), (200, 60)])
async def test_bigger_terminals_give_the_room_to_the_query_and_the_table(tmp_path, server, size):
    app = build_app(tmp_path, server=server)
    async with app.run_test(size=size) as pilot:
        browser = await vp_search_open(pilot)
        await pilot.pause()
        text = screen_text(app)
        assert "VP of Engineering at Series B" in text.splitlines()[3]  # the jobs panel's first row
        panel = app.query_one(JobsPanel)
        assert "Elapsed" in text and "Trend" in text and not panel.show_horizontal_scrollbar
        assert browser.table.scrollable_content_region.height - 1 >= size[1] - 20  # rows below the header


@pytest.mark.parametrize("size", [(80, 24), (99, 31), (100, 32), (140, 49), (200, 60)])
async def test_the_main_screen_starts_with_the_breakpoint_classes_textual_gives_its_size(tmp_path, size):
    """Born with them, the first resize changes no class (no extra restyle before the first frame)."""
    app = build_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        given_by_textual = {name for name in app.main_screen.classes if name.startswith("-")}
        born_with = set(app.get_default_screen().classes)
    assert born_with == given_by_textual and len(born_with) == 2


# -- the footer -------------------------------------------------------------------------------------

async def test_the_footer_keeps_whole_keys_help_first_and_shows_a_dialogs_own_keys(tmp_path, server):
    app = build_app(tmp_path, server=server)
    async with app.run_test(size=(80, 24)) as pilot:
        browser = await vp_search_open(pilot)
        await focus_on(pilot, browser.table)
        await pilot.pause()
        footer = app.main_screen.query_one(KeysFooter)
        line = footer_line(app)
        assert footer.shown and len(line) <= 80
        for item in footer.shown:  # each key and its whole description, never cut
            assert f"{item.display} {item.description}" in line, (item, line)
        assert "f1 Help" in line and "y Copy" in line
        await pilot.press("f2")
        await wait_until(lambda: type(app.screen).__name__ == "SettingsScreen" and app.screen.query(KeysFooter),
                         pilot=pilot, what="the settings dialog's footer")
        await wait_until(lambda: "Save" in footer_line(app), pilot=pilot)
        assert "Cancel" in footer_line(app) and "Copy" not in footer_line(app)
        await pilot.press("escape")
        await pilot.press("ctrl+r")
        await wait_until(lambda: type(app.screen).__name__ == "HistoryScreen" and "Close" in footer_line(app),
                         pilot=pilot, what="the history dialog's footer")
        assert "Export" not in footer_line(app)


async def test_the_footer_drops_a_key_once_it_no_longer_applies(tmp_path, server):
    app = build_app(tmp_path, server=server)
    async with app.run_test(size=(120, 30)) as pilot:
        browser = await vp_search_open(pilot)
        await focus_on(pilot, browser.table)
        await pilot.press("slash")
        await wait_until(lambda: browser.filter_input.has_focus, pilot=pilot)
        await pilot.press(*"vp", "enter")
        await wait_until(lambda: browser.table.has_focus and "Clear filter" in footer_line(app), pilot=pilot)
        await pilot.press("escape")  # the filter is cleared: escape has nothing left to clear
        await wait_until(lambda: not browser.store.filter_text, pilot=pilot)
        await wait_until(lambda: "Clear filter" not in footer_line(app), pilot=pilot, what="footer updated")


# -- zoom -------------------------------------------------------------------------------------------

async def test_z_zooms_the_focused_panel_and_back_and_the_zoom_is_remembered(tmp_path, server):
    app = app_on(tmp_path, server)
    async with app.run_test(size=(80, 24)) as pilot:
        browser = await vp_search_open(pilot)
        await focus_on(pilot, browser.table)
        rows_before = browser.table.scrollable_content_region.height
        await pilot.press("z")
        await pilot.pause()
        assert app.zoomed == "results" and not app.query_one("#top").display
        assert browser.table.scrollable_content_region.height >= rows_before + 5
        await wait_until(lambda: saved_ui().zoomed == "results", pilot=pilot, what="zoom saved")
        await pilot.press("z")
        await pilot.pause()
        assert app.zoomed is None and app.query_one("#top").display
        await focus_on(pilot, app.query_one(JobsPanel))
        await pilot.press("z")
        await pilot.pause()
        assert app.zoomed == "jobs" and not app.query_one("#results-slot").display
        assert app.query_one(JobsPanel).has_focus
        await wait_until(lambda: saved_ui().zoomed == "jobs", pilot=pilot)
    again = app_on(tmp_path, server)
    async with again.run_test(size=(80, 24)) as pilot:
        await wait_until(lambda: again.ready, pilot=pilot)
        assert again.zoomed == "jobs" and not again.query_one("#results-slot").display
        await pilot.press("ctrl+n")  # the composer is hidden by the zoom: the zoom gives way
        assert again.zoomed is None and again.query_one("#query").has_focus


# -- a search finishing in the background ------------------------------------------------------------

async def test_a_search_finishing_in_the_background_says_so_and_ctrl_o_opens_it(tmp_path, server):
    app = build_app(tmp_path, server=server)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        first = await finished(pilot, VP_QUERY)
        await opened(pilot, first)
        second = await finished(pilot, "data scientists in Boston", "60")
        notice = await wait_until(lambda: next((n for n in app.notices if n.startswith("Done:")), None),
                                  pilot=pilot, what="completion toast")
        assert "data scientists in Boston" in notice and "60 results" in notice and "^g" in notice
        browser = app.query_one(ResultsBrowser)
        assert browser.job.job_id == first.job_id  # what the user was reading stays open
        await wait_until(lambda: "Open finished" in footer_line(app), pilot=pilot)
        await pilot.press("ctrl+g")
        await wait_until(lambda: browser.job.job_id == second.job_id, pilot=pilot, what="opened by ctrl+g")
        assert "Open finished" not in footer_line(app)


async def test_enter_on_a_running_search_opens_its_results_when_it_completes(tmp_path):
    slow = SandboxServer(SandboxConfig(speed=40.0, requests_per_minute=0)).start()
    app = build_app(tmp_path, server=slow)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        first = await finished(pilot, "CTOs in Paris", "20")
        await opened_any(pilot, first)
        await submit_query(pilot, "data scientists in Boston", "30")
        running = await wait_until(lambda: next((j for j in jobs_of(app) if j.job_id != first.job_id
                                                 and j.status in ("starting", "running")), None), pilot=pilot)
        panel = app.query_one(JobsPanel)
        await focus_on(pilot, panel)
        panel.move_cursor(panel.job_ids.index(running.job_id))
        await pilot.press("enter")
        await wait_until(lambda: any("open when it completes" in n for n in app.notices), pilot=pilot)
        browser = app.query_one(ResultsBrowser)
        await wait_until(lambda: browser.job.job_id == running.job_id, pilot=pilot, timeout=60,
                         what="the promised results opened")
    slow.stop()


async def opened_any(pilot, job: JobRecord) -> None:
    pilot.app.open_job(job.job_id)
    browser = pilot.app.query_one(ResultsBrowser)
    await wait_until(lambda: browser.job is not None and browser.job.job_id == job.job_id and len(browser.store),
                     pilot=pilot)


# -- x and its undo ---------------------------------------------------------------------------------

async def test_x_offers_an_undo_and_ctrl_z_brings_the_job_back_under_the_cursor(tmp_path, server):
    app = build_app(tmp_path, server=server)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        kept = await finished(pilot, "CTOs in Paris", "20")
        removed = await finished(pilot, "data scientists in Boston", "20")
        panel = app.query_one(JobsPanel)
        await focus_on(pilot, panel)
        panel.move_cursor(panel.job_ids.index(removed.job_id))
        await pilot.press("x")
        await wait_until(lambda: removed.job_id not in panel.job_ids, pilot=pilot)
        notice = next(n for n in app.notices if n.startswith("Removed"))
        assert "data scientists in Boston" in notice and "^z" in notice
        assert panel.current_job_id == kept.job_id
        assert "Undo remove" in footer_line(app)
        await pilot.press("ctrl+z")
        await wait_until(lambda: removed.job_id in panel.job_ids and panel.current_job_id == removed.job_id,
                         pilot=pilot, what="brought back under the cursor")
        assert any(n == "Brought back" for n in app.notices)
        await wait_until(lambda: "Undo remove" not in footer_line(app), pilot=pilot)
    workspace = open_workspace(tmp_path)
    assert removed.job_id in [job.job_id for job in workspace.recent_jobs("sandbox")]


async def test_removing_the_open_search_closes_it_and_the_undo_opens_it_again(tmp_path, server):
    app = build_app(tmp_path, server=server)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        removed = await finished(pilot, "data scientists in Boston", "20")
        await opened_any(pilot, removed)
        browser = app.query_one(ResultsBrowser)
        assert "data scientists in Boston" in browser.title_text
        panel = app.query_one(JobsPanel)
        await focus_on(pilot, panel)
        panel.move_cursor(panel.job_ids.index(removed.job_id))
        await pilot.press("x")
        await wait_until(lambda: browser.job is None, pilot=pilot, what="the removed search closed")
        assert browser.title_text.startswith("No search open") and len(browser.store) == 0
        assert app.opened_job_id is None
        await pilot.press("ctrl+z")
        await wait_until(lambda: browser.job is not None and browser.job.job_id == removed.job_id
                         and len(browser.store) == 20, pilot=pilot, what="opened again")


# -- toasts -----------------------------------------------------------------------------------------

def toast_lines(app) -> set[int]:
    lines: set[int] = set()
    for toast in app.screen.query("Toast"):  # Textual's toast widget, by its type name
        region = toast.region
        lines.update(range(region.y, region.y + region.height))
    return lines


async def test_toasts_move_off_the_cursor_row(tmp_path, server):
    app = build_app(tmp_path, server=server)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        browser = await vp_search_open(pilot)
        table = browser.table
        await focus_on(pilot, table)
        for rows in (0, 11):  # the top row, then the last one on screen
            table.move_cursor(rows)
            await pilot.pause()
            cursor_line = table.content_region.y + 1 + table.cursor_row - round(table.scroll_y)
            app.say(f"A message while the cursor is on row {rows}")
            await wait_until(lambda: toast_lines(app), pilot=pilot, what="toast shown")
            await pilot.pause()
            assert cursor_line not in toast_lines(app), (rows, cursor_line, toast_lines(app))
            app.clear_notifications()
            await pilot.pause()


async def test_long_messages_keep_their_details_behind_f9(tmp_path, server):
    app = build_app(tmp_path, server=server)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        app.say("Settings saved", details="The download folder applies now; a new API key on the next start.")
        await wait_until(lambda: toast_lines(app), pilot=pilot)
        await pilot.pause()
        assert all(toast.region.height == 3 for toast in app.screen.query("Toast"))  # one line of text
        await pilot.press("f9")
        await wait_until(lambda: type(app.screen).__name__ == "ErrorScreen", pilot=pilot)
        text = app.screen.query_one("TextArea").text
        assert "Settings saved" in text and "a new API key on the next start" in text


async def test_a_message_longer_than_the_toast_is_cut_to_one_line_and_kept_whole_for_f9(tmp_path, server):
    app = build_app(tmp_path, server=server)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        long = ("Copied 3 rows as TSV to the terminal's clipboard (OSC 52; needs a terminal that supports it) "
                "— no system clipboard found")
        app.say(long)
        await wait_until(lambda: toast_lines(app), pilot=pilot)
        await pilot.pause()
        assert all(toast.region.height == 3 for toast in app.screen.query("Toast"))  # one line of text
        await pilot.press("f9")
        await wait_until(lambda: type(app.screen).__name__ == "ErrorScreen", pilot=pilot)
        assert long in app.screen.query_one("TextArea").text


# -- older jobs -------------------------------------------------------------------------------------

async def test_m_in_the_jobs_loads_the_older_jobs(tmp_path, server):
    workspace = open_workspace(tmp_path)
    base = time.time() - 10_000
    workspace.save_jobs([
        JobRecord(query=f"old search {n}", status="completed", backend="sandbox", mode="people", search_id=f"s{n}",
                  total_results=n, created_at=base + n, started_at=base + n, finished_at=base + n + 1)
        for n in range(205)
    ])
    workspace.close()
    app = build_app(tmp_path, server=server)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        panel = app.query_one(JobsPanel)
        assert panel.row_count == 200
        await focus_on(pilot, panel)
        assert "Older jobs" in footer_line(app)
        await pilot.press("m")
        await wait_until(lambda: panel.row_count == 205, pilot=pilot, what="older jobs shown")
        assert panel.cell_text(panel.job_ids[0], "query") == "old search 0"
        assert panel.current_job_id == panel.job_ids[4]  # the newest of the older ones
        assert any(n.startswith("5 older jobs loaded") for n in app.notices)
        # Fewer than a page came: nothing is older, so m leaves the footer and does nothing.
        await wait_until(lambda: "Older jobs" not in footer_line(app), pilot=pilot)
        await pilot.press("m")
        await pilot.pause()
        assert panel.row_count == 205 and "No older jobs" not in app.notices


async def test_the_palette_tells_two_runs_of_the_same_query_apart(tmp_path, server):
    workspace = open_workspace(tmp_path)
    base = time.time() - 7_200
    workspace.save_jobs([
        JobRecord(query="CTOs in Paris", status="completed", backend="sandbox", mode="people", search_id=f"s{n}",
                  total_results=10, created_at=base + 3_600 * n, started_at=base + 3_600 * n,
                  finished_at=base + 3_600 * n + 30)
        for n in range(2)
    ])
    workspace.close()
    app = build_app(tmp_path, server=server)
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        await pilot.press("ctrl+p")
        await wait_until(lambda: type(app.screen).__name__ == "CommandPalette", pilot=pilot)
        await pilot.press(*"refine this search")
        shown = await wait_until(lambda: screen_text(app).count("Refine this search: CTOs in Paris (run ") == 2
                                 and screen_text(app), pilot=pilot)
        lines = [line for line in shown.splitlines() if "Refine this search: CTOs in Paris (run " in line]
        assert len(set(lines)) == 2


async def test_with_fewer_jobs_than_a_page_the_jobs_panel_offers_no_older_ones(tmp_path, server):
    app = build_app(tmp_path, server=server)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        await finished(pilot, "CTOs in Paris", "20")
        panel = app.query_one(JobsPanel)
        await focus_on(pilot, panel)
        assert not panel.has_older and "Older jobs" not in footer_line(app)


# -- remembered between runs, keymap ----------------------------------------------------------------

async def test_columns_max_results_theme_and_the_open_search_are_remembered(tmp_path, server):
    app = app_on(tmp_path, server)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        job = await finished(pilot, VP_QUERY, "120")
        browser = await opened(pilot, job)
        await focus_on(pilot, browser.table)
        await pilot.press("l", "L")  # the title column one place to the right
        moved = browser.table.visible_columns
        assert moved[1:3] == ["seniority", "title"]
        app.theme = "nord"
        await wait_until(lambda: saved_ui().columns.get("people") == moved and saved_ui().last_max_results == 120
                         and saved_ui().last_job_id == job.job_id and load_file_settings().theme == "nord",
                         pilot=pilot, what="choices saved")
    again = app_on(tmp_path, server)
    async with again.run_test(size=(140, 40)) as pilot:
        await wait_until(lambda: again.ready, pilot=pilot)
        assert again.theme == "nord"
        assert again.query_one("#max-results").value == "120"
        browser = again.query_one(ResultsBrowser)
        await wait_until(lambda: browser.job is not None and len(browser.store) >= 100, pilot=pilot,
                         what="the last search open again")
        assert browser.job.job_id == job.job_id and browser.table.visible_columns == moved


async def test_saving_the_layout_never_writes_a_key_from_the_environment(tmp_path, server, monkeypatch):
    monkeypatch.setenv("SIXTYFOUR_API_KEY", "sk-from-the-environment-123456")
    app = app_on(tmp_path, server)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        await focus_on(pilot, app.query_one(JobsPanel))
        await pilot.press("z")
        await wait_until(lambda: saved_ui().zoomed == "jobs", pilot=pilot)
    assert "sk-from-the-environment" not in locations.config_file().read_text()


async def test_a_keymap_in_the_config_file_remaps_keys_and_unknown_ids_are_reported(tmp_path, server):
    save_settings(Settings(keymap={"app.zoom": "ctrl+g", "jobs.older": "o", "no.such_binding": "ctrl+b"}))
    app = app_on(tmp_path, server)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        await wait_until(lambda: any("1 unknown binding id" in n for n in app.notices), pilot=pilot)
        panel = app.query_one(JobsPanel)
        await focus_on(pilot, panel)
        await pilot.press("z")  # no longer the zoom key
        assert app.zoomed is None
        await pilot.press("ctrl+g")
        assert app.zoomed == "jobs"
        panel.has_older = True  # as with a full first page: the key is live, and asks the workspace
        await wait_until(lambda: "^g Zoom" in footer_line(app) and "o Older jobs" in footer_line(app), pilot=pilot)
        await pilot.press("f1")
        await wait_until(lambda: type(app.screen).__name__ == "HelpScreen", pilot=pilot)
        rows = {row for _, section in app.screen.sections for row in section}
        assert ("o", "Older jobs", "jobs.older") in rows and ("ctrl+g", "Zoom", "app.zoom") in rows
        assert "jobs.older" in screen_text(app)  # the focused panel's keys come first, ids beside them
        await pilot.press("escape")
        await wait_until(lambda: app.screen is app.main_screen, pilot=pilot)
        await pilot.press("o")
        await wait_until(lambda: "No older jobs" in app.notices, pilot=pilot)


# -- the composer -----------------------------------------------------------------------------------

async def test_ctrl_l_clears_the_box_and_history_replaces_what_is_there(tmp_path, server):
    app = build_app(tmp_path, server=server)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        await submit_query(pilot, "Heads of Growth at Series A startups", "42")
        await wait_until(lambda: jobs_of(app), pilot=pilot)
        box = app.query_one("#query")
        await focus_on(pilot, box)
        await pilot.press(*"half typed")
        await pilot.press("ctrl+r")
        await wait_until(lambda: type(app.screen).__name__ == "HistoryScreen", pilot=pilot)
        await pilot.press("enter")
        await wait_until(lambda: type(app.screen).__name__ != "HistoryScreen", pilot=pilot)
        assert box.text == "Heads of Growth at Series A startups"
        await pilot.press("ctrl+l")
        assert box.text == ""
        await pilot.press("ctrl+z")  # the text area's own undo brings it back
        assert box.text == "Heads of Growth at Series A startups"


# -- rows the engine stores after the results opened -------------------------------------------------

async def test_rows_stored_after_the_results_opened_are_read_back_not_lost(tmp_path):
    """The engine keeps a finished search's rows while the browser shows its first page: the rows it
    stored meanwhile come from the workspace (no API client here: a request would fail)."""
    from textual.app import App, ComposeResult

    class Host(App):
        def compose(self) -> ComposeResult:
            yield ResultsBrowser()

    workspace = open_workspace(tmp_path)
    job = JobRecord(query="engineers", status="completed", backend="sandbox", mode="people", search_id="s-1",
                    max_results=150, total_results=150, created_at=time.time())
    rows = [{"fullName": f"Person {n}", "title": "Engineer"} for n in range(150)]
    workspace.store_rows(job, 0, rows[:100])
    async with Host().run_test(size=(100, 30)) as pilot:
        browser = pilot.app.query_one(ResultsBrowser)
        browser.show_job(job, None, workspace)
        await wait_until(lambda: len(browser.store) == 100 and not browser.is_loading, pilot=pilot)
        workspace.store_rows(job, 100, rows[100:], complete=True)  # the engine, meanwhile
        await browser.source.open()
        browser.table.focus()
        await pilot.press("m")
        await wait_until(lambda: len(browser.store) == 150, pilot=pilot, what="the stored rest read back")
        assert browser.store.raw(149)["fullName"] == "Person 149" and "All 150 results" in browser.title_text
        await pilot.press("s")  # every row is loaded: the sort covers the whole result, and says nothing more
        assert browser.status_text == "Sorted by Full name ▲"
    workspace.close()


# -- every key has an id, the README lists them, every app action is in the palette ------------------

def test_every_binding_has_an_id_and_the_readme_lists_each_one():
    from pathlib import Path

    from sixtyfour_tui.ui.keymap import _owners, bindings, readme_table

    for _, owner in _owners():
        for binding in owner.__dict__.get("BINDINGS", ()):
            assert binding.id, (owner.__name__, binding.key)
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    missing = [info.binding_id for info in bindings() if f"`{info.binding_id}`" not in readme]
    assert not missing, f"README's key binding table lacks {missing}"
    assert readme_table() in readme, "README's key table is stale: python -m sixtyfour_tui.ui.keymap prints it"


async def test_every_app_action_has_a_plain_name_in_the_palette(tmp_path, server):
    from sixtyfour_tui.ui.commands import SixtyfourCommands

    app = build_app(tmp_path, server=server)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        commands = SixtyfourCommands(app.screen)._commands()
        targets = {getattr(callback, "func", callback).__name__ for _, callback, _ in commands}
        for binding in type(app).BINDINGS:
            assert f"action_{binding.action}" in targets, binding.action
        await pilot.press("ctrl+p")
        await wait_until(lambda: type(app.screen).__name__ == "CommandPalette", pilot=pilot)
        await pilot.press(*"zoom the")
        await wait_until(lambda: "Zoom the results" in screen_text(app) and "Zoom the jobs" in screen_text(app),
                         pilot=pilot, what="palette hits")
