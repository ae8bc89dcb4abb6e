"""Conditions ⇄ simple_filters, the --where grammar, limits and the field catalogue (sixtyfour_tui.filters).

The documents are checked against the real sandbox: each finds exactly the rows its condition says,
judged here from the rows themselves.
"""

from __future__ import annotations

import shlex

import pytest

from sixtyfour_tui import filters
from sixtyfour_tui.api.client import SixtyfourClient
from sixtyfour_tui.api.models import FilterLimits
from sixtyfour_tui.filters import Condition, FieldCatalog, FilterSyntaxError, Op

BUILDER_CONDITIONS = [
    Condition("seniority", Op.IS, ("VP",)),
    Condition("seniority", Op.IS_NOT, ("Entry",)),
    Condition("jobFunction", Op.ANY_OF, ("Engineering", "Product")),
    Condition("jobFunction", Op.NONE_OF, ("Sales", "Marketing")),
    Condition("employees_count", Op.RANGE, low=100, high=500),
    Condition("employees_count", Op.RANGE, low=1000),
    Condition("founded_year", Op.RANGE, high=2010),
    filters.contains("title", "engineer"),
    filters.contains("title", "vp*"),
    Condition("email", Op.EXISTS),
    Condition("email", Op.MISSING),
    Condition("is_public", Op.IS, (False,)),
]


def search(api, document, mode, **extra):
    response = api.post("/search/start-filter-search", json={"simple_filters": document, "mode": mode, **extra})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("condition", BUILDER_CONDITIONS, ids=lambda c: c.label())
def test_every_operator_round_trips_through_simple_filters_and_the_where_grammar(condition):
    assert filters.conditions_of(condition.clause()) == [condition]
    types = {"employees_count": "integer", "founded_year": "integer", "is_public": "boolean"}
    spelled = condition.where_args()
    assert spelled is not None
    parsed = filters.join_ranges(filters.parse_where(text, types.get(condition.field)) for text in spelled)
    assert parsed == [condition]


def test_several_conditions_are_combined_with_and_and_read_back_in_order():
    document = filters.simple_filters_of(BUILDER_CONDITIONS)
    assert list(document) == ["$and"] and len(document["$and"]) == len(BUILDER_CONDITIONS)
    assert filters.conditions_of(document) == BUILDER_CONDITIONS
    single = filters.simple_filters_of(BUILDER_CONDITIONS[:1])
    assert single == {"seniority": "VP"}
    with pytest.raises(FilterSyntaxError):
        filters.simple_filters_of([])


def test_the_cli_command_the_builder_shows_means_the_same_conditions():
    conditions = [c for c in BUILDER_CONDITIONS if c.field != "is_public"]
    command = filters.cli_command(conditions, "people", 250)
    words = shlex.split(command)
    assert words[:4] == ["sixtyfour-tui", "filter", "--mode", "people"] and words[-2:] == ["--max-results", "250"]
    wheres = [words[i + 1] for i, word in enumerate(words) if word == "--where"]
    types = {"employees_count": "integer", "founded_year": "integer"}
    back = [filters.parse_where(text, types.get(filters.WHERE.match(text)["field"])) for text in wheres]
    assert filters.join_ranges(back) == filters.join_ranges(conditions)
    assert filters.cli_command([Condition("title", Op.IS, ("a|b",))], "people") is None  # | cannot be said


def test_documents_the_builder_cannot_show_are_refused_by_name():
    for document, named in [({"$or": [{"a": 1}]}, "$or"), ({"title": {"$phrase": "x"}}, "$phrase"),
                            ({"a": {"b": 1}}, "a"), ({}, "non-empty")]:
        with pytest.raises(FilterSyntaxError, match=named.replace("$", r"\$")):
            filters.conditions_of(document)


@pytest.mark.parametrize("text, problem", [
    ("seniority", "cannot read"),
    ("=VP", "cannot read"),
    ("seniority=", "no value"),
    ("seniority=VP||CXO", "empty value"),
    ("email?yes", "takes no value"),
    ("employees_count>=many", "whole numbers"),
    ("is_public=maybe", "true or false"),
    ("title~**", "needs some text"),
])
def test_where_mistakes_are_explained(text, problem):
    types = {"employees_count": "integer", "is_public": "boolean"}
    read = filters.WHERE.match(text)
    with pytest.raises(FilterSyntaxError, match=problem):
        filters.parse_where(text, types.get(read["field"]) if read else None)


def test_values_are_typed_by_the_field():
    assert filters.parse_where("employees_count>=1,000", "integer").low == 1000
    assert filters.parse_where("is_public=no", "boolean").values == (False,)
    assert filters.parse_where("hq_country_iso2=US", "string").values == ("US",)
    assert filters.parse_where("zip=02134", "string").values == ("02134",)  # text stays text
    assert filters.parse_where("amount>=2.5", None).low == 2.5
    assert filters.parse_where("last_funding_round.announced_date>=2024-01-01", "date").low == "2024-01-01"


def test_ranges_given_apart_become_one_unless_a_bound_would_be_lost():
    low, high = filters.parse_where("a>=1", "integer"), filters.parse_where("a<=9", "integer")
    assert filters.join_ranges([low, high]) == [Condition("a", Op.RANGE, low=1, high=9)]
    other = filters.parse_where("a>=5", "integer")
    assert len(filters.join_ranges([low, other])) == 2


def test_limits_are_checked_as_the_server_checks_them(api):
    limits_body = api.get("/search/filter-capabilities", params={"mode": "people"}).json()["limits"]
    limits = FilterLimits.from_json(limits_body)
    oversized = {
        "max_terms_per_clause": filters.simple_filters_of(
            [Condition("title", Op.ANY_OF, tuple(f"t{n}" for n in range(limits.max_terms_per_clause + 1)))]),
        "max_string_length": filters.simple_filters_of([filters.contains("title", "x" * limits.max_string_length)]),
        "max_clause_count": filters.simple_filters_of(
            [Condition("title", Op.IS_NOT, (f"t{n}",)) for n in range(limits.max_clause_count + 1)]),
    }
    for limit, document in oversized.items():
        problems = filters.limit_problems(document, limits)
        assert problems and limit in problems[0], (limit, problems)
        refused = api.post("/search/start-filter-search", json={"simple_filters": document, "mode": "people"})
        assert refused.status_code == 400 and limit in refused.json()["detail"]
    fine = filters.simple_filters_of(BUILDER_CONDITIONS[:4])
    assert filters.limit_problems(fine, limits) == []


def _holds(condition: Condition, row: dict) -> bool:
    """The condition judged from a row, independently of how the server evaluates it."""
    value = row.get(condition.field)
    if condition.op == Op.IS:
        return value == condition.values[0]
    if condition.op == Op.IS_NOT:
        return value != condition.values[0]
    if condition.op == Op.ANY_OF:
        return value in condition.values
    if condition.op == Op.NONE_OF:
        return value not in condition.values
    if condition.op == Op.RANGE:
        return value is not None and (condition.low is None or value >= condition.low) and (
            condition.high is None or value <= condition.high)
    if condition.op == Op.CONTAINS:
        pattern = str(condition.values[0]).lower()
        text = str(value or "").lower()
        core = pattern.strip("*")
        if pattern.startswith("*") and pattern.endswith("*"):
            return core in text
        return text.startswith(core) if pattern.endswith("*") else text.endswith(core)
    if condition.op == Op.EXISTS:
        return value is not None
    return value is None


@pytest.mark.parametrize("condition", BUILDER_CONDITIONS, ids=lambda c: c.label())
def test_each_document_finds_what_its_condition_says(api, fast_sandbox, condition):
    mode = "company" if condition.field in ("employees_count", "founded_year", "is_public") else "people"
    found = search(api, condition.clause(), mode, page_size=100, max_results=100)
    assert found["results"], condition
    assert all(_holds(condition, row) for row in found["results"]), condition
    everyone = fast_sandbox.state.dataset.count(mode)
    assert 0 < found["total_available"] < everyone  # it narrows, it does not match all


async def test_the_catalog_keeps_capabilities_for_their_ttl(make_sandbox):
    server = make_sandbox(speed=2000.0)  # its own: the shared one also answers other tests' leftovers
    log = server.state.request_log
    now = [1000.0]
    async with SixtyfourClient(server.api_key, server.base_url) as client:
        catalog = FieldCatalog(client, clock=lambda: now[0])
        before = log.count("/search/filter-capabilities", "GET")
        first = await catalog.capabilities("people")
        assert first.cache_ttl_seconds and first.fields
        now[0] += first.cache_ttl_seconds - 1
        assert await catalog.capabilities("people") is first
        assert (await catalog.field("people", "seniority")).supports_top_values
        assert log.count("/search/filter-capabilities", "GET") == before + 1
        await catalog.capabilities("company")  # each mode is its own answer
        assert log.count("/search/filter-capabilities", "GET") == before + 2
        now[0] += 2
        await catalog.capabilities("people")
        assert log.count("/search/filter-capabilities", "GET") == before + 3


async def test_the_catalog_reads_where_texts_against_the_known_fields(fast_sandbox):
    async with SixtyfourClient(fast_sandbox.api_key, fast_sandbox.base_url) as client:
        catalog = FieldCatalog(client)
        conditions = await catalog.conditions(["employees_count>=100", "employees_count<=500", "is_public=false"],
                                              "company")
        assert conditions == [Condition("employees_count", Op.RANGE, low=100, high=500),
                              Condition("is_public", Op.IS, (False,))]
        with pytest.raises(FilterSyntaxError, match="did you mean seniority"):
            await catalog.conditions(["senority=VP"], "people")
        with pytest.raises(FilterSyntaxError, match="no field 'employees_count'"):
            await catalog.conditions(["employees_count>=100"], "people")
