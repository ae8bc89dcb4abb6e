"""ResultsBrowser through the Pilot, paging a real search on a sandbox over loopback."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from textual.app import App, ComposeResult
from textual.widgets import SelectionList, TextArea

from sixtyfour_tui.api.client import SixtyfourClient
from sixtyfour_tui.api.pager import row_identity
from sixtyfour_tui.jobs.records import JobRecord
from sixtyfour_tui.ui.messages import PageLoaded, ResultsFailed, RowsCopied
from sixtyfour_tui.ui.screens.columns import ColumnsScreen
from sixtyfour_tui.ui.screens.detail import DetailScreen
from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser, results_summary
from tests.terminal import RecordsNotices
from tests.waiting import wait_until

QUERY = "software engineers in Berlin"
SIZE = (120, 30)


class BrowserApp(RecordsNotices, App):
    """Captures what would leave the app: clipboard text, opened URLs, typed messages."""

    def __init__(self) -> None:
        super().__init__()
        self.copied: list[str] = []
        self.system_copied: list[str] = []
        self.opened: list[str] = []
        self.events: list[object] = []

    def compose(self) -> ComposeResult:
        yield ResultsBrowser(system_copy=self.system_copied.append)

    def copy_to_clipboard(self, text: str) -> None:
        self.copied.append(text)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        self.opened.append(url)

    def on_page_loaded(self, message: PageLoaded) -> None:
        self.events.append(message)

    def on_results_failed(self, message: ResultsFailed) -> None:
        self.events.append(message)

    def on_rows_copied(self, message: RowsCopied) -> None:
        self.events.append(message)

    @property
    def browser(self) -> ResultsBrowser:
        return self.query_one(ResultsBrowser)


async def finished_job(client: SixtyfourClient, max_results: int) -> JobRecord:
    task = await client.start_deep_search(QUERY, mode="people", max_results=max_results)
    deadline = time.monotonic() + 30
    while not (status := await client.task_status(task.task_id)).is_completed:
        assert time.monotonic() < deadline and not status.is_failed
        await asyncio.sleep(0.01)
    return JobRecord(query=QUERY, mode="people", max_results=max_results, search_id=status.search_id,
                     status="completed", total_results=status.total_results)


def settled(browser: ResultsBrowser, rows: int):
    return lambda: len(browser.store) >= rows and not browser.is_loading


@pytest.fixture
async def client(fast_sandbox):
    async with SixtyfourClient(fast_sandbox.api_key, fast_sandbox.base_url) as client:
        yield client


@pytest.fixture
def workspace(tmp_path):
    from tests.engines import open_workspace

    store = open_workspace(tmp_path)
    yield store
    store.close()


@pytest.fixture
async def job(client):
    return await finished_job(client, max_results=450)


def ids(browser: ResultsBrowser) -> list[str | None]:
    return [row_identity(browser.store.raw(i)) for i in range(len(browser.store))]


async def test_first_page_loads_with_an_honest_title_and_default_columns(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = app.browser
        browser.show_job(job, client, workspace)
        await wait_until(pilot=pilot, condition=settled(browser, 100))
        assert len(browser.store) == 100
        expected = browser.expected_total
        assert expected == min(450, browser.source.total_available)
        assert f"Showing 100 of {expected:,} · more available" in browser.title_text
        assert QUERY in browser.title_text
        assert browser.table.visible_columns[:3] == ["fullName", "title", "seniority"]
        assert "currentCompanies" in browser.table.visible_columns
        assert "headline" not in browser.table.visible_columns
        await wait_until(pilot=pilot, condition=lambda: any(isinstance(e, PageLoaded) for e in app.events))
        assert [(e.job_id, e.loaded, e.expected_total) for e in app.events if isinstance(e, PageLoaded)] == [
            (job.job_id, 100, expected)
        ]


async def test_near_end_m_and_shift_m_load_more_without_duplicates(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = app.browser
        browser.show_job(job, client, workspace)
        await wait_until(pilot=pilot, condition=settled(browser, 100))
        browser.table.focus()
        await pilot.press("end")  # the cursor reaches the last loaded row: the table asks for more
        await wait_until(pilot=pilot, condition=settled(browser, 200))
        await pilot.press("m")
        await wait_until(pilot=pilot, condition=settled(browser, 300))
        assert len(browser.store) == 300
        await pilot.press("M")
        await wait_until(pilot=pilot, condition=lambda: not browser.has_more and not browser.is_loading)
        total = len(browser.store)
        assert len(browser.store) == total == browser.expected_total
        loaded_ids = ids(browser)
        assert len(set(loaded_ids)) == len(loaded_ids) == total
        assert browser.title_text.endswith(f"All {total:,} results")
        await pilot.press("m")  # nothing left: no request, no change
        await pilot.pause()
        assert len(browser.store) == total


async def test_filter_narrows_loaded_rows_and_escape_restores(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = app.browser
        browser.show_job(job, client, workspace)
        await wait_until(pilot=pilot, condition=settled(browser, 100))
        name = browser.store.cell_text(7, "fullName")
        await pilot.press("slash")
        await wait_until(pilot=pilot, condition=lambda: browser.filter_input.has_focus)
        await pilot.press(*("space" if char == " " else char for char in name))
        await wait_until(pilot=pilot, condition=lambda: browser.store.filter_text == name.casefold())
        matches = browser.store.view_len
        assert 1 <= matches < 100
        assert f"· filtered: {matches} of 100 loaded" in browser.title_text
        assert browser.store.cell_text(browser.table.current_row_index(), "fullName") == name
        await pilot.press("escape")
        await wait_until(pilot=pilot, condition=lambda: not browser.is_loading)
        assert browser.store.filter_text == "" and browser.store.view_len == len(browser.store) >= 100
        assert "filtered" not in browser.title_text
        assert not browser.filter_input.display
        assert browser.table.has_focus


async def test_sort_cycles_and_says_it_covers_loaded_rows_only(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = app.browser
        browser.show_job(job, client, workspace)
        await wait_until(pilot=pilot, condition=settled(browser, 100))
        await pilot.press("right")  # cell cursor to the `title` column
        assert browser.table.current_column() == "title"
        await pilot.press("s")
        assert browser.status_text == "Sorted by title ▲ (loaded rows only)"
        titles = [browser.store.cell_text(browser.store.view_row(p), "title").casefold() for p in range(100)]
        assert titles == sorted(titles)
        await pilot.press("s")
        assert browser.status_text == "Sorted by title ▼ (loaded rows only)"
        await pilot.press("s")
        assert browser.store.sort_column is None and browser.status_text == ""


async def test_y_copies_the_cursor_row_as_tsv_and_space_selects_rows(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = app.browser
        browser.show_job(job, client, workspace)
        await wait_until(pilot=pilot, condition=settled(browser, 100))
        store = browser.store
        await pilot.press("down", "y")
        await wait_until(pilot=pilot, condition=lambda: app.copied)
        header, row, *rest = app.copied[-1].splitlines()
        assert header.split("\t") == browser.table.visible_columns
        assert row.split("\t")[0] == store.cell_text(1, "fullName") and rest == []
        assert app.system_copied == app.copied

        await pilot.press("space", "down", "space", "y")  # space marks a row and moves down
        await wait_until(pilot=pilot, condition=lambda: len(app.copied) == 2)
        lines = app.copied[-1].splitlines()
        assert [line.split("\t")[0] for line in lines[1:]] == [store.cell_text(1, "fullName"),
                                                                 store.cell_text(3, "fullName")]
        assert "2 selected" in browser.status_text
        await wait_until(pilot=pilot, condition=lambda: sum(isinstance(e, RowsCopied) for e in app.events) == 2)
        assert [(e.fmt, e.count) for e in app.events if isinstance(e, RowsCopied)] == [("tsv", 1), ("tsv", 2)]

        await browser.copy_rows("json")
        assert json.loads(app.copied[-1]) == [store.raw(1), store.raw(3)]
        await browser.copy_rows("markdown")
        assert app.copied[-1].startswith("| fullName | title |")
        await browser.copy_rows("csv")
        assert app.copied[-1].splitlines()[0].startswith("fullName,title,")


async def test_c_copies_the_current_cell(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = app.browser
        browser.show_job(job, client, workspace)
        await wait_until(pilot=pilot, condition=settled(browser, 100))
        await pilot.press("right", "c")
        await wait_until(pilot=pilot, condition=lambda: app.copied)
        assert app.copied == [browser.store.cell_text(0, "title")]


async def test_enter_opens_the_whole_record_and_o_opens_its_linkedin_url(client, workspace, job, monkeypatch):
    monkeypatch.setattr("sixtyfour_tui.ui.links.browser_available", lambda: True)
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = app.browser
        browser.show_job(job, client, workspace)
        await wait_until(pilot=pilot, condition=settled(browser, 100))
        record = browser.store.raw(0)
        await pilot.press("o")
        await wait_until(pilot=pilot, condition=lambda: app.opened)
        assert app.opened == [record["linkedinUrl"]]

        await pilot.press("enter")
        await wait_until(pilot=pilot, condition=lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        assert str(screen.query_one("#detail-title").content) == record["fullName"]
        assert json.loads(screen.query_one(TextArea).text) == record
        await pilot.press("y")
        await wait_until(pilot=pilot, condition=lambda: app.copied)
        assert json.loads(app.copied[-1]) == record
        await pilot.press("escape")
        await wait_until(pilot=pilot, condition=lambda: not isinstance(app.screen, DetailScreen))

        await pilot.press("d")
        await wait_until(pilot=pilot, condition=lambda: isinstance(app.screen, DetailScreen))


async def test_column_chooser_shows_any_flattened_column(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = app.browser
        browser.show_job(job, client, workspace)
        await wait_until(pilot=pilot, condition=settled(browser, 100))
        await pilot.press("C")
        await wait_until(pilot=pilot, condition=lambda: isinstance(app.screen, ColumnsScreen))
        choices = app.screen.query_one(SelectionList)
        choices.select("headline")
        choices.deselect("email")
        await pilot.press("a")
        await wait_until(pilot=pilot, condition=lambda: not isinstance(app.screen, ColumnsScreen))
        columns = browser.table.visible_columns
        assert columns[-1] == "headline" and "email" not in columns


async def test_a_paging_error_is_shown_and_the_app_keeps_running(client, workspace):
    app = BrowserApp()
    job = JobRecord(query="[bold]boom[/] [@click=app.quit]", mode="people", search_id="no-such-search",
                    max_results=100, status="completed")
    async with app.run_test(size=SIZE) as pilot:
        browser = app.browser
        browser.show_job(job, client, workspace)
        await wait_until(lambda: any(isinstance(e, ResultsFailed) for e in app.events) and not browser.is_loading,
                         pilot=pilot)
        assert "Could not load more results" in browser.status_text
        assert "not found" in browser.status_text
        assert browser.query_one("#results-status").has_class("-error")
        assert "[bold]boom[/] [@click=app.quit]" in browser.title_text
        assert app.is_running


async def test_hostile_strings_render_literally(client, workspace):
    app = BrowserApp()
    hostile = {
        "publicId": "x1",
        "fullName": "[bold]x[/]",
        "title": "[@click=app.quit]",
        "seniority": "\x1b[31mred",
        "linkedinUrl": "javascript:alert(1)",
    }
    async with app.run_test(size=SIZE) as pilot:
        browser = app.browser
        browser.store.append([hostile])
        browser.table.visible_columns = ["fullName", "title", "seniority"]
        browser.table.refresh_rows()
        await pilot.pause()
        line = browser.table.render_line(1).text
        assert "[bold]x[/]" in line and "[@click=app.quit]" in line
        assert "\x1b" not in line and "red" in line

        await pilot.press("o")  # not an http(s) URL: refused
        assert app.opened == []

        await pilot.press("enter")
        await wait_until(pilot=pilot, condition=lambda: isinstance(app.screen, DetailScreen))
        assert str(app.screen.query_one("#detail-title").content) == "[bold]x[/]"
        text = app.screen.query_one(TextArea).text
        assert "\x1b" not in text and "\\u001b[31mred" in text
        assert json.loads(text) == hostile
        assert app.is_running


def test_summary_wording_is_honest():
    def summary(**kw):
        base = dict(started=True, loaded=300, expected_total=500, total_available=500, has_more=True)
        return results_summary(**{**base, **kw})

    assert summary() == "Showing 300 of 500 · more available"
    assert summary(has_more=False, loaded=500) == "All 500 results"
    assert summary(has_more=False, loaded=0) == "No results"
    assert summary(expected_total=50_000, total_available=50_000) == "Showing 300 of 50,000+ available"
    assert summary(expected_total=None, total_available=None) == "Showing 300 · more available"
    assert summary(started=False) == "Loading results…"


async def test_o_without_a_browser_copies_the_link_and_says_so(client, workspace, job, monkeypatch):
    monkeypatch.setattr("sixtyfour_tui.ui.links.browser_available", lambda: False)
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = app.browser
        browser.show_job(job, client, workspace)
        await wait_until(pilot=pilot, condition=settled(browser, 100))
        record = browser.store.raw(0)
        await pilot.press("o")
        await wait_until(pilot=pilot, condition=lambda: app.copied)
        assert app.copied == [record["linkedinUrl"]] and app.opened == []
        assert any("No web browser found" in n for n in app.notices)


def test_only_a_browser_beside_the_terminal_counts(monkeypatch):
    import webbrowser

    from sixtyfour_tui.ui.links import browser_available

    monkeypatch.setattr(webbrowser, "get", lambda: webbrowser.GenericBrowser("lynx"))
    assert browser_available() is False  # a text browser would take over this terminal
    monkeypatch.setattr(webbrowser, "get", lambda: webbrowser.BackgroundBrowser("firefox"))
    assert browser_available() is True

    def none():
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "get", none)
    assert browser_available() is False
