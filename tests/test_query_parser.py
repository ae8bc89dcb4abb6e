"""Natural-language queries become the expected structured filters."""

from __future__ import annotations

import json

import pytest

from sixtyfour_tui.sandbox.query_parser import FILTER_KEYS, parse_query, validate_parsed_query

BAY_AREA = ["San Francisco", "Oakland", "San Jose", "Palo Alto", "Mountain View", "Menlo Park"]
STARTUP = ["Pre-seed", "Seed", "Series A", "Series B"]
LARGE = ["1001-5000", "5001-10000", "10001+"]

CASES = [
    ("VP of Engineering at Series B SaaS startups in New York", "people",
     dict(seniority=["VP"], job_function=["Engineering"], funding_stage=["Series B"],
          industry=["SaaS"], location=["New York"])),
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
    parsed = parse_query("CTOs at Series A fintech startups in Londn founded after 2019 llamas", "people")
    assert parsed["corrections"] and parsed["keywords"] == ["llamas"]
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
        ({"filters": {}, "keywords": ["ok", "  "]}, "no letter"),
        ({"filters": {}, "keywords": ["x" * 81]}, "longer than 80"),
        ({"filters": {}, "keywords": [f"k{n}" for n in range(21)]}, "at most 20"),
        ({"filters": {"founded_before": "1990"}}, "founded_before"),
        ({"filters": {}, "corrections": [{"typed": "x"}]}, "corrections"),
        ({"filters": {}, "corrections": "sofware"}, "corrections"),
        ({"filters": {}, "text": 5}, "text"),
    ],
)
def test_validate_rejects_malformed(bad: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_parsed_query(bad)


def test_validate_accepts_minimal_and_free_form_locations() -> None:
    validate_parsed_query({"filters": {}})
    validate_parsed_query({"mode": "company", "filters": {"location": ["Lagos"], "founded_after": None}})


def test_typos_are_read_as_the_vocabulary_word_meant() -> None:
    parsed = parse_query("sofware enginers in San Fransisco", "people")
    assert parsed["filters"]["job_function"] == ["Engineering"]
    assert parsed["filters"]["location"] == ["San Francisco"]
    assert parsed["corrections"] == [{"typed": "sofware", "read_as": "software"},
                                     {"typed": "enginers", "read_as": "engineers"},
                                     {"typed": "fransisco", "read_as": "francisco"}]
    assert parse_query("helthcare compnies in Seatle", "company")["filters"]["industry"] == ["Healthcare"]
    assert parse_query("directrs of markting", "people")["filters"] == {
        **parse_query("directors of marketing", "people")["filters"]}


def test_known_words_and_short_words_are_not_corrected() -> None:
    for text in ("Acme Quantum", "Priya Patel", "labs", "ux", "Zenmi"):
        assert parse_query(text, "people")["corrections"] == []
    assert parse_query("sals", "people")["filters"]["job_function"] == ["Sales"]  # 4 letters, one edit
    assert parse_query("zales", "people")["corrections"] == []  # short words keep their first letter
    assert parse_query("llama wrangler", "people")["keywords"] == ["llama", "wrangler"]


def test_roles_set_a_function_and_a_title_keyword_in_people_mode_only() -> None:
    people = parse_query("nurses and paralegals", "people")
    assert people["filters"]["job_function"] == ["Legal", "Clinical"]
    assert people["keywords"] == ["nurse", "paralegal"]
    companies = parse_query("nurses in Chicago", "company")
    assert companies["keywords"] == [] and companies["filters"]["job_function"] == []
    assert parse_query("coffee shops", "company")["keywords"] == ["coffee"]  # a trade, not a role: both modes


def test_a_capitalised_unknown_place_is_kept_as_a_location() -> None:
    assert parse_query("chefs in Reykjavik", "people")["filters"]["location"] == ["Reykjavik"]
    assert parse_query("founders based in San Antonio", "people")["filters"]["location"] == ["San Antonio"]
    lower = parse_query("chefs in reykjavik", "people")
    assert lower["filters"]["location"] == [] and lower["keywords"] == ["chef", "reykjavik"]
    assert parse_query("VP of Sales at Zenmi Labs", "people")["filters"]["location"] == []


def test_whom_a_role_reports_to_is_not_a_second_role() -> None:
    parsed = parse_query("chief of staff to the CEO", "people")
    assert parsed["filters"]["seniority"] == [] and parsed["filters"]["job_function"] == ["General Management"]
    assert parsed["keywords"] == ["chief of staff"]
    assert parse_query("CEOs", "people")["filters"]["seniority"] == ["CXO", "Owner / Founder"]


def test_leads_and_vague_seniority_words() -> None:
    assert parse_query("engineering leads", "people")["filters"]["seniority"] == ["Manager", "Senior"]
    assert parse_query("team leads", "people")["filters"]["seniority"] == ["Manager"]
    assert parse_query("lead designers", "people")["filters"]["seniority"] == ["Senior"]
    assert parse_query("senior leadership", "people")["filters"]["seniority"] == ["CXO", "VP", "Director", "Head"]
    assert parse_query("executive vice presidents", "people")["filters"]["seniority"] == ["VP"]


def test_software_means_both_software_industries_and_saas_only_saas() -> None:
    assert parse_query("software companies", "company")["filters"]["industry"] == ["Software", "SaaS"]
    assert parse_query("SaaS companies", "company")["filters"]["industry"] == ["SaaS"]


def test_founding_years_both_ways() -> None:
    assert parse_query("companies founded in 2019", "company")["filters"] | {} == {
        **parse_query("", "company")["filters"], "founded_after": 2018, "founded_before": 2020}
    assert parse_query("firms founded before 2000", "company")["filters"]["founded_before"] == 2000
    assert parse_query("companies over 50 years old", "company")["filters"]["founded_before"] == 1975
    assert parse_query("startups less than 3 years old", "company")["filters"]["founded_after"] == 2022


@pytest.mark.parametrize("text", ["上海 engineers", "x" * 5000, " ".join(f"word{n}x" for n in range(40)),
                                  "🚀 founders", "\x00\x01 ##", "İstanbul founders in München"])
def test_odd_text_still_gives_a_valid_parsed_query(text: str) -> None:
    for mode in ("people", "company"):
        parsed = parse_query(text, mode)
        validate_parsed_query(json.loads(json.dumps(parsed)))
