"""Turn a plain-language search into the structured `parsed_query` the sandbox searches with.

Why rules and not a model: the sandbox must be deterministic, instant and offline. A list of
phrase rules runs over the lower-cased text, most specific first; every phrase a rule recognises is
blanked out so that a later, more general rule cannot claim it again (e.g. "pre-seed" before
"seed", "software engineers" before "software"). What no rule recognises and is not a stop word is
kept as `keywords`.

Shape of the result (every filter key is always present, empty when unused):

    {
      "mode": "people" | "company",
      "text": "<the original query>",
      "filters": {
        "seniority":     [str],   # values of vocab.SENIORITIES (people mode only)
        "job_function":  [str],   # values of vocab.JOB_FUNCTIONS (people mode only)
        "funding_stage": [str],   # values of vocab.FUNDING_STAGES (the company's last round)
        "industry":      [str],   # values of vocab.INDUSTRIES
        "company_size":  [str],   # size_range labels, e.g. "51-200"
        "location":      [str],   # city, state/region, country or ISO-2 code, e.g. "New York"
        "founded_after": int | None,   # founded_year must be greater than this
        "is_public":     bool | None,
      },
      "keywords": [str],          # lower-case words no rule understood
    }

Values inside one filter are alternatives (OR); different filters must all hold (AND).
Tokens starting with "#" (such as the sandbox's "#fail" switch) are control tokens, never keywords.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sixtyfour_tui.sandbox import vocab

LIST_FILTERS = ("seniority", "job_function", "funding_stage", "industry", "company_size", "location")
PERSON_ONLY_FILTERS = ("seniority", "job_function")
CANONICAL_VALUES: dict[str, tuple[str, ...]] = {
    "seniority": vocab.SENIORITIES,
    "job_function": vocab.JOB_FUNCTIONS,
    "funding_stage": vocab.FUNDING_STAGES,
    "industry": vocab.INDUSTRIES,
    "company_size": tuple(label for label, _low, _high in vocab.SIZE_RANGES),
}
FILTER_KEYS = LIST_FILTERS + ("founded_after", "is_public")

EARLY_STAGES = ["Pre-seed", "Seed", "Series A"]
STARTUP_STAGES = ["Pre-seed", "Seed", "Series A", "Series B"]
VENTURE_STAGES = ["Seed", "Series A", "Series B", "Series C", "Series D", "Series E+"]
BAY_AREA = ["San Francisco", "Oakland", "San Jose", "Palo Alto", "Mountain View"]
TECH = sorted(vocab.TECH_INDUSTRIES, key=vocab.INDUSTRIES.index)

Filters = dict[str, Any]
Action = Callable[[re.Match[str], Filters], None]

STOP_WORDS = frozenset(
    """
    a an the at in of for with and or who whose that are is was were be been on by to from based
    located living live lives work works working worked employed people person persons profiles
    profile contacts contact companies company firms firm businesses business organizations
    organisations orgs find show me list get give all any some top best good great looking look
    search searching want need i we my our like such as etc employees employee staff team teams
    role roles position positions job jobs title titles currently current now also near around
    area region city headquartered hq within across other only very more than over under less
    plus about into using use uses them their they it its this these those which what where how
    raised raising funding funded round rounds stage backed size sized kind type types who's
    please can could would should will you your just there here has have having had do does
    brands
    """.split()
)


def _add(**values: Any) -> Action:
    """An action that adds fixed values to filters."""

    def action(_match: re.Match[str], filters: Filters) -> None:
        for key, value in values.items():
            if key in LIST_FILTERS:
                for item in value if isinstance(value, list) else [value]:
                    if item not in filters[key]:
                        filters[key].append(item)
            else:
                filters[key] = value

    return action


def _number(text: str) -> int:
    text = text.replace(",", "").strip()
    if text.endswith("k"):
        return int(float(text[:-1]) * 1000)
    return int(text)


def size_ranges_between(low: int, high: int) -> list[str]:
    """size_range labels that genuinely overlap low..high (touching at one number does not count)."""
    labels = []
    for label, bucket_low, bucket_high in vocab.SIZE_RANGES:
        overlap = min(bucket_high, high) - max(bucket_low, low) + 1
        inside = low <= bucket_low and bucket_high <= high
        if overlap >= 2 or (inside and overlap >= 1):
            labels.append(label)
    return labels


def _size(kind: str) -> Action:
    def action(match: re.Match[str], filters: Filters) -> None:
        if kind == "range":
            low, high = sorted((_number(match.group(1)), _number(match.group(2))))
        elif kind == "above":
            low, high = _number(match.group(1)) + 1, 10**9
        elif kind == "at_least":
            low, high = _number(match.group(1)), 10**9
        elif kind == "below":
            low, high = 1, _number(match.group(1)) - 1
        else:  # at_most
            low, high = 1, _number(match.group(1))
        _add(company_size=size_ranges_between(low, high))(match, filters)

    return action


def _founded(offset: int) -> Action:
    def action(match: re.Match[str], filters: Filters) -> None:
        filters["founded_after"] = int(match.group(1)) + offset

    return action


def _founded_within_years(match: re.Match[str], filters: Filters) -> None:
    filters["founded_after"] = vocab.REFERENCE_YEAR - int(match.group(1))


def _series(match: re.Match[str], filters: Filters) -> None:
    """'series a', 'series b or c', 'series a-c', 'series e+'."""
    letters = re.findall(r"\b[a-z]\b\+?|-|\bto\b", match.group(0)[len("series"):])
    stages: list[str] = []
    previous = None
    pending_range = False
    for token in letters:
        if token in ("-", "to"):
            pending_range = True
            continue
        letter = token[0]
        if pending_range and previous is not None:
            for code in range(ord(previous) + 1, ord(letter) + 1):
                stages.append(_series_stage(chr(code)))
        else:
            stages.append(_series_stage(letter))
        previous, pending_range = letter, False
    _add(funding_stage=list(dict.fromkeys(stages)))(match, filters)


def _series_stage(letter: str) -> str:
    return f"Series {letter.upper()}" if letter in "abcd" else "Series E+"


W = r"(?<![\w&])"   # start of a word
E = r"(?![\w&])"    # end of a word
NUM = r"(\d[\d,]*(?:\.\d+)?k?)"
HEADCOUNT = r"(?:employees|people|staff|ftes?|headcount|person|persons)"


def _rules() -> list[tuple[re.Pattern[str], Action]]:
    """Ordered rules: earlier rules win the words they match."""
    raw: list[tuple[str, Action]] = [
        # --- numbers first: founding years and head counts -------------------------------
        (rf"{W}(?:founded|started|established|incorporated)\s+(?:after|post)\s+(\d{{4}}){E}", _founded(0)),
        (rf"{W}(?:founded|started|established|incorporated)\s+(?:since|in or after|from)\s+(\d{{4}}){E}", _founded(-1)),
        (rf"{W}(?:founded|started|established)\s+in\s+(\d{{4}})\s+or\s+later{E}", _founded(-1)),
        (rf"{W}(?:founded|started)\s+(?:in\s+)?the\s+(?:last|past)\s+(\d+)\s+years?{E}", _founded_within_years),
        (rf"{W}{NUM}\s*(?:-|–|to)\s*{NUM}\s*{HEADCOUNT}{E}", _size("range")),
        (rf"{W}between\s+{NUM}\s+and\s+{NUM}\s*{HEADCOUNT}{E}", _size("range")),
        (rf"(?:{W}(?:over|more than|above|greater than|bigger than)\s+|>\s*){NUM}\s*{HEADCOUNT}{E}", _size("above")),
        (rf"{W}(?:at least|minimum(?: of)?)\s+{NUM}\s*{HEADCOUNT}{E}", _size("at_least")),
        (rf"{W}{NUM}\s*\+\s*{HEADCOUNT}{E}", _size("at_least")),
        (rf"{W}{NUM}\s+or more\s+{HEADCOUNT}{E}", _size("at_least")),
        (rf"(?:{W}(?:under|less than|fewer than|below|smaller than)\s+|<\s*){NUM}\s*{HEADCOUNT}{E}", _size("below")),
        (rf"{W}(?:up to|at most|no more than)\s+{NUM}\s*{HEADCOUNT}{E}", _size("at_most")),
        # --- compound job phrases that must beat the single words inside them -------------
        (rf"{W}(?:machine learning|ml|ai|data)\s+(?:engineers?|engineering|scientists?|science|analysts?){E}",
         _add(job_function="Data")),
        (rf"{W}research\s+(?:engineers?|scientists?|associates?){E}", _add(job_function="Research")),
        (rf"{W}(?:software|backend|back-end|frontend|front-end|full[- ]?stack|mobile|platform|infrastructure|"
         rf"site reliability|devops|cloud|security)\s+(?:engineers?|engineering|developers?){E}",
         _add(job_function="Engineering")),
        (rf"{W}(?:product|ux|ui|visual|graphic)\s+designers?{E}", _add(job_function="Design")),
        (rf"{W}account\s+executives?{E}|{W}aes{E}", _add(job_function="Sales")),
        (rf"{W}account\s+managers?{E}", _add(job_function="Sales", seniority="Manager")),
        (rf"{W}customer\s+success\s+managers?{E}|{W}csms?{E}", _add(job_function="Customer Success")),
        (rf"{W}people\s+(?:ops|operations|team|partners?){E}|{W}human\s+resources{E}",
         _add(job_function="HR/People")),
        (rf"(?:(?<=head of )|(?<=heads of )|(?<=vp of )|(?<=vps of )|(?<=director of )|(?<=directors of )"
         rf"|(?<=president of ))people{E}", _add(job_function="HR/People")),
        (rf"{W}product\s+management{E}", _add(job_function="Product")),
        (rf"{W}general\s+managers?{E}", _add(job_function="General Management", seniority="Manager")),
        (rf"{W}chiefs?\s+of\s+staff{E}", _add(job_function="General Management")),
        # --- executives ------------------------------------------------------------------
        (rf"{W}ctos?{E}|{W}chief\s+technology\s+officers?{E}|{W}chief\s+technical\s+officers?{E}",
         _add(seniority="CXO", job_function="Engineering")),
        (rf"{W}cisos?{E}|{W}chief\s+(?:information\s+)?security\s+officers?{E}",
         _add(seniority="CXO", job_function="Engineering")),
        (rf"{W}cfos?{E}|{W}chief\s+financial\s+officers?{E}", _add(seniority="CXO", job_function="Finance")),
        (rf"{W}coos?{E}|{W}chief\s+operating\s+officers?{E}", _add(seniority="CXO", job_function="Operations")),
        (rf"{W}cmos?{E}|{W}chief\s+(?:marketing|growth)\s+officers?{E}",
         _add(seniority="CXO", job_function="Marketing")),
        (rf"{W}cros?{E}|{W}chief\s+revenue\s+officers?{E}", _add(seniority="CXO", job_function="Sales")),
        (rf"{W}cpos?{E}|{W}chief\s+product\s+officers?{E}", _add(seniority="CXO", job_function="Product")),
        (rf"{W}cdos?{E}|{W}chief\s+(?:data|analytics)\s+officers?{E}", _add(seniority="CXO", job_function="Data")),
        (rf"{W}chros?{E}|{W}chief\s+(?:people|human\s+resources)\s+officers?{E}",
         _add(seniority="CXO", job_function="HR/People")),
        (rf"{W}general\s+counsels?{E}|{W}chief\s+legal\s+officers?{E}", _add(seniority="CXO", job_function="Legal")),
        (rf"{W}chief\s+scien(?:tist|ce\s+officer)s?{E}", _add(seniority="CXO", job_function="Research")),
        (rf"{W}ceos?{E}|{W}chief\s+executives?(?:\s+officers?)?{E}|{W}managing\s+directors?{E}",
         _add(seniority=["CXO", "Owner / Founder"], job_function="General Management")),
        (rf"{W}c[- ]?(?:level|suite){E}|{W}cxos?{E}|{W}chief\s+\w+\s+officers?{E}", _add(seniority="CXO")),
        (rf"{W}(?:co-?)?founders?{E}|{W}founding\s+team{E}|{W}owners?{E}", _add(seniority="Owner / Founder")),
        (rf"{W}executives{E}|{W}execs{E}", _add(seniority=["CXO", "VP"])),
        (rf"{W}(?:leaders|leadership|decision[- ]makers?){E}", _add(seniority=["CXO", "VP", "Head", "Director"])),
        (rf"{W}[se]?vps?{E}|{W}(?:senior\s+|executive\s+)?vice[- ]presidents?{E}", _add(seniority="VP")),
        (rf"{W}heads?\s+of{E}", _add(seniority="Head")),
        (rf"{W}(?:senior\s+)?directors?{E}", _add(seniority="Director")),
        (rf"{W}(?:managing\s+|general\s+|operating\s+|senior\s+)?partners?{E}", _add(seniority="Partner")),
        (rf"{W}managers?{E}|{W}team\s+leads?{E}", _add(seniority="Manager")),
        (rf"{W}(?:senior|sr\.?|staff|principal|lead){E}", _add(seniority="Senior")),
        (rf"{W}(?:junior|jr\.?|entry[- ]level|associates?|interns?|new\s+grads?|graduates?){E}",
         _add(seniority="Entry")),
        # --- funding -----------------------------------------------------------------------
        (rf"{W}pre[- ]?seed(?:[- ]stage)?{E}", _add(funding_stage="Pre-seed")),
        (rf"{W}seed(?:[- ](?:stage|round|funded))?{E}", _add(funding_stage="Seed")),
        (rf"{W}series\s+[a-z]\+?(?:\s*(?:,|/|&|-|\bor\b|\band\b|\bto\b)\s*(?:series\s+)?[a-z]\+?{E})*{E}", _series),
        (rf"{W}private[- ]equity(?:[- ]backed)?{E}|{W}pe[- ]backed{E}", _add(funding_stage="Private Equity")),
        (rf"{W}(?:bootstrapped|self[- ]funded){E}", _add(funding_stage="Bootstrapped")),
        (rf"{W}early[- ]stage{E}", _add(funding_stage=EARLY_STAGES)),
        (rf"{W}growth[- ]stage{E}|{W}scale[- ]?ups?{E}", _add(funding_stage=["Series B", "Series C", "Series D"])),
        (rf"{W}late[- ]stage{E}|{W}pre[- ]ipo{E}", _add(funding_stage=["Series C", "Series D", "Series E+"])),
        (rf"{W}(?:vc|venture)[- ](?:backed|funded){E}", _add(funding_stage=VENTURE_STAGES)),
        (rf"{W}(?:publicly[- ]traded|publicly[- ]listed|public|listed|ipo(?:'d|ed)?){E}", _add(is_public=True)),
        (rf"{W}(?:privately[- ]held|private){E}", _add(is_public=False)),
        # --- company size in words -----------------------------------------------------------
        (rf"{W}(?:small|smaller|tiny)\s+(?:businesses|companies|teams|firms){E}|{W}smbs?{E}",
         _add(company_size=["1-10", "11-50", "51-200"])),
        (rf"{W}mid[- ]?(?:size|sized|market){E}", _add(company_size=["201-500", "501-1000"])),
        (rf"{W}(?:large|big|huge)\s+(?:companies|enterprises|corporations|firms){E}|{W}enterprises{E}"
         rf"|{W}fortune\s+500{E}|{W}corporations{E}",
         _add(company_size=["1001-5000", "5001-10000", "10001+"])),
        # --- industries ------------------------------------------------------------------------
        (rf"{W}fin-?tech{E}|{W}financial\s+(?:technology|services){E}|{W}payments?{E}|{W}banking{E}"
         rf"|{W}neo-?banks?{E}|{W}insur-?tech{E}|{W}crypto{E}|{W}web3{E}|{W}lending{E}", _add(industry="Fintech")),
        (rf"{W}health\s*care{E}|{W}health\s*tech{E}|{W}digital\s+health{E}|{W}medical{E}|{W}hospitals?{E}"
         rf"|{W}med-?tech{E}|{W}tele-?health{E}|{W}health{E}", _add(industry="Healthcare")),
        (rf"{W}bio-?tech(?:nology)?{E}|{W}life\s+sciences?{E}|{W}(?:bio)?pharma(?:ceuticals?)?{E}"
         rf"|{W}genomics{E}|{W}therapeutics{E}", _add(industry="Biotech")),
        (rf"{W}e-?commerce{E}|{W}retail{E}|{W}d2c{E}|{W}dtc{E}|{W}direct[- ]to[- ]consumer{E}"
         rf"|{W}marketplaces?{E}|{W}online\s+(?:retail|stores?|shopping){E}", _add(industry="E-commerce")),
        (rf"{W}artificial\s+intelligence{E}|{W}machine\s+learning{E}|{W}deep\s+learning{E}"
         rf"|{W}gen(?:erative)?\s*ai{E}|{W}a\.?i\.?(?=\W|$)|{W}ml{E}|{W}llms?{E}|{W}computer\s+vision{E}",
         _add(industry="AI/Machine Learning")),
        (rf"{W}cyber[- ]?security{E}|{W}cyber{E}|{W}security{E}|{W}infosec{E}", _add(industry="Cybersecurity")),
        (rf"{W}logistics{E}|{W}supply[- ]chain{E}|{W}shipping{E}|{W}freight{E}|{W}transportation{E}"
         rf"|{W}trucking{E}", _add(industry="Logistics")),
        (rf"{W}media{E}|{W}entertainment{E}|{W}publishing{E}|{W}publishers?{E}|{W}streaming{E}"
         rf"|{W}ad-?tech{E}|{W}creator\s+economy{E}", _add(industry="Media")),
        (rf"{W}ed-?tech{E}|{W}education(?:al)?{E}|{W}e-?learning{E}|{W}online\s+learning{E}",
         _add(industry="Education")),
        (rf"{W}real[- ]estate{E}|{W}prop-?tech{E}|{W}property{E}|{W}properties{E}", _add(industry="Real Estate")),
        (rf"{W}manufactur(?:ing|ers?){E}|{W}industrial{E}|{W}hardware{E}|{W}robotics{E}|{W}factor(?:y|ies){E}",
         _add(industry="Manufacturing")),
        (rf"{W}consult(?:ing|ancy|ancies|ants?|ing\s+firms?){E}|{W}professional\s+services{E}"
         rf"|{W}agenc(?:y|ies){E}|{W}advisory{E}", _add(industry="Consulting")),
        (rf"{W}(?:gaming|video\s*games?|games?)(?:\s+(?:studios?|companies))?{E}|{W}e-?sports{E}",
         _add(industry="Gaming")),
        (rf"{W}climate(?:[- ]?tech)?{E}|{W}clean\s*tech{E}|{W}clean\s+energy{E}|{W}energy{E}|{W}solar{E}"
         rf"|{W}renewables?{E}|{W}sustainability{E}", _add(industry="Climate/Energy")),
        (rf"{W}b2b\s+saas{E}|{W}saas{E}|{W}(?:b2b\s+|enterprise\s+)?software{E}|{W}cloud{E}|{W}dev\s*tools{E}",
         _add(industry="SaaS/Software")),
        (rf"{W}tech(?:nology)?{E}", _add(industry=TECH)),
        # --- places ----------------------------------------------------------------------------
        *_location_rules(),
        # --- generic job functions -------------------------------------------------------------
        (rf"{W}engineer(?:s|ing)?{E}|{W}developers?{E}|{W}swes?{E}|{W}devops{E}|{W}sres?{E}|{W}eng{E}"
         rf"|{W}programmers?{E}|{W}coders?{E}", _add(job_function="Engineering")),
        (rf"{W}data{E}|{W}analytics{E}|{W}analysts?{E}", _add(job_function="Data")),
        (rf"{W}research(?:ers?)?{E}|{W}scientists?{E}|{W}r&d{E}", _add(job_function="Research")),
        (rf"{W}sales{E}|{W}sdrs?{E}|{W}bdrs?{E}|{W}business\s+development{E}|{W}biz\s*dev{E}|{W}revenue{E}"
         rf"|{W}sellers?{E}|{W}salespeople{E}|{W}sales\s*(?:reps?|representatives?){E}", _add(job_function="Sales")),
        (rf"{W}marketing{E}|{W}marketers?{E}|{W}growth{E}|{W}demand\s+gen(?:eration)?{E}|{W}brand{E}"
         rf"|{W}content{E}|{W}seo{E}", _add(job_function="Marketing")),
        (rf"{W}design(?:ers?)?{E}|{W}ux{E}|{W}ui{E}", _add(job_function="Design")),
        (rf"{W}product{E}|{W}pms?{E}", _add(job_function="Product")),
        (rf"{W}operations{E}|{W}ops{E}|{W}biz\s*ops{E}", _add(job_function="Operations")),
        (rf"{W}finance{E}|{W}financial{E}|{W}accounting{E}|{W}accountants?{E}|{W}controllers?{E}"
         rf"|{W}fp&a{E}|{W}treasury{E}", _add(job_function="Finance")),
        (rf"{W}hr{E}|{W}recruit(?:ers?|ing|ment){E}|{W}talent(?:\s+acquisition)?{E}", _add(job_function="HR/People")),
        (rf"{W}customer\s+(?:success|support|experience|service){E}|{W}support{E}",
         _add(job_function="Customer Success")),
        (rf"{W}legal{E}|{W}lawyers?{E}|{W}attorneys?{E}|{W}counsel{E}|{W}compliance{E}|{W}paralegals?{E}",
         _add(job_function="Legal")),
        (rf"{W}general\s+management{E}|{W}strategy{E}|{W}corporate\s+development{E}",
         _add(job_function="General Management")),
        # --- "startups" last: it only fills in a stage when nothing more precise was said ------
        (rf"{W}start[- ]?ups?{E}", _startups),
    ]
    return [(re.compile(pattern), action) for pattern, action in raw]


def _startups(_match: re.Match[str], filters: Filters) -> None:
    if not filters["funding_stage"] and not filters["company_size"]:
        filters["funding_stage"] = list(STARTUP_STAGES)


LOCATION_ALIASES: dict[str, list[str]] = {
    "new york city": ["New York"], "nyc": ["New York"], "ny": ["New York"], "manhattan": ["New York"],
    "brooklyn": ["New York"], "sf bay area": BAY_AREA, "san francisco bay area": BAY_AREA,
    "bay area": BAY_AREA, "silicon valley": BAY_AREA, "sf": ["San Francisco"], "san fran": ["San Francisco"],
    "washington dc": ["District of Columbia"], "washington d.c.": ["District of Columbia"],
    "washington, d.c.": ["District of Columbia"], "d.c.": ["District of Columbia"], "dc": ["District of Columbia"],
    "bengaluru": ["Bangalore"], "tlv": ["Tel Aviv"], "sao paulo": ["São Paulo"], "zürich": ["Zurich"],
    "united states": ["United States"], "usa": ["United States"], "u.s.a.": ["United States"],
    "u.s.": ["United States"], "america": ["United States"], "uk": ["United Kingdom"],
    "u.k.": ["United Kingdom"], "britain": ["United Kingdom"], "great britain": ["United Kingdom"],
    "europe": ["United Kingdom", "Ireland", "Germany", "France", "Netherlands", "Sweden", "Denmark",
               "Switzerland", "Spain", "Portugal"],
    "emea": ["United Kingdom", "Ireland", "Germany", "France", "Netherlands", "Sweden", "Denmark",
             "Switzerland", "Spain", "Portugal", "Israel"],
    "apac": ["India", "Singapore", "Australia", "Japan"], "asia": ["India", "Singapore", "Japan"],
    "latam": ["Brazil", "Mexico"], "latin america": ["Brazil", "Mexico"],
}
# Short words that are also ordinary English: only taken as places when written in capitals.
CAPITALISED_ALIASES: dict[str, list[str]] = {"US": ["United States"], "LA": ["Los Angeles"]}


def _location_rules() -> list[tuple[str, Action]]:
    names: dict[str, list[str]] = {}
    for city, state, country, _iso2, _weight in vocab.LOCATIONS:
        for place in (city, state, country):
            if place:
                names.setdefault(place.lower(), [place])
    names.update(LOCATION_ALIASES)
    rules = []
    for phrase in sorted(names, key=len, reverse=True):
        rules.append((rf"{W}{re.escape(phrase)}(?![\w&])", _add(location=names[phrase])))
    return rules


_RULES = _rules()
_CAPITALISED = [(re.compile(rf"\b{re.escape(k)}\b"), v) for k, v in CAPITALISED_ALIASES.items()]


def empty_filters() -> Filters:
    filters: Filters = {key: [] for key in LIST_FILTERS}
    filters.update(founded_after=None, is_public=None)
    return filters


def parse_query(text: str, mode: str) -> dict[str, Any]:
    """The structured `parsed_query` for a natural-language query (see module docstring)."""
    if mode not in ("people", "company"):
        raise ValueError(f"unknown mode {mode!r}: expected 'people' or 'company'")
    filters = empty_filters()
    # Lower-case character by character so offsets in `working` still line up with `text`.
    working = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    working = re.sub(r"#\S+", lambda m: " " * len(m.group(0)), working)
    for pattern, places in _CAPITALISED:
        for match in pattern.finditer(text):
            _add(location=places)(match, filters)
            working = _blank(working, match.start(), match.end())
    for pattern, action in _RULES:
        for match in list(pattern.finditer(working)):
            action(match, filters)
            working = _blank(working, match.start(), match.end())
    if mode == "company":
        for key in PERSON_ONLY_FILTERS:
            filters[key] = []
    for key, canonical in CANONICAL_VALUES.items():
        filters[key] = sorted(filters[key], key=canonical.index)
    return {"mode": mode, "text": text, "filters": filters, "keywords": _keywords(working)}


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _keywords(leftover: str) -> list[str]:
    words = []
    for token in re.findall(r"[\w][\w&+'.-]*", leftover.lower()):
        token = token.strip(".'-")
        if len(token) < 2 or token in STOP_WORDS or token.isdigit() or token in words:
            continue
        words.append(token)
    return words


def validate_parsed_query(pq: object) -> None:
    """Raise ValueError with a precise message unless `pq` is a well-formed parsed_query."""
    if not isinstance(pq, dict):
        raise ValueError("parsed_query must be a JSON object")
    if "mode" in pq and pq["mode"] not in ("people", "company"):
        raise ValueError(f"parsed_query.mode must be 'people' or 'company', not {pq['mode']!r}")
    if "text" in pq and pq["text"] is not None and not isinstance(pq["text"], str):
        raise ValueError("parsed_query.text must be a string")
    filters = pq.get("filters")
    if not isinstance(filters, dict):
        raise ValueError("parsed_query.filters must be a JSON object")
    for key, value in filters.items():
        if key not in FILTER_KEYS:
            raise ValueError(f"parsed_query.filters has an unknown filter {key!r}")
        if key in LIST_FILTERS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"parsed_query.filters.{key} must be a list of strings")
            allowed = CANONICAL_VALUES.get(key)
            unknown = [v for v in value if allowed is not None and v not in allowed]
            if unknown:
                raise ValueError(f"parsed_query.filters.{key} has unknown value(s) {unknown}: expected {list(allowed)}")
        elif key == "founded_after":
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ValueError("parsed_query.filters.founded_after must be an integer year or null")
        elif value is not None and not isinstance(value, bool):
            raise ValueError("parsed_query.filters.is_public must be true, false or null")
    keywords = pq.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise ValueError("parsed_query.keywords must be a list of strings")
