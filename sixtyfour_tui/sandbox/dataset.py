"""The sandbox's synthetic index of people and companies, stored column by column.

Why columnar: the sandbox must start fast with 100,000 people, so each person is a handful of
small integers in `array`s that index the vocabularies of `vocab.py`; the JSON row a client sees is
only assembled in `row()`. The same seed always yields the same data. Generating takes a few tenths
of a second, so `load_dataset` keeps the generated columns in a cache file (`dataset_cache.py`) and
a later process only reads them back.
"""

from __future__ import annotations

import functools
import math
import random
import re
import unicodedata
from array import array
from bisect import bisect
from collections.abc import Callable, Sequence
from datetime import date
from itertools import accumulate
from typing import Any

from sixtyfour_tui.sandbox import vocab

MODES = ("people", "company")

PEOPLE_CSV_HEADER = [
    "full_name", "title", "seniority", "job_function", "company_name", "company_domain", "location",
    "linkedin_url", "email",
]
COMPANY_CSV_HEADER = [
    "company_name", "website_domain", "industry", "employees_count", "founded_year", "hq_city",
    "hq_state", "hq_country", "last_funding_type", "last_funding_amount", "linkedin_url",
]

_NO_FUNDING_STAGE = vocab.FUNDING_STAGES.index("Bootstrapped")
_PUBLIC_STAGE = vocab.FUNDING_STAGES.index("IPO/Public")

# The generated state of a data set: (attribute, array typecode); "list" columns hold strings.
# The cache file stores exactly these, so a column added here is cached without further work.
ARRAY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("company_industry", "B"), ("company_location", "B"), ("company_stage", "B"), ("company_size", "B"),
    ("company_employees", "I"), ("company_founded", "H"), ("company_amount_k", "I"),
    ("company_announced", "I"), ("company_flavour", "H"),
    ("person_company", "H"), ("person_first", "H"), ("person_last", "H"), ("person_seniority", "B"),
    ("person_function", "B"), ("person_title", "H"), ("person_location", "B"), ("person_has_email", "B"),
)
TEXT_COLUMNS: tuple[str, ...] = ("company_name", "company_domain", "company_slug")
SCALARS: tuple[str, ...] = ("_id_offset", "_company_id_offset")


RESERVED_WORDS = frozenset({"none", "null", "nan", "true", "false", "undefined"})


def slugify(text: str, keep: str = "") -> str:
    """ASCII, lower-case, letters and digits only (plus `keep`): for ids, e-mails and domains."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(f"[^a-z0-9{re.escape(keep)}]", "", ascii_text)


def fold(text: str) -> str:
    """Lower-case ASCII spelling used for case- and accent-insensitive matching."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def _scramble(index: int, offset: int, bits: int) -> int:
    """A bijection on `bits`-bit integers: ids look random yet can never collide."""
    mask = (1 << bits) - 1
    return (((index + offset) & mask) * 0x9E3779B1) & mask


def location_name(location_index: int) -> str:
    place = vocab.LOCATIONS[location_index]
    return ", ".join(part for part in (place.city, place.state, place.country) if part)


def _cumulative(weights: Sequence[float]) -> tuple[list[float], float]:
    cumulative = list(accumulate(weights))
    return cumulative, cumulative[-1]


TitleOptions = list[list[list[tuple[int, ...]]]]  # [industry][seniority][function] -> title indices


@functools.cache
def _title_options() -> tuple[list[str], TitleOptions]:
    """Every title an (industry, seniority, function) can carry, as indices into one title vocabulary."""
    titles: dict[str, int] = {}

    def ids(names: list[str] | tuple[str, ...]) -> tuple[int, ...]:
        return tuple(titles.setdefault(name, len(titles)) for name in names)

    common = [[ids(_titles_for(seniority, function, vocab.IC_TITLES[function])) for function in vocab.JOB_FUNCTIONS]
              for seniority in vocab.SENIORITIES]
    options: TitleOptions = []
    for industry in vocab.INDUSTRIES:
        special = vocab.IC_TITLES_BY_INDUSTRY.get(industry, {})
        options.append([
            [ids(_titles_for(seniority, function, special[function])) if function in special
             and seniority in ("Senior", "Entry") else common[s][f]
             for f, function in enumerate(vocab.JOB_FUNCTIONS)]
            for s, seniority in enumerate(vocab.SENIORITIES)
        ])
    return list(titles), options


def _titles_for(seniority: str, function: str, individual_titles: tuple[str, ...]) -> list[str]:
    """The titles of one seniority in one function (`individual_titles` for Senior and Entry)."""
    spellings = vocab.FUNCTION_TITLE_NAMES[function]
    main = spellings[0]
    if seniority == "CXO":
        return list(vocab.CXO_TITLES[function])
    if seniority == "VP":
        return [f"VP of {main}", f"VP of {main}", f"Vice President, {main}", f"SVP of {main}",
                *(f"VP of {s}" for s in spellings[1:])]
    if seniority == "Director":
        return [f"Director of {s}" for s in spellings] + [f"Senior Director of {main}"]
    if seniority == "Head":
        return [f"Head of {s}" for s in spellings]
    if seniority == "Owner / Founder":
        return list(vocab.FOUNDER_TITLES.get(function, vocab.FOUNDER_FALLBACK_TITLES))
    if seniority == "Partner":
        return list(vocab.PARTNER_TITLES_BY_FUNCTION.get(function, vocab.PARTNER_TITLES))
    if seniority == "Manager":
        return list(vocab.MANAGER_TITLES[function])
    if seniority == "Senior":
        return [f"Senior {t}" for t in individual_titles] + list(vocab.SENIOR_EXTRA_TITLES.get(function, ()))
    return list(individual_titles)


def _stage_weights(industry: str) -> tuple[float, ...]:
    if industry in vocab.UNFUNDED_INDUSTRIES:
        return vocab.STAGE_WEIGHTS_UNFUNDED
    if industry in vocab.TRADITIONAL_INDUSTRIES:
        return vocab.STAGE_WEIGHTS_TRADITIONAL
    return vocab.STAGE_WEIGHTS_TECH if industry in vocab.TECH_INDUSTRIES else vocab.STAGE_WEIGHTS_OTHER


def _seniority_weights(size_group: str, industry: str) -> list[float]:
    multipliers = vocab.SENIORITY_MULTIPLIERS_BY_INDUSTRY.get(industry, {})
    return [w * multipliers.get(s, 1.0)
            for s, w in zip(vocab.SENIORITIES, vocab.SENIORITY_WEIGHTS_BY_SIZE_GROUP[size_group])]


def _function_weights(seniority: str, industry: str) -> list[float]:
    """Function mix of one seniority in one industry: a common table plus the industry's focus."""
    base = {
        "CXO": vocab.FUNCTION_WEIGHTS_CXO,
        "Owner / Founder": vocab.FUNCTION_WEIGHTS_FOUNDER,
        "Partner": vocab.FUNCTION_WEIGHTS_PARTNER,
    }.get(seniority)
    if base is None:
        base = vocab.FUNCTION_WEIGHTS_TECH if industry in vocab.TECH_INDUSTRIES else vocab.FUNCTION_WEIGHTS_OTHER
    scale = vocab.FOCUS_SCALE_BY_SENIORITY.get(seniority, 1.0)
    focus = vocab.FUNCTION_FOCUS_BY_INDUSTRY.get(industry, {})
    return [w + scale * focus.get(f, 0.0) for f, w in zip(vocab.JOB_FUNCTIONS, base)]


class Dataset:
    """Columnar people and companies; rows are built on demand."""

    company_industry: array[int]
    company_location: array[int]
    company_stage: array[int]
    company_size: array[int]
    company_employees: array[int]
    company_founded: array[int]
    company_amount_k: array[int]    # thousands of USD raised in the last round; 0 = none
    company_announced: array[int]   # date ordinal of the last round; 0 = none
    company_flavour: array[int]     # picks description wording
    person_company: array[int]
    person_first: array[int]
    person_last: array[int]
    person_seniority: array[int]
    person_function: array[int]
    person_title: array[int]
    person_location: array[int]
    person_has_email: array[int]
    company_name: list[str]
    company_domain: list[str]
    company_slug: list[str]
    _id_offset: int
    _company_id_offset: int

    def __init__(self, seed: int, people: int, companies: int) -> None:
        _check_sizes(people, companies)
        self.seed = seed
        rng = random.Random(seed)
        self._id_offset = rng.getrandbits(24)
        self._company_id_offset = rng.getrandbits(32)
        self._generate_companies(rng, companies)
        self._generate_people(rng, people)
        self._derive()
        self.source = "generated"

    @classmethod
    def from_columns(cls, seed: int, columns: dict[str, Any]) -> Dataset:
        """A data set from columns generated earlier (by `columns()`), without generating again."""
        ds = cls.__new__(cls)
        ds.seed = seed
        for name in (*(n for n, _t in ARRAY_COLUMNS), *TEXT_COLUMNS, *SCALARS):
            setattr(ds, name, columns[name])
        _check_sizes(len(ds.person_company), len(ds.company_name))
        ds._derive()
        ds.source = "cache"
        return ds

    def columns(self) -> dict[str, Any]:
        """The generated state, column by column (what `from_columns` takes back)."""
        return {name: getattr(self, name) for name in (*(n for n, _t in ARRAY_COLUMNS), *TEXT_COLUMNS, *SCALARS)}

    def _derive(self) -> None:
        """State computed from the columns and the vocabulary: cheap, so never cached."""
        self.titles = _title_options()[0]
        self.company_size_group = [vocab.SIZE_GROUP_BY_RANGE[s] for s in self.company_size]
        self._first_slugs = [slugify(n, keep="-") for n in vocab.FIRST_NAMES]
        self._last_slugs = [slugify(n, keep="-") for n in vocab.LAST_NAMES]
        self._location_names = [location_name(i) for i in range(len(vocab.LOCATIONS))]
        self._getters: dict[tuple[str, str], Callable[[int], Any]] = {}

    # --- generation -------------------------------------------------------------------------

    def _generate_companies(self, rng: random.Random, n: int) -> None:
        industry = rng.choices(range(len(vocab.INDUSTRIES)), weights=vocab.INDUSTRY_WEIGHTS, k=n)
        place_tables = []
        for name in vocab.INDUSTRIES:
            boosts = vocab.INDUSTRY_PLACE_BOOSTS.get(name, {})
            place_tables.append(_cumulative([p.weight * boosts.get(p.city, 1.0) for p in vocab.LOCATIONS]))
        stage_tables = [_cumulative(_stage_weights(name)) for name in vocab.INDUSTRIES]
        profiles = [vocab.STAGE_PROFILES[s] for s in vocab.FUNDING_STAGES]
        size_cumulative = [_cumulative(p[0]) for p in profiles]
        tlds = [vocab.DOMAIN_TLDS_BY_INDUSTRY.get(name, vocab.DOMAIN_TLDS) for name in vocab.INDUSTRIES]
        ref_ordinal = vocab.REFERENCE_DATE.toordinal()

        columns: dict[str, list[int]] = {name: [] for name in (
            "location", "stage", "size", "employees", "founded", "amount_k", "announced", "flavour")}
        self.company_name, self.company_domain, self.company_slug = [], [], []
        used_slugs: set[str] = set()
        random_ = rng.random
        for c in range(n):
            ind = industry[c]
            cumulative, total = place_tables[ind]
            columns["location"].append(bisect(cumulative, random_() * total))
            cumulative, total = stage_tables[ind]
            stage = bisect(cumulative, random_() * total)
            _size_weights, (min_age, max_age), raised = profiles[stage]
            size_cum, size_total = size_cumulative[stage]
            size = bisect(size_cum, random_() * size_total)
            _label, low, high = vocab.SIZE_RANGES[size]
            employees = int(math.exp(math.log(low) + random_() * (math.log(high + 1) - math.log(low))))
            age = rng.randint(min_age, max_age)
            founded = max(1950, vocab.REFERENCE_YEAR - age)
            if raised is None:
                amount_k, announced = 0, 0
            else:
                low_m, high_m = raised
                millions = math.exp(math.log(low_m) + random_() * (math.log(high_m) - math.log(low_m)))
                amount_k = max(100, round(millions * 10) * 100)
                earliest = max(date(founded, 1, 1).toordinal(), ref_ordinal - 4 * 365)
                announced = rng.randint(min(earliest, ref_ordinal - 20), ref_ordinal - 20)
            columns["stage"].append(stage)
            columns["size"].append(size)
            columns["employees"].append(min(employees, high))
            columns["founded"].append(founded)
            columns["amount_k"].append(amount_k)
            columns["announced"].append(announced)
            columns["flavour"].append(rng.getrandbits(16))
            name, slug = self._unique_company_name(rng, vocab.INDUSTRIES[ind], used_slugs)
            self.company_name.append(name)
            self.company_slug.append(slug)
            self.company_domain.append(slug + rng.choice(tlds[ind]))
        self.company_industry = array("B", industry)
        self.company_location = array("B", columns["location"])
        self.company_stage = array("B", columns["stage"])
        self.company_size = array("B", columns["size"])
        self.company_employees = array("I", columns["employees"])
        self.company_founded = array("H", columns["founded"])
        self.company_amount_k = array("I", columns["amount_k"])
        self.company_announced = array("I", columns["announced"])
        self.company_flavour = array("H", columns["flavour"])

    @staticmethod
    def _unique_company_name(rng: random.Random, industry: str, used: set[str]) -> tuple[str, str]:
        suffixes = vocab.NAME_SUFFIXES_BY_INDUSTRY[industry]
        while True:
            if rng.random() < 0.5:
                root = rng.choice(vocab.NAME_ROOTS)
            else:
                root = "".join(rng.choice(vocab.NAME_SYLLABLES) for _ in range(rng.choice((2, 2, 3)))).capitalize()
                if root.lower() in RESERVED_WORDS:
                    continue  # "None Systems" reads like a missing value, not a company
            style = rng.random()
            if style < 0.6:
                name = f"{root} {rng.choice(suffixes)}"
            elif style < 0.8:
                name = root + rng.choice(suffixes).lower()
            else:
                name = root
            slug = slugify(name)
            if len(slug) >= 3 and slug not in used:
                used.add(slug)
                return name, slug

    def _generate_people(self, rng: random.Random, n: int) -> None:
        companies = len(self.company_name)
        industries = vocab.INDUSTRIES
        boosts = [vocab.TECH_PEOPLE_BOOST if name in vocab.TECH_INDUSTRIES
                  else vocab.PEOPLE_BOOST_BY_INDUSTRY.get(name, 1.0) for name in industries]
        exponent = vocab.PEOPLE_PER_COMPANY_EXPONENT
        company_weights = [e**exponent * boosts[i] for e, i in zip(self.company_employees, self.company_industry)]
        company = rng.choices(range(companies), weights=company_weights, k=n)
        first = rng.choices(range(len(vocab.FIRST_NAMES)), k=n)
        last = rng.choices(range(len(vocab.LAST_NAMES)), k=n)
        elsewhere = rng.choices(range(len(vocab.LOCATIONS)), weights=[p.weight for p in vocab.LOCATIONS], k=n)

        # Per company, the seniority table of its (size group, industry); per industry and
        # seniority, the function table. Built once, looked up per person.
        seniority_tables: dict[tuple[str, int], tuple[list[float], float]] = {}
        company_seniority = []
        for c in range(companies):
            key = (vocab.SIZE_GROUP_BY_RANGE[self.company_size[c]], self.company_industry[c])
            if key not in seniority_tables:
                seniority_tables[key] = _cumulative(_seniority_weights(key[0], industries[key[1]]))
            company_seniority.append(seniority_tables[key])
        function_tables = [[_cumulative(_function_weights(s, name)) for s in vocab.SENIORITIES] for name in industries]
        _titles, title_options = _title_options()
        company_industry = self.company_industry
        company_location = self.company_location
        at_hq = vocab.SHARE_AT_HEADQUARTERS
        email_share = vocab.EMAIL_SHARE
        random_ = rng.random

        seniority_col = array("B", bytes(n))
        function_col = array("B", bytes(n))
        title_col = array("H", bytes(2 * n))
        location_col = array("B", bytes(n))
        email_col = array("B", bytes(n))
        for i in range(n):
            c = company[i]
            cumulative, total = company_seniority[c]
            s = bisect(cumulative, random_() * total)
            industry = company_industry[c]
            cumulative, total = function_tables[industry][s]
            f = bisect(cumulative, random_() * total)
            options = title_options[industry][s][f]
            seniority_col[i] = s
            function_col[i] = f
            title_col[i] = options[int(random_() * len(options))]
            location_col[i] = company_location[c] if random_() < at_hq else elsewhere[i]
            email_col[i] = random_() < email_share

        self.person_company = array("H", company)
        self.person_first = array("H", first)
        self.person_last = array("H", last)
        self.person_seniority = seniority_col
        self.person_function = function_col
        self.person_title = title_col
        self.person_location = location_col
        self.person_has_email = email_col

    # --- public API -------------------------------------------------------------------------

    def count(self, mode: str) -> int:
        _check_mode(mode)
        return len(self.person_company) if mode == "people" else len(self.company_name)

    def entity_id(self, mode: str, i: int) -> str:
        _check_mode(mode)
        return self.public_id(i) if mode == "people" else self.company_id(i)

    def public_id(self, i: int) -> str:
        suffix = _scramble(i, self._id_offset, 24)
        return f"{self._first_slugs[self.person_first[i]]}-{self._last_slugs[self.person_last[i]]}-{suffix:06x}"

    def company_id(self, c: int) -> str:
        return f"co_{_scramble(c, self._company_id_offset, 32):08x}"

    def full_name(self, i: int) -> str:
        return f"{vocab.FIRST_NAMES[self.person_first[i]]} {vocab.LAST_NAMES[self.person_last[i]]}"

    def email(self, i: int) -> str | None:
        if not self.person_has_email[i]:
            return None
        local = f"{self._first_slugs[self.person_first[i]]}.{self._last_slugs[self.person_last[i]]}"
        return f"{local}@{self.company_domain[self.person_company[i]]}"

    def company_description(self, c: int) -> str:
        flavour = self.company_flavour[c]
        industry = vocab.INDUSTRIES[self.company_industry[c]]
        products = vocab.DESCRIPTION_PRODUCTS[industry]
        templates = vocab.DESCRIPTION_TEMPLATES_BY_INDUSTRY.get(industry, vocab.DESCRIPTION_TEMPLATES)
        audiences = vocab.DESCRIPTION_AUDIENCES_BY_INDUSTRY.get(industry, vocab.DESCRIPTION_AUDIENCES)
        description: str = templates[flavour % len(templates)].format(
            name=self.company_name[c],
            product=products[(flavour >> 3) % len(products)],
            audience=audiences[(flavour >> 7) % len(audiences)],
            industry=industry,
            year=self.company_founded[c],
        )
        return description

    def funding_round(self, c: int) -> dict[str, Any]:
        stage = self.company_stage[c]
        announced = self.company_announced[c]
        return {
            "type": vocab.FUNDING_STAGES[stage],
            "amount_raised": self.company_amount_k[c] * 1000 if stage != _NO_FUNDING_STAGE else None,
            "announced_date": date.fromordinal(announced).isoformat() if announced else None,
        }

    def row(self, mode: str, i: int) -> dict[str, Any]:
        _check_mode(mode)
        return self._person_row(i) if mode == "people" else self._company_row(i)

    def _person_row(self, i: int) -> dict[str, Any]:
        c = self.person_company[i]
        title = self.titles[self.person_title[i]]
        public_id = self.public_id(i)
        return {
            "publicId": public_id,
            "fullName": self.full_name(i),
            "headline": f"{title} at {self.company_name[c]}",
            "title": title,
            "seniority": vocab.SENIORITIES[self.person_seniority[i]],
            "jobFunction": vocab.JOB_FUNCTIONS[self.person_function[i]],
            "locationName": self._location_names[self.person_location[i]],
            "linkedinUrl": f"https://www.linkedin.com/in/{public_id}",
            "email": self.email(i),
            "currentCompanies": [
                {
                    "company": {
                        "companyId": self.company_id(c),
                        "name": self.company_name[c],
                        "domain": self.company_domain[c],
                        "url": f"https://{self.company_domain[c]}",
                    },
                    "positions": [{"title": title}],
                }
            ],
        }

    def _company_row(self, c: int) -> dict[str, Any]:
        place = vocab.LOCATIONS[self.company_location[c]]
        return {
            "source_id": self.company_id(c),
            "company_name": self.company_name[c],
            "website_domain": self.company_domain[c],
            "website": f"https://{self.company_domain[c]}",
            "linkedin_url": f"https://www.linkedin.com/company/{self.company_slug[c]}",
            "industry": vocab.INDUSTRIES[self.company_industry[c]],
            "description": self.company_description(c),
            "founded_year": self.company_founded[c],
            "employees_count": self.company_employees[c],
            "size_range": vocab.SIZE_RANGES[self.company_size[c]][0],
            "hq_city": place.city,
            "hq_state": place.state or None,
            "hq_country": place.country,
            "hq_country_iso2": place.iso2,
            "last_funding_round": self.funding_round(c),
            "is_public": self.company_stage[c] == _PUBLIC_STAGE,
        }

    def csv_header(self, mode: str) -> list[str]:
        _check_mode(mode)
        return list(PEOPLE_CSV_HEADER if mode == "people" else COMPANY_CSV_HEADER)

    def csv_row(self, mode: str, i: int) -> list[str]:
        _check_mode(mode)
        if mode == "people":
            c = self.person_company[i]
            return [
                self.full_name(i),
                self.titles[self.person_title[i]],
                vocab.SENIORITIES[self.person_seniority[i]],
                vocab.JOB_FUNCTIONS[self.person_function[i]],
                self.company_name[c],
                self.company_domain[c],
                self._location_names[self.person_location[i]],
                f"https://www.linkedin.com/in/{self.public_id(i)}",
                self.email(i) or "",
            ]
        row = self._company_row(i)
        funding = row["last_funding_round"]
        return [
            row["company_name"], row["website_domain"], row["industry"], str(row["employees_count"]),
            str(row["founded_year"]), row["hq_city"], row["hq_state"] or "", row["hq_country"],
            funding["type"], "" if funding["amount_raised"] is None else str(funding["amount_raised"]),
            row["linkedin_url"],
        ]

    @functools.cached_property
    def company_prominence(self) -> array[int]:
        """Rank of each company by money raised, then head count (higher = better known)."""
        order = sorted(range(len(self.company_name)),
                       key=lambda c: (self.company_amount_k[c], self.company_employees[c]))
        rank = array("H", bytes(2 * len(order)))
        for position, c in enumerate(order):
            rank[c] = position
        return rank

    @functools.cached_property
    def company_search_texts(self) -> list[str]:
        """Folded name, industry and description of each company, for keyword search."""
        return [
            fold(f"{self.company_name[c]} | {vocab.INDUSTRIES[self.company_industry[c]]} | "
                 f"{self.company_description(c)}")
            for c in range(len(self.company_name))
        ]

    def field(self, mode: str, i: int, name: str) -> Any:
        """One value of a row by (dotted) field name; KeyError names an unknown field."""
        return self.field_getter(mode, name)(i)

    def field_getter(self, mode: str, name: str) -> Callable[[int], Any]:
        """A fast `index -> value` function for one field, for filters scanning every row."""
        _check_mode(mode)
        key = (mode, name)
        getter = self._getters.get(key)
        if getter is None:
            table = self._people_getters() if mode == "people" else self._company_getters()
            if name not in table:
                raise KeyError(name)
            getter = self._getters[key] = table[name]
        return getter

    def field_names(self, mode: str) -> list[str]:
        _check_mode(mode)
        return list(self._people_getters() if mode == "people" else self._company_getters())

    def _people_getters(self) -> dict[str, Callable[[int], Any]]:
        company = self.person_company
        titles = self.titles
        title = self.person_title
        seniorities, functions = vocab.SENIORITIES, vocab.JOB_FUNCTIONS
        names, domains = self.company_name, self.company_domain
        return {
            "publicId": self.public_id,
            "fullName": self.full_name,
            "headline": lambda i: f"{titles[title[i]]} at {names[company[i]]}",
            "title": lambda i: titles[title[i]],
            "seniority": lambda i: seniorities[self.person_seniority[i]],
            "jobFunction": lambda i: functions[self.person_function[i]],
            "locationName": lambda i: self._location_names[self.person_location[i]],
            "linkedinUrl": lambda i: f"https://www.linkedin.com/in/{self.public_id(i)}",
            "email": self.email,
            "currentCompanies.company.companyId": lambda i: self.company_id(company[i]),
            "currentCompanies.company.name": lambda i: names[company[i]],
            "currentCompanies.company.domain": lambda i: domains[company[i]],
            "currentCompanies.company.url": lambda i: f"https://{domains[company[i]]}",
            "currentCompanies.positions.title": lambda i: titles[title[i]],
        }

    def _company_getters(self) -> dict[str, Callable[[int], Any]]:
        locations = vocab.LOCATIONS
        where = self.company_location
        stage = self.company_stage
        getters: dict[str, Callable[[int], Any]] = {
            "source_id": self.company_id,
            "company_name": self.company_name.__getitem__,
            "website_domain": self.company_domain.__getitem__,
            "website": lambda c: f"https://{self.company_domain[c]}",
            "linkedin_url": lambda c: f"https://www.linkedin.com/company/{self.company_slug[c]}",
            "industry": lambda c: vocab.INDUSTRIES[self.company_industry[c]],
            "description": self.company_description,
            "founded_year": self.company_founded.__getitem__,
            "employees_count": self.company_employees.__getitem__,
            "size_range": lambda c: vocab.SIZE_RANGES[self.company_size[c]][0],
            "hq_city": lambda c: locations[where[c]].city,
            "hq_state": lambda c: locations[where[c]].state or None,
            "hq_country": lambda c: locations[where[c]].country,
            "hq_country_iso2": lambda c: locations[where[c]].iso2,
            "last_funding_round": self.funding_round,
            "last_funding_round.type": lambda c: vocab.FUNDING_STAGES[stage[c]],
            "last_funding_round.amount_raised": lambda c: self.funding_round(c)["amount_raised"],
            "last_funding_round.announced_date": lambda c: self.funding_round(c)["announced_date"],
            "is_public": lambda c: stage[c] == _PUBLIC_STAGE,
        }
        return getters




def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: expected 'people' or 'company'")


def _check_sizes(people: int, companies: int) -> None:
    if people < 1 or companies < 1:
        raise ValueError("a data set needs at least one person and one company")
    if companies > 65535:
        raise ValueError("at most 65,535 companies (company ids are stored in 16 bits)")


@functools.cache
def load_dataset(seed: int = 64, people: int = 100_000, companies: int = 10_000) -> Dataset:
    """The shared data set for these arguments: built once per process, read from the cache file
    when an earlier process left one (see `dataset_cache.py`; SIXTYFOUR_SANDBOX_DATA_CACHE=off
    turns it off)."""
    from sixtyfour_tui.sandbox.dataset_cache import cached_dataset, configured_cache_dir

    return cached_dataset(seed, people, companies, configured_cache_dir())
