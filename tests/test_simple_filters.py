"""Mongo-style simple_filters: each operator, logic, sorting, limits and clear errors."""

from __future__ import annotations

import re
import unicodedata

import pytest

from sixtyfour_tui.sandbox.dataset import Dataset
from sixtyfour_tui.sandbox.simple_filters import LIMITS, FilterError, FilterLimits, run_simple_filters


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return Dataset(seed=7, people=3_000, companies=400)


def _expect(ds: Dataset, mode: str, test) -> list[int]:
    return [i for i in range(ds.count(mode)) if test(ds.row(mode, i))]


def test_bare_value_means_equality(ds: Dataset) -> None:
    got = run_simple_filters(ds, {"seniority": "VP", "jobFunction": "Engineering"}, "people")
    assert got and got == _expect(ds, "people", lambda r: r["seniority"] == "VP" and r["jobFunction"] == "Engineering")


def test_eq_and_ne(ds: Dataset) -> None:
    eq = run_simple_filters(ds, {"industry": {"$eq": "Fintech"}}, "company")
    ne = run_simple_filters(ds, {"industry": {"$ne": "Fintech"}}, "company")
    assert eq == _expect(ds, "company", lambda r: r["industry"] == "Fintech")
    assert sorted(eq + ne) == list(range(ds.count("company")))


@pytest.mark.parametrize(
    ("operator", "check"),
    [
        ("$gt", lambda v: v > 200),
        ("$gte", lambda v: v >= 200),
        ("$lt", lambda v: v < 200),
        ("$lte", lambda v: v <= 200),
    ],
)
def test_comparisons(ds: Dataset, operator: str, check) -> None:
    got = run_simple_filters(ds, {"employees_count": {operator: 200}}, "company")
    assert got == _expect(ds, "company", lambda r: check(r["employees_count"]))


def test_range_on_one_field_and_dates_compare_as_strings(ds: Dataset) -> None:
    got = run_simple_filters(ds, {"founded_year": {"$gte": 2010, "$lt": 2020}}, "company")
    assert got == _expect(ds, "company", lambda r: 2010 <= r["founded_year"] < 2020)
    recent = run_simple_filters(ds, {"last_funding_round.announced_date": {"$gte": "2024-01-01"}}, "company")
    assert recent == _expect(ds, "company", lambda r: (r["last_funding_round"]["announced_date"] or "") >= "2024-01-01")


def test_in_and_nin(ds: Dataset) -> None:
    stages = ["Series B", "Series C"]
    got = run_simple_filters(ds, {"last_funding_round.type": {"$in": stages}}, "company")
    assert got == _expect(ds, "company", lambda r: r["last_funding_round"]["type"] in stages)
    out = run_simple_filters(ds, {"last_funding_round.type": {"$nin": stages}}, "company")
    assert sorted(got + out) == list(range(ds.count("company")))


def test_exists_treats_null_as_missing(ds: Dataset) -> None:
    with_email = run_simple_filters(ds, {"email": {"$exists": True}}, "people")
    without = run_simple_filters(ds, {"email": {"$exists": False}}, "people")
    assert with_email == _expect(ds, "people", lambda r: r["email"] is not None)
    assert without == _expect(ds, "people", lambda r: r["email"] is None)
    assert without


def test_match_takes_star_wildcards_over_the_whole_value(ds: Dataset) -> None:
    contains = run_simple_filters(ds, {"title": {"$match": "*engineer*"}}, "people")
    assert contains and contains == _expect(ds, "people", lambda r: "engineer" in r["title"].lower())
    starts = run_simple_filters(ds, {"title": {"$match": "vp*"}}, "people")
    assert starts and starts == _expect(ds, "people", lambda r: r["title"].lower().startswith("vp"))
    ends = run_simple_filters(ds, {"title": {"$match": "*OF ENGINEERING"}}, "people")
    assert ends and ends == _expect(ds, "people", lambda r: r["title"].lower().endswith("of engineering"))
    inner = run_simple_filters(ds, {"title": {"$match": "vp*engineering"}}, "people")
    assert inner == _expect(
        ds, "people", lambda r: r["title"].lower().startswith("vp") and r["title"].lower().endswith("engineering")
    )


def test_match_without_a_star_matches_anywhere_and_is_not_a_regex(ds: Dataset) -> None:
    plain = run_simple_filters(ds, {"title": {"$match": "engineer"}}, "people")
    assert plain == run_simple_filters(ds, {"title": {"$match": "*engineer*"}}, "people")
    assert run_simple_filters(ds, {"title": {"$match": "^vp of"}}, "people") == []  # ^ is a literal character
    assert run_simple_filters(ds, {"title": {"$match": "("}}, "people") == []  # no "invalid pattern"
    dotted = run_simple_filters(ds, {"website_domain": {"$match": "*.io"}}, "company")
    assert dotted == _expect(ds, "company", lambda r: r["website_domain"].endswith(".io"))


def test_match_ignores_case_and_accents(ds: Dataset) -> None:
    accented = next(ds.row("people", i)["fullName"] for i in range(ds.count("people"))
                    if not ds.row("people", i)["fullName"].isascii())
    first = accented.split()[0]
    plain = unicodedata.normalize("NFKD", first).encode("ascii", "ignore").decode().upper()
    got = run_simple_filters(ds, {"fullName": {"$match": f"{plain} *"}}, "people")
    assert got == _expect(ds, "people", lambda r: r["fullName"].split()[0] == first
                          or unicodedata.normalize("NFKD", r["fullName"].split()[0]).encode("ascii", "ignore")
                          .decode().upper() == plain)
    assert any(ds.row("people", i)["fullName"].split()[0] == first for i in got)


def test_phrase_matches_words_in_order_on_word_boundaries(ds: Dataset) -> None:
    got = run_simple_filters(ds, {"title": {"$phrase": "VP OF"}}, "people")
    assert got and got == _expect(ds, "people", lambda r: " vp of " in f" {' '.join(_words(r['title']))} ")
    assert run_simple_filters(ds, {"title": {"$phrase": "VP O"}}, "people") == []  # not a substring test
    assert run_simple_filters(ds, {"title": {"$phrase": "of VP"}}, "people") == []  # order matters


def test_search_needs_every_word_to_start_a_word_of_the_row(ds: Dataset) -> None:
    row = ds.row("company", 5)
    word = row["industry"].split("/")[0].split()[0]
    city = row["hq_city"].split()[0]
    got = run_simple_filters(ds, {"$search": f"{word.lower()} {city.upper()}"}, "company")
    assert 5 in got
    for c in got:
        text = " ".join(str(v) for v in ds.row("company", c).values()).lower()
        assert word.lower() in text and city.lower() in text
    prefix = run_simple_filters(ds, {"$search": "engin"}, "people")
    assert set(prefix) >= set(_expect(ds, "people", lambda r: "engineer" in r["title"].lower()))
    for i in prefix:
        words = " ".join(str(v) for v in _leaves(ds.row("people", i))).lower().replace("/", " ").split()
        assert any(w.startswith("engin") for w in words)


def _leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif value is not None:
        yield value


def test_search_on_a_field_looks_only_at_that_field(ds: Dataset) -> None:
    got = run_simple_filters(ds, {"description": {"$search": "platform"}}, "company")
    assert got and got == _expect(
        ds, "company", lambda r: any(w.startswith("platform") for w in _words(r["description"]))
    )
    assert run_simple_filters(ds, {"industry": {"$search": "platform"}}, "company") == []


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def test_elem_match_applies_its_conditions_to_one_element(ds: Dataset) -> None:
    person = ds.row("people", 3)
    company = person["currentCompanies"][0]["company"]["name"]
    title = person["currentCompanies"][0]["positions"][0]["title"]
    query = {"currentCompanies": {"$elemMatch": {"company.name": company, "positions.title": title}}}
    got = run_simple_filters(ds, query, "people")
    assert 3 in got
    assert got == _expect(ds, "people", lambda r: any(
        e["company"]["name"] == company and any(p["title"] == title for p in e["positions"])
        for e in r["currentCompanies"]))
    full_names = {"currentCompanies": {"$elemMatch": {"currentCompanies.company.name": company}}}
    assert 3 in run_simple_filters(ds, full_names, "people")


def test_elem_match_takes_operators_inside(ds: Dataset) -> None:
    query = {"currentCompanies": {"$elemMatch": {"positions.title": {"$match": "*engineer*"},
                                                 "company.name": {"$match": "a*"}}}}
    got = run_simple_filters(ds, query, "people")
    assert got and got == _expect(ds, "people", lambda r: any(
        e["company"]["name"].lower().startswith("a") and any("engineer" in p["title"].lower() for p in e["positions"])
        for e in r["currentCompanies"]))


def test_and_or_nor_not(ds: Dataset) -> None:
    either = run_simple_filters(ds, {"$or": [{"hq_city": "London"}, {"hq_city": "Berlin"}]}, "company")
    assert either == _expect(ds, "company", lambda r: r["hq_city"] in ("London", "Berlin"))
    both = run_simple_filters(ds, {"$and": [{"is_public": False}, {"employees_count": {"$gt": 1000}}]}, "company")
    assert both == _expect(ds, "company", lambda r: not r["is_public"] and r["employees_count"] > 1000)
    neither = run_simple_filters(ds, {"$nor": [{"hq_city": "London"}, {"hq_city": "Berlin"}]}, "company")
    assert sorted(either + neither) == list(range(ds.count("company")))
    negated = run_simple_filters(ds, {"$not": {"hq_city": "London"}}, "company")
    assert negated == _expect(ds, "company", lambda r: r["hq_city"] != "London")
    field_not = run_simple_filters(ds, {"employees_count": {"$not": {"$gt": 50}}}, "company")
    assert field_not == _expect(ds, "company", lambda r: not r["employees_count"] > 50)


def test_nested_field_on_people(ds: Dataset) -> None:
    name = ds.company_name[ds.person_company[0]]
    got = run_simple_filters(ds, {"currentCompanies.company.name": name}, "people")
    assert 0 in got
    assert got == _expect(ds, "people", lambda r: r["currentCompanies"][0]["company"]["name"] == name)


def test_booleans_never_equal_numbers(ds: Dataset) -> None:
    assert run_simple_filters(ds, {"is_public": 1}, "company") == []
    assert run_simple_filters(ds, {"is_public": True}, "company") == _expect(ds, "company", lambda r: r["is_public"])


def test_sort_and_limit(ds: Dataset) -> None:
    got = run_simple_filters(ds, {"is_public": False, "$sort": {"employees_count": -1}, "$limit": 10}, "company")
    counts = [ds.row("company", c)["employees_count"] for c in got]
    assert len(got) == 10
    assert counts == sorted(counts, reverse=True)
    assert counts[0] == max(
        ds.row("company", c)["employees_count"] for c in range(400) if not ds.row("company", c)["is_public"]
    )


def test_multi_key_sort_puts_missing_values_last(ds: Dataset) -> None:
    got = run_simple_filters(ds, {"$sort": {"last_funding_round.amount_raised": 1, "founded_year": -1}}, "company")
    amounts = [ds.row("company", c)["last_funding_round"]["amount_raised"] for c in got]
    present = [a for a in amounts if a is not None]
    assert amounts[: len(present)] == sorted(present)
    assert all(a is None for a in amounts[len(present) :])
    assert len(present) < len(amounts)


def test_empty_filter_matches_everything(ds: Dataset) -> None:
    assert run_simple_filters(ds, {}, "company") == list(range(400))


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"title": {"$elemMatch": {"x": 1}}}, "\\$elemMatch needs a list field"),
        ({"currentCompanies": {"$elemMatch": {"salary": 1}}}, "unknown field in \\$elemMatch"),
        ({"currentCompanies": {"$elemMatch": {}}}, "non-empty"),
        ({"$where": "1"}, "unsupported operator: \\$where"),
        ({"title": {"$regex": "x"}}, "unsupported operator: \\$regex"),
        ({"$search": 5}, "\\$search"),
        ({"$search": "  "}, "at least one word"),
        ({"salary": 5}, "unknown field: salary"),
        ({"title": {"$in": "VP"}}, "\\$in"),
        ({"title": {"$match": 5}}, "\\$match"),
        ({"title": {"$exists": "yes"}}, "\\$exists"),
        ({"$or": []}, "\\$or"),
        ({"$and": [{"$sort": {"title": 1}}]}, "top level"),
        ({"$sort": {"title": 2}}, "direction"),
        ({"$limit": -1}, "\\$limit"),
        ({"title": {"$eq": "x", "plain": 1}}, "mixes"),
    ],
)
def test_bad_filters_raise_filter_error(ds: Dataset, bad: dict, message: str) -> None:
    with pytest.raises(FilterError, match=message):
        run_simple_filters(ds, bad, "people")


def test_non_object_is_rejected(ds: Dataset) -> None:
    with pytest.raises(FilterError):
        run_simple_filters(ds, ["title"], "people")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("limit", "document"),
    [
        ("max_query_depth", {"$and": [{"$and": [{"$and": [{"title": "x"}]}]}]}),
        ("max_clause_count", {"$or": [{"title": f"t{n}"} for n in range(5)]}),
        ("max_terms_per_clause", {"title": {"$in": [f"t{n}" for n in range(5)]}}),
        ("max_sort_clauses", {"$sort": {"title": 1, "fullName": 1, "seniority": 1}}),
        ("max_string_length", {"title": {"$match": "x" * 50}}),
    ],
)
def test_documents_beyond_the_limits_name_the_limit(ds: Dataset, limit: str, document: dict) -> None:
    tight = FilterLimits(max_query_depth=3, max_clause_count=4, max_terms_per_clause=4, max_sort_clauses=2,
                         max_string_length=40)
    with pytest.raises(FilterError, match=limit):
        run_simple_filters(ds, document, "people", limits=tight)
    run_simple_filters(ds, document, "people")  # within the default limits it runs


def test_default_limits_stop_an_oversized_document(ds: Dataset) -> None:
    huge = {"title": {"$in": [f"t{n}" for n in range(LIMITS.max_terms_per_clause + 1)]}}
    with pytest.raises(FilterError, match="max_terms_per_clause"):
        run_simple_filters(ds, huge, "people")
