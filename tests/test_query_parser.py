"""Natural-language queries become the expected structured filters."""

from __future__ import annotations

import json

import pytest

from sixtyfour_tui.sandbox.query_parser import FILTER_KEYS, parse_query, validate_parsed_query

BAY_AREA = ["San Francisco", "Oakland", "San Jose", "Palo Alto", "Mountain View"]
STARTUP = ["Pre-seed", "Seed", "Series A", "Series B"]
LARGE = ["1001-5000", "5001-10000", "10001+"]

CASES = [
    ("VP of Engineering at Series B SaaS startups in New York", "people",
     dict(seniority=["VP"], job_function=["Engineering"], funding_stage=["Series B"],
          industry=["SaaS/Software"], location=["New York"])),
    ("Series B fintech companies in London with 50-200 employees", "company",
     dict(funding_stage=["Series B"], industry=["Fintech"], location=["London"], company_size=["51-200"])),
    ("CTOs at fintech startups in the bay area", "people",
     dict(seniority=["CXO"], job_function=["Engineering"], funding_stage=STARTUP, industry=["Fintech"],
          location=BAY_AREA)),
    ("CEO of a startup in Austin", "people",
     dict(seniority=["CXO", "Owner / Founder"], job_function=["General Management"], funding_stage=STARTUP,
          location=["Austin"])),
    ("founders of pre-seed startups in London", "people",
     dict(seniority=["Owner / Founder"], funding_stage=["Pre-seed"], location=["London"])),
    ("Head of Growth at seed-stage AI companies in SF", "people",
     dict(seniority=["Head"], job_function=["Marketing"], funding_stage=["Seed"],
          industry=["AI/Machine Learning"], location=["San Francisco"])),
    ("engineers at public companies in NYC", "people",
     dict(job_function=["Engineering"], location=["New York"], is_public=True)),
    ("cybersecurity companies with over 1000 employees founded after 2015", "company",
     dict(industry=["Cybersecurity"], company_size=LARGE, founded_after=2015)),
    ("senior software engineers in Berlin", "people",
     dict(seniority=["Senior"], job_function=["Engineering"], location=["Berlin"])),
    ("product managers at Series A or B healthcare companies", "people",
     dict(seniority=["Manager"], job_function=["Product"], funding_stage=["Series A", "Series B"],
          industry=["Healthcare"])),
    ("data scientists in Toronto", "people", dict(job_function=["Data"], location=["Toronto"])),
    ("Directors of Sales in the US", "people",
     dict(seniority=["Director"], job_function=["Sales"], location=["United States"])),
    ("series a-c climate tech companies", "company",
     dict(funding_stage=["Series A", "Series B", "Series C"], industry=["Climate/Energy"])),
    ("Managing Partners at consulting firms in Chicago", "people",
     dict(seniority=["Partner"], industry=["Consulting"], location=["Chicago"])),
    ("early-stage edtech founders in Bangalore", "people",
     dict(seniority=["Owner / Founder"], funding_stage=["Pre-seed", "Seed", "Series A"], industry=["Education"],
          location=["Bangalore"])),
    ("publicly traded biotech companies in Boston", "company",
     dict(industry=["Biotech"], location=["Boston"], is_public=True)),
    ("private companies under 50 employees in Paris", "company",
     dict(company_size=["1-10", "11-50"], location=["Paris"], is_public=False)),
    ("CFOs at Series D companies with 1000+ employees", "people",
     dict(seniority=["CXO"], job_function=["Finance"], funding_stage=["Series D"], company_size=LARGE)),
    ("recruiters at gaming studios in Los Angeles", "people",
     dict(job_function=["HR/People"], industry=["Gaming"], location=["Los Angeles"])),
    ("bootstrapped e-commerce brands founded since 2018", "company",
     dict(funding_stage=["Bootstrapped"], industry=["E-commerce"], founded_after=2017)),
    ("Series E logistics companies in Singapore", "company",
     dict(funding_stage=["Series E+"], industry=["Logistics"], location=["Singapore"])),
    ("junior designers at startups in Tel Aviv", "people",
     dict(seniority=["Entry"], job_function=["Design"], funding_stage=STARTUP, location=["Tel Aviv"])),
    ("machine learning engineers at AI startups with 11-50 employees", "people",
     dict(job_function=["Data"], industry=["AI/Machine Learning"], company_size=["11-50"])),
    ("VP Sales at companies with between 200 and 500 employees", "people",
     dict(seniority=["VP"], job_function=["Sales"], company_size=["201-500"])),
    ("private equity backed manufacturing companies in Germany", "company",
     dict(funding_stage=["Private Equity"], industry=["Manufacturing"], location=["Germany"])),
    ("heads of people at Series C companies in Seattle", "people",
     dict(seniority=["Head"], job_function=["HR/People"], funding_stage=["Series C"], location=["Seattle"])),
    ("startups with fewer than 10 employees", "company", dict(company_size=["1-10"])),
    ("VP of Engineering in New York", "company", dict(location=["New York"])),
]


@pytest.mark.parametrize(("text", "mode", "expected"), CASES, ids=[c[0] for c in CASES])
def test_query_table(text: str, mode: str, expected: dict) -> None:
    parsed = parse_query(text, mode)
    filters = parsed["filters"]
    assert set(filters) == set(FILTER_KEYS)
    got = {key: value for key, value in filters.items() if value not in ([], None)}
    assert got == expected
    assert parsed["keywords"] == []
    assert parsed["mode"] == mode and parsed["text"] == text


def test_unparseable_query_keeps_only_keywords() -> None:
    parsed = parse_query("quantum blockchain wizards", "people")
    assert parsed["keywords"] == ["quantum", "blockchain", "wizards"]
    assert all(value in ([], None) for value in parsed["filters"].values())


def test_unknown_words_survive_next_to_filters() -> None:
    parsed = parse_query("VP of Sales at Zenmi Labs", "people")
    assert parsed["filters"]["seniority"] == ["VP"]
    assert parsed["keywords"] == ["zenmi", "labs"]


def test_control_tokens_are_not_keywords() -> None:
    parsed = parse_query("#fail VP of Sales", "people")
    assert parsed["keywords"] == []
    assert parsed["filters"]["job_function"] == ["Sales"]


def test_lowercase_us_is_not_a_place() -> None:
    assert parse_query("people like us", "people")["filters"]["location"] == []
    assert parse_query("engineers in the US", "people")["filters"]["location"] == ["United States"]


def test_parsed_query_round_trips_through_json_and_validates() -> None:
    parsed = parse_query("CTOs at Series A fintech startups in London founded after 2019", "people")
    again = json.loads(json.dumps(parsed))
    validate_parsed_query(again)
    assert again == parsed


def test_unknown_mode_is_rejected() -> None:
    with pytest.raises(ValueError, match="mode"):
        parse_query("engineers", "persons")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("not a dict", "JSON object"),
        ({"mode": "people"}, "filters"),
        ({"mode": "robots", "filters": {}}, "mode"),
        ({"filters": {"seniority": "VP"}}, "list of strings"),
        ({"filters": {"seniority": [1]}}, "list of strings"),
        ({"filters": {"seniority": ["Boss"]}}, "unknown value"),
        ({"filters": {"salary": []}}, "unknown filter"),
        ({"filters": {"founded_after": "2015"}}, "founded_after"),
        ({"filters": {"founded_after": True}}, "founded_after"),
        ({"filters": {"is_public": "yes"}}, "is_public"),
        ({"filters": {}, "keywords": "abc"}, "keywords"),
        ({"filters": {}, "text": 5}, "text"),
    ],
)
def test_validate_rejects_malformed(bad: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_parsed_query(bad)


def test_validate_accepts_minimal_and_free_form_locations() -> None:
    validate_parsed_query({"filters": {}})
    validate_parsed_query({"mode": "company", "filters": {"location": ["Lagos"], "founded_after": None}})
