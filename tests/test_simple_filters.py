"""Mongo-style simple_filters: each operator, logic, sorting, limits and clear errors."""

from __future__ import annotations

import pytest

from sixtyfour_tui.sandbox.dataset import Dataset
from sixtyfour_tui.sandbox.simple_filters import FilterError, run_simple_filters


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


def test_match_is_case_insensitive_regex(ds: Dataset) -> None:
    got = run_simple_filters(ds, {"title": {"$match": "engineer"}}, "people")
    assert got == _expect(ds, "people", lambda r: "engineer" in r["title"].lower())
    anchored = run_simple_filters(ds, {"title": {"$match": "^vp of"}}, "people")
    assert anchored and all(ds.row("people", i)["title"].startswith("VP of") for i in anchored)


def test_phrase_is_literal(ds: Dataset) -> None:
    got = run_simple_filters(ds, {"title": {"$phrase": "VP OF"}}, "people")
    assert got == _expect(ds, "people", lambda r: "vp of" in r["title"].lower())


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
        ({"title": {"$elemMatch": {"x": 1}}}, "unsupported operator: \\$elemMatch"),
        ({"$where": "1"}, "unsupported operator: \\$where"),
        ({"$search": "engineer"}, "unsupported operator: \\$search"),
        ({"salary": 5}, "unknown field: salary"),
        ({"title": {"$in": "VP"}}, "\\$in"),
        ({"title": {"$match": "("}}, "invalid pattern"),
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
