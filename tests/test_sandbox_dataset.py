"""The synthetic data set: deterministic, realistic shapes, consistent fields."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter

import pytest

from sixtyfour_tui.sandbox import vocab
from sixtyfour_tui.sandbox.dataset import COMPANY_CSV_HEADER, PEOPLE_CSV_HEADER, Dataset, load_dataset

PEOPLE_KEYS = {"publicId", "fullName", "headline", "title", "seniority", "jobFunction", "locationName",
               "linkedinUrl", "email", "currentCompanies"}
COMPANY_KEYS = {"source_id", "company_name", "website_domain", "website", "linkedin_url", "industry",
                "description", "founded_year", "employees_count", "size_range", "hq_city", "hq_state",
                "hq_country", "hq_country_iso2", "last_funding_round", "is_public"}


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load_dataset(seed=64, people=100_000, companies=10_000)


def _fingerprint(ds: Dataset, mode: str) -> str:
    n = ds.count(mode)
    rows = [ds.row(mode, i) for i in list(range(1000)) + list(range(n - 1000, n))]
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def test_sizes(ds: Dataset) -> None:
    assert ds.count("people") == 100_000
    assert ds.count("company") == 10_000


def test_load_dataset_is_cached_per_arguments(ds: Dataset) -> None:
    assert load_dataset(seed=64, people=100_000, companies=10_000) is ds
    assert load_dataset(seed=65, people=2_000, companies=200) is not ds


def test_same_seed_gives_identical_data(ds: Dataset) -> None:
    again = Dataset(seed=64, people=100_000, companies=10_000)
    assert _fingerprint(again, "people") == _fingerprint(ds, "people")
    assert _fingerprint(again, "company") == _fingerprint(ds, "company")


def test_different_seed_gives_different_data(ds: Dataset) -> None:
    other = Dataset(seed=65, people=100_000, companies=10_000)
    assert _fingerprint(other, "people") != _fingerprint(ds, "people")
    assert _fingerprint(other, "company") != _fingerprint(ds, "company")


def test_person_row_shape(ds: Dataset) -> None:
    row = ds.row("people", 123)
    assert set(row) == PEOPLE_KEYS
    assert re.fullmatch(r"[a-z0-9-]+-[0-9a-f]{6}", row["publicId"])
    assert row["linkedinUrl"] == f"https://www.linkedin.com/in/{row['publicId']}"
    assert row["seniority"] in vocab.SENIORITIES
    assert row["jobFunction"] in vocab.JOB_FUNCTIONS
    (current,) = row["currentCompanies"]
    company = current["company"]
    assert set(company) == {"companyId", "name", "domain", "url"}
    assert row["headline"] == f"{row['title']} at {company['name']}"
    assert current["positions"] == [{"title": row["title"]}]
    assert company["url"] == f"https://{company['domain']}"
    json.dumps(row)


def test_company_row_shape_and_consistency(ds: Dataset) -> None:
    for c in range(0, 10_000, 97):
        row = ds.row("company", c)
        assert set(row) == COMPANY_KEYS
        assert row["website"] == f"https://{row['website_domain']}"
        assert row["linkedin_url"].startswith("https://www.linkedin.com/company/")
        label, low, high = next(r for r in vocab.SIZE_RANGES if r[0] == row["size_range"])
        assert low <= row["employees_count"] <= high
        assert 1950 <= row["founded_year"] <= vocab.REFERENCE_YEAR
        funding = row["last_funding_round"]
        assert funding["type"] in vocab.FUNDING_STAGES
        assert row["is_public"] == (funding["type"] == "IPO/Public")
        if funding["type"] == "Bootstrapped":
            assert funding["amount_raised"] is None and funding["announced_date"] is None
        else:
            assert funding["amount_raised"] > 0
            assert str(row["founded_year"]) <= funding["announced_date"] <= vocab.REFERENCE_DATE.isoformat()
        assert row["hq_country_iso2"] and len(row["hq_country_iso2"]) == 2
        assert row["company_name"] in row["description"] or row["industry"] in row["description"]
        json.dumps(row)


def test_funding_amounts_grow_with_stage(ds: Dataset) -> None:
    def median_amount(stage: str) -> float:
        amounts = sorted(ds.company_amount_k[c] for c in range(10_000)
                         if vocab.FUNDING_STAGES[ds.company_stage[c]] == stage)
        return amounts[len(amounts) // 2]

    assert median_amount("Seed") < median_amount("Series A") < median_amount("Series B") < median_amount("Series C")


def test_ids_names_and_domains_are_unique(ds: Dataset) -> None:
    assert len({ds.entity_id("people", i) for i in range(100_000)}) == 100_000
    assert len({ds.entity_id("company", c) for c in range(10_000)}) == 10_000
    assert len(set(ds.company_name)) == 10_000
    assert len(set(ds.company_slug)) == 10_000


def test_seniority_mix_is_realistic(ds: Dataset) -> None:
    counts = Counter(vocab.SENIORITIES[s] for s in ds.person_seniority)
    assert set(counts) == set(vocab.SENIORITIES)
    assert counts["Senior"] > counts["VP"] > counts["CXO"]
    assert counts["Entry"] > 5 * counts["CXO"]


def test_names_and_places_are_varied(ds: Dataset) -> None:
    assert len(set(ds.person_first)) > 250
    assert len(set(ds.person_last)) > 250
    assert len(set(ds.titles)) > 150
    assert len(set(ds.person_location)) == len(vocab.LOCATIONS)


def test_about_sixty_percent_have_company_emails(ds: Dataset) -> None:
    emails = [ds.row("people", i)["email"] for i in range(2000)]
    known = [e for e in emails if e is not None]
    assert 0.55 < len(known) / len(emails) < 0.65
    row = next(ds.row("people", i) for i in range(2000) if emails[i])
    assert row["email"].endswith("@" + row["currentCompanies"][0]["company"]["domain"])
    assert re.fullmatch(r"[a-z0-9-]+\.[a-z0-9-]+@[a-z0-9.]+", row["email"])


def test_people_mostly_live_at_their_company_headquarters(ds: Dataset) -> None:
    same = sum(ds.person_location[i] == ds.company_location[ds.person_company[i]] for i in range(10_000))
    assert 0.85 < same / 10_000 < 0.95


def test_csv_rows_match_json_rows(ds: Dataset) -> None:
    assert ds.csv_header("people") == PEOPLE_CSV_HEADER
    assert ds.csv_header("company") == COMPANY_CSV_HEADER
    person = ds.row("people", 7)
    flat = dict(zip(PEOPLE_CSV_HEADER, ds.csv_row("people", 7)))
    assert flat["full_name"] == person["fullName"]
    assert flat["company_domain"] == person["currentCompanies"][0]["company"]["domain"]
    assert flat["email"] == (person["email"] or "")
    company = ds.row("company", 7)
    flat = dict(zip(COMPANY_CSV_HEADER, ds.csv_row("company", 7)))
    assert flat["employees_count"] == str(company["employees_count"])
    assert flat["last_funding_type"] == company["last_funding_round"]["type"]
    assert all(isinstance(v, str) for v in ds.csv_row("company", 7))


def test_field_access_matches_rows(ds: Dataset) -> None:
    person = ds.row("people", 42)
    for name in ("publicId", "fullName", "headline", "title", "seniority", "jobFunction", "locationName",
                 "linkedinUrl", "email"):
        assert ds.field("people", 42, name) == person[name]
    assert ds.field("people", 42, "currentCompanies.company.name") == person["currentCompanies"][0]["company"]["name"]
    company = ds.row("company", 42)
    for name in COMPANY_KEYS:
        assert ds.field("company", 42, name) == company[name]
    assert ds.field("company", 42, "last_funding_round.type") == company["last_funding_round"]["type"]
    with pytest.raises(KeyError):
        ds.field("company", 42, "no_such_field")


def test_unknown_mode_is_rejected(ds: Dataset) -> None:
    with pytest.raises(ValueError, match="unknown mode"):
        ds.count("persons")


def test_documented_industry_filters_work(ds: Dataset) -> None:
    """Sixtyfour's examples filter on "Software" and "SaaS": both are values, not one "SaaS/Software"."""
    from sixtyfour_tui.sandbox.simple_filters import run_simple_filters

    industries = Counter(ds.row("company", c)["industry"] for c in range(ds.count("company")))
    software = run_simple_filters(ds, {"industry": "Software"}, "company")
    either = run_simple_filters(ds, {"industry": {"$in": ["Software", "SaaS"]}}, "company")
    assert len(software) == industries["Software"] > 0
    assert len(either) == industries["Software"] + industries["SaaS"] > len(software)
    assert {"Venture Capital", "Legal Services", "Hospitality", "Food & Beverage", "Healthcare"} <= set(industries)


def test_industries_employ_the_people_they_need(ds: Dataset) -> None:
    def functions_at(industry: str) -> Counter:
        return Counter(ds.row("people", i)["jobFunction"] for i in range(0, 100_000, 3)
                       if vocab.INDUSTRIES[ds.company_industry[ds.person_company[i]]] == industry)

    assert functions_at("Healthcare").most_common(1)[0][0] == "Clinical"
    assert functions_at("Legal Services").most_common(1)[0][0] == "Legal"
    assert functions_at("Venture Capital").most_common(1)[0][0] == "Investing"
    assert functions_at("Food & Beverage").most_common(1)[0][0] == "Hospitality"
    baristas = [i for i in range(100_000) if "Barista" in ds.titles[ds.person_title[i]]]
    assert baristas and all(vocab.INDUSTRIES[ds.company_industry[ds.person_company[i]]] == "Food & Beverage"
                            for i in baristas)


def test_every_place_has_coordinates_and_industries_cluster(ds: Dataset) -> None:
    for place in vocab.LOCATIONS:
        assert -90 <= place.lat <= 90 and -180 <= place.lon <= 180 and place.weight > 0
    tokyo = [ds.row("company", c)["industry"] for c in range(10_000) if ds.row("company", c)["hq_city"] == "Tokyo"]
    share_in_tokyo = tokyo.count("Gaming") / len(tokyo)
    share_overall = sum(1 for i in ds.company_industry if vocab.INDUSTRIES[i] == "Gaming") / 10_000
    assert share_in_tokyo > 3 * share_overall
