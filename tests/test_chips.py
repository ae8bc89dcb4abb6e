"""Parsed queries as chips, their edits and notes, known values and the cheap preview (sixtyfour_tui.chips)."""

from __future__ import annotations

import copy

import pytest

from sixtyfour_tui import chips
from sixtyfour_tui.api.client import SixtyfourClient
from sixtyfour_tui.chips import Chip
from sixtyfour_tui.filters import FieldCatalog

QUERY = "VP of Engineering at Series B SaaS startups in New York"


def understood(api, query=QUERY):
    response = api.post("/search/query", json={"query": query, "mode": "people", "page_size": 1})
    assert response.status_code == 200, response.text
    return response.json()["parsed_query"]


def test_every_value_of_the_parsed_query_is_a_chip(api):
    parsed = understood(api, "VP of Engneering at Series B SaaS startups in New York founded after 2015 llamas")
    shown = {(chip.key, chip.value) for chip in chips.chips_of(parsed)}
    expected = {(key, value) for key, values in parsed["filters"].items()
                for value in (values if isinstance(values, list) else [values]) if value is not None}
    expected |= {("keywords", keyword) for keyword in parsed["keywords"]}
    assert shown == expected and ("seniority", "VP") in shown and ("founded_after", 2015) in shown
    line = chips.chips_line(parsed)
    assert "Seniority: VP" in line and "Founded after 2015" in line and "Keyword: llamas" in line
    assert chips.corrections_text(parsed) == "read “engneering” as “engineering”"


def test_edits_make_new_parsed_queries_and_say_what_changed(api):
    parsed = understood(api)
    original = copy.deepcopy(parsed)
    edited = chips.change_chip(parsed, Chip("seniority", "VP"), "Director")
    edited = chips.add_chip(edited, "location", "Boston")
    edited = chips.remove_chip(edited, Chip("industry", "SaaS"))
    edited = chips.add_chip(edited, "is_public", False)
    assert parsed == original  # never changed in place
    assert edited["filters"]["seniority"] == ["Director"] and edited["filters"]["location"] == ["New York", "Boston"]
    assert edited["filters"]["industry"] == [] and edited["filters"]["is_public"] is False
    assert chips.edit_note(parsed, edited) == ("Seniority: VP → Director; − Industry: SaaS; + Location: Boston; "
                                               "+ Private companies")
    assert chips.edit_note(parsed, copy.deepcopy(parsed)) is None
    assert chips.edit_note(edited, chips.change_chip(edited, Chip("is_public", False), True)) == \
        "Public: private → public"


def test_a_changed_value_already_present_is_not_doubled():
    parsed = {"filters": {"seniority": ["VP", "Director"]}, "keywords": []}
    assert chips.change_chip(parsed, Chip("seniority", "VP"), "Director")["filters"]["seniority"] == ["Director"]


def test_unknown_filters_are_still_chips_and_travel_back():
    parsed = {"filters": {"seniority": ["VP"], "hiring_signal": ["growing"]}, "keywords": [], "extra": {"k": 1}}
    shown = chips.chips_of(parsed)
    assert [chip.text for chip in shown] == ["Seniority: VP", "Hiring signal: growing"]
    assert shown[1].kind.free_text
    edited = chips.remove_chip(parsed, shown[0])
    assert edited["extra"] == {"k": 1} and edited["filters"]["hiring_signal"] == ["growing"]


def test_values_are_read_by_kind():
    assert chips.read_value(chips.KIND_BY_KEY["founded_after"], " 2015 ") == 2015
    assert chips.read_value(chips.KIND_BY_KEY["is_public"], "Private") is False
    for kind, text in (("founded_after", "soon"), ("is_public", "maybe"), ("location", "   ")):
        with pytest.raises(ValueError):
            chips.read_value(chips.KIND_BY_KEY[kind], text)


def test_only_people_searches_offer_people_chips():
    company = [kind.key for kind in chips.addable_kinds({"filters": {}}, "company")]
    assert "seniority" not in company and "industry" in company
    with_year = chips.addable_kinds({"filters": {"founded_after": 2015}}, "people")
    assert "founded_after" not in [kind.key for kind in with_year]


async def test_known_values_come_with_counts_that_a_search_confirms(fast_sandbox, api):
    async with SixtyfourClient(fast_sandbox.api_key, fast_sandbox.base_url) as client:
        catalog = FieldCatalog(client)
        seniority = await chips.known_values(catalog, chips.KIND_BY_KEY["seniority"])
        funding = await chips.known_values(catalog, chips.KIND_BY_KEY["funding_stage"])
        places = await chips.known_values(catalog, chips.KIND_BY_KEY["location"])
        assert await chips.known_values(catalog, chips.KIND_BY_KEY["keywords"]) == []
    assert {value.field for value in places} == {"hq_city", "hq_country"}
    vp = next(value for value in seniority if value.value == "VP")
    assert vp.counted == "people"
    found = api.post("/search/start-filter-search", json={"simple_filters": {"seniority": "VP"}, "mode": "people",
                                                           "page_size": 1}).json()
    assert found["total_available"] == vp.count
    assert funding and all(value.counted == "companies" for value in funding)
    counts = [value.count for value in seniority]
    assert counts == sorted(counts, reverse=True)


async def test_preview_then_an_edited_chip_shows_rows_matching_the_edit(fast_sandbox):
    log = fast_sandbox.state.request_log
    starts = log.count("/search/start-deep-search")
    async with SixtyfourClient(fast_sandbox.api_key, fast_sandbox.base_url) as client:
        looked = await chips.preview(client, mode="people", query=QUERY)
        assert looked.parsed_query["filters"]["seniority"] == ["VP"]
        assert 0 < len(looked.rows) <= chips.PREVIEW_ROWS and looked.total_available >= len(looked.rows)
        assert all(row["seniority"] == "VP" for row in looked.rows)
        edited = chips.change_chip(looked.parsed_query, Chip("seniority", "VP"), "Director")
        again = await chips.preview(client, mode="people", parsed_query=edited)
    assert again.rows and all(row["seniority"] == "Director" for row in again.rows)
    assert again.total_available != looked.total_available
    bodies = [entry.body for entry in log.first_queries()[-2:]]
    assert bodies[0]["query"] == QUERY and bodies[1]["parsed_query"] == edited
    assert all(body["page_size"] == chips.PREVIEW_ROWS for body in bodies)
    assert log.count("/search/start-deep-search") == starts  # a preview starts nothing


async def test_company_text_has_no_preview_and_asks_nothing(fast_sandbox):
    log = fast_sandbox.state.request_log
    before = log.count("/search/query")
    async with SixtyfourClient(fast_sandbox.api_key, fast_sandbox.base_url) as client:
        with pytest.raises(chips.PreviewUnavailable):
            await chips.preview(client, mode="company", query="Series B fintech companies in London")
        parsed = {"mode": "company", "filters": {"industry": ["Fintech"]}, "keywords": []}
        edited = await chips.preview(client, mode="company", parsed_query=parsed)  # a parsed query works
    assert edited.rows and all(row["industry"] == "Fintech" for row in edited.rows)
    assert log.count("/search/query") == before + 1
    assert chips.preview_unavailable("company") and chips.preview_unavailable("people") is None


def test_chip_text_is_sanitized():
    hostile = {"filters": {"location": ["\x1b]52;c;AAAA\x07Paris\x1b[31m"]}, "keywords": ["[bold]x[/]"]}
    texts = [chip.text for chip in chips.chips_of(hostile)]
    assert texts == ["Location: Paris", "Keyword: [bold]x[/]"]
