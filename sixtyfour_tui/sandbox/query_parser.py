"""Turn a plain-language search into the structured `parsed_query` the sandbox searches with.

Why rules and not a model: the sandbox must be deterministic, instant and offline. Reading a query
takes four steps:

1. Typos are corrected against the parser's vocabulary (the words its rules read, its places, and
   the words of its titles and company descriptions): "sofware enginers in San Fransisco" is read
   as "software engineers in San Francisco". Each correction is reported in `corrections`.
2. Phrase rules run over the lower-cased text, most specific first; every phrase a rule recognises
   is blanked out so that a later, more general rule cannot claim it again ("pre-seed" before
   "seed", "chief of staff" before "ceo", "nurses" before "staff").
3. A capitalised name after "in", "near", "from" or "based in" that is no known place is still
   kept as a `location` ("Chief Llama Wrangler in Antarctica"), so it matches nothing rather than
   being dropped.
4. Every other word that is not a stop word becomes a `keyword`: a required text match, so that an
   unknown word narrows the search (an honest 0 rather than 2,000 unrelated rows).

Shape of the result (every filter key is always present, empty when unused):

    {
      "mode": "people" | "company",
      "text": "<the original query>",
      "filters": {
        "seniority":      [str],   # values of vocab.SENIORITIES (people mode only)
        "job_function":   [str],   # values of vocab.JOB_FUNCTIONS (people mode only)
        "funding_stage":  [str],   # values of vocab.FUNDING_STAGES (the company's last round)
        "industry":       [str],   # values of vocab.INDUSTRIES
        "company_size":   [str],   # size_range labels, e.g. "51-200"
        "location":       [str],   # city, state/region, country or ISO-2 code, e.g. "New York"
        "founded_after":  int | None,   # founded_year must be greater than this
        "founded_before": int | None,   # founded_year must be smaller than this
        "is_public":      bool | None,
      },
      "keywords": [str],          # required terms: each must appear in the row's text
      "corrections": [{"typed": str, "read_as": str}],   # typos read as vocabulary words (informational)
    }

Values inside one filter are alternatives (OR); different filters must all hold (AND); every
keyword must match (AND), at the start of a word, a plural ending allowed ("nurse" matches
"Nurses"), in a person's title, name or company (name, industry, description) or a company's name,
industry or description. A keyword may be a phrase ("chief of staff"). Some role words set a
filter and a keyword: "nurses" is the Clinical function and the keyword "nurse". `keywords` and
`corrections` may be missing in a parsed_query sent back; `corrections` never changes results.
Tokens starting with "#" (such as the sandbox's "#fail" switch) are control tokens, never keywords.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sixtyfour_tui.sandbox import vocab
from sixtyfour_tui.sandbox.dataset import fold

LIST_FILTERS = ("seniority", "job_function", "funding_stage", "industry", "company_size", "location")
YEAR_FILTERS = ("founded_after", "founded_before")
FILTER_KEYS = LIST_FILTERS + YEAR_FILTERS + ("is_public",)
PERSON_ONLY_FILTERS = ("seniority", "job_function")
CANONICAL_VALUES: dict[str, tuple[str, ...]] = {
    "seniority": vocab.SENIORITIES,
    "job_function": vocab.JOB_FUNCTIONS,
    "funding_stage": vocab.FUNDING_STAGES,
    "industry": vocab.INDUSTRIES,
    "company_size": tuple(label for label, _low, _high in vocab.SIZE_RANGES),
}
MAX_KEYWORDS = 20
MAX_KEYWORD_LENGTH = 80

EARLY_STAGES = ["Pre-seed", "Seed", "Series A"]
STARTUP_STAGES = ["Pre-seed", "Seed", "Series A", "Series B"]
GROWTH_STAGES = ["Series B", "Series C", "Series D"]
WELL_FUNDED_STAGES = ["Series B", "Series C", "Series D", "Series E+"]
VENTURE_STAGES = ["Seed", "Series A", "Series B", "Series C", "Series D", "Series E+"]
LEADERSHIP = ["CXO", "VP", "Head", "Director"]
LARGE_SIZES = ["1001-5000", "5001-10000", "10001+"]
BAY_AREA = ["San Francisco", "Oakland", "San Jose", "Palo Alto", "Mountain View", "Menlo Park"]
TECH = sorted(vocab.TECH_INDUSTRIES, key=vocab.INDUSTRIES.index)
EUROPE = ["United Kingdom", "Ireland", "Germany", "France", "Netherlands", "Belgium", "Sweden", "Denmark",
          "Norway", "Finland", "Switzerland", "Austria", "Spain", "Portugal", "Italy", "Poland", "Czechia"]

Filters = dict[str, Any]


@dataclass
class Reading:
    """What the rules have found so far in one query."""

    filters: Filters
    terms: list[str]        # keywords a rule asked for, in both modes ("coffee shops" -> "coffee")
    title_terms: list[str]  # keywords a role asked for, people mode only ("nurses" -> "nurse")


Action = Callable[[re.Match[str], Reading], None]


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    action: Action
    words: frozenset[str]  # the words this rule reads, for typo correction


STOP_WORDS = frozenset(
    """
    a an the at in of for with and or who whose that are is was were be been on by to from based
    located living live lives work works working worked employed people person persons profiles
    profile contacts contact companies company firms firm businesses business organizations
    organisations organization organisation orgs find show me list get give all any some top best
    good great looking look search searching want need i we my our like such as etc employees
    employee staff team teams role roles position positions job jobs title titles currently current
    now also near around area region city headquartered hq within across other only very more than
    over under less plus about into using use uses them their they it its this these those which
    what where how raised raising funding funded round rounds stage backed size sized kind type types
    who's please can could would should will you your just there here has have having had do does
    brands someone somebody anyone anybody folks individuals professionals experts specialists
    leading innovative interesting exciting promising cool hot notable known successful experienced
    talented skilled seasoned strong solid reputable major big small large new one ones
    ideally preferably ideal must maybe perhaps possibly especially particularly mainly mostly
    primarily roughly approximately ish i'm im us
    """.split()
)


_rule_terms: set[str] = set()  # filled while the rules are built; frozen as RULE_TERMS below


def _add(*, term: str | None = None, title: str | None = None, **values: Any) -> Action:
    """An action that adds fixed filter values (and optionally a keyword) to the reading."""
    _rule_terms.update(t for t in (term, title) if t)

    def action(_match: re.Match[str], reading: Reading) -> None:
        _merge(reading.filters, values)
        if term and term not in reading.terms:
            reading.terms.append(term)
        if title and title not in reading.title_terms:
            reading.title_terms.append(title)

    return action


def _merge(filters: Filters, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key in LIST_FILTERS:
            for item in value if isinstance(value, list) else [value]:
                if item not in filters[key]:
                    filters[key].append(item)
        else:
            filters[key] = value


def _nothing(_match: re.Match[str], _reading: Reading) -> None:
    """Phrases that carry no filter but must not become keywords ("reporting to the CEO")."""


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
    def action(match: re.Match[str], reading: Reading) -> None:
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
        _merge(reading.filters, {"company_size": size_ranges_between(low, high)})

    return action


def _year(key: str, offset: int) -> Action:
    """founded after/before a year written in the query (plus an offset for inclusive words)."""

    def action(match: re.Match[str], reading: Reading) -> None:
        reading.filters[key] = int(match.group(1)) + offset

    return action


def _founded_in(match: re.Match[str], reading: Reading) -> None:
    year = int(match.group(1))
    reading.filters.update(founded_after=year - 1, founded_before=year + 1)


def _age(key: str) -> Action:
    """'founded in the last 5 years' / 'less than 5 years old' / 'more than 20 years old'."""

    def action(match: re.Match[str], reading: Reading) -> None:
        years = next(group for group in match.groups() if group is not None)
        reading.filters[key] = vocab.REFERENCE_YEAR - int(years)

    return action


def _series(match: re.Match[str], reading: Reading) -> None:
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
    _merge(reading.filters, {"funding_stage": list(dict.fromkeys(stages))})


def _series_stage(letter: str) -> str:
    return f"Series {letter.upper()}" if letter in "abcd" else "Series E+"


def _startups(_match: re.Match[str], reading: Reading) -> None:
    """'startups' only fills in a stage when nothing more precise was said."""
    if not reading.filters["funding_stage"] and not reading.filters["company_size"]:
        reading.filters["funding_stage"] = list(STARTUP_STAGES)


W = r"(?<![\w&])"   # start of a word
E = r"(?![\w&])"    # end of a word
NUM = r"(\d[\d,]*(?:\.\d+)?k?)"
YEAR = r"(\d{4})"
HEADCOUNT = r"(?:employees|people|staff|ftes?|headcount|person|persons)"


def _plural_forms(word: str) -> list[str]:
    if re.search(r"[^aeiou]y$", word):
        return [word, word[:-1] + "ies"]
    if re.search(r"(?:s|x|ch|sh)$", word):
        return [word, word + "es"]
    return [word, word + "s"]


def _phrase_pattern(phrase: str, plural: bool) -> str:
    """A literal phrase: spaces match any whitespace, hyphens are optional, the last word may be plural."""

    def literal(word: str) -> str:
        return re.escape(word).replace(r"\-", r"[-\s]?")

    *head, last = phrase.split()
    tail = literal(last)
    if plural and last[-1].isalpha():
        singular, many = _plural_forms(last)
        if many.endswith("ies"):
            tail = literal(singular[:-1]) + "(?:y|ies)"
        else:
            tail += f"(?:{re.escape(many[len(singular):])})?"
    return r"\s+".join([*map(literal, head), tail])


def _words_of(texts: Iterable[str]) -> frozenset[str]:
    words: set[str] = set()
    for text in texts:
        for word in re.findall(r"[a-z]+", fold(text)):
            words.update(_plural_forms(word))
    return frozenset(words)


def phrases(*texts: str, action: Action, plural: bool = True) -> Rule:
    """A rule matching any of these literal phrases as whole words."""
    alternatives = "|".join(_phrase_pattern(t, plural) for t in sorted(texts, key=len, reverse=True))
    return Rule(re.compile(f"{W}(?:{alternatives}){E}"), action, _words_of(texts))


def regex(pattern: str, action: Action, words: str = "") -> Rule:
    """A rule for what literal phrases cannot say (numbers, letter ranges); `words` feeds typo correction."""
    return Rule(re.compile(pattern), action, _words_of(words.split()))


def _rules() -> list[Rule]:
    """Ordered rules: earlier rules win the words they match."""
    founding = r"(?:founded|started|established|incorporated|launched)"
    return [
        # --- numbers first: founding years and head counts ----------------------------------
        regex(rf"{W}{founding}\s+(?:after|post){E}\s+{YEAR}{E}", _year("founded_after", 0),
              "founded started established incorporated launched after"),
        regex(rf"{W}{founding}\s+(?:since|in or after|from){E}\s+{YEAR}{E}", _year("founded_after", -1), "since"),
        regex(rf"{W}{founding}\s+in\s+{YEAR}\s+or\s+later{E}", _year("founded_after", -1), "later"),
        regex(rf"{W}{founding}\s+(?:before|prior\s+to|pre){E}\s+{YEAR}{E}", _year("founded_before", 0),
              "before prior"),
        regex(rf"{W}{founding}\s+in\s+{YEAR}\s+or\s+(?:earlier|before){E}", _year("founded_before", 1), "earlier"),
        regex(rf"{W}{founding}\s+in\s+{YEAR}{E}", _founded_in),
        regex(rf"{W}{founding}\s+(?:in\s+)?(?:the\s+)?(?:last|past)\s+(\d+)\s+years?{E}", _age("founded_after"),
              "last past years"),
        regex(rf"{W}(?:less|fewer)\s+than\s+(\d+)\s+years?\s+old{E}|{W}younger\s+than\s+(\d+)\s+years?{E}",
              _age("founded_after"), "younger old"),
        regex(rf"{W}(?:more|over)\s+than\s+(\d+)\s+years?\s+old{E}|{W}older\s+than\s+(\d+)\s+years?{E}"
              rf"|{W}over\s+(\d+)\s+years?\s+old{E}",
              _age("founded_before"), "older"),
        regex(rf"{W}{NUM}\s*(?:-|–|to)\s*{NUM}\s*{HEADCOUNT}{E}", _size("range"), "employees headcount"),
        regex(rf"{W}between\s+{NUM}\s+and\s+{NUM}\s*{HEADCOUNT}{E}", _size("range"), "between"),
        regex(rf"(?:{W}(?:over|more than|above|greater than|bigger than)\s+|>\s*){NUM}\s*{HEADCOUNT}{E}",
              _size("above"), "above greater bigger"),
        regex(rf"{W}(?:at least|minimum(?: of)?)\s+{NUM}\s*{HEADCOUNT}{E}", _size("at_least"), "least minimum"),
        regex(rf"{W}{NUM}\s*\+\s*{HEADCOUNT}{E}", _size("at_least")),
        regex(rf"{W}{NUM}\s+or more\s+{HEADCOUNT}{E}", _size("at_least")),
        regex(rf"(?:{W}(?:under|less than|fewer than|below|smaller than)\s+|<\s*){NUM}\s*{HEADCOUNT}{E}",
              _size("below"), "fewer below smaller"),
        regex(rf"{W}(?:up to|at most|no more than)\s+{NUM}\s*{HEADCOUNT}{E}", _size("at_most"), "most"),
        # "vc-backed" before the role "vc"
        phrases("vc-backed", "vc backed", "vc-funded", "venture-backed", "venture backed", "venture-funded",
                action=_add(funding_stage=VENTURE_STAGES), plural=False),
        # --- whom a role reports to describes the role, it is not a second person -----------
        phrases("chief of staff", "chiefs of staff", action=_add(job_function="General Management",
                                                                 title="chief of staff"), plural=False),
        regex(rf"{W}(?:(?:who\s+|that\s+)?report(?:s|ing)?\s+)?to\s+(?:the\s+|our\s+|a\s+)?"
              rf"(?:ceo|cto|coo|cfo|founders?|president|executives?|managing\s+partners?){E}",
              _nothing, "report reports reporting"),
        # --- roles that name a specific job: a function plus a title keyword ----------------
        phrases("nurse practitioner", action=_add(job_function="Clinical", title="nurse practitioner")),
        phrases("nurse", "registered nurse", "rn", "nursing staff",
                action=_add(job_function="Clinical", title="nurse")),
        phrases("physician", "doctor", "medical doctor", action=_add(job_function="Clinical", title="physician")),
        phrases("pharmacist", action=_add(job_function="Clinical", title="pharmacist")),
        phrases("therapist", "physical therapist", "physiotherapist",
                action=_add(job_function="Clinical", title="therapist")),
        phrases("medical assistant", action=_add(job_function="Clinical", title="medical assistant")),
        phrases("clinician", "clinical staff", "medical staff", "healthcare worker", "health care worker",
                "healthcare professional", "care provider", action=_add(job_function="Clinical")),
        phrases("teacher", "schoolteacher", action=_add(job_function="Teaching", title="teacher")),
        phrases("professor", action=_add(job_function="Teaching", title="professor")),
        phrases("lecturer", action=_add(job_function="Teaching", title="lecturer")),
        phrases("tutor", action=_add(job_function="Teaching", title="tutor")),
        phrases("instructor", action=_add(job_function="Teaching", title="instructor")),
        phrases("educator", "teaching staff", "faculty", "faculty member", action=_add(job_function="Teaching")),
        phrases("head chef", "executive chef", action=_add(job_function="Hospitality", title="executive chef")),
        phrases("chef", "sous chef", action=_add(job_function="Hospitality", title="chef")),
        phrases("cook", "line cook", action=_add(job_function="Hospitality", title="cook")),
        phrases("barista", action=_add(job_function="Hospitality", title="barista")),
        phrases("bartender", action=_add(job_function="Hospitality", title="bartender")),
        phrases("sommelier", action=_add(job_function="Hospitality", title="sommelier")),
        phrases("hotel manager", action=_add(job_function="Hospitality", seniority="Manager",
                                             title="hotel manager")),
        phrases("restaurant manager", action=_add(job_function="Hospitality", seniority="Manager",
                                                  title="restaurant manager")),
        phrases("hospitality staff", "hospitality worker", "front desk", "front desk agent",
                action=_add(job_function="Hospitality")),
        phrases("venture capitalist", "vc", "vc investor", "venture investor",
                action=_add(job_function="Investing", industry="Venture Capital")),
        phrases("general partner", "gp", "venture partner", action=_add(job_function="Investing", seniority="Partner",
                                                                       industry="Venture Capital")),
        phrases("investment analyst", action=_add(job_function="Investing", title="investment analyst")),
        phrases("investment associate", "venture associate", action=_add(job_function="Investing", seniority="Entry")),
        phrases("portfolio manager", action=_add(job_function="Investing", seniority="Manager",
                                                 title="portfolio manager")),
        phrases("investor", "investment professional", "investment team", action=_add(job_function="Investing")),
        phrases("paralegal", action=_add(job_function="Legal", title="paralegal")),
        phrases("lawyer", "attorney", "legal counsel", "counsel", "solicitor", action=_add(job_function="Legal")),
        phrases("team lead", "team leader", action=_add(seniority="Manager")),
        phrases("product owner", action=_add(job_function="Product")),
        phrases("executive assistant", action=_add(job_function="Operations", title="executive assistant")),
        phrases("public relations", "pr", "communications", "comms", action=_add(job_function="Marketing")),
        # --- compound job phrases that must beat the single words inside them ---------------
        phrases(*(f"{a} {b}" for a in ("machine learning", "ml", "ai", "data")
                  for b in ("engineer", "engineering", "scientist", "science", "analyst")),
                action=_add(job_function="Data")),
        phrases("research engineer", "research scientist", "research associate", action=_add(job_function="Research")),
        phrases(*(f"{a} {b}" for a in ("software", "backend", "back-end", "frontend", "front-end", "full-stack",
                                       "fullstack", "full stack", "mobile", "platform", "infrastructure",
                                       "site reliability", "devops", "cloud", "security", "ios", "android")
                  for b in ("engineer", "engineering", "developer")),
                action=_add(job_function="Engineering")),
        phrases("product designer", "ux designer", "ui designer", "visual designer", "graphic designer",
                action=_add(job_function="Design")),
        phrases("account executive", "ae", action=_add(job_function="Sales")),
        phrases("account manager", action=_add(job_function="Sales", seniority="Manager")),
        phrases("customer success manager", "csm", action=_add(job_function="Customer Success")),
        phrases("people ops", "people operations", "people team", "people partner", "human resources",
                action=_add(job_function="HR/People")),
        regex(rf"(?:(?<=head of )|(?<=heads of )|(?<=vp of )|(?<=vps of )|(?<=director of )|(?<=directors of )"
              rf"|(?<=president of ))people{E}", _add(job_function="HR/People")),
        phrases("product management", action=_add(job_function="Product")),
        phrases("general manager", action=_add(job_function="General Management", seniority="Manager")),
        # --- executives ----------------------------------------------------------------------
        phrases("cto", "chief technology officer", "chief technical officer",
                action=_add(seniority="CXO", job_function="Engineering")),
        phrases("ciso", "chief security officer", "chief information security officer", "cio",
                "chief information officer", action=_add(seniority="CXO", job_function="Engineering")),
        phrases("cfo", "chief financial officer", action=_add(seniority="CXO", job_function="Finance")),
        phrases("coo", "chief operating officer", action=_add(seniority="CXO", job_function="Operations")),
        phrases("chief medical officer", "chief nursing officer",
                action=_add(seniority="CXO", job_function="Clinical")),
        phrases("chief investment officer", action=_add(seniority="CXO", job_function="Investing")),
        phrases("chief academic officer", action=_add(seniority="CXO", job_function="Teaching")),
        phrases("cmo", "chief marketing officer", "chief growth officer",
                action=_add(seniority="CXO", job_function="Marketing")),
        phrases("cro", "chief revenue officer", action=_add(seniority="CXO", job_function="Sales")),
        phrases("cpo", "chief product officer", action=_add(seniority="CXO", job_function="Product")),
        phrases("cdo", "chief data officer", "chief analytics officer",
                action=_add(seniority="CXO", job_function="Data")),
        phrases("chro", "chief people officer", "chief human resources officer",
                action=_add(seniority="CXO", job_function="HR/People")),
        phrases("general counsel", "chief legal officer", action=_add(seniority="CXO", job_function="Legal")),
        phrases("chief scientist", "chief science officer", action=_add(seniority="CXO", job_function="Research")),
        phrases("ceo", "chief executive", "chief executive officer", "managing director",
                action=_add(seniority=["CXO", "Owner / Founder"], job_function="General Management")),
        regex(rf"{W}c[- ]?(?:level|suite){E}|{W}cxos?{E}|{W}chiefs?\s+(?:\w+\s+){{1,2}}officers?{E}",
              _add(seniority="CXO"), "level suite cxo officer"),
        phrases("founder", "co-founder", "cofounder", "founding team", "owner",
                action=_add(seniority="Owner / Founder")),
        regex(rf"{W}[se]?vps?{E}|{W}(?:senior\s+|executive\s+)?vice[- ]presidents?{E}", _add(seniority="VP"),
              "vp vps svp evp vice president presidents senior executive"),
        phrases("senior leadership", "senior leader", "senior executive", "leader", "leadership", "decision maker",
                "decision-maker", "senior management", action=_add(seniority=LEADERSHIP)),
        phrases("executive", "exec", action=_add(seniority=["CXO", "VP"])),
        regex(rf"{W}heads?\s+of{E}", _add(seniority="Head"), "head heads"),
        phrases("director", "senior director", action=_add(seniority="Director")),
        phrases("partner", "managing partner", "general partner", "operating partner", "senior partner",
                action=_add(seniority="Partner")),
        phrases("people manager", "manager", action=_add(seniority="Manager")),
        phrases("mid-level", "mid level", "mid-career", "mid-senior", action=_add(seniority=["Manager", "Senior"])),
        regex(rf"{W}leads{E}", _add(seniority=["Senior", "Manager"]), "leads"),
        phrases("individual contributor", "ic", action=_add(seniority=["Senior", "Entry"])),
        regex(rf"{W}(?:senior|sr\.?|staff|principal|lead){E}", _add(seniority="Senior"),
              "senior sr staff principal lead"),
        phrases("junior", "jr", "entry-level", "entry level", "associate", "intern", "new grad", "graduate",
                "trainee", "apprentice", action=_add(seniority="Entry")),
        # --- funding -----------------------------------------------------------------------------
        regex(rf"{W}pre[- ]?seed(?:[- ]stage)?{E}", _add(funding_stage="Pre-seed"), "pre seed preseed"),
        regex(rf"{W}seed(?:[- ](?:stage|round|funded))?{E}", _add(funding_stage="Seed"), "seed"),
        regex(rf"{W}series\s+[a-z]\+?(?:\s*(?:,|/|&|-|\bor\b|\band\b|\bto\b)\s*(?:series\s+)?[a-z]\+?{E})*{E}",
              _series, "series"),
        phrases("private equity", "private-equity backed", "private equity backed", "pe-backed", "pe backed",
                action=_add(funding_stage="Private Equity"), plural=False),
        phrases("bootstrapped", "self-funded", "profitable", action=_add(funding_stage="Bootstrapped"), plural=False),
        phrases("early-stage", "early stage", action=_add(funding_stage=EARLY_STAGES), plural=False),
        phrases("growth-stage", "growth stage", "scale-up", "scaleup", "fast-growing", "fast growing", "high-growth",
                "high growth", "hypergrowth", "hyper-growth", action=_add(funding_stage=GROWTH_STAGES)),
        phrases("well-funded", "well funded", "well-capitalized", "well-capitalised",
                action=_add(funding_stage=WELL_FUNDED_STAGES), plural=False),
        phrases("late-stage", "late stage", "pre-ipo", action=_add(funding_stage=["Series C", "Series D", "Series E+"]),
                plural=False),
        phrases("publicly traded", "publicly-traded", "publicly listed", "public", "listed", "ipo", "ipo'd", "ipoed",
                action=_add(is_public=True), plural=False),
        phrases("privately held", "privately-held", "private", action=_add(is_public=False), plural=False),
        # --- company size in words ----------------------------------------------------------------
        phrases(*(f"{a} {b}" for a in ("small", "smaller", "tiny") for b in ("business", "company", "team", "firm")),
                "smb", action=_add(company_size=["1-10", "11-50", "51-200"])),
        phrases("mid-size", "mid-sized", "midsize", "mid-market", "mid market", "medium-sized", "medium sized",
                action=_add(company_size=["201-500", "501-1000"]), plural=False),
        phrases(*(f"{a} {b}" for a in ("large", "big", "huge")
                  for b in ("company", "enterprise", "corporation", "firm")),
                "enterprises", "fortune 500", "corporation", "multinational",
                action=_add(company_size=LARGE_SIZES)),
        # --- industries -------------------------------------------------------------------------
        phrases("venture capital", "venture capital firm", "vc firm", "vc fund", "venture fund", "venture firm",
                "venture capital fund", action=_add(industry="Venture Capital")),
        phrases("law firm", "legal services", "legal firm", "law office", "law practice",
                action=_add(industry="Legal Services")),
        phrases("coffee shop", "coffee", "cafe", "café", "coffeehouse", "coffee roaster", "roastery",
                action=_add(industry="Food & Beverage", term="coffee")),
        phrases("restaurant", "food and beverage", "food & beverage", "f&b", "food", "beverage", "brewery",
                "bakery", "craft beer", "catering", action=_add(industry="Food & Beverage")),
        phrases("hotel", "hospitality", "resort", "hotel chain", "travel", "tourism", "vacation rental",
                action=_add(industry="Hospitality")),
        phrases("insurtech", "insur-tech", action=_add(industry=["Fintech", "Insurance"])),
        phrases("fintech", "fin-tech", "financial technology", "financial services", "payment", "banking",
                "neobank", "neo-bank", "crypto", "web3", "lending", "bank", action=_add(industry="Fintech")),
        phrases("insurance", "insurer", "insurance company", action=_add(industry="Insurance")),
        phrases("healthcare", "health care", "healthtech", "health tech", "digital health", "medical", "hospital",
                "clinic", "medtech", "med-tech", "telehealth", "tele-health", "health system", "health",
                action=_add(industry="Healthcare")),
        phrases("biotech", "bio-tech", "biotechnology", "life science", "life sciences", "pharma", "biopharma",
                "pharmaceutical", "genomics", "therapeutics", action=_add(industry="Biotech")),
        phrases("online retail", "online store", "online shopping", "e-commerce", "ecommerce", "d2c", "dtc",
                "direct-to-consumer", "direct to consumer", "marketplace", action=_add(industry="E-commerce")),
        phrases("retail", "retailer", "store", "brick and mortar", "brick-and-mortar", "grocery", "supermarket",
                "shop", action=_add(industry="Retail")),
        regex(rf"{W}artificial\s+intelligence{E}|{W}machine\s+learning{E}|{W}deep\s+learning{E}"
              rf"|{W}gen(?:erative)?\s*ai{E}|{W}foundation\s+models?{E}|{W}large\s+language\s+models?{E}|{W}a\.?i\.?(?=\W|$)|{W}ml{E}|{W}llms?{E}|{W}computer\s+vision{E}",
              _add(industry="AI/Machine Learning"),
              "artificial intelligence machine learning deep generative genai ai ml llm computer vision foundation"
              " large language model"),
        phrases("cybersecurity", "cyber-security", "cyber security", "cyber", "security", "infosec",
                action=_add(industry="Cybersecurity"), plural=False),
        phrases("logistics", "supply chain", "supply-chain", "shipping", "freight", "transportation", "trucking",
                action=_add(industry="Logistics"), plural=False),
        phrases("marketing agency", "ad agency", "advertising agency", "creative agency", "digital agency",
                "advertising", "adtech", "ad-tech", "ad tech", action=_add(industry="Marketing & Advertising")),
        phrases("media", "entertainment", "publishing", "publisher", "streaming", "creator economy",
                action=_add(industry="Media")),
        phrases("edtech", "ed-tech", "education", "educational", "e-learning", "elearning", "online learning",
                "school", "university", action=_add(industry="Education")),
        phrases("real estate", "real-estate", "proptech", "prop-tech", "property", "properties",
                action=_add(industry="Real Estate"), plural=False),
        phrases("automotive", "automaker", "carmaker", "car company", "car manufacturer", "ev maker",
                "electric vehicle", "auto", action=_add(industry="Automotive")),
        phrases("aerospace", "aerospace and defense", "defense", "defence", "aviation", "airline", "drone",
                "satellite", action=_add(industry="Aerospace & Defense")),
        phrases("manufacturing", "manufacturer", "industrial", "hardware", "robotics", "factory",
                action=_add(industry="Manufacturing")),
        phrases("telecom", "telecommunications", "telco", "telecoms", "wireless carrier", "isp",
                action=_add(industry="Telecommunications")),
        phrases("construction", "builder", "contractor", "general contractor", "homebuilder",
                action=_add(industry="Construction")),
        phrases("nonprofit", "non-profit", "not-for-profit", "not for profit", "ngo", "charity", "foundation",
                action=_add(industry="Nonprofit")),
        phrases("consulting", "consultancy", "consultant", "consulting firm", "professional services", "agency",
                "advisory", action=_add(industry="Consulting")),
        phrases("gaming", "video game", "videogame", "game", "game studio", "gaming studio", "gaming company",
                "game company", "esports", "e-sports", action=_add(industry="Gaming")),
        phrases("climate", "climate tech", "climate-tech", "climatetech", "cleantech", "clean tech", "clean energy",
                "energy", "solar", "renewable", "sustainability", action=_add(industry="Climate/Energy")),
        phrases("b2b saas", "saas", "cloud", "cloud software", action=_add(industry="SaaS")),
        phrases("software", "b2b software", "enterprise software", "software company", "dev tools", "devtools",
                "developer tools", action=_add(industry=["Software", "SaaS"])),
        phrases("tech", "technology", "tech company", action=_add(industry=TECH)),
        # --- places -----------------------------------------------------------------------------
        *_location_rules(),
        # --- generic job functions ----------------------------------------------------------------
        phrases("engineer", "engineering", "developer", "swe", "devops", "sre", "eng", "programmer", "coder",
                action=_add(job_function="Engineering")),
        phrases("data", "analytics", "analyst", action=_add(job_function="Data")),
        phrases("research", "researcher", "scientist", "r&d", action=_add(job_function="Research")),
        phrases("sales", "sdr", "bdr", "business development", "biz dev", "bizdev", "revenue", "seller",
                "salespeople", "salesperson", "sales rep", "sales representative", action=_add(job_function="Sales")),
        phrases("marketing", "marketer", "growth", "demand gen", "demand generation", "content", "seo",
                action=_add(job_function="Marketing")),
        phrases("brand", action=_add(job_function="Marketing"), plural=False),
        phrases("design", "designer", "ux", "ui", action=_add(job_function="Design")),
        phrases("product", "pm", action=_add(job_function="Product")),
        phrases("operations", "ops", "biz ops", "bizops", action=_add(job_function="Operations")),
        phrases("finance", "financial", "accounting", "accountant", "controller", "fp&a", "treasury",
                action=_add(job_function="Finance")),
        phrases("hr", "recruiter", "recruiting", "recruitment", "talent", "talent acquisition",
                action=_add(job_function="HR/People")),
        phrases("customer success", "customer support", "customer experience", "customer service", "support",
                action=_add(job_function="Customer Success")),
        phrases("legal", "compliance", action=_add(job_function="Legal")),
        phrases("general management", "strategy", "corporate development",
                action=_add(job_function="General Management")),
        phrases("clinical", "nursing", "patient care", action=_add(job_function="Clinical"), plural=False),
        phrases("teaching", "academic", action=_add(job_function="Teaching")),
        phrases("investing", "investment", "venture", action=_add(job_function="Investing")),
        # --- "startups" last: it only fills in a stage when nothing more precise was said ------
        regex(rf"{W}start[- ]?ups?{E}", _startups, "startup startups start up ups"),
    ]


LOCATION_ALIASES: dict[str, list[str]] = {
    "new york city": ["New York"], "nyc": ["New York"], "ny": ["New York"], "manhattan": ["New York"],
    "brooklyn": ["New York"], "sf bay area": BAY_AREA, "san francisco bay area": BAY_AREA,
    "bay area": BAY_AREA, "silicon valley": BAY_AREA, "sf": ["San Francisco"], "san fran": ["San Francisco"],
    "washington dc": ["District of Columbia"], "washington d.c.": ["District of Columbia"],
    "washington, d.c.": ["District of Columbia"], "d.c.": ["District of Columbia"], "dc": ["District of Columbia"],
    "bengaluru": ["Bangalore"], "tlv": ["Tel Aviv"], "sao paulo": ["São Paulo"], "zürich": ["Zurich"],
    "münchen": ["Munich"], "munchen": ["Munich"], "bogota": ["Bogotá"], "wien": ["Vienna"], "praha": ["Prague"],
    "boston area": ["Boston"], "greater boston": ["Boston"], "greater london": ["London"],
    "southern california": ["Los Angeles", "Santa Monica", "San Diego"],
    "socal": ["Los Angeles", "Santa Monica", "San Diego"], "norcal": BAY_AREA,
    "pacific northwest": ["Seattle", "Bellevue", "Portland", "Vancouver"],
    "pnw": ["Seattle", "Bellevue", "Portland", "Vancouver"],
    "united states": ["United States"], "usa": ["United States"], "u.s.a.": ["United States"],
    "u.s.": ["United States"], "america": ["United States"], "uk": ["United Kingdom"],
    "u.k.": ["United Kingdom"], "britain": ["United Kingdom"], "great britain": ["United Kingdom"],
    "england": ["England"], "uae": ["United Arab Emirates"], "korea": ["South Korea"],
    "europe": EUROPE, "eu": EUROPE,
    "emea": EUROPE + ["Israel", "United Arab Emirates", "Nigeria", "Kenya", "South Africa"],
    "dach": ["Germany", "Austria", "Switzerland"], "nordics": ["Sweden", "Denmark", "Norway", "Finland"],
    "scandinavia": ["Sweden", "Denmark", "Norway"], "middle east": ["Israel", "United Arab Emirates"],
    "africa": ["Nigeria", "Kenya", "South Africa"],
    "apac": ["India", "Singapore", "Hong Kong", "China", "South Korea", "Japan", "Australia"],
    "asia": ["India", "Singapore", "Hong Kong", "China", "South Korea", "Japan"],
    "latam": ["Brazil", "Mexico", "Argentina", "Colombia"],
    "latin america": ["Brazil", "Mexico", "Argentina", "Colombia"],
    "south america": ["Brazil", "Argentina", "Colombia"],
}
# Short words that are also ordinary English: only taken as places when written in capitals.
CAPITALISED_ALIASES: dict[str, list[str]] = {"US": ["United States"], "LA": ["Los Angeles"]}
# Words that introduce a place: a capitalised unknown name after them is kept as a location.
PLACE_INTRODUCERS = re.compile(r"(?:^|\s)(?:in|near|from|around|based\s+in|located\s+in|out\s+of)\s+(?:the\s+)?$")


def _location_rules() -> list[Rule]:
    names: dict[str, list[str]] = {}
    for place in vocab.LOCATIONS:
        for name in (place.city, place.state, place.country):
            if name:
                names.setdefault(name.lower(), [name])
    names.update(LOCATION_ALIASES)
    # One rule per name, longest first: "washington dc" must win over "washington".
    return [phrases(name, action=_add(location=names[name]), plural=False)
            for name in sorted(names, key=len, reverse=True)]


_RULES = _rules()
# Keywords the rules themselves ask for ("nurse"): placed words, unlike the words no rule knows.
RULE_TERMS = frozenset(_rule_terms)
_CAPITALISED = [(re.compile(rf"\b{re.escape(k)}\b"), v) for k, v in CAPITALISED_ALIASES.items()]


# --- typo correction ---------------------------------------------------------------------------


@functools.cache
def _vocabulary() -> tuple[frozenset[str], dict[int, list[tuple[str, int]]]]:
    """(every known word, correction targets by length as (word, priority)): built on first use."""
    rule_words = set().union(*(rule.words for rule in _RULES)) | _words_of(LOCATION_ALIASES)
    title_words = _words_of(_all_titles())
    text_words = _words_of(
        [*vocab.INDUSTRIES, *(p for products in vocab.DESCRIPTION_PRODUCTS.values() for p in products)]
    )
    plain_words = _words_of([*STOP_WORDS, *vocab.FIRST_NAMES, *vocab.LAST_NAMES, *vocab.NAME_ROOTS,
                             *(s for suffixes in vocab.NAME_SUFFIXES_BY_INDUSTRY.values() for s in suffixes)])
    targets: dict[int, list[tuple[str, int]]] = {}
    seen: set[str] = set()
    for priority, words in enumerate((rule_words, title_words, text_words)):
        for word in sorted(words):
            if len(word) >= 4 and word not in seen:
                seen.add(word)
                targets.setdefault(len(word), []).append((word, priority))
    return frozenset(rule_words | title_words | text_words | plain_words), targets


def _all_titles() -> list[str]:
    titles: list[str] = []
    for table in (vocab.CXO_TITLES, vocab.FOUNDER_TITLES, vocab.IC_TITLES, vocab.SENIOR_EXTRA_TITLES,
                  vocab.MANAGER_TITLES, vocab.FUNCTION_TITLE_NAMES, vocab.PARTNER_TITLES_BY_FUNCTION):
        for names in table.values():
            titles.extend(names)
    return titles + list(vocab.PARTNER_TITLES)


def _max_edits(length: int) -> int:
    if length < 4:
        return 0
    return 1 if length < 8 else 2


@functools.lru_cache(maxsize=4096)
def correction_for(word: str) -> str | None:
    """The vocabulary word a typo most likely meant, or None (known words and far-off words)."""
    known, targets = _vocabulary()
    if word in known or not word.isalpha():
        return None
    limit = _max_edits(len(word))
    if not limit:
        return None
    letters = set(word)
    counts = Counter(word)
    best: tuple[int, bool, int, int, int, str] | None = None
    for length in range(len(word) - limit, len(word) + limit + 1):
        for candidate, priority in targets.get(length, ()):
            if len(word) <= 5 and candidate[0] != word[0]:
                continue  # short words: a typo in the first letter is too likely another word
            if len(letters.symmetric_difference(candidate)) > 2 * limit:
                continue
            distance = _edit_distance(word, candidate, limit)
            if distance > limit:
                continue
            # Ties go to the word sharing more letters ("sals" is "sales" rather than "saas").
            shared = sum((counts & Counter(candidate)).values())
            key = (distance, candidate[0] != word[0], -shared, priority, abs(len(candidate) - len(word)), candidate)
            if best is None or key < best:
                best = key
    return None if best is None else best[-1]


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of neighbours costs 1); stops early past `limit`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


# --- parsing -----------------------------------------------------------------------------------


@dataclass
class _Token:
    start: int      # offsets in the working text
    end: int
    original: str   # as typed
    read_as: str    # lower-cased, corrected


def empty_filters() -> Filters:
    filters: Filters = {key: [] for key in LIST_FILTERS}
    filters.update(founded_after=None, founded_before=None, is_public=None)
    return filters


def parse_query(text: str, mode: str) -> dict[str, Any]:
    """The structured `parsed_query` for a natural-language query (see module docstring)."""
    if mode not in ("people", "company"):
        raise ValueError(f"unknown mode {mode!r}: expected 'people' or 'company'")
    reading = Reading(empty_filters(), [], [])
    cleaned = re.sub(r"#\S+", " ", text)
    for pattern, places in _CAPITALISED:
        if pattern.search(cleaned):
            _merge(reading.filters, {"location": places})
            cleaned = pattern.sub(" ", cleaned)
    working, tokens, corrections = _corrected(cleaned)
    before_rules = working
    for rule in _RULES:
        for match in list(rule.pattern.finditer(working)):
            rule.action(match, reading)
            working = _blank(working, match.start(), match.end())
    leftover = [t for t in tokens if working[t.start:t.end] == t.read_as]
    keywords = _keep_unknown_places(leftover, before_rules, reading.filters)
    filters = reading.filters
    terms = list(reading.terms)
    if mode == "company":
        for key in PERSON_ONLY_FILTERS:
            filters[key] = []
    else:
        terms = reading.title_terms + terms
    for key, canonical in CANONICAL_VALUES.items():
        filters[key] = sorted(filters[key], key=canonical.index)
    return {
        "mode": mode,
        "text": text,
        "filters": filters,
        "keywords": list(dict.fromkeys(terms + keywords))[:MAX_KEYWORDS],
        "corrections": [{"typed": typed, "read_as": read_as} for typed, read_as in corrections],
    }


def _corrected(text: str) -> tuple[str, list[_Token], list[tuple[str, str]]]:
    """The lower-cased text with typos replaced, its word tokens, and the corrections made."""
    pieces: list[str] = []
    tokens: list[_Token] = []
    corrections: list[tuple[str, str]] = []
    position = 0
    length = 0
    for match in re.finditer(r"[^\W_]+", text):
        gap = text[position:match.start()].lower()
        pieces.append(gap)
        length += len(gap)
        original = match.group(0)
        lowered = original.lower()
        fixed = correction_for(fold(lowered)) if len(lowered) >= 4 else None
        read_as = fixed or lowered
        if fixed and (lowered, fixed) not in corrections:
            corrections.append((lowered, fixed))
        tokens.append(_Token(length, length + len(read_as), original, read_as))
        pieces.append(read_as)
        length += len(read_as)
        position = match.end()
    pieces.append(text[position:].lower())
    return "".join(pieces), tokens, corrections


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _keep_unknown_places(leftover: list[_Token], before_rules: str, filters: Filters) -> list[str]:
    """Keywords from the words no rule read; a capitalised name after 'in' becomes a location."""
    keywords: list[str] = []
    index = 0
    while index < len(leftover):
        token = leftover[index]
        if token.original[:1].isupper() and token.read_as not in STOP_WORDS \
                and PLACE_INTRODUCERS.search(before_rules[:token.start]):
            words = [token]
            while (index + len(words) < len(leftover) and len(words) < 4
                   and leftover[index + len(words)].original[:1].isupper()
                   and before_rules[words[-1].end:leftover[index + len(words)].start].strip() == ""):
                words.append(leftover[index + len(words)])
            place = " ".join(w.original if w.read_as == w.original.lower() else w.read_as.capitalize() for w in words)
            _merge(filters, {"location": [place]})
            index += len(words)
            continue
        word = token.read_as[:MAX_KEYWORD_LENGTH]
        if len(word) >= 2 and word not in STOP_WORDS and not word.isdigit():
            keywords.append(word)
        index += 1
    return keywords


# --- validation --------------------------------------------------------------------------------


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
            raise ValueError(f"parsed_query.filters has an unknown filter {key!r}: expected one of {list(FILTER_KEYS)}")
        if key in LIST_FILTERS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"parsed_query.filters.{key} must be a list of strings")
            allowed = CANONICAL_VALUES.get(key)
            unknown = [v for v in value if allowed is not None and v not in allowed]
            if allowed is not None and unknown:
                raise ValueError(f"parsed_query.filters.{key} has unknown value(s) {unknown}: expected {list(allowed)}")
        elif key in YEAR_FILTERS:
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ValueError(f"parsed_query.filters.{key} must be an integer year or null")
        elif value is not None and not isinstance(value, bool):
            raise ValueError("parsed_query.filters.is_public must be true, false or null")
    keywords = pq.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise ValueError("parsed_query.keywords must be a list of strings")
    if len(keywords) > MAX_KEYWORDS:
        raise ValueError(f"parsed_query.keywords has {len(keywords)} entries: at most {MAX_KEYWORDS}")
    for keyword in keywords:
        if not re.search(r"[^\W_]", keyword):
            raise ValueError(f"parsed_query.keywords entry {keyword!r} has no letter or digit")
        if len(keyword) > MAX_KEYWORD_LENGTH:
            raise ValueError(f"parsed_query.keywords entry {keyword[:20]!r}… is longer than {MAX_KEYWORD_LENGTH}")
    corrections = pq.get("corrections", [])
    if not isinstance(corrections, list) or not all(
        isinstance(c, dict) and isinstance(c.get("typed"), str) and isinstance(c.get("read_as"), str)
        for c in corrections
    ):
        raise ValueError('parsed_query.corrections must be a list of {"typed": str, "read_as": str}')
