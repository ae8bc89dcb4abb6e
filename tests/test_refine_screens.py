"""Preview and refine, and the filter builder: the real app on a real sandbox, driven by keys."""

from __future__ import annotations

import json

from textual.widgets import Select

from sixtyfour_tui import filters
from sixtyfour_tui.filters import Condition, Op
from sixtyfour_tui.jobs.records import Exclusions, JobSource
from sixtyfour_tui.ui.screens.filter_builder import FilterBuilderScreen
from sixtyfour_tui.ui.screens.refine_screen import KindPickerScreen, RefineScreen, ValuePickerScreen
from sixtyfour_tui.ui.widgets.composer import Composer
from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser
from tests.app_harness import build_app, screen_text, submit_query, wait_until
from tests.waiting import focus_on

QUERY = "VP of Engineering at Series B SaaS startups in New York"
SIZE = (140, 40)


def request_log(app):
    return app.backend.server.state.request_log


async def open_preview(pilot, query: str) -> RefineScreen:
    app = pilot.app
    await wait_until(lambda: app.ready, pilot=pilot, what="backend ready")
    app.query_one("#query").text = query
    await focus_on(pilot, app.query_one("#query"))
    await pilot.press("ctrl+o")
    screen = await wait_until(lambda: isinstance(app.screen, RefineScreen) and app.screen, pilot=pilot)
    await wait_until(lambda: screen.last_preview is not None, pilot=pilot, what="first preview")
    return screen


async def opened_rows(pilot, job_id: str) -> list[dict]:
    """The job's results are open in the browser; every row of it, once the workspace holds them all."""
    app = pilot.app
    browser = app.query_one(ResultsBrowser)
    await wait_until(lambda: app.opened_job_id == job_id and len(browser.store) > 0, pilot=pilot,
                     what="results open")
    workspace = app.engine.workspace
    await wait_until(lambda: (info := workspace.result_info(job_id)) is not None and info.complete, pilot=pilot,
                     what="rows stored")
    return workspace.read_rows(job_id)


async def test_preview_edit_a_chip_and_run_shows_rows_matching_the_edit(tmp_path):
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_preview(pilot, QUERY)
        first = screen.last_preview
        shown = screen_text(app)
        assert "Seniority: VP" in shown and "Location: New York" in shown
        assert f"{first.total_available:,} match" in shown and first.rows[0]["fullName"] in shown
        assert request_log(app).count("/search/query") == 1  # one cheap page, nothing else

        await pilot.press("c")  # the first chip: seniority
        picker = await wait_until(lambda: isinstance(app.screen, ValuePickerScreen) and app.screen.known
                                  and app.screen, pilot=pilot, what="known values")
        director = next(value for value in picker.known if value.value == "Director")
        assert f"{director.count:,} people" in screen_text(app)
        await pilot.press(*"direc", "enter")
        await wait_until(lambda: app.screen is screen and screen.last_preview is not first, pilot=pilot)
        edited = screen.last_preview
        assert edited.rows and all(row["seniority"] == "Director" for row in edited.rows)
        assert "Edited: Seniority: VP → Director" in screen_text(app)

        await pilot.press("ctrl+s")
        job = await wait_until(lambda: next((j for j in app.engine.jobs() if j.source == "parsed"), None), pilot=pilot)
        rows = await opened_rows(pilot, job.job_id)
        final = app.engine.job(job.job_id)
        assert final.edit_note == "Seniority: VP → Director" and final.parsed_query["filters"]["seniority"] == \
            ["Director"]
        assert rows and all(row["seniority"] == "Director" for row in rows)
        assert final.total_results == edited.total_available
        assert "edited: Seniority: VP → Director" in app.query_one(ResultsBrowser).title_text
        assert request_log(app).count("/search/start-deep-search") == 0


async def test_an_unedited_preview_runs_the_text_or_starts_the_deep_search(tmp_path):
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_preview(pilot, "data engineers in Denver")
        await pilot.press("ctrl+s")
        asked = await wait_until(lambda: next((j for j in app.engine.jobs() if j.source == "query"), None),
                                 pilot=pilot)
        assert asked.query == "data engineers in Denver" and asked.edit_note is None
        await opened_rows(pilot, asked.job_id)

        screen = await open_preview(pilot, "data engineers in Denver")
        await pilot.press("d")  # removed, then brought back
        await wait_until(lambda: screen.note is not None, pilot=pilot)
        assert screen.note.startswith("− ")
        await pilot.press("u")
        await wait_until(lambda: screen.note is None, pilot=pilot)
        await pilot.press("ctrl+d")
        deep = await wait_until(lambda: next((j for j in app.engine.jobs() if j.source == "deep"), None), pilot=pilot)
        assert deep.query == "data engineers in Denver"
        await wait_until(lambda: request_log(app).count("/search/start-deep-search") == 1, pilot=pilot)
        body = request_log(app).entries("/search/start-deep-search")[-1].body
        assert body["query"] == "data engineers in Denver"


async def test_company_text_has_no_preview(tmp_path):
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        app.query_one("#query").text = "Series B fintech companies in London"
        app.query_one("#mode").value = "company"
        await focus_on(pilot, app.query_one("#query"))
        await pilot.press("ctrl+o")
        await wait_until(lambda: any("people mode only" in notice for notice in app.notices), pilot=pilot)
        assert not isinstance(app.screen, RefineScreen)
        assert request_log(app).count("/search/query") == 0


async def test_a_completed_search_reopens_as_chips_and_runs_edited(tmp_path):
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        await submit_query(pilot, QUERY, "50")
        deep = await wait_until(lambda: next((j for j in app.engine.jobs() if j.status == "completed"), None),
                                pilot=pilot, what="deep search done")
        await pilot.press("f3", "r")
        screen = await wait_until(lambda: isinstance(app.screen, RefineScreen) and app.screen, pilot=pilot)
        stored = app.engine.workspace.result_info(deep.job_id).parsed_query  # what the replay's pages said
        assert screen.original == (deep.parsed_query or stored) and screen.edited_from == deep.job_id
        assert screen.original["filters"]["seniority"] == ["VP"]
        await wait_until(lambda: screen.last_preview is not None, pilot=pilot)
        await pilot.press("a")
        kinds = await wait_until(lambda: isinstance(app.screen, KindPickerScreen) and app.screen, pilot=pilot)
        assert kinds.kinds[0].key == "seniority"  # another alternative for a list chip
        await pilot.press("enter")
        await wait_until(lambda: isinstance(app.screen, ValuePickerScreen) and app.screen.known, pilot=pilot)
        await pilot.press(*"director", "enter")
        await wait_until(lambda: app.screen is screen and screen.note == "+ Seniority: Director", pilot=pilot)
        await pilot.press("ctrl+s")
        job = await wait_until(lambda: next((j for j in app.engine.jobs() if j.edited_from == deep.job_id), None),
                               pilot=pilot)
        rows = await opened_rows(pilot, job.job_id)
        assert app.engine.job(job.job_id).edit_note == "+ Seniority: Director"
        assert {row["seniority"] for row in rows} == {"VP", "Director"}
        assert len(rows) == job.max_results == deep.max_results  # the job's own size is kept


async def test_a_year_chip_refuses_what_is_not_a_year_as_it_is_typed(tmp_path):
    from textual.widgets import OptionList

    from sixtyfour_tui.chips import KIND_BY_KEY
    from tests.modal_host import Host

    app = Host(lambda: ValuePickerScreen(None, KIND_BY_KEY["founded_after"], "company"))
    async with app.run_test(size=(80, 24)) as pilot:
        picker = await wait_until(lambda: isinstance(app.screen, ValuePickerScreen) and app.screen, pilot=pilot)
        choices = picker.query_one("#value-list", OptionList)
        await pilot.press(*"abc")
        await wait_until(lambda: "takes a year" in screen_text(app), pilot=pilot)
        assert choices.option_count == 0 and "as typed" not in screen_text(app)  # no choice that cannot work
        await pilot.press("backspace", "backspace", "backspace", *"2015")
        await wait_until(lambda: "“2015” as typed" in screen_text(app), pilot=pilot)
        assert "takes a year" not in screen_text(app)
        await pilot.press("down")
        await wait_until(lambda: app.screen.focused is choices, pilot=pilot)
        await pilot.press("up")  # from the list's first line back to the text
        await wait_until(lambda: app.screen.focused is picker.query_one("#value-input"), pilot=pilot)
        await pilot.press("enter")
        await wait_until(lambda: app.result == 2015, pilot=pilot)


async def choose_field(pilot, name: str) -> FilterBuilderScreen:
    screen = pilot.app.screen
    await focus_on(pilot, screen.query_one("#fb-field-filter"))
    await pilot.press(*name, "enter")
    await wait_until(lambda: screen.field is not None and screen.field.field == name and screen.values, pilot=pilot,
                     what=f"values of {name}")
    return screen


async def pick_value(pilot, value: str) -> None:
    screen = pilot.app.screen
    await pilot.press("down")  # from the value field into the list
    screen.query_one("#fb-values").highlighted = [v.value for v in screen.values].index(value)
    await pilot.press("enter")


async def test_the_builder_picks_scoped_values_builds_the_document_and_runs_it(tmp_path, api):
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        await pilot.press("f5")
        screen = await wait_until(lambda: isinstance(app.screen, FilterBuilderScreen) and app.screen.fields
                                  and app.screen, pilot=pilot)
        await choose_field(pilot, "seniority")
        await pick_value(pilot, "VP")
        await pilot.press("enter")  # in the value field: add
        await wait_until(lambda: screen.conditions == [Condition("seniority", Op.IS, ("VP",))], pilot=pilot)

        await choose_field(pilot, "jobFunction")
        scoped = api.post("/search/filter-field-values", json={"field": "jobFunction", "mode": "people", "top_k": 50,
                                                               "simple_filters": {"seniority": "VP"}}).json()
        assert [(v.value, v.count) for v in screen.values] == [(v["value"], v["count"]) for v in scoped["values"]]
        await pilot.pause()
        assert f"{scoped['total_scoped_documents']:,} matching" in screen_text(app)
        screen.query_one("#fb-op", Select).value = Op.ANY_OF
        await pick_value(pilot, "Engineering")
        await pick_value(pilot, "Product")
        assert screen.query_one("#fb-value").value == "Engineering | Product"
        await focus_on(pilot, screen.query_one("#fb-value"))
        await pilot.press("enter")
        await choose_field(pilot, "title")
        screen.query_one("#fb-op", Select).value = Op.CONTAINS
        await pilot.press(*"platform", "enter")
        expected = filters.simple_filters_of([Condition("seniority", Op.IS, ("VP",)),
                                              Condition("jobFunction", Op.ANY_OF, ("Engineering", "Product")),
                                              filters.contains("title", "platform")])
        await wait_until(lambda: len(screen.conditions) == 3, pilot=pilot)
        assert filters.simple_filters_of(screen.conditions) == expected
        shown = str(screen.query_one("#fb-json").content)
        assert '\n  {"jobFunction": {"$in": ["Engineering", "Product"]}},\n' in shown
        assert json.loads(shown.removeprefix("simple_filters = ")) == expected
        total = api.post("/search/start-filter-search", json={"simple_filters": expected, "mode": "people",
                                                              "page_size": 1}).json()["total_available"]
        await wait_until(lambda: screen.matches == total, pilot=pilot, what="the count of matches")
        assert f"{total:,} people match" in screen_text(app)

        await pilot.press("ctrl+s")
        job = await wait_until(lambda: next((j for j in app.engine.jobs() if j.source == "filter"), None), pilot=pilot)
        rows = await opened_rows(pilot, job.job_id)
        assert app.engine.job(job.job_id).simple_filters == expected
        assert len(rows) == min(total, job.max_results)  # five pages of 100
        assert all(row["seniority"] == "VP" and row["jobFunction"] in ("Engineering", "Product")
                   and "platform" in row["title"].lower() for row in rows)
        assert job.query == "seniority is VP · jobFunction any of Engineering | Product · title contains *platform*"

        await pilot.press("f3", "r")  # the filter search reopens in the builder, as it was
        again = await wait_until(lambda: isinstance(app.screen, FilterBuilderScreen) and app.screen.fields
                                 and app.screen, pilot=pilot)
        assert filters.simple_filters_of(again.conditions) == expected


async def test_at_80x24_the_builder_shows_its_conditions_and_why_it_will_not_run(tmp_path):
    app = build_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        await pilot.press("f5")
        screen = await wait_until(lambda: isinstance(app.screen, FilterBuilderScreen) and app.screen.fields
                                  and app.screen, pilot=pilot)
        dialog = screen.query_one("#fb-dialog").region
        for pane in ("#fb-fields-pane", "#fb-condition-pane", "#fb-doc-pane"):
            region = screen.query_one(pane).region
            assert region.width >= 16 and dialog.contains_region(region), pane
        await pilot.press("ctrl+s")
        await wait_until(lambda: "Add at least one" in screen_text(app), pilot=pilot)  # wrapped in its pane


async def test_the_builder_uses_the_composers_exclusions(tmp_path, api):
    app = build_app(tmp_path)
    document = {"seniority": "CXO", "jobFunction": "Engineering"}
    plain = api.post("/search/start-filter-search", json={"simple_filters": document, "mode": "people",
                                                          "page_size": 5}).json()
    left_out = tuple(row["publicId"] for row in plain["results"][:3])
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        app.query_one(Composer).exclusions = Exclusions(entity_ids=left_out, count=3, description="three CTOs")
        await pilot.press("f5")
        screen = await wait_until(lambda: isinstance(app.screen, FilterBuilderScreen) and app.screen.fields
                                  and app.screen, pilot=pilot)
        for field, value in document.items():
            await choose_field(pilot, field)
            await pick_value(pilot, value)
            await pilot.press("enter")
        await wait_until(lambda: len(screen.conditions) == 2, pilot=pilot)
        await pilot.press("ctrl+s")
        job = await wait_until(lambda: next((j for j in app.engine.jobs() if j.source == "filter"), None), pilot=pilot)
        rows = await opened_rows(pilot, job.job_id)
        assert not {row["publicId"] for row in rows} & set(left_out)
        assert app.engine.workspace.result_info(job.job_id).total_available == plain["total_available"] - 3
        sent = request_log(app).entries("/search/start-filter-search")[-1].body
        assert sorted(sent["exclude_entity_ids"]) == sorted(left_out)


async def test_the_builder_holds_to_the_limits_and_to_the_modes_fields(tmp_path):
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        await pilot.press("f5")
        screen = await wait_until(lambda: isinstance(app.screen, FilterBuilderScreen) and app.screen.fields
                                  and app.screen.capabilities and app.screen, pilot=pilot)
        limit = screen.capabilities.limits.max_terms_per_clause
        await choose_field(pilot, "title")
        screen.query_one("#fb-op", Select).value = Op.ANY_OF
        screen.query_one("#fb-value").value = " | ".join(f"title {n}" for n in range(limit + 1))
        await focus_on(pilot, screen.query_one("#fb-value"))
        await pilot.press("enter", "ctrl+s")
        await wait_until(lambda: "max_terms_per_clause" in screen_text(app), pilot=pilot)
        assert app.screen is screen  # not run
        assert request_log(app).count("/search/start-filter-search") == 0

        screen.remove_condition(0)
        await choose_field(pilot, "seniority")
        await pick_value(pilot, "VP")
        await pilot.press("enter", "ctrl+t")
        await wait_until(lambda: screen.mode == "company" and screen.fields and not screen.conditions, pilot=pilot)
        assert any("seniority" in notice and "company mode has no such field" in notice for notice in app.notices)
        await pilot.press("escape")
        await wait_until(lambda: not isinstance(app.screen, FilterBuilderScreen), pilot=pilot)
        assert not [j for j in app.engine.jobs() if j.source == "filter"]


async def test_the_palette_opens_the_builder_and_refines_a_search(tmp_path):
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(lambda: app.ready, pilot=pilot)
        await pilot.press("ctrl+p")
        await wait_until(lambda: type(app.screen).__name__ == "CommandPalette", pilot=pilot)
        await pilot.press(*"filter search")
        await wait_until(lambda: "Filter search…" in screen_text(app), pilot=pilot, what="palette hit")
        await pilot.press("enter")
        await wait_until(lambda: isinstance(app.screen, FilterBuilderScreen), pilot=pilot)
        await pilot.press("escape")
        await wait_until(lambda: not isinstance(app.screen, FilterBuilderScreen), pilot=pilot)

        app.engine.run_query(JobSource.QUERY, query="CTOs in Berlin", mode="people", max_results=20)
        await wait_until(lambda: any(j.status == "completed" for j in app.engine.jobs()), pilot=pilot)
        await pilot.press("ctrl+p")
        await wait_until(lambda: type(app.screen).__name__ == "CommandPalette", pilot=pilot)
        await pilot.press(*"refine this")
        await wait_until(lambda: "Refine this search: CTOs in Berlin" in screen_text(app), pilot=pilot)
        await pilot.press("enter")
        screen = await wait_until(lambda: isinstance(app.screen, RefineScreen) and app.screen, pilot=pilot)
        assert screen.original["filters"]["location"] == ["Berlin"]


async def test_hostile_field_names_and_values_are_shown_as_plain_text():
    """A server whose field names and values carry escape sequences and markup."""
    from sixtyfour_tui.api.client import SixtyfourClient
    from sixtyfour_tui.filters import FieldCatalog
    from tests.misbehaving_server import MisbehavingServer, json_answer
    from tests.modal_host import Host

    name = "title\x1b]52;c;SGVsbG8=\x07[bold]x[/]"
    capabilities = {"mode": "people", "fields": [{"field": name, "field_type": "keyword", "value_type": "string",
                                                  "supports_top_values": True}], "cache_ttl_seconds": 60}
    values = {"field": name, "total_scoped_documents": 9, "values": [
        {"value": "VP\x1b[31m of [red]Sales[/red]\x9b2J", "count": 9, "percent_of_scope": 100.0}]}

    async def answer(request, reader, writer):
        await json_answer(200, capabilities if "capabilities" in request.path else values)(request, reader, writer)

    async with MisbehavingServer(answer) as server, SixtyfourClient("sk-test", server.base_url) as client:
        app = Host(lambda: FilterBuilderScreen(FieldCatalog(client)))
        async with app.run_test(size=SIZE) as pilot:
            screen = await wait_until(lambda: isinstance(app.screen, FilterBuilderScreen) and app.screen.fields
                                      and app.screen, pilot=pilot)
            screen.choose_field(screen.fields[0])
            await wait_until(lambda: screen.values, pilot=pilot)
            await pilot.press("down", "enter", "enter")
            await wait_until(lambda: screen.conditions, pilot=pilot)
            await pilot.pause()
            svg = app.export_screenshot()
            shown = screen_text(app)
    assert "\x1b" not in svg and "\x9b" not in svg and "\x07" not in svg
    assert "VP of [red]Sales[/red]" in shown and "title[bold]x[/]" in shown  # literal, not styled
    assert screen.conditions[0].label() == "title[bold]x[/] is VP of [red]Sales[/red]"
    assert "Headless:" not in shown  # a field name that needs cleaning is not offered as a command line
