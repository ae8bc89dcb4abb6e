"""Run a `parsed_query` against the sandbox data set: every match, best first, plus progress text.

Matching rules (documented so clients can reason about results):
- Structured filters are hard: a row must satisfy every non-empty filter; the values inside one
  filter are alternatives. No partial matches are returned (a VP query never yields Directors).
- In people mode `location` is the person's own location; funding stage, industry, size,
  founding year and `is_public` are those of the person's current company. In company mode
  `location` is the headquarters and the person-only filters (seniority, job_function) are ignored.
- A location value matches a place's city, state/region, country or ISO-2 code, ignoring case
  and accents; an unknown place matches nothing.
- Keywords are hard only when the query has no structured filter at all: then a row must contain
  at least one keyword at the start of a word (keywords under five letters: as a whole word or
  plural) in its name, title, headline, company name, industry or company description. With
  structured filters present, keywords only lift rows that contain them.
- Ranking: more keyword hits first; then (people) rows with a known e-mail; then the company's
  prominence (money raised, then head count); ties keep index order, so results are deterministic.

Why columnar scans: filters compare small integers against per-value lookup tables, so a query over
100,000 people is a single pass over integer arrays, not 100,000 dict look-ups.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sixtyfour_tui.sandbox import vocab
from sixtyfour_tui.sandbox.dataset import Dataset, fold
from sixtyfour_tui.sandbox.query_parser import empty_filters, validate_parsed_query

COMPANY_FILTERS = ("funding_stage", "industry", "company_size", "founded_after", "is_public")


@dataclass(frozen=True)
class SearchPlan:
    """All matching row indices, best first, and the progress messages a deep search shows."""

    ranked: list[int]
    stages: list[str] = field(default_factory=list)


def plan_search(ds: Dataset, parsed_query: dict[str, Any], mode: str) -> SearchPlan:
    """Match and rank rows of `mode` for a parsed_query (raises ValueError if it is malformed)."""
    if mode not in ("people", "company"):
        raise ValueError(f"unknown mode {mode!r}: expected 'people' or 'company'")
    validate_parsed_query(parsed_query)
    filters = {**empty_filters(), **parsed_query["filters"]}
    keywords = [fold(k) for k in parsed_query.get("keywords", []) if k.strip()]
    structured = any(filters[key] not in ([], None) for key in filters)
    if mode == "people":
        return _plan_people(ds, filters, keywords, structured)
    return _plan_companies(ds, filters, keywords, structured)


# --- people ----------------------------------------------------------------------------------


def _plan_people(ds: Dataset, filters: dict[str, Any], keywords: list[str], structured: bool) -> SearchPlan:
    stages = [_interpretation(filters, keywords, structured)]
    company_ok = _company_mask(ds, filters, use_location=False)
    n_companies = sum(company_ok)
    total_people = ds.count("people")
    person_company = ds.person_company
    if n_companies == len(company_ok):
        at_companies: Sequence[int] = range(total_people)
        stages.append(f"Scanning {total_people:,} profiles")
    else:
        at_companies = [i for i in range(total_people) if company_ok[person_company[i]]]
        stages.append(f"Scanning {n_companies:,} {_company_label(filters)}")

    seniority_ok = _value_mask(vocab.SENIORITIES, filters["seniority"])
    function_ok = _value_mask(vocab.JOB_FUNCTIONS, filters["job_function"])
    location_ok = _location_mask(filters["location"])
    seniority, function, location = ds.person_seniority, ds.person_function, ds.person_location
    candidates = [
        i for i in at_companies if seniority_ok[seniority[i]] and function_ok[function[i]] and location_ok[location[i]]
    ]
    stages.append(f"Matching {_plural(len(candidates), 'person', 'people')}{_person_label(filters)}")

    hits = _people_keyword_hits(ds, keywords, candidates) if keywords else None
    if hits is not None and not structured:
        candidates = [i for i in candidates if hits[i]]
        stages[-1] = f"Matching {_plural(len(candidates), 'person', 'people')} mentioning {_quoted(keywords)}"
    stages.append(f"Ranking {len(candidates):,} candidates")

    has_email, prominence = ds.person_has_email, ds.company_prominence
    if hits is None:
        ranked = sorted(candidates, key=lambda i: (has_email[i] << 16) | prominence[person_company[i]], reverse=True)
    else:
        ranked = sorted(
            candidates,
            key=lambda i: (hits[i] << 17) | (has_email[i] << 16) | prominence[person_company[i]],
            reverse=True,
        )
    with_email = sum(has_email[i] for i in ranked)
    stages.append(f"Verifying contact details ({with_email:,} with e-mail)")
    return SearchPlan(ranked=ranked, stages=stages)


def _people_keyword_hits(ds: Dataset, keywords: list[str], candidates: Iterable[int]) -> bytearray:
    """Number of keywords each person mentions (name, title, headline or company text), by index."""
    patterns = [_keyword_pattern(k) for k in keywords]
    first_hit = _hit_masks(patterns, _folded(vocab.FIRST_NAMES))
    last_hit = _hit_masks(patterns, _folded(vocab.LAST_NAMES))
    title_hit = _hit_masks(patterns, _folded(tuple(ds.titles)))
    company_hit = _hit_masks(patterns, ds.company_search_texts)
    first, last, title, company = ds.person_first, ds.person_last, ds.person_title, ds.person_company
    hits = bytearray(ds.count("people"))
    for i in candidates:
        hits[i] = (first_hit[first[i]] | last_hit[last[i]] | title_hit[title[i]] | company_hit[company[i]]).bit_count()
    return hits


def _hit_masks(patterns: list[re.Pattern[str]], texts: Sequence[str]) -> list[int]:
    """Per text, a bit set of the keyword patterns it contains."""
    masks = [0] * len(texts)
    for bit, pattern in enumerate(patterns):
        for index, text in enumerate(texts):
            if pattern.search(text):
                masks[index] |= 1 << bit
    return masks


@functools.cache
def _folded(texts: tuple[str, ...]) -> list[str]:
    return [fold(t) for t in texts]


# --- companies -------------------------------------------------------------------------------


def _plan_companies(ds: Dataset, filters: dict[str, Any], keywords: list[str], structured: bool) -> SearchPlan:
    total = ds.count("company")
    stages = [_interpretation(filters, keywords, structured), f"Scanning {total:,} companies"]
    company_ok = _company_mask(ds, filters, use_location=True)
    candidates = [c for c in range(total) if company_ok[c]]
    stages.append(f"Matching {len(candidates):,} {_company_label(filters, with_location=True)}")
    hits: dict[int, int] | None = None
    if keywords:
        masks = _hit_masks([_keyword_pattern(k) for k in keywords], ds.company_search_texts)
        hits = {c: masks[c].bit_count() for c in candidates}
        if not structured:
            candidates = [c for c in candidates if hits[c]]
            stages[-1] = f"Matching {_plural(len(candidates), 'company', 'companies')} mentioning {_quoted(keywords)}"
    stages.append(f"Ranking {_plural(len(candidates), 'company', 'companies')}")
    prominence = ds.company_prominence
    if hits is None:
        ranked = sorted(candidates, key=prominence.__getitem__, reverse=True)
    else:
        ranked = sorted(candidates, key=lambda c: (hits[c] << 16) | prominence[c], reverse=True)
    stages.append("Verifying company details")
    return SearchPlan(ranked=ranked, stages=stages)


# --- shared helpers --------------------------------------------------------------------------


def _company_mask(ds: Dataset, filters: dict[str, Any], use_location: bool) -> bytearray:
    """1 for every company passing the company-level filters."""
    stage_ok = _value_mask(vocab.FUNDING_STAGES, filters["funding_stage"])
    industry_ok = _value_mask(vocab.INDUSTRIES, filters["industry"])
    size_ok = _value_mask([label for label, _lo, _hi in vocab.SIZE_RANGES], filters["company_size"])
    location_ok = _location_mask(filters["location"] if use_location else [])
    founded_after = filters["founded_after"]
    is_public = filters["is_public"]
    public_stage = vocab.FUNDING_STAGES.index("IPO/Public")
    stage, industry, size = ds.company_stage, ds.company_industry, ds.company_size
    founded, location = ds.company_founded, ds.company_location
    mask = bytearray(ds.count("company"))
    for c in range(len(mask)):
        if not (stage_ok[stage[c]] and industry_ok[industry[c]] and size_ok[size[c]] and location_ok[location[c]]):
            continue
        if founded_after is not None and founded[c] <= founded_after:
            continue
        if is_public is not None and (stage[c] == public_stage) != is_public:
            continue
        mask[c] = 1
    return mask


def _value_mask(vocabulary: Sequence[str], wanted: list[str]) -> bytearray:
    """Lookup table over a vocabulary: 1 where the value is wanted (all 1 when no filter)."""
    if not wanted:
        return bytearray(b"\x01" * len(vocabulary))
    chosen = set(wanted)
    return bytearray(value in chosen for value in vocabulary)


def _location_mask(wanted: list[str]) -> bytearray:
    if not wanted:
        return bytearray(b"\x01" * len(vocab.LOCATIONS))
    targets = {fold(value).strip() for value in wanted}
    return bytearray(
        any(fold(part) in targets for part in (city, state, country, iso2) if part)
        for city, state, country, iso2, _weight in vocab.LOCATIONS
    )


def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    """Keywords match at the start of a word; short ones (< 5 letters) only as a whole word or plural."""
    ending = "" if len(keyword) >= 5 else r"(?:s|es)?(?![a-z0-9])"
    return re.compile(r"(?<![a-z0-9])" + re.escape(keyword) + ending)


def _interpretation(filters: dict[str, Any], keywords: list[str], structured: bool) -> str:
    """The first progress line says how the query was understood, so a typo does not go unnoticed."""
    understood = []
    for name, value in filters.items():
        if isinstance(value, list):
            understood.extend(value)
        elif name == "founded_after" and value is not None:
            understood.append(f"founded after {value}")
        elif name == "is_public" and value is not None:
            understood.append("public" if value else "private")
    if not structured:
        words = ", ".join(keywords) if keywords else "nothing"
        return f"Interpreting query: no filters recognised; matching the words {words}"
    line = "Interpreting query: " + " · ".join(understood)
    if keywords:
        line += f" (words used only for ranking: {', '.join(keywords)})"
    return line


def _company_label(filters: dict[str, Any], with_location: bool = False) -> str:
    """e.g. 'Series B SaaS/Software companies in New York'."""
    words = [
        " or ".join(filters["funding_stage"][:3]) if filters["funding_stage"] else "",
        " or ".join(filters["industry"][:3]) if filters["industry"] else "",
    ]
    label = " ".join(w for w in words if w)
    label = f"{label} companies" if label else "companies"
    if filters["company_size"]:
        label += f" with {' or '.join(filters['company_size'][:3])} employees"
    if filters["founded_after"] is not None:
        label += f" founded after {filters['founded_after']}"
    if filters["is_public"] is not None:
        label = ("public " if filters["is_public"] else "private ") + label
    if with_location and filters["location"]:
        label += f" in {' or '.join(filters['location'][:3])}"
    return label


def _person_label(filters: dict[str, Any]) -> str:
    parts = []
    if filters["seniority"]:
        parts.append("at " + " or ".join(filters["seniority"]) + " level")
    if filters["job_function"]:
        parts.append("in " + " or ".join(filters["job_function"]))
    if filters["location"]:
        parts.append("based in " + " or ".join(filters["location"][:3]))
    return (" " + ", ".join(parts)) if parts else ""


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _quoted(keywords: list[str]) -> str:
    return ", ".join(f"“{k}”" for k in keywords[:5])
