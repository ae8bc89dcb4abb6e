"""plan_search returns every genuine match, ranked deterministically, with honest progress text."""

from __future__ import annotations

import re

import pytest

from sixtyfour_tui.sandbox.dataset import Dataset, load_dataset
from sixtyfour_tui.sandbox.query_parser import empty_filters, parse_query
from sixtyfour_tui.sandbox.search_engine import SearchPlan, plan_search

FLAGSHIP = "VP of Engineering at Series B SaaS startups in New York"


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load_dataset(seed=64, people=100_000, companies=10_000)


def test_flagship_query_finds_a_few_hundred_genuine_matches(ds: Dataset) -> None:
    plan = plan_search(ds, parse_query(FLAGSHIP, "people"), "people")
    assert isinstance(plan, SearchPlan)
    assert 100 <= len(plan.ranked) <= 600
    assert len(set(plan.ranked)) == len(plan.ranked)
    company_rows = {}
    for i in plan.ranked:
        row = ds.row("people", i)
        assert row["seniority"] == "VP"
        assert row["jobFunction"] == "Engineering"
        assert row["locationName"].startswith("New York, New York")
        c = ds.person_company[i]
        company = company_rows.setdefault(c, ds.row("company", c))
        assert company["company_name"] == row["currentCompanies"][0]["company"]["name"]
        assert company["last_funding_round"]["type"] == "Series B"
        assert company["industry"] == "SaaS/Software"


def test_flagship_query_misses_nobody(ds: Dataset) -> None:
    plan = plan_search(ds, parse_query(FLAGSHIP, "people"), "people")
    expected = [
        i for i in range(ds.count("people"))
        if ds.field("people", i, "seniority") == "VP" and ds.field("people", i, "jobFunction") == "Engineering"
        and ds.field("people", i, "locationName").startswith("New York")
        and ds.field("company", ds.person_company[i], "last_funding_round.type") == "Series B"
        and ds.field("company", ds.person_company[i], "industry") == "SaaS/Software"
    ]
    assert sorted(plan.ranked) == expected


def test_ranking_is_deterministic_and_contactable_first(ds: Dataset) -> None:
    pq = parse_query(FLAGSHIP, "people")
    first = plan_search(ds, pq, "people")
    assert plan_search(ds, pq, "people").ranked == first.ranked
    emails = [ds.person_has_email[i] for i in first.ranked]
    assert emails == sorted(emails, reverse=True)


def test_stages_report_real_counts(ds: Dataset) -> None:
    plan = plan_search(ds, parse_query(FLAGSHIP, "people"), "people")
    assert 3 <= len(plan.stages) <= 6
    assert plan.stages[0].startswith("Interpreting query: ")
    assert "VP" in plan.stages[0] and "New York" in plan.stages[0]
    n_companies = sum(1 for c in range(ds.count("company"))
                      if ds.field("company", c, "last_funding_round.type") == "Series B"
                      and ds.field("company", c, "industry") == "SaaS/Software")
    assert f"Scanning {n_companies:,} Series B SaaS/Software companies" in plan.stages
    assert f"Ranking {len(plan.ranked):,} candidates" in plan.stages
    assert any(re.search(r"\d,\d{3}", stage) for stage in plan.stages)


def test_company_mode_query(ds: Dataset) -> None:
    text = "Series B fintech companies in London with 50-200 employees"
    plan = plan_search(ds, parse_query(text, "company"), "company")
    assert plan.ranked
    for c in plan.ranked:
        row = ds.row("company", c)
        assert row["last_funding_round"]["type"] == "Series B"
        assert row["industry"] == "Fintech"
        assert row["hq_city"] == "London"
        assert row["size_range"] == "51-200"
    amounts = [ds.row("company", c)["last_funding_round"]["amount_raised"] for c in plan.ranked]
    assert amounts == sorted(amounts, reverse=True)
    assert 3 <= len(plan.stages) <= 6


def test_company_filters_on_people(ds: Dataset) -> None:
    text = "engineers at public cybersecurity companies founded after 1990"
    plan = plan_search(ds, parse_query(text, "people"), "people")
    assert plan.ranked
    for i in plan.ranked[:200]:
        company = ds.row("company", ds.person_company[i])
        assert company["is_public"] is True
        assert company["industry"] == "Cybersecurity"
        assert company["founded_year"] > 1990
        assert ds.row("people", i)["jobFunction"] == "Engineering"


def test_keyword_only_query_matches_text(ds: Dataset) -> None:
    name = ds.company_name[0].split()[0].lower()
    plan = plan_search(ds, parse_query(name, "people"), "people")
    assert plan.ranked
    for i in plan.ranked:
        row = ds.row("people", i)
        company = ds.row("company", ds.person_company[i])
        text = " ".join([row["fullName"], row["headline"], company["industry"], company["description"]]).lower()
        assert re.search(rf"(?<![a-z0-9]){re.escape(name)}", text)
    assert 0 in plan_search(ds, parse_query(name, "company"), "company").ranked


def test_keywords_lift_rows_when_filters_exist(ds: Dataset) -> None:
    word = ds.company_name[ds.person_company[0]].split()[0].lower()
    function = ds.row("people", 0)["jobFunction"]
    pq = {"filters": {**empty_filters(), "job_function": [function]}, "keywords": [word]}
    plan = plan_search(ds, pq, "people")
    assert len(plan.ranked) == sum(1 for f in ds.person_function if f == ds.person_function[0])

    def mentions(i: int) -> bool:
        row, company = ds.row("people", i), ds.row("company", ds.person_company[i])
        text = " ".join([row["fullName"], row["headline"], company["industry"], company["description"]]).lower()
        return re.search(rf"(?<![a-z0-9]){re.escape(word)}", text) is not None

    flags = [mentions(i) for i in plan.ranked[:400]]
    assert flags[0] and 0 in plan.ranked
    assert flags == sorted(flags, reverse=True)


def test_no_match_gives_empty_list(ds: Dataset) -> None:
    assert plan_search(ds, parse_query("zzqxv flurbington", "people"), "people").ranked == []
    pq = {"filters": {"location": ["Atlantis"]}, "keywords": []}
    plan = plan_search(ds, pq, "people")
    assert plan.ranked == []
    assert 3 <= len(plan.stages) <= 6


def test_empty_query_returns_everything(ds: Dataset) -> None:
    plan = plan_search(ds, {"filters": {}, "keywords": []}, "company")
    assert sorted(plan.ranked) == list(range(ds.count("company")))


def test_malformed_parsed_query_is_rejected(ds: Dataset) -> None:
    with pytest.raises(ValueError, match="seniority"):
        plan_search(ds, {"filters": {"seniority": "VP"}}, "people")
    with pytest.raises(ValueError, match="mode"):
        plan_search(ds, {"filters": {}}, "robots")
