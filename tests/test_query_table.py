"""Realistic queries, read the way a person means them, and rows that make sense for each.

Each case says what the query must parse to (the non-empty filters, the keywords, the typos read)
and how many rows are plausible. Every returned row is then checked against the parsed filters
from the row JSON alone (not from the engine's internals), plus a check in the words of a person
("a nurse's title says Nurse"): a wrong 2,000 fails as surely as a wrong 0.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from sixtyfour_tui.sandbox import vocab
from sixtyfour_tui.sandbox.dataset import Dataset, fold, load_dataset
from sixtyfour_tui.sandbox.query_parser import parse_query
from sixtyfour_tui.sandbox.search_engine import plan_search

BAY_AREA = ["San Francisco", "Oakland", "San Jose", "Palo Alto", "Mountain View", "Menlo Park"]
STARTUP = ["Pre-seed", "Seed", "Series A", "Series B"]
LARGE = ["1001-5000", "5001-10000", "10001+"]
LEADERSHIP = ["CXO", "VP", "Director", "Head"]
EUROPE = ["United Kingdom", "Ireland", "Germany", "France", "Netherlands", "Belgium", "Sweden", "Denmark",
          "Norway", "Finland", "Switzerland", "Austria", "Spain", "Portugal", "Italy", "Poland", "Czechia"]
MANY = 10**6
RADIUS_MILES = 10.0

Row = dict[str, Any]


@dataclass
class Case:
    text: str
    mode: str
    filters: dict[str, Any]
    rows: tuple[int, int]                      # plausible number of results (inclusive)
    keywords: list[str] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    meant: Callable[[Row, Row], bool] | None = None  # (row, its company row) -> what the person meant


def title_has(*words: str) -> Callable[[Row, Row], bool]:
    return lambda row, company: any(w.lower() in row["title"].lower() for w in words)


def text_has(word: str) -> Callable[[Row, Row], bool]:
    return lambda row, company: word in f"{company['company_name']} {company['description']}".lower()


CASES = [
    # --- people: the examples -------------------------------------------------------------
    Case("sofware enginers in San Fransisco", "people",
         dict(job_function=["Engineering"], location=["San Francisco"]), (1000, 20000),
         corrections={"sofware": "software", "enginers": "engineers", "fransisco": "francisco"},
         meant=lambda row, company: row["locationName"].startswith(("San Francisco", "Oakland"))),
    Case("nurses in Chicago", "people", dict(job_function=["Clinical"], location=["Chicago"]), (5, 300),
         keywords=["nurse"], meant=title_has("nurse")),
    Case("Chief Llama Wrangler in Antarctica", "people", dict(location=["Antarctica"]), (0, 0),
         keywords=["chief", "llama", "wrangler"]),
    Case("chief of staff to the CEO", "people", dict(job_function=["General Management"]), (50, 2000),
         keywords=["chief of staff"], meant=title_has("chief of staff")),
    Case("engineering leads in Berlin", "people",
         dict(seniority=["Manager", "Senior"], job_function=["Engineering"], location=["Berlin"]), (50, 2000)),
    # --- people: the classic demo queries -----------------------------------------------------------
    Case("VP of Engineering at Series B SaaS startups in New York", "people",
         dict(seniority=["VP"], job_function=["Engineering"], funding_stage=["Series B"], industry=["SaaS"],
              location=["New York"]), (100, 600), meant=title_has("engineering", "platform", "infrastructure")),
    Case("CTOs at fintech startups in the bay area", "people",
         dict(seniority=["CXO"], job_function=["Engineering"], funding_stage=STARTUP, industry=["Fintech"],
              location=BAY_AREA), (1, 200), meant=title_has("cto", "chief technology")),
    Case("founders of pre-seed startups in London", "people",
         dict(seniority=["Owner / Founder"], funding_stage=["Pre-seed"], location=["London"]), (1, 500),
         meant=title_has("founder", "owner")),
    Case("Head of Growth at seed-stage AI companies in SF", "people",
         dict(seniority=["Head"], job_function=["Marketing"], funding_stage=["Seed"],
              industry=["AI/Machine Learning"], location=["San Francisco"]), (0, 100),
         meant=title_has("head of")),
    Case("senior software engineers in Berlin", "people",
         dict(seniority=["Senior"], job_function=["Engineering"], location=["Berlin"]), (50, 3000)),
    Case("CFOs at Series D companies with 1000+ employees", "people",
         dict(seniority=["CXO"], job_function=["Finance"], funding_stage=["Series D"], company_size=LARGE), (0, 100)),
    Case("recruiters at gaming studios in Los Angeles", "people",
         dict(job_function=["HR/People"], industry=["Gaming"], location=["Los Angeles"]), (1, 200)),
    Case("junior designers at startups in Tel Aviv", "people",
         dict(seniority=["Entry"], job_function=["Design"], funding_stage=STARTUP, location=["Tel Aviv"]), (1, 300)),
    Case("machine learning engineers at AI startups with 11-50 employees", "people",
         dict(job_function=["Data"], industry=["AI/Machine Learning"], company_size=["11-50"]), (10, 2000)),
    Case("heads of people at Series C companies in Seattle", "people",
         dict(seniority=["Head"], job_function=["HR/People"], funding_stage=["Series C"], location=["Seattle"]),
         (1, 100)),
    Case("product managers at Series A or B healthcare companies", "people",
         dict(seniority=["Manager"], job_function=["Product"], funding_stage=["Series A", "Series B"],
              industry=["Healthcare"]), (1, 500)),
    # --- people: roles the old vocabulary did not know ------------------------------------------------
    Case("physicians at hospitals in Bostn", "people",
         dict(job_function=["Clinical"], industry=["Healthcare"], location=["Boston"]), (1, 200),
         keywords=["physician"], corrections={"bostn": "boston"}, meant=title_has("physician")),
    Case("teachers in Boston", "people", dict(job_function=["Teaching"], location=["Boston"]), (1, 200),
         keywords=["teacher"], meant=title_has("teacher")),
    Case("lawyers at law firms in Washington DC", "people",
         dict(job_function=["Legal"], industry=["Legal Services"], location=["District of Columbia"]), (1, 500)),
    Case("partners at VC firms in Menlo Park", "people",
         dict(seniority=["Partner"], job_function=["Investing"], industry=["Venture Capital"],
              location=["Menlo Park"]), (1, 300), meant=title_has("partner")),
    Case("baristas at coffee shops in Seattle", "people",
         dict(job_function=["Hospitality"], industry=["Food & Beverage"], location=["Seattle"]), (1, 100),
         keywords=["barista", "coffee"], meant=title_has("barista")),
    Case("chefs in Las Vegas", "people", dict(job_function=["Hospitality"], location=["Las Vegas"]), (1, 100),
         keywords=["chef"], meant=title_has("chef")),
    Case("investors in the bay area", "people", dict(job_function=["Investing"], location=BAY_AREA), (5, 500),
         meant=lambda row, company: company["industry"] == "Venture Capital"),
    Case("executive assistant to the CEO", "people", dict(job_function=["Operations"]), (10, 3000),
         keywords=["executive assistant"], meant=title_has("executive assistant")),
    # --- people: typos, vague and long queries -------------------------------------------------------------
    Case("data scientsts in Toronto", "people", dict(job_function=["Data"], location=["Toronto"]), (20, 3000),
         corrections={"scientsts": "scientists"}),
    Case("mangers in fintech in Londn", "people",
         dict(seniority=["Manager"], industry=["Fintech"], location=["London"]), (20, 3000),
         corrections={"mangers": "managers", "londn": "london"}),
    Case("decision makers at large enterprises in Europe", "people",
         dict(seniority=LEADERSHIP, company_size=LARGE, location=EUROPE), (100, 5000)),
    Case("someone senior in sales in Austin", "people",
         dict(seniority=["Senior"], job_function=["Sales"], location=["Austin"]), (10, 2000)),
    Case("executives at public companies in NYC", "people",
         dict(seniority=["CXO", "VP"], location=["New York"], is_public=True), (10, 2000)),
    Case("engineers", "people", dict(job_function=["Engineering"]), (10000, MANY)),
    Case("I'm looking for senior backend engineers who work at Series B or C fintech companies in London with "
         "between 50 and 500 employees, ideally founded after 2015", "people",
         dict(seniority=["Senior"], job_function=["Engineering"], funding_stage=["Series B", "Series C"],
              industry=["Fintech"], company_size=["51-200", "201-500"], location=["London"], founded_after=2015),
         (1, 500)),
    # --- people: unknown words are required, so nonsense finds nothing ----------------------------------
    Case("remote python developers", "people", dict(job_function=["Engineering"]), (0, 0),
         keywords=["remote", "python"]),
    Case("VP of Sales at Zenmi Labs", "people", dict(seniority=["VP"], job_function=["Sales"]), (0, 50),
         keywords=["zenmi", "labs"], meant=lambda row, company: "zenmi" in company["company_name"].lower()),
    Case("zzqxv flurbington", "people", {}, (0, 0), keywords=["zzqxv", "flurbington"]),
    # --- companies --------------------------------------------------------------------------------------
    Case("coffee shops in Seattle", "company", dict(industry=["Food & Beverage"], location=["Seattle"]), (1, 60),
         keywords=["coffee"], meant=text_has("coffee")),
    Case("cofee shops in Portland", "company", dict(industry=["Food & Beverage"], location=["Portland"]), (1, 60),
         keywords=["coffee"], corrections={"cofee": "coffee"}, meant=text_has("coffee")),
    Case("gaming studios in Tokyo", "company", dict(industry=["Gaming"], location=["Tokyo"]), (5, 200)),
    Case("venture capital firms in Menlo Park", "company",
         dict(industry=["Venture Capital"], location=["Menlo Park"]), (5, 200), meant=text_has("venture")),
    Case("Series B fintech companies in London with 50-200 employees", "company",
         dict(funding_stage=["Series B"], industry=["Fintech"], location=["London"], company_size=["51-200"]),
         (1, 200)),
    Case("cybersecurity companies with over 1000 employees founded after 2015", "company",
         dict(industry=["Cybersecurity"], company_size=LARGE, founded_after=2015), (0, 200)),
    Case("publicly traded biotech companies in Boston", "company",
         dict(industry=["Biotech"], location=["Boston"], is_public=True), (0, 100)),
    Case("hotels in Las Vegas", "company", dict(industry=["Hospitality"], location=["Las Vegas"]), (3, 200)),
    Case("nonprofits in Nairobi", "company", dict(industry=["Nonprofit"], location=["Nairobi"]), (1, 100)),
    Case("law firms in New York founded before 1990", "company",
         dict(industry=["Legal Services"], location=["New York"], founded_before=1990), (1, 200)),
    Case("manufacturing companies in Germany older than 30 years", "company",
         dict(industry=["Manufacturing"], location=["Germany"], founded_before=1995), (0, 100)),
    Case("helthcare startups in Nashvile", "company",
         dict(industry=["Healthcare"], funding_stage=STARTUP, location=["Nashville"]), (1, 100),
         corrections={"helthcare": "healthcare", "nashvile": "nashville"}),
    Case("software companies", "company", dict(industry=["Software", "SaaS"]), (1000, MANY)),
    Case("automotive companies in Detroit", "company", dict(industry=["Automotive"], location=["Detroit"]), (3, 200)),
    Case("AI companies in Toronto founded in the last 5 years", "company",
         dict(industry=["AI/Machine Learning"], location=["Toronto"], founded_after=2020), (1, 200)),
    Case("blockchain companies in Lisbon", "company", dict(location=["Lisbon"]), (0, 0), keywords=["blockchain"]),
    Case("VP of Engineering in New York", "company", dict(location=["New York"]), (500, MANY)),
    Case("private companies under 50 employees in Paris", "company",
         dict(company_size=["1-10", "11-50"], location=["Paris"], is_public=False), (10, 500)),
]


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load_dataset(seed=64, people=100_000, companies=10_000)


@pytest.fixture(scope="module")
def companies_by_id(ds: Dataset) -> dict[str, Row]:
    return {row["source_id"]: row for row in (ds.row("company", c) for c in range(ds.count("company")))}


def test_the_table_is_varied() -> None:
    assert len(CASES) >= 40
    assert sum(c.mode == "company" for c in CASES) >= 12
    assert sum(bool(c.corrections) for c in CASES) >= 6
    assert sum(c.rows == (0, 0) for c in CASES) >= 3


@pytest.mark.parametrize("case", CASES, ids=[f"{c.mode}: {c.text[:60]}" for c in CASES])
def test_query_reads_as_meant_and_returns_plausible_rows(case: Case, ds: Dataset,
                                                          companies_by_id: dict[str, Row]) -> None:
    parsed = parse_query(case.text, case.mode)
    got = {key: value for key, value in parsed["filters"].items() if value not in ([], None)}
    assert got == case.filters
    assert parsed["keywords"] == case.keywords
    assert {c["typed"]: c["read_as"] for c in parsed["corrections"]} == case.corrections

    plan = plan_search(ds, parsed, case.mode)
    low, high = case.rows
    assert low <= len(plan.ranked) <= high, f"{len(plan.ranked)} rows"
    sample = plan.ranked[:300] + plan.ranked[-50:]
    for i in sample:
        row = ds.row(case.mode, i)
        company = companies_by_id[row["currentCompanies"][0]["company"]["companyId"]] if case.mode == "people" else row
        problem = _violation(row, company, case.mode, parsed)
        assert problem is None, f"{row.get('headline') or row['company_name']}: {problem}"
        if case.meant is not None:
            assert case.meant(row, company), row.get("headline") or row["company_name"]


def _violation(row: Row, company: Row, mode: str, parsed: dict[str, Any]) -> str | None:
    """Why a row does not satisfy the parsed query, judged from the row JSON alone (None: it does)."""
    filters = parsed["filters"]
    if mode == "people":
        if filters["seniority"] and row["seniority"] not in filters["seniority"]:
            return f"seniority {row['seniority']}"
        if filters["job_function"] and row["jobFunction"] not in filters["job_function"]:
            return f"function {row['jobFunction']}"
        if filters["location"] and not _in_places(row["locationName"].split(", "), filters["location"], RADIUS_MILES):
            return f"location {row['locationName']}"
    elif filters["location"] and not _in_places([company["hq_city"], company["hq_state"] or "",
                                                 company["hq_country"], company["hq_country_iso2"]],
                                                filters["location"], None):
        return f"headquarters {company['hq_city']}"
    funding = company["last_funding_round"]["type"]
    if filters["funding_stage"] and funding not in filters["funding_stage"]:
        return f"funding {funding}"
    if filters["industry"] and company["industry"] not in filters["industry"]:
        return f"industry {company['industry']}"
    if filters["company_size"] and company["size_range"] not in filters["company_size"]:
        return f"size {company['size_range']}"
    if filters["founded_after"] is not None and not company["founded_year"] > filters["founded_after"]:
        return f"founded {company['founded_year']}"
    if filters["founded_before"] is not None and not company["founded_year"] < filters["founded_before"]:
        return f"founded {company['founded_year']}"
    if filters["is_public"] is not None and company["is_public"] != filters["is_public"]:
        return "public" if company["is_public"] else "private"
    text = fold(" ".join([row.get("title", ""), row.get("fullName", ""), company["company_name"], company["industry"],
                          company["description"]]))
    for keyword in parsed["keywords"]:
        if not re.search(r"(?<![a-z0-9])" + re.escape(fold(keyword)).replace(r"\ ", r"\s+")[:-1], text):
            return f"does not mention {keyword!r}"
    return None


def _in_places(parts: list[str], wanted: list[str], radius: float | None) -> bool:
    """A place (its name parts) is one of `wanted`, or a sandbox place within `radius` of a wanted city."""
    folded = {fold(p) for p in parts if p}
    if folded & {fold(w) for w in wanted}:
        return True
    if radius is None:
        return False
    here = next((p for p in vocab.LOCATIONS if fold(p.city) in folded and fold(p.country) in folded), None)
    cities = [p for p in vocab.LOCATIONS if fold(p.city) in {fold(w) for w in wanted}]
    return here is not None and any(_miles(here, city) <= radius for city in cities)


def _miles(a: vocab.Place, b: vocab.Place) -> float:
    """Spherical law of cosines: an independent check of the engine's haversine."""
    p1, p2, dl = math.radians(a.lat), math.radians(b.lat), math.radians(b.lon - a.lon)
    cosine = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 3958.8 * math.acos(max(-1.0, min(1.0, cosine)))
