"""ResultsBrowser through the Pilot, paging a real search on a sandbox over loopback."""

from __future__ import annotations

import json

import pytest
from textual.app import App, ComposeResult
from textual.widgets import SelectionList, TextArea

from sixtyfour_tui.api.client import SixtyfourClient
from sixtyfour_tui.api.pager import row_identity
from sixtyfour_tui.jobs.records import JobRecord
from sixtyfour_tui.table.labels import header_labels
from sixtyfour_tui.ui.messages import PageLoaded, ResultsFailed, RowsCopied
from sixtyfour_tui.ui.screens.columns import ColumnsScreen
from sixtyfour_tui.ui.screens.detail import DetailScreen
from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser, results_summary
from sixtyfour_tui.ui.widgets.results_table import ResultsTable
from tests.engines import finished_on_server
from tests.terminal import RecordsNotices
from tests.waiting import focus_on, wait_until

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

    async def show_settled(self, pilot, job, client, workspace, rows: int = 100) -> ResultsBrowser:
        """Open `job` in the browser and wait until its first `rows` rows are in."""
        browser = self.browser
        browser.show_job(job, client, workspace)
        await wait_until(pilot=pilot, condition=settled(browser, rows))
        return browser


def some_word(texts: list[str], fewest: int, most: int, avoid: str = "") -> str:
    """A lower-case word (letters only) found in at least `fewest` and at most `most` of `texts`
    and nowhere in `avoid`, so a test can find or mark by it whatever the data set's names are."""
    from collections import Counter

    words = Counter(word for text in texts for word in set(text.lower().split()) if word.isalpha() and len(word) > 3)
    lowered = [text.lower() for text in texts]
    for word, _ in sorted(words.items(), key=lambda item: (-item[1], item[0])):
        holding = sum(word in text for text in lowered)  # as find and patterns match: anywhere in the text
        if fewest <= holding <= most and word not in avoid.lower():
            return word
    raise AssertionError(f"no word in {fewest}..{most} of the texts")


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
    return await finished_on_server(client, QUERY, 450)


def ids(browser: ResultsBrowser) -> list[str | None]:
    return [row_identity(browser.store.raw(i)) for i in range(len(browser.store))]


async def test_m_and_m_offer_more_until_every_row_is_loaded(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = await app.show_settled(pilot, job, client, workspace)
        await focus_on(pilot, browser.table)

        def offered() -> set[str]:
            return {active.binding.action for active in app.screen.active_bindings.values()}

        assert {"load_more", "load_all"} <= offered()
        await pilot.press("M")
        await wait_until(pilot=pilot, condition=lambda: len(browser.store) == 450 and not browser.has_more)
        await wait_until(pilot=pilot, condition=lambda: not {"load_more", "load_all"} & offered(),
                         what="m and M gone once all is loaded")


async def test_first_page_loads_with_an_honest_title_and_default_columns(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = await app.show_settled(pilot, job, client, workspace)
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
        browser = await app.show_settled(pilot, job, client, workspace)
        await focus_on(pilot, browser.table)
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
        assert f"All {total:,} results · {total:,} new · 0 seen" in browser.title_text
        await pilot.press("m")  # nothing left: no request, no change
        await pilot.pause()
        assert len(browser.store) == total


async def test_filter_narrows_loaded_rows_and_escape_restores(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = await app.show_settled(pilot, job, client, workspace)
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
        browser = await app.show_settled(pilot, job, client, workspace)
        await pilot.press("right")  # cell cursor to the `title` column
        assert browser.table.current_column() == "title"
        await pilot.press("s")
        assert browser.status_text == "Sorted by Title ▲ (loaded rows only)"
        titles = [browser.store.cell_text(browser.store.view_row(p), "title").casefold() for p in range(100)]
        assert titles == sorted(titles)
        await pilot.press("s")
        assert browser.status_text == "Sorted by Title ▼ (loaded rows only)"
        await pilot.press("s")
        assert browser.store.sort_column is None and browser.status_text == ""


async def test_y_copies_the_cursor_row_as_tsv_and_space_selects_rows(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = await app.show_settled(pilot, job, client, workspace)
        store = browser.store
        await pilot.press("down", "y")
        await wait_until(pilot=pilot, condition=lambda: app.copied)
        header, row, *rest = app.copied[-1].splitlines()
        assert header.split("\t") == header_labels(browser.table.visible_columns)  # as the table heads them
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
        assert app.copied[-1].startswith("| Full name | Title |")
        await browser.copy_rows("csv")
        assert app.copied[-1].splitlines()[0].startswith("Full name,Title,")


async def test_c_copies_the_current_cell(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = await app.show_settled(pilot, job, client, workspace)
        await pilot.press("right", "c")
        await wait_until(pilot=pilot, condition=lambda: app.copied)
        assert app.copied == [browser.store.cell_text(0, "title")]


async def test_enter_opens_the_whole_record_and_o_opens_its_linkedin_url(client, workspace, job, monkeypatch):
    monkeypatch.setattr("sixtyfour_tui.ui.links.browser_available", lambda: True)
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = await app.show_settled(pilot, job, client, workspace)
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
        browser = await app.show_settled(pilot, job, client, workspace)
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
        browser = await app.show_settled(pilot, job, client, workspace)
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


# -- bulk selection, find, columns, views -------------------------------------------------------

def narrowing_text(browser: ResultsBrowser, column: str) -> str:
    """A cell text that some, but not all, loaded rows contain: a filter that keeps a few."""
    store = browser.store
    for index in range(len(store)):
        text = store.cell_text(index, column).casefold()
        kept = sum(text in store.cell_text(other, column).casefold() for other in range(len(store)))
        if 1 < kept < len(store) // 2:
            return text
    raise AssertionError(f"no text in {column} keeps a few rows")


def copied_names(app: BrowserApp, browser: ResultsBrowser) -> list[str]:
    """The first cell of every copied data line (the pinned name column comes first)."""
    lines = app.copied[-1].splitlines()
    assert lines[0].split("\t")[0] == "Full name"
    return [line.split("\t")[0] for line in lines[1:]]


async def test_select_all_fetches_the_rows_not_loaded_yet_and_y_copies_all_of_them(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = await app.show_settled(pilot, job, client, workspace)
        await focus_on(pilot, browser.table)
        total = browser.expected_total
        assert total > 100
        await pilot.press("ctrl+a")
        await wait_until(pilot=pilot, condition=lambda: "Loading every row to select it" in browser.status_text
                    or browser.table.selection_count == total)
        await wait_until(lambda: browser.table.selection_count == total and not browser.is_loading, pilot=pilot)
        assert len(browser.store) == total  # all 240 of 240, not the 100 on screen
        assert browser.status_text.endswith(f"{total:,} selected")
        await pilot.press("y")
        await wait_until(pilot=pilot, condition=lambda: app.copied)
        names = copied_names(app, browser)
        assert names == [browser.store.cell_text(i, "fullName") for i in range(total)]


async def test_select_all_with_a_filter_marks_what_it_keeps_and_y_copies_every_filtered_row(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = await app.show_settled(pilot, job, client, workspace)
        text = narrowing_text(browser, "title")
        await pilot.press("slash", *("space" if char == " " else char for char in text), "enter")
        await wait_until(pilot=pilot, condition=lambda: browser.table.has_focus and browser.store.filter_text == text)
        kept = [browser.store.view_row(p) for p in range(browser.store.view_len)]
        assert 1 < len(kept) < 100
        await pilot.press("ctrl+a", "y")
        await wait_until(pilot=pilot, condition=lambda: app.copied)
        assert len(browser.store) == 100  # a filter covers loaded rows: nothing more was fetched
        assert copied_names(app, browser) == [browser.store.cell_text(i, "fullName") for i in kept]
        assert browser.status_text.endswith(f"{len(kept)} selected")
        await pilot.press("asterisk")  # invert within the filter: none of the kept rows stays marked
        assert browser.table.selection_count == 0
        await pilot.press("escape")  # clearing the filter keeps the cursor's row
        await pilot.pause()
        assert browser.table.current_row_index() == kept[0]


async def test_find_highlights_matches_and_n_moves_to_the_next(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = await app.show_settled(pilot, job, client, workspace)
        table = browser.table
        await pilot.press("right", "right")  # away from the first column: the find moves the cell cursor
        await pilot.press("ctrl+f")
        await wait_until(
            pilot=pilot, condition=lambda: browser.prompt_input.has_focus and browser.prompt_mode == "find"
        )
        shown = [column for column in table.visible_columns if column != "title"]
        elsewhere = " ".join(browser.store.cell_text(i, column) for i in range(100) for column in shown)
        word = some_word([browser.store.cell_text(i, "title") for i in range(100)], fewest=2, most=20,
                         avoid=elsewhere)
        await pilot.press(*word, "enter")
        await wait_until(pilot=pilot, condition=lambda: table.has_focus and browser.prompt_mode is None)
        matches = table.find_matches()
        assert len(matches) >= 2
        assert table.cursor_row == matches[0] and table.current_column() == "title"
        assert f"match 1 of {len(matches)}" in browser.status_text
        match_colour = table.get_component_rich_style("results-table--match").bgcolor
        top = round(table.scroll_y)
        line = list(table.render_line(matches[0] - top + 1))
        assert [s.text.lower() for s in line if s.style and s.style.bgcolor == match_colour] == [word]
        await pilot.press("n")
        await pilot.pause()
        assert table.cursor_row == matches[1]
        assert f"match 2 of {len(matches)}" in browser.status_text
        await pilot.press("N", "N")
        await pilot.pause()
        assert table.cursor_row == matches[-1] and "(wrapped)" in browser.status_text
        await pilot.press("escape")  # ends the find, leaves the filter (there is none) alone
        await pilot.pause()
        assert table.find_text == "" and "Find" not in browser.status_text


async def test_escape_closes_the_find_prompt_where_it_started_then_the_filter(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = await app.show_settled(pilot, job, client, workspace)
        await pilot.press("slash", *"vp", "enter")
        await wait_until(pilot=pilot, condition=lambda: browser.table.has_focus)
        await pilot.press("j", "j")
        start = browser.table.cursor_row
        await pilot.press("question_mark", *"engineering")
        await wait_until(pilot=pilot, condition=lambda: browser.table.find_text == "engineering")
        await pilot.press("escape")  # in the prompt: no find, the cursor back where it was
        await wait_until(pilot=pilot, condition=lambda: browser.table.has_focus)
        assert browser.table.find_text == "" and browser.table.cursor_row == start
        assert browser.store.filter_text == "vp"
        await pilot.press("escape")
        await pilot.pause()
        assert browser.store.filter_text == ""


async def test_colon_jumps_to_a_column_by_part_of_its_name(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = await app.show_settled(pilot, job, client, workspace)
        await pilot.press("colon", *"locat")
        await wait_until(pilot=pilot, condition=lambda: browser.table.current_column() == "locationName")
        await pilot.press("enter")
        await wait_until(pilot=pilot, condition=lambda: browser.table.has_focus)
        await pilot.press("colon", *"jobfunc", "enter")  # the raw field name works too
        await wait_until(pilot=pilot, condition=lambda: browser.table.current_column() == "jobFunction")
        await pilot.press("colon", *"nothing-like-it", "enter")
        await wait_until(pilot=pilot, condition=lambda: browser.table.has_focus)
        assert browser.table.current_column() == "jobFunction"
        assert any("No visible column" in n for n in app.notices)


async def test_plus_and_minus_mark_and_unmark_rows_by_pattern_and_quote_shows_only_them(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = await app.show_settled(pilot, job, client, workspace)
        store = browser.store
        await pilot.press("right")  # the title column
        await pilot.press("quotation_mark")  # nothing marked: refused, with a hint
        assert not store.only_marked
        from collections import Counter

        starts = Counter(store.cell_text(i, "title").split()[0].lower() for i in range(100))
        first = next(word for word, count in starts.most_common() if 3 <= count < 60 and word.isalpha())
        await pilot.press("plus", *f"^{first} ", "enter")
        await wait_until(pilot=pilot, condition=lambda: browser.table.has_focus)
        expected = [i for i in range(100) if store.cell_text(i, "title").lower().startswith(f"{first} ")]
        assert 0 < len(expected) < 100
        assert store.marked_in_view() == expected
        word = some_word([store.cell_text(i, "title") for i in expected], fewest=1, most=len(expected) - 1)
        await pilot.press("minus", *word, "enter")
        await wait_until(pilot=pilot, condition=lambda: browser.table.has_focus)
        fewer = [i for i in expected if word not in store.cell_text(i, "title").lower()]
        assert store.marked_in_view() == fewer and 1 <= len(fewer) < len(expected)
        expected = fewer
        await pilot.press("quotation_mark")
        await pilot.pause()
        assert store.only_marked and store.view_len == len(expected)
        assert "marked only" in browser.title_text
        await pilot.press("j", "space")  # unmarking a row in this view takes it out…
        await pilot.pause()
        assert store.view_len == len(expected) - 1
        assert browser.table.cursor_row == 1 and browser.table.current_row_index() == expected[2]  # …the next moves up
        await pilot.press("quotation_mark")
        assert not store.only_marked and store.view_len == len(store)


async def test_value_filters_and_new_only_compose_with_the_text_filter_and_sort(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = await app.show_settled(pilot, job, client, workspace)
        store = browser.store
        cities = store.value_counts("locationName")
        two = [city for city, _ in cities.most_common(2)]
        browser.set_value_filter("locationName", two)
        assert {store.cell_text(i, "locationName") for i in store.view_indices()} == set(two)
        assert store.view_len == sum(cities[city] for city in two)
        assert "filtered" in browser.title_text
        browser.mark_seen(list(store.view_indices())[:3])
        browser.set_new_only(True)
        assert store.view_len == sum(cities[city] for city in two) - 3
        assert "new only" in browser.title_text
        browser.table.sort_by_column("fullName")
        names = [store.cell_text(i, "fullName").casefold() for i in store.view_indices()]
        assert names == sorted(names)
        browser.set_value_filter("locationName", None)
        browser.set_new_only(False)
        assert store.view_len == 100 and "filtered" not in browser.title_text


async def test_mark_values_for_a_facet(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = await app.show_settled(pilot, job, client, workspace)
        store = browser.store
        city = store.value_counts("locationName").most_common(1)[0][0]
        changed = browser.table.select_values("locationName", [city])
        await pilot.pause()
        assert changed == store.value_counts("locationName")[city] == browser.table.selection_count
        assert f"{changed} selected" in browser.status_text


async def test_the_tui_and_a_headless_build_write_identical_bytes_for_the_same_view(client, workspace, job, tmp_path):
    """The headless CLI will build a RowStore from stored rows, decode the saved spec and call the
    same writer: for the same view, the bytes must be the same."""
    import msgspec

    from sixtyfour_tui.api.pager import ResultPager
    from sixtyfour_tui.table.row_store import RowStore
    from sixtyfour_tui.table.view import ViewSpec
    from sixtyfour_tui.table.writers import write_view

    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = await app.show_settled(pilot, job, client, workspace)
        await pilot.press("M")
        await wait_until(pilot=pilot, condition=lambda: not browser.has_more and not browser.is_loading)
        table = browser.table
        await pilot.press("slash", *"engineer", "enter")  # text filter
        await wait_until(pilot=pilot, condition=lambda: table.has_focus)
        browser.set_value_filter("seniority", ["VP", "Director", "Head"])  # a facet
        await pilot.press("right", "right", "s")  # sort by seniority…
        await pilot.press("left", "S", "S")  # …then by title, descending
        await pilot.press("right", "right", "L")  # move a column
        table.toggle_column("email")  # hide one
        await pilot.press("g", "space", "space", "j", "space", "ctrl+a", "space")  # mark, mark all, unmark one
        marked = [browser.store.identity(i) for i in browser.store.marked_in_view()]
        await pilot.press("quotation_mark")  # only the marked rows
        spec = browser.view_spec()
        assert spec.sort and spec.value_filters and spec.text_filter and spec.only_marked
        assert "email" not in spec.columns and spec.columns[0] == "fullName"
        tui_file = tmp_path / "tui.csv"
        written = write_view(browser.store, spec, tui_file, "excel-csv")
        assert written.rows == browser.store.view_len == len(marked) > 5

    saved = msgspec.json.encode(spec)  # what the TUI would save or hand to the CLI
    pager = ResultPager(client, mode=job.mode, search_id=job.search_id, max_results=job.max_results)
    rows = []
    while pager.has_more:
        rows.extend(await pager.next_page())
    headless = RowStore(rows)
    headless.mark(headless.indices_of(set(marked)))
    cli_file = tmp_path / "cli.csv"
    write_view(headless, msgspec.json.decode(saved, type=ViewSpec), cli_file, "excel-csv")
    assert cli_file.read_bytes() == tui_file.read_bytes()
    header = tui_file.read_bytes().decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Full name,") and "Email" not in header


async def test_palette_commands_run_the_results_actions(client, workspace, job):
    from sixtyfour_tui.ui.commands import RESULTS_COMMANDS, run_results_action

    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        browser = await app.show_settled(pilot, job, client, workspace)
        browser.set_value_filter("seniority", ["VP"])
        await run_results_action(app, "browser", "select_all")
        assert browser.table.selection_count == browser.store.view_len > 0
        await run_results_action(app, "table", "clear_selection")
        assert browser.table.selection_count == 0
        await run_results_action(app, "browser", "open_prompt('find')")
        await wait_until(pilot=pilot, condition=lambda: browser.prompt_mode == "find")
    for name, target, action, _ in RESULTS_COMMANDS:
        owner = ResultsBrowser if target == "browser" else ResultsTable
        assert hasattr(owner, "action_" + action.split("(")[0]), name


def test_every_results_key_has_a_binding_id_and_a_line_in_f1_help():
    from sixtyfour_tui.ui.screens.help_screen import binding_rows

    bindings = [*ResultsTable.BINDINGS, *ResultsBrowser.BINDINGS]
    assert all(binding.id and binding.id.startswith("results.") for binding in bindings)
    assert len({binding.id for binding in bindings}) == len(bindings)
    described = {description for _, description in binding_rows(bindings)}
    for description in (
        "Select all",
        "Clear selection",
        "Invert selection",
        "Mark matching",
        "Unmark matching",
        "Find",
        "Next match",
        "Previous match",
        "Jump to column",
        "Widen column",
        "Narrow column",
        "Move column left",
        "Move column right",
        "Pin column",
        "Add sort key",
        "Only marked rows",
    ):
        assert description in described


async def test_column_chooser_shows_labels_raw_names_and_check_marks(client, workspace, job):
    app = BrowserApp()
    async with app.run_test(size=SIZE) as pilot:
        await app.show_settled(pilot, job, client, workspace)
        await pilot.press("C")
        await wait_until(pilot=pilot, condition=lambda: isinstance(app.screen, ColumnsScreen))
        await pilot.pause()
        choices = app.screen.query_one(SelectionList)
        lines = [choices.render_line(y).text for y in range(choices.size.height)]
        assert any(line.startswith("[✓] Full name  fullName") for line in lines)
        assert any(line.startswith("[ ] Headline  headline") for line in lines)
        await pilot.press("space")  # the highlighted (first) entry: unticked, and it shows
        await pilot.pause()
        assert choices.render_line(0).text.startswith("[ ] Full name")
