"""Building a list over many runs in the TUI, the real app on a real sandbox over loopback: new vs
seen, exclusion sets (picker, marked rows, manager), run diffs, facets and exporting what you see.

Expected values come from the data as stored (entity ids, cell texts), computed here with plain
sets and counters, never from the code under test."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from collections import Counter

from sixtyfour_tui.table.labels import header_labels
from sixtyfour_tui.ui.screens.diff_screen import DiffScreen, default_pair
from sixtyfour_tui.ui.screens.exclusion_sets import ExclusionManager, ExclusionPicker, SetFormScreen, SetTargetScreen
from sixtyfour_tui.ui.screens.export_screen import ExportScreen
from sixtyfour_tui.ui.screens.facets import FacetScreen, bar_text
from sixtyfour_tui.ui.widgets.composer import Composer
from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser
from tests.app_harness import build_app, screen_text, submit_query, wait_until
from tests.waiting import focus_on

SIZE = (150, 45)
QUERY = "software engineers in San Francisco"


def fresh_app(tmp_path):
    """The app on its own sandbox (the app stops its backend's server when it exits)."""
    return build_app(tmp_path, speed=2000.0)


def is_screen(app, kind) -> bool:
    return isinstance(app.screen, kind)


async def run_search(pilot, query: str, max_results: int, mode: str = "people"):
    """Submit through the composer; the completed record once its rows are all in the workspace."""
    app = pilot.app
    before = {job.job_id for job in app.engine.jobs()}
    app.query_one("#mode").value = mode
    await submit_query(pilot, query, str(max_results))
    job = await wait_until(lambda: next((j for j in app.engine.jobs() if j.job_id not in before), None),
                           pilot=pilot, what="job created")
    await wait_until(lambda: app.engine.job(job.job_id).status == "completed", pilot=pilot, what="completed")
    await wait_until(lambda: (info := app.workspace.result_info(job.job_id)) is not None and info.complete,
                     pilot=pilot, what="rows stored")
    return app.engine.job(job.job_id)


async def open_results(pilot, job) -> ResultsBrowser:
    """The search in the results browser, every stored row loaded and the seen rows marked."""
    app = pilot.app
    app.open_job(job.job_id)
    browser = app.query_one(ResultsBrowser)
    stored = app.workspace.result_info(job.job_id).stored
    await wait_until(lambda: browser.job is not None and browser.job.job_id == job.job_id
                     and len(browser.store) == stored and not browser.is_loading
                     and " new · " in browser.title_text, pilot=pilot, what="results open")
    await focus_on(pilot, browser.table)
    await pilot.pause()
    return browser


def stored_ids(app, job) -> list[str]:
    return [entity for entity in app.workspace.entity_ids(job.job_id) if entity]


def cli(app, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SIXTYFOUR_TUI_WORKSPACE": str(app.workspace_path)}
    done = subprocess.run([sys.executable, "-m", "sixtyfour_tui", *args], env=env, capture_output=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    return done


def view_ids(browser) -> list[str]:
    store = browser.store
    return [store.raw(index)["publicId"] for index in store.view_indices()]


# -- new vs seen ----------------------------------------------------------------------------------

async def test_a_later_run_marks_what_an_earlier_one_returned_and_new_only_hides_it(tmp_path):
    app = fresh_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        first = await run_search(pilot, QUERY, 30)
        second = await run_search(pilot, "engineers in San Francisco", 80)
        earlier = set(stored_ids(app, first))
        later = stored_ids(app, second)
        seen = [entity for entity in later if entity in earlier]
        assert seen and len(seen) < len(later)  # the data gives both kinds
        browser = await open_results(pilot, second)
        assert f"All {len(later)} results · {len(later) - len(seen)} new · {len(seen)} seen" in browser.title_text
        assert "◦" in screen_text(app)
        await pilot.press("apostrophe")
        assert set(view_ids(browser)) == set(later) - earlier
        assert "new only" in browser.title_text
        printed = cli(app, "rows", second.job_id, "--new-only").stdout.decode().splitlines()
        assert [json.loads(line)["publicId"] for line in printed] == view_ids(browser)
        await pilot.press("apostrophe")
        assert browser.store.view_len == len(later)


async def test_rows_the_engine_stored_while_the_first_page_was_in_flight_are_shown(fast_sandbox, tmp_path):
    """A search opened as it completes: the engine keeps its rows meanwhile, so the browser's own
    first page finds the result already whole in the workspace; the rest must still reach the table."""
    from sixtyfour_tui.api.client import SixtyfourClient
    from sixtyfour_tui.api.pager import ResultPager
    from sixtyfour_tui.workspace.store import Workspace
    from tests.engines import finished_on_server
    from tests.test_results_browser import QUERY as BROWSER_QUERY
    from tests.test_results_browser import BrowserApp

    class EngineKeepsFirst(Workspace):
        every_row: list[dict] = []

        def store_rows(self, job, start, rows, **page):
            if self.every_row:  # the engine's keep_rows wins the race, once
                everything, self.every_row = self.every_row, []
                super().store_rows(job, 0, everything, complete=True)
            return super().store_rows(job, start, rows, **page)

    workspace = EngineKeepsFirst(tmp_path / "workspace.sqlite3").open()
    async with SixtyfourClient(fast_sandbox.api_key, fast_sandbox.base_url) as client:
        job = await finished_on_server(client, BROWSER_QUERY, 150)
        pager = ResultPager(client, mode=job.mode, search_id=job.search_id, max_results=job.max_results)
        while pager.has_more:
            workspace.every_row.extend(await pager.next_page())
        assert len(workspace.every_row) == 150
        app = BrowserApp()
        async with app.run_test(size=SIZE) as pilot:
            browser = app.browser
            browser.show_job(job, client, workspace)
            await wait_until(lambda: len(browser.store) == 150 and not browser.is_loading, pilot=pilot)
            assert not browser.has_more and "All 150 results" in browser.title_text
    workspace.close()


# -- exclusions -----------------------------------------------------------------------------------

async def test_marked_rows_go_into_a_new_set_then_an_existing_one(tmp_path):
    app = fresh_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        job = await run_search(pilot, QUERY, 40)
        browser = await open_results(pilot, job)
        await pilot.press("space", "space", "space")
        first_three = [browser.store.raw(index)["publicId"] for index in range(3)]
        await pilot.press("x")
        await wait_until(lambda: is_screen(app, SetTargetScreen), pilot=pilot)
        await pilot.press(*"Contacted", "enter")
        found = await wait_until(lambda: app.workspace.find_set("Contacted", "people"), pilot=pilot)
        assert sorted(app.workspace.set_members([found.set_id])) == sorted(first_three)
        assert any("Created the exclusion set 'Contacted' with 3 people" in notice for notice in app.notices)

        await pilot.press("u", "space", "space")  # two more rows: the fourth and fifth
        more = [browser.store.raw(index)["publicId"] for index in (3, 4)]
        await pilot.press("x")
        await wait_until(lambda: is_screen(app, SetTargetScreen) and app.screen.sets, pilot=pilot)
        assert "Contacted" in screen_text(app) and "3 people" in screen_text(app)
        await pilot.press("down", "enter")  # the existing set
        await wait_until(lambda: app.workspace.find_set("Contacted", "people").size == 5, pilot=pilot)
        assert sorted(app.workspace.set_members([found.set_id])) == sorted(first_three + more)


async def test_the_composer_attaches_sets_and_everything_seen_and_the_search_leaves_them_out(tmp_path):
    app = fresh_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        first = await run_search(pilot, QUERY, 25)
        other = await run_search(pilot, "engineers in Seattle", 30)
        customers = app.workspace.create_set("Customers", "people", stored_ids(app, other)[:10])
        await focus_on(pilot, app.query_one("#query"))
        await pilot.press("f8")
        await wait_until(lambda: is_screen(app, ExclusionPicker) and app.screen.sets, pilot=pilot)
        seen_total = len(app.workspace.seen_entities("people"))
        shown = screen_text(app)
        assert "Everything seen in earlier searches" in shown and f"{seen_total} people" in shown
        assert "Customers" in shown and "10 people" in shown
        await pilot.press("space", "down", "space", "a")  # everything seen, and Customers
        await wait_until(lambda: not is_screen(app, ExclusionPicker), pilot=pilot)
        composer = app.query_one(Composer)
        assert composer.exclusions.seen and composer.exclusions.set_ids == (customers.set_id,)
        assert "Excluding: everything seen · Customers" in screen_text(app)

        third = await run_search(pilot, "engineers in the United States", 60)
        assert third.exclusions.seen and third.exclusions.set_ids == (customers.set_id,)
        left_out = set(stored_ids(app, first)) | set(stored_ids(app, other))
        assert third.exclusions.count == len(left_out)
        assert not left_out & set(stored_ids(app, third))
        assert composer.exclusions == type(composer.exclusions)()  # cleared for the next search
        browser = await open_results(pilot, third)
        assert f"excluding {len(left_out)}: everything seen · Customers" in browser.title_text


async def test_the_manager_makes_sets_from_a_file_and_a_search_renames_removes_and_deletes(tmp_path):
    app = fresh_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        job = await run_search(pilot, QUERY, 30)
        other = await run_search(pilot, "engineers in Seattle", 20)
        browser = await open_results(pilot, job)
        rows = [browser.store.raw(index) for index in range(len(browser.store))]
        contacts = tmp_path / "contacts.csv"
        with contacts.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["name", "profile"])
            for row in rows[:6]:
                writer.writerow([row["fullName"], f"https://www.linkedin.com/in/{row['publicId']}/"])
            writer.writerow(["nobody", "not a profile"])
        await pilot.press("space", "space")  # two marked rows for "remove marked" below
        await pilot.press("X")
        await wait_until(lambda: is_screen(app, ExclusionManager), pilot=pilot)
        assert "No exclusion sets yet" in screen_text(app)
        await pilot.press("n")
        await wait_until(lambda: is_screen(app, SetFormScreen), pilot=pilot)
        form = app.screen
        await wait_until(lambda: form.query_one("#form-search").prompt == "a stored search", pilot=pilot,
                         what="the stored-search choice says it has searches")
        form.query_one("#form-name").value = "Met"
        form.query_one("#form-path").value = str(contacts)
        form.query_one("#form-column").value = "profile"
        form.query_one("#form-search").value = other.job_id
        await pilot.press("ctrl+s")
        await wait_until(lambda: is_screen(app, ExclusionManager) and app.screen.sets, pilot=pilot)
        met = app.workspace.find_set("Met", "people")
        expected = {row["publicId"] for row in rows[:6]} | set(stored_ids(app, other))
        assert set(app.workspace.set_members([met.set_id])) == expected and met.size == len(expected)
        said = screen_text(app)
        assert f"with {len(expected)} people" in said and "1 lines that name no entity" in said
        assert f"{len(expected)} people" in said

        await pilot.press("minus")  # the two marked rows leave the set
        await wait_until(lambda: app.workspace.find_set("Met", "people").size == len(expected) - 2, pilot=pilot)
        assert not {row["publicId"] for row in rows[:2]} & set(app.workspace.set_members([met.set_id]))

        await pilot.press("r")
        await pilot.press(*" again", "enter")
        await wait_until(lambda: app.workspace.find_set("Met again", "people") is not None, pilot=pilot)
        await wait_until(lambda: "Met again" in screen_text(app), pilot=pilot)
        await pilot.press("d")
        await pilot.press("y")
        await wait_until(lambda: not app.workspace.exclusion_sets(), pilot=pilot)


# -- run diff -------------------------------------------------------------------------------------

async def test_a_diff_counts_as_a_set_computation_and_opens_each_part_as_an_exportable_view(tmp_path):
    app = fresh_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        last_week = await run_search(pilot, QUERY, 40)
        await run_search(pilot, "engineers in Austin", 10)  # another query in between
        this_week = await run_search(pilot, QUERY, 70)
        before, after = set(stored_ids(app, last_week)), set(stored_ids(app, this_week))
        await focus_on(pilot, app.query_one("#jobs"))
        await pilot.press("D")
        await wait_until(lambda: is_screen(app, DiffScreen) and app.screen.counts is not None, pilot=pilot)
        diff = app.screen
        assert (diff.before, diff.after) == (last_week.job_id, this_week.job_id)  # the same query's earlier run
        assert diff.counts == (len(after - before), len(before - after), len(after & before))
        assert f"{len(after - before)} new · {len(before - after)} dropped · {len(after & before)} common" \
            in screen_text(app)
        await pilot.press("n")
        browser = app.query_one(ResultsBrowser)
        await wait_until(lambda: browser.job.job_id == this_week.job_id and not browser.is_loading
                         and len(browser.store) == len(after - before), pilot=pilot)
        assert set(view_ids(browser)) == after - before
        assert browser.title_text.startswith("New vs the run of ") and f"All {len(after - before)} results" \
            in browser.title_text  # the same query on both sides: the other is named by when it ran

        await pilot.press("e")
        await wait_until(lambda: is_screen(app, ExportScreen), pilot=pilot)
        destination = tmp_path / "new-this-week.csv"
        app.screen.query_one("#destination").value = str(destination)
        app.screen.query_one("#what-view").value = True
        await wait_until(lambda: app.screen.what == "view", pilot=pilot)
        await pilot.press("ctrl+s")
        await wait_until(lambda: destination.exists(), pilot=pilot)
        with destination.open(newline="", encoding="utf-8") as handle:
            written = list(csv.reader(handle))
        assert len(written) == 1 + len(after - before)
        await pilot.press("escape")
        await wait_until(lambda: not is_screen(app, ExportScreen), pilot=pilot)

        await focus_on(pilot, app.query_one("#jobs"))
        await pilot.press("D")
        await wait_until(lambda: is_screen(app, DiffScreen) and app.screen.counts is not None, pilot=pilot)
        await pilot.press("d")
        await wait_until(lambda: browser.job.job_id == last_week.job_id and not browser.is_loading
                         and len(browser.store) == len(before - after), pilot=pilot)
        assert set(view_ids(browser)) == before - after


def test_the_default_pair_is_the_latest_earlier_run_of_the_same_query():
    from sixtyfour_tui.jobs.records import JobRecord

    def job(name: str, query: str, at: float, mode: str = "people") -> JobRecord:
        return JobRecord(job_id=name, query=query, mode=mode, status="completed", created_at=at)

    jobs = [job("a", "CTOs in Paris", 1), job("b", "ctos  in paris", 2), job("c", "CTOs in Rome", 3),
            job("d", "CTOs in Paris", 4, "company"), job("e", "CTOs in Paris", 5)]
    assert default_pair(jobs, "e") == ("b", "e")  # same words, any case and spacing; same mode
    assert default_pair(jobs, "c") == ("b", "c")  # no earlier run of it: the latest earlier search
    assert default_pair(jobs, None) == ("b", "e")
    assert default_pair(jobs, "a") == (None, "a")


# -- facets ---------------------------------------------------------------------------------------

async def test_a_facet_counts_every_stored_value_and_filters_marks_excludes_and_refines(tmp_path):
    app = fresh_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        job = await run_search(pilot, "engineers in the United States", 150)
        browser = await open_results(pilot, job)
        rows = [browser.store.raw(index) for index in range(len(browser.store))]
        expected = Counter(row["seniority"] for row in rows)
        await pilot.press("right", "right")  # Full name, Title, Seniority
        assert browser.table.current_column() == "seniority"
        await pilot.press("F")
        await wait_until(lambda: is_screen(app, FacetScreen) and app.screen.counts is not None, pilot=pilot)
        facet = app.screen
        assert dict(facet.counts.values) == dict(expected)
        assert [count for _, count in facet.counts.values] == sorted(expected.values(), reverse=True)
        shown = screen_text(app)
        assert f"{len(rows)} rows · {len(expected)} distinct values" in shown
        top, top_count = expected.most_common(1)[0]
        assert f"{100 * top_count / len(rows):.1f}%" in shown and "all 150 stored rows" in shown

        two = [value for value, _ in expected.most_common(2)]
        await pilot.press("space", "space", "f")  # the two most frequent
        await wait_until(lambda: not is_screen(app, FacetScreen), pilot=pilot)
        kept = [row for row in rows if row["seniority"] in two]
        assert browser.store.view_len == len(kept) and "filtered" in browser.title_text
        await pilot.press("escape")  # lifts the value filter
        assert browser.store.view_len == len(rows)

        await pilot.press("F")
        await wait_until(lambda: is_screen(app, FacetScreen) and app.screen.counts is not None, pilot=pilot)
        await pilot.press("m")  # nothing chosen: the highlighted (most frequent) value
        await wait_until(lambda: not is_screen(app, FacetScreen), pilot=pilot)
        assert browser.table.selection_count == top_count
        assert {rows[index]["seniority"] for index in browser.store.marked_in_view()} == {top}

        await pilot.press("F")
        await wait_until(lambda: is_screen(app, FacetScreen) and app.screen.counts is not None, pilot=pilot)
        await pilot.press("down", "space", "x")  # the second value's rows into a set
        await wait_until(lambda: is_screen(app, SetTargetScreen), pilot=pilot)
        await pilot.press(*"Second tier", "enter")
        found = await wait_until(lambda: app.workspace.find_set("Second tier", "people"), pilot=pilot)
        second = expected.most_common(2)[1][0]
        assert set(app.workspace.set_members([found.set_id])) == {r["publicId"] for r in rows
                                                                  if r["seniority"] == second}

        await pilot.press("F")
        await wait_until(lambda: is_screen(app, FacetScreen) and app.screen.counts is not None, pilot=pilot)
        await pilot.press("space", "r")
        await wait_until(lambda: not is_screen(app, FacetScreen), pilot=pilot)
        assert app.query_one("#query").text == f"engineers in the United States, seniority {top}"
        assert app.query_one("#query").has_focus


async def test_a_facet_of_a_partly_fetched_search_says_so_and_unique_columns_are_counted_from_the_table(
        fast_sandbox, tmp_path):
    from sixtyfour_tui.api.client import SixtyfourClient
    from tests.engines import finished_on_server, open_workspace
    from tests.test_results_browser import QUERY as BROWSER_QUERY
    from tests.test_results_browser import BrowserApp, settled

    workspace = open_workspace(tmp_path)
    async with SixtyfourClient(fast_sandbox.api_key, fast_sandbox.base_url) as client:
        job = await finished_on_server(client, BROWSER_QUERY, 450)
        app = BrowserApp()
        async with app.run_test(size=SIZE) as pilot:
            browser = app.browser
            browser.show_job(job, client, workspace)  # pages come from the API and are stored
            await wait_until(settled(browser, 100), pilot=pilot)
            counts = await asyncio.to_thread(browser.facet_counts, "seniority")
            stored = counts.total  # the table may be fetching its next page meanwhile: rows only add up
            rows = workspace.read_rows(job.job_id)[:stored]
            assert 100 <= stored < 450 and len(rows) == stored
            assert dict(counts.values) == dict(Counter(row["seniority"] for row in rows))
            expected = browser.expected_total
            assert counts.scope == (f"the {stored:,} stored rows of {expected:,}; the rest are not fetched yet "
                                    "(M loads them)")
            emails = await asyncio.to_thread(browser.facet_counts, "email")  # not kept for facets in SQL
            loaded = [browser.store.raw(index)["email"] for index in range(emails.total)]
            assert emails.distinct == len(set(loaded)) and emails.total >= 100
            assert emails.scope == f"the {emails.total:,} rows loaded in the table"
            await pilot.press("M")
            await wait_until(lambda: not browser.has_more and not browser.is_loading, pilot=pilot)
            whole = await asyncio.to_thread(browser.facet_counts, "seniority")
            assert whole.total == len(browser.store) and whole.scope.startswith("all ")
    workspace.close()


def test_facet_bars_scale_to_the_most_frequent_value():
    assert bar_text(4, 4, 8) == "█" * 8 and bar_text(1, 4, 8) == "██" and bar_text(0, 4) == ""
    assert bar_text(1, 1000, 8) == "▏"  # a rare value still shows


# -- export what you see --------------------------------------------------------------------------

async def test_e_writes_the_view_as_the_table_shows_it_and_rows_writes_the_same_bytes(tmp_path):
    app = fresh_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        job = await run_search(pilot, "engineers in the United States", 120)
        browser = await open_results(pilot, job)
        table = browser.table
        table.toggle_column("email")  # hidden
        table.toggle_column("headline")  # shown
        browser.set_value_filter("seniority", ["Senior", "Mid"])
        await pilot.press("right", "s", "s")  # Title, descending
        requests = len(app.backend.server.state.request_log.entries())
        shown_columns = table.visible_columns
        shown = [browser.store.row_texts(index, shown_columns) for index in browser.store.view_indices()]
        assert "headline" in shown_columns and "email" not in shown_columns and len(shown) > 5

        written = {}
        for fmt, name in (("csv", "view.csv"), ("excel-csv", "view-excel.csv"), ("jsonl", "view.jsonl")):
            await pilot.press("e")
            await wait_until(lambda: is_screen(app, ExportScreen), pilot=pilot)
            screen = app.screen
            screen.query_one("#what-view").value = True
            screen.query_one("#format").value = fmt
            await wait_until(lambda: app.screen.what == "view", pilot=pilot)
            screen.query_one("#destination").value = str(tmp_path / name)
            await pilot.press("ctrl+s")
            await wait_until(lambda: app.screen.phase == "done", pilot=pilot)
            assert "The same from a script:" in screen_text(app)
            await pilot.press("escape")
            written[fmt] = (tmp_path / name).read_bytes()
        assert len(app.backend.server.state.request_log.entries()) == requests  # no API call

        labels = header_labels(shown_columns)
        as_csv = list(csv.reader(io.StringIO(written["csv"].decode("utf-8"), newline="")))
        assert as_csv[0] == labels and as_csv[1:] == shown
        assert written["csv"].count(b"\r\n") == len(shown) + 1
        assert written["excel-csv"].startswith("\ufeff".encode()) and written["excel-csv"][3:] == written["csv"]
        objects = [json.loads(line) for line in written["jsonl"].decode().splitlines()]
        assert objects == [dict(zip(labels, row)) for row in shown]

        saved = [entry for entry in app.workspace.saved_files(job.job_id) if entry.kind == "view"]
        assert len(saved) == 3 and all(entry.rows == len(shown) for entry in saved)
        ids = {browser.store.raw(index)["publicId"] for index in browser.store.view_indices()}
        assert ids <= set(app.workspace.exported_entities("people"))

        headless = cli(app, "rows", job.job_id, "--columns", ",".join(shown_columns), "--csv",
                       "--where", "seniority=Senior", "--where", "seniority=Mid", "--sort", "title:desc")
        assert headless.stdout == written["csv"]
        out = tmp_path / "headless.jsonl"
        cli(app, "rows", job.job_id, "--columns", ",".join(shown_columns), "--format", "jsonl", "--where",
            "seniority=Mid", "--where", "seniority=Senior", "--sort", "title:desc", "--output", str(out))
        assert out.read_bytes() == written["jsonl"]


async def test_only_the_marked_rows_of_the_view_can_be_exported(tmp_path):
    app = fresh_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        job = await run_search(pilot, QUERY, 30)
        browser = await open_results(pilot, job)
        await pilot.press("j", "space", "j", "space")  # rows 2 and 4
        marked = [browser.store.row_texts(index, browser.table.visible_columns) for index in (1, 3)]
        await pilot.press("e")
        await wait_until(lambda: is_screen(app, ExportScreen), pilot=pilot)
        screen = app.screen
        assert "Only the 2 marked rows of this view" in screen_text(app)
        screen.query_one("#what-marked").value = True
        screen.query_one("#format").value = "jsonl"
        await wait_until(lambda: app.screen.what == "marked", pilot=pilot)
        destination = screen.query_one("#destination").value
        assert destination.endswith(".jsonl")  # the suffix follows the format
        await pilot.press("ctrl+s")
        await wait_until(lambda: screen.phase == "done", pilot=pilot)
        lines = [json.loads(line) for line in open(destination, encoding="utf-8")]
        assert [list(line.values()) for line in lines] == marked
        assert "The same from a script" not in screen_text(app)  # marks cannot be named on a command line


# -- keys -----------------------------------------------------------------------------------------

async def test_every_list_building_key_has_an_id_a_help_line_and_a_palette_entry(tmp_path):
    from sixtyfour_tui.ui.app import SixtyfourApp
    from sixtyfour_tui.ui.commands import RESULTS_COMMANDS
    from sixtyfour_tui.ui.screens.help_screen import binding_rows

    keys = {binding.id: binding for binding in (*ResultsBrowser.BINDINGS, *SixtyfourApp.BINDINGS, *Composer.BINDINGS)}
    palette = {action for _, _, action, _ in RESULTS_COMMANDS}
    for binding_id, key, action in (("results.new_only", "apostrophe", "toggle_new_only"),
                                    ("results.facet", "F", "facet"),
                                    ("results.add_to_set", "x", "add_marked_to_set"),
                                    ("app.exclusion_sets", "X", "exclusion_sets"),
                                    ("app.compare_searches", "D", "compare_searches"),
                                    ("composer.exclusions", "f8", "choose_exclusions")):
        binding = keys[binding_id]
        assert (binding.key, binding.action) == (key, action)
        assert binding_rows([binding]), binding_id  # a line in F1 help
        if binding_id.startswith("results."):
            assert action in palette

    app = fresh_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        for name, screen in (("Exclusion sets", ExclusionManager), ("Compare two searches", DiffScreen),
                             ("Exclude from the next search", ExclusionPicker)):
            await pilot.press("ctrl+p", *name)
            await wait_until(lambda: screen_text(app).count(name) >= 2, pilot=pilot)  # noqa: B023 - typed, and a hit
            await pilot.press("enter")
            await wait_until(lambda: is_screen(app, screen), pilot=pilot, what=name)  # noqa: B023
            await pilot.press("escape")
            await wait_until(lambda: not is_screen(app, screen), pilot=pilot)  # noqa: B023


async def test_another_mode_keeps_everything_seen_and_drops_the_sets(tmp_path):
    from sixtyfour_tui.jobs.records import Exclusions

    app = fresh_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        composer = app.query_one(Composer)
        composer.set_exclusions(Exclusions(set_ids=("set_x",), seen=True, description="everything seen · Mine"))
        await pilot.pause()
        assert "Excluding: everything seen · Mine" in screen_text(app)
        await focus_on(pilot, app.query_one("#query"))
        await pilot.press("ctrl+t")
        await wait_until(lambda: not composer.exclusions.set_ids, pilot=pilot)
        assert composer.exclusions.seen and "Excluding: everything seen · F8" in screen_text(app)
        assert any("Exclusion sets are per mode" in notice for notice in app.notices)


# -- untrusted text -------------------------------------------------------------------------------

HOSTILE = "[bold red]Acme[/] \x1b[2J\x1b]0;pwned\x07Corp"


async def test_values_set_names_and_queries_from_outside_render_literally(tmp_path):
    from sixtyfour_tui.ui.screens.facets import FacetCounts
    from tests.engines import open_workspace
    from tests.modal_host import Host

    counts = FacetCounts("company", [(HOSTILE, 3), ("Plain", 1)], 4, 0, "all 4 stored rows of the result")
    host = Host(lambda: FacetScreen(lambda column: counts, "company"))
    async with host.run_test(size=SIZE) as pilot:
        await wait_until(lambda: is_screen(host, FacetScreen) and host.screen.counts is not None, pilot=pilot)
        shown = screen_text(host)
        assert "[bold red]Acme[/]" in shown and "\x1b" not in shown and "pwned\x07" not in shown

    workspace = open_workspace(tmp_path)
    workspace.create_set(HOSTILE, "people", ["someone"])
    host = Host(lambda: SetTargetScreen(workspace, "people", 2))
    async with host.run_test(size=SIZE) as pilot:
        await wait_until(lambda: is_screen(host, SetTargetScreen) and host.screen.sets, pilot=pilot)
        shown = screen_text(host)
        assert "[bold red]Acme[/]" in shown and "\x1b" not in shown
    host = Host(lambda: ExclusionPicker(workspace, "people"))
    async with host.run_test(size=SIZE) as pilot:
        await wait_until(lambda: is_screen(host, ExclusionPicker) and host.screen.sets, pilot=pilot)
        await pilot.press("down", "space", "a")
        await wait_until(lambda: not is_screen(host, ExclusionPicker), pilot=pilot)
        assert "\x1b" not in host.result.description and "[bold red]Acme[/]" in host.result.description
    workspace.close()


async def test_a_view_export_on_a_full_disk_fails_cleanly_and_can_be_saved_elsewhere(tmp_path, tiny_disk):
    from tests.conftest import fill

    disk = tiny_disk("full", size="256k")
    app = fresh_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        job = await run_search(pilot, QUERY, 40)
        await open_results(pilot, job)
        fill(disk)
        await pilot.press("e")
        await wait_until(lambda: is_screen(app, ExportScreen), pilot=pilot)
        screen = app.screen
        screen.query_one("#what-view").value = True
        screen.query_one("#destination").value = str(disk / "view.csv")
        await wait_until(lambda: screen.what == "view", pilot=pilot)
        await pilot.press("ctrl+s")
        await wait_until(lambda: screen.phase == "failed", pilot=pilot)
        assert "Could not write" in screen_text(app)
        assert sorted(path.name for path in disk.iterdir()) == ["filler"]  # nothing half-written
        assert not app.workspace.exported_entities("people")
        elsewhere = tmp_path / "view.csv"
        screen.query_one("#destination").value = str(elsewhere)
        await pilot.press("ctrl+s")
        await wait_until(lambda: screen.phase == "done", pilot=pilot)
        assert elsewhere.read_bytes().count(b"\r\n") == 41
