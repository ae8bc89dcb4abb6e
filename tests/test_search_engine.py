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
        assert company["industry"] == "SaaS"


def test_flagship_query_misses_nobody(ds: Dataset) -> None:
    plan = plan_search(ds, parse_query(FLAGSHIP, "people"), "people")
    expected = [
        i for i in range(ds.count("people"))
        if ds.field("people", i, "seniority") == "VP" and ds.field("people", i, "jobFunction") == "Engineering"
        and ds.field("people", i, "locationName").startswith("New York")
        and ds.field("company", ds.person_company[i], "last_funding_round.type") == "Series B"
        and ds.field("company", ds.person_company[i], "industry") == "SaaS"
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
                      and ds.field("company", c, "industry") == "SaaS")
    assert f"Scanning {n_companies:,} Series B SaaS companies" in plan.stages
    assert f"Ranking {len(plan.ranked):,} candidates" in plan.stages
    broad = plan_search(ds, parse_query("engineers", "people"), "people")
    engineers = sum(1 for f in ds.person_function if f == 0)
    assert engineers > 1000 and f"Matching {engineers:,} people in Engineering" in broad.stages


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


def test_keywords_are_required_next_to_filters(ds: Dataset) -> None:
    """Unknown words narrow the search: with a filter present, every row must still mention them."""
    word = ds.company_name[ds.person_company[0]].split()[0].lower()
    function = ds.row("people", 0)["jobFunction"]
    pq = {"filters": {**empty_filters(), "job_function": [function]}, "keywords": [word]}
    plan = plan_search(ds, pq, "people")

    def mentions(i: int) -> bool:
        row, company = ds.row("people", i), ds.row("company", ds.person_company[i])
        text = " ".join([row["fullName"], row["title"], company["company_name"], company["industry"],
                         company["description"]]).lower()
        ending = "" if len(word) >= 5 else "(?:s|es)?(?![a-z0-9])"  # short keywords: whole words only
        return re.search(rf"(?<![a-z0-9]){re.escape(word)}{ending}", text) is not None

    expected = [i for i in range(ds.count("people")) if ds.person_function[i] == ds.person_function[0] and mentions(i)]
    assert 0 in plan.ranked
    assert sorted(plan.ranked) == expected
    assert len(expected) < sum(1 for f in ds.person_function if f == ds.person_function[0])


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


def _cities(ds: Dataset, plan: SearchPlan) -> set[str]:
    return {ds.row("people", i)["locationName"].split(", ")[0] for i in plan.ranked}


def _within(centre: str, radius: float) -> set[str]:
    """Sandbox cities within `radius` miles of `centre` (spherical law of cosines, not the engine's formula)."""
    import math

    from sixtyfour_tui.sandbox import vocab

    here = next(p for p in vocab.LOCATIONS if p.city == centre)

    def miles(p: vocab.Place) -> float:
        a, b = math.radians(here.lat), math.radians(p.lat)
        cosine = math.sin(a) * math.sin(b) + math.cos(a) * math.cos(b) * math.cos(math.radians(p.lon - here.lon))
        return 3958.8 * math.acos(max(-1.0, min(1.0, cosine)))

    return {p.city for p in vocab.LOCATIONS if miles(p) <= radius}


def test_location_expansion_takes_in_places_within_the_radius(ds: Dataset) -> None:
    pq = parse_query("engineers in San Francisco", "people")
    default = plan_search(ds, pq, "people")
    assert _cities(ds, default) == _within("San Francisco", 10) == {"San Francisco", "Oakland"}
    assert any(stage.startswith("Widening San Francisco to Oakland") for stage in default.stages)
    off = plan_search(ds, pq, "people", location_expansion=False)
    assert _cities(ds, off) == {"San Francisco"}
    assert not any(stage.startswith("Widening") for stage in off.stages)
    wide = plan_search(ds, pq, "people", radius_miles=50)
    assert _cities(ds, wide) == _within("San Francisco", 50) > {"San Francisco", "Oakland", "Palo Alto", "San Jose"}
    assert set(off.ranked) < set(default.ranked) < set(wide.ranked)


def test_states_countries_and_companies_are_not_widened(ds: Dataset) -> None:
    state = plan_search(ds, {"filters": {"location": ["California"]}}, "people", radius_miles=200)
    assert {ds.row("people", i)["locationName"].split(", ")[1] for i in state.ranked} == {"California"}
    companies = plan_search(ds, parse_query("companies in San Francisco", "company"), "company", radius_miles=50)
    assert {ds.row("company", c)["hq_city"] for c in companies.ranked} == {"San Francisco"}


def test_a_bad_radius_is_rejected(ds: Dataset) -> None:
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="radius"):
            plan_search(ds, {"filters": {}}, "people", radius_miles=bad)


def test_every_keyword_is_required(ds: Dataset) -> None:
    one = plan_search(ds, {"filters": {}, "keywords": ["nurse"]}, "people")
    both = plan_search(ds, {"filters": {}, "keywords": ["nurse", "practitioner"]}, "people")
    assert both.ranked and set(both.ranked) < set(one.ranked)
    assert all("Nurse Practitioner" in ds.row("people", i)["title"] for i in both.ranked)
    phrase = plan_search(ds, {"filters": {}, "keywords": ["chief of staff"]}, "people")
    assert phrase.ranked and all("Chief of Staff" in ds.row("people", i)["title"] for i in phrase.ranked)


def test_title_matches_rank_first(ds: Dataset) -> None:
    plan = plan_search(ds, {"filters": {}, "keywords": ["coffee"]}, "people")
    in_title = ["coffee" in ds.row("people", i)["title"].lower() for i in plan.ranked]
    assert in_title == sorted(in_title, reverse=True)


def test_founded_before(ds: Dataset) -> None:
    plan = plan_search(ds, {"filters": {"founded_before": 1980, "founded_after": 1969}}, "company")
    assert plan.ranked
    assert all(1969 < ds.row("company", c)["founded_year"] < 1980 for c in plan.ranked)
    assert len(plan.ranked) == sum(1969 < y < 1980 for y in ds.company_founded)


def test_counts_of_one_read_as_one(ds: Dataset) -> None:
    """'Matching 1 Manufacturing company', never '1 ... companies'."""
    from collections import Counter

    rows = [ds.row("company", c) for c in range(ds.count("company"))]
    pairs = Counter((row["industry"], row["hq_city"]) for row in rows)
    industry, city = next(pair for pair, n in sorted(pairs.items()) if n == 1)
    plan = plan_search(ds, {"filters": {"industry": [industry], "location": [city]}}, "company")
    assert len(plan.ranked) == 1
    assert f"Matching 1 {industry} company in {city}" in plan.stages
    assert "Ranking 1 company" in plan.stages
    assert not any(re.search(r"\b1 [^,]*compan(ies)\b", stage) for stage in plan.stages)


def test_the_first_stage_says_what_was_kept_read_and_not_placed(ds: Dataset) -> None:
    query = parse_query("sofware enginers in San Fransisco who love llamas", "people")
    first = plan_search(ds, query, "people").stages[0]
    assert first.startswith("Interpreting query: kept Engineering · San Francisco")
    assert "read “sofware” as “software”" in first and "“fransisco” as “francisco”" in first
    assert "could not place “love” and “llamas”" in first
    nurse = plan_search(ds, parse_query("nurses in Antarctica", "people"), "people").stages[0]
    assert "must mention “nurse”" in nurse and "no known place matches “Antarctica”" in nurse
    assert "could not place" not in nurse


def test_keywords_no_text_can_contain_find_nothing(ds: Dataset) -> None:
    assert plan_search(ds, {"filters": {}, "keywords": ["上海"]}, "people").ranked == []
    assert plan_search(ds, parse_query("工程师 in 上海", "company"), "company").ranked == []
