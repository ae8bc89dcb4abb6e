"""Run a `parsed_query` against the sandbox data set: every match, best first, plus progress text.

Matching rules (documented so clients can reason about results):
- Structured filters are hard: a row must satisfy every non-empty filter; the values inside one
  filter are alternatives. No partial matches are returned (a VP query never yields Directors).
- In people mode `location` is the person's own location; funding stage, industry, size,
  founding years and `is_public` are those of the person's current company. In company mode
  `location` is the headquarters and the person-only filters (seniority, job_function) are ignored.
- A location value matches a place's city, state/region, country or ISO-2 code, ignoring case
  and accents; an unknown place matches nothing. In people mode, with location expansion on (the
  default, radius 10 miles), a city also matches the sandbox's places within the radius
  ("San Francisco" takes in Oakland); states and countries are not widened.
- Keywords are required: a row must contain every keyword, at the start of a word (a plural ending
  allowed; keywords of five letters or more also match longer words: "engineer" matches
  "engineering"), in a person's title, name or company (name, industry, description), or in a
  company's name, industry or description.
- Ranking: (people) more keywords found in the title first, then rows with a known e-mail; then
  the company's prominence (money raised, then head count); ties keep index order, so results are
  deterministic.

Why columnar scans: filters compare small integers against per-value lookup tables, so a query over
100,000 people is a single pass over integer arrays, not 100,000 dict look-ups.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sixtyfour_tui.sandbox import vocab
from sixtyfour_tui.sandbox.dataset import Dataset, fold
from sixtyfour_tui.sandbox.query_parser import RULE_TERMS, empty_filters, validate_parsed_query

EARTH_RADIUS_MILES = 3958.8
_NOTHING = re.compile(r"(?!)")


@dataclass(frozen=True)
class SearchPlan:
    """All matching row indices, best first, and the progress messages a deep search shows."""

    ranked: list[int]
    stages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Query:
    mode: str
    filters: dict[str, Any]
    keywords: list[str]
    corrections: list[dict[str, str]]
    places: _Places


def plan_search(ds: Dataset, parsed_query: dict[str, Any], mode: str, *,
                location_expansion: bool = True, radius_miles: float = 10.0) -> SearchPlan:
    """Match and rank rows of `mode` for a parsed_query (raises ValueError if it is malformed).

    `location_expansion` and `radius_miles` are the request's `location_expansion_enabled` and
    `location_expansion_radius_miles`: in people mode a city also matches places within the radius.
    """
    if mode not in ("people", "company"):
        raise ValueError(f"unknown mode {mode!r}: expected 'people' or 'company'")
    if not (isinstance(radius_miles, (int, float)) and math.isfinite(radius_miles) and radius_miles >= 0):
        raise ValueError("radius_miles must be a finite number of miles, 0 or more")
    validate_parsed_query(parsed_query)
    filters = {**empty_filters(), **parsed_query["filters"]}
    keywords = list(dict.fromkeys(k.strip() for k in parsed_query.get("keywords", []) if k.strip()))
    widen = radius_miles if location_expansion and mode == "people" else None
    query = _Query(mode, filters, keywords, list(parsed_query.get("corrections", [])),
                   resolve_places(filters["location"], widen))
    if mode == "people":
        return _plan_people(ds, query)
    return _plan_companies(ds, query)


# --- people ----------------------------------------------------------------------------------


def _plan_people(ds: Dataset, query: _Query) -> SearchPlan:
    filters = query.filters
    stages = [_interpretation(query)] + query.places.stages()
    company_ok = _company_mask(ds, filters, location_ok=None)
    n_companies = sum(company_ok)
    total_people = ds.count("people")
    person_company = ds.person_company
    if n_companies == len(company_ok):
        at_companies: Sequence[int] = range(total_people)
        stages.append(f"Scanning {total_people:,} profiles")
    else:
        at_companies = [i for i in range(total_people) if company_ok[person_company[i]]]
        stages.append(f"Scanning {_companies(n_companies, filters)}")

    seniority_ok = _value_mask(vocab.SENIORITIES, filters["seniority"])
    function_ok = _value_mask(vocab.JOB_FUNCTIONS, filters["job_function"])
    location_ok = query.places.mask
    seniority, function, location = ds.person_seniority, ds.person_function, ds.person_location
    candidates = [
        i for i in at_companies if seniority_ok[seniority[i]] and function_ok[function[i]] and location_ok[location[i]]
    ]
    stages.append(f"Matching {_plural(len(candidates), 'person', 'people')}{_person_label(filters)}")

    title_hits: bytearray | None = None
    if query.keywords:
        candidates, title_hits = _people_with_keywords(ds, query.keywords, candidates)
        stages.append(f"Keeping {_plural(len(candidates), 'person', 'people')} whose title, name or company "
                      f"mentions {_quoted(query.keywords)}")
    stages.append(f"Ranking {_plural(len(candidates), 'candidate', 'candidates')}")

    has_email, prominence = ds.person_has_email, ds.company_prominence
    if title_hits is None:
        ranked = sorted(candidates, key=lambda i: (has_email[i] << 16) | prominence[person_company[i]], reverse=True)
    else:
        hits = title_hits
        ranked = sorted(
            candidates,
            key=lambda i: (hits[i] << 17) | (has_email[i] << 16) | prominence[person_company[i]],
            reverse=True,
        )
    with_email = sum(has_email[i] for i in ranked)
    stages.append(f"Verifying contact details ({with_email:,} with e-mail)")
    return SearchPlan(ranked=ranked, stages=stages)


def _people_with_keywords(ds: Dataset, keywords: list[str], candidates: Iterable[int]) -> tuple[list[int], bytearray]:
    """The candidates mentioning every keyword, and how many keywords each has in its title."""
    patterns = [keyword_pattern(k) for k in keywords]
    everything = (1 << len(patterns)) - 1
    first_hit = _hit_masks(patterns, _folded(vocab.FIRST_NAMES))
    last_hit = _hit_masks(patterns, _folded(vocab.LAST_NAMES))
    title_hit = _hit_masks(patterns, _folded(tuple(ds.titles)))
    company_hit = _hit_masks(patterns, ds.company_search_texts)
    first, last, title, company = ds.person_first, ds.person_last, ds.person_title, ds.person_company
    kept = []
    in_title = bytearray(ds.count("people"))
    for i in candidates:
        in_this_title = title_hit[title[i]]
        if (first_hit[first[i]] | last_hit[last[i]] | in_this_title | company_hit[company[i]]) == everything:
            kept.append(i)
            in_title[i] = in_this_title.bit_count()
    return kept, in_title


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


def _plan_companies(ds: Dataset, query: _Query) -> SearchPlan:
    filters = query.filters
    total = ds.count("company")
    stages = [_interpretation(query), f"Scanning {total:,} companies"]
    company_ok = _company_mask(ds, filters, location_ok=query.places.mask)
    candidates = [c for c in range(total) if company_ok[c]]
    stages.append(f"Matching {_companies(len(candidates), filters, with_location=True)}")
    if query.keywords:
        patterns = [keyword_pattern(k) for k in query.keywords]
        everything = (1 << len(patterns)) - 1
        texts = ds.company_search_texts
        masks = _hit_masks(patterns, [texts[c] for c in candidates])
        candidates = [c for c, mask in zip(candidates, masks) if mask == everything]
        stages.append(f"Keeping {_plural(len(candidates), 'company', 'companies')} whose name or description "
                      f"mentions {_quoted(query.keywords)}")
    stages.append(f"Ranking {_plural(len(candidates), 'company', 'companies')}")
    ranked = sorted(candidates, key=ds.company_prominence.__getitem__, reverse=True)
    stages.append("Verifying company details")
    return SearchPlan(ranked=ranked, stages=stages)


# --- places ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Places:
    """Which of the sandbox's places a location filter takes in, and how it got there."""

    mask: bytearray
    widened: dict[str, list[str]]  # value -> nearby cities added by location expansion
    unknown: list[str]             # values no place matches
    radius: float | None

    def stages(self) -> list[str]:
        if not self.widened:
            return []
        parts = [f"{value} to {', '.join(cities)}" for value, cities in self.widened.items()]
        return [f"Widening {'; '.join(parts)} (places within {self.radius:g} miles)"]


def resolve_places(values: list[str], radius_miles: float | None) -> _Places:
    """The places a location filter matches; with a radius, cities also take in their neighbours."""
    if not values:
        return _Places(bytearray(b"\x01" * len(vocab.LOCATIONS)), {}, [], radius_miles)
    mask = bytearray(len(vocab.LOCATIONS))
    widened: dict[str, list[str]] = {}
    unknown: list[str] = []
    for value in values:
        target = fold(value).strip()
        direct = [i for i, place in enumerate(vocab.LOCATIONS)
                  if target in (fold(part) for part in (place.city, place.state, place.country, place.iso2) if part)]
        if not direct:
            unknown.append(value)
            continue
        for i in direct:
            mask[i] = 1
        if radius_miles is None:
            continue
        for i in direct:
            centre = vocab.LOCATIONS[i]
            if fold(centre.city) != target:
                continue  # a state or a country is already a whole region
            for j, place in enumerate(vocab.LOCATIONS):
                if not mask[j] and miles_between(centre, place) <= radius_miles:
                    mask[j] = 1
                    widened.setdefault(value, []).append(place.city)
    return _Places(mask, widened, unknown, radius_miles)


def miles_between(a: vocab.Place, b: vocab.Place) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h))


# --- shared helpers --------------------------------------------------------------------------


def _company_mask(ds: Dataset, filters: dict[str, Any], location_ok: bytearray | None) -> bytearray:
    """1 for every company passing the company-level filters (and the headquarters places, if given)."""
    stage_ok = _value_mask(vocab.FUNDING_STAGES, filters["funding_stage"])
    industry_ok = _value_mask(vocab.INDUSTRIES, filters["industry"])
    size_ok = _value_mask([label for label, _lo, _hi in vocab.SIZE_RANGES], filters["company_size"])
    if location_ok is None:
        location_ok = bytearray(b"\x01" * len(vocab.LOCATIONS))
    founded_after = filters["founded_after"]
    founded_before = filters["founded_before"]
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
        if founded_before is not None and founded[c] >= founded_before:
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


@functools.lru_cache(maxsize=256)
def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """A keyword (or phrase) at the start of a word, its last word in singular or plural.

    Last words of five letters or more (after dropping a plural ending) also match longer words;
    shorter ones only as whole words, so "ai" does not match "aid".
    """
    words = fold(keyword).split()
    if not words:
        return _NOTHING  # only letters folding cannot spell in ASCII, like the searched texts: no match
    stem = _singular(words[-1])
    ending = "" if len(stem) >= 5 else r"(?:s|es)?(?![a-z0-9])"
    if stem.endswith("y") and len(stem) < 5:
        ending = r"(?:s|es)?(?![a-z0-9])|" + re.escape(stem[:-1]) + r"ies(?![a-z0-9])"
    body = r"\s+".join(re.escape(w) for w in [*words[:-1], stem])
    return re.compile(r"(?<![a-z0-9])(?:" + body + ending + ")")


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and re.search(r"(?:ss|x|ch|sh)es$", word):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _interpretation(query: _Query) -> str:
    """The first progress line: what the query was read as, so a misreading does not go unnoticed."""
    filters = query.filters
    kept: list[str] = []
    for name, value in filters.items():
        if name == "location":
            value = [v for v in value if v not in query.places.unknown]
        if isinstance(value, list):
            if value:
                kept.append(_alternatives(value, "or") + (" employees" if name == "company_size" else ""))
        elif name == "founded_after" and value is not None:
            kept.append(f"founded after {value}")
        elif name == "founded_before" and value is not None:
            kept.append(f"founded before {value}")
        elif name == "is_public" and value is not None:
            kept.append("public" if value else "private")
    placed = [k for k in query.keywords if fold(k) in RULE_TERMS]
    unplaced = [k for k in query.keywords if fold(k) not in RULE_TERMS]
    parts = []
    if kept:
        parts.append("kept " + " · ".join(kept))
    if placed:
        parts.append(f"must mention {_quoted(placed)}")
    if query.corrections:
        readings = [f"“{c['typed']}” as “{c['read_as']}”" for c in query.corrections[:5]]
        parts.append("read " + ", ".join(readings))
    if query.places.unknown:
        parts.append(f"no known place matches {_quoted(query.places.unknown)}")
    if unplaced:
        parts.append(f"could not place {_quoted(unplaced)}, so results must mention "
                     f"{'it' if len(unplaced) == 1 else 'them'}")
    if not parts:
        everything = "every profile" if query.mode == "people" else "every company"
        return f"Interpreting query: no filters recognised; returning {everything}, best known first"
    return "Interpreting query: " + "; ".join(parts)


def _companies(count: int, filters: dict[str, Any], with_location: bool = False) -> str:
    """e.g. '1 Manufacturing company', '412 Series B SaaS companies in New York'."""
    words = [_alternatives(filters["funding_stage"], "or"), _alternatives(filters["industry"], "or")]
    if filters["is_public"] is not None:
        words.insert(0, "public" if filters["is_public"] else "private")
    label = " ".join(w for w in words if w)
    noun = "company" if count == 1 else "companies"
    text = f"{count:,} {label} {noun}" if label else f"{count:,} {noun}"
    if filters["company_size"]:
        text += f" with {_alternatives(filters['company_size'], 'or')} employees"
    if filters["founded_after"] is not None:
        text += f" founded after {filters['founded_after']}"
    if filters["founded_before"] is not None:
        text += f" founded before {filters['founded_before']}"
    if with_location and filters["location"]:
        text += f" in {_alternatives(filters['location'], 'or')}"
    return text


def _person_label(filters: dict[str, Any]) -> str:
    parts = []
    if filters["seniority"]:
        parts.append(f"at {_alternatives(filters['seniority'], 'or')} level")
    if filters["job_function"]:
        parts.append(f"in {_alternatives(filters['job_function'], 'or')}")
    if filters["location"]:
        parts.append(f"based in {_alternatives(filters['location'], 'or')}")
    return (" " + ", ".join(parts)) if parts else ""


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _quoted(words: list[str]) -> str:
    return _alternatives([f"“{w}”" for w in words], "and")


def _alternatives(values: list[str], conjunction: str, shown: int = 4) -> str:
    """'A', 'A or B', 'A, B or C'; past `shown` values: 'A, B, C and 14 more' (never a silent cut)."""
    if len(values) > shown:
        return f"{', '.join(values[:shown - 1])} and {len(values) - shown + 1} more"
    if len(values) <= 1:
        return "".join(values)
    return f"{', '.join(values[:-1])} {conjunction} {values[-1]}"
