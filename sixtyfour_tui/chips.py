"""How a search was understood, as chips people can read and edit — shared by the TUI and the CLI.

The server answers a natural-language query with its `parsed_query`: structured filters
(seniority, function, industry, funding stage, company size, location, founding years, public or
private) and required `keywords`. Each value is one chip ("Seniority: VP"). Editing a chip makes a
new parsed query (the old one is never changed), which `/search/query` runs as it is; `edit_note`
says in one line what changed ("Seniority: VP → Director"), for the job that runs it.

The parsed query's shape is the sandbox's (documented in `sandbox/query_parser.py`); the real API
does not document its own, so unknown filters are still shown (and can be removed or changed as
text), and anything else in the object travels back untouched.

`preview` is the cheap look before a deep search: one `/search/query` page of a few rows, with no
job and nothing stored.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sixtyfour_tui.sanitize import clean_text, shorten

PREVIEW_ROWS = 10
OPEN_KINDS = frozenset({"location", "keywords"})
KNOWN_VALUES_TOP_K = 50
COMPANY_PREVIEW_NOTE = ("Preview is for people searches: the API reads plain language on /search/query in "
                        "people mode only, and a company preview would cost a whole deep search. Start the "
                        "search; once it completes, r refines how it was understood.")


@dataclass(frozen=True)
class ChipKind:
    """One thing a parsed query can say. `known` lists (mode, index field) pairs whose top values
    are offered when a value is picked; the first the capabilities list wins."""

    key: str
    label: str
    many: bool  # a list of alternatives (OR) rather than one value
    value: str = "text"  # text | year | flag
    people_only: bool = False
    known: tuple[tuple[str, str], ...] = ()

    def accepts(self, mode: str) -> bool:
        return mode == "people" or not self.people_only

    @property
    def free_text(self) -> bool:
        """Whether any typed value is meaningful: places, keywords, years and filters this client
        does not know take text; the others have a closed list of values (their known values)."""
        if self.value == "flag":
            return False
        return self.key in OPEN_KINDS or self.value == "year" or not self.known


KINDS: tuple[ChipKind, ...] = (
    ChipKind("seniority", "Seniority", True, people_only=True, known=(("people", "seniority"),)),
    ChipKind("job_function", "Function", True, people_only=True, known=(("people", "jobFunction"),)),
    ChipKind("industry", "Industry", True, known=(("company", "industry"),)),
    ChipKind("funding_stage", "Funding stage", True, known=(("company", "last_funding_round.type"),)),
    ChipKind("company_size", "Company size", True, known=(("company", "size_range"),)),
    ChipKind("location", "Location", True, known=(("company", "hq_city"), ("company", "hq_country"))),
    ChipKind("founded_after", "Founded after", False, "year"),
    ChipKind("founded_before", "Founded before", False, "year"),
    ChipKind("is_public", "Public", False, "flag"),
    ChipKind("keywords", "Keyword", True),
)
KIND_BY_KEY = {kind.key: kind for kind in KINDS}


def kind_of(key: str) -> ChipKind:
    """A known kind, or a plain text one for a filter this client has never heard of."""
    return KIND_BY_KEY.get(key) or ChipKind(key, clean_text(key).replace("_", " ").capitalize(), True)


@dataclass(frozen=True)
class Chip:
    key: str
    value: Any

    @property
    def kind(self) -> ChipKind:
        return kind_of(self.key)

    @property
    def text(self) -> str:
        """'Seniority: VP', 'Founded after 2015', 'Private companies' (sanitized)."""
        kind = self.kind
        if kind.value == "flag":
            return "Public companies" if self.value else "Private companies"
        if kind.value == "year":
            return f"{kind.label} {value_text(self.value)}"
        return f"{kind.label}: {value_text(self.value)}"


def value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return shorten(clean_text(value), 80)


# -- reading ---------------------------------------------------------------------------------------


def chips_of(parsed_query: Any) -> list[Chip]:
    """Every value the parsed query holds, known kinds in their usual order, then any others."""
    if not isinstance(parsed_query, dict):
        return []
    chips = []
    for key in _keys(parsed_query):
        current = _get(parsed_query, key)
        for value in current if isinstance(current, list) else [current]:
            if value is not None and value != "":
                chips.append(Chip(key, value))
    return chips


def _keys(parsed_query: dict[str, Any]) -> list[str]:
    filters = parsed_query.get("filters")
    present = list(filters) if isinstance(filters, dict) else []
    known = [kind.key for kind in KINDS]
    return known + [key for key in present if key not in KIND_BY_KEY]


def _get(parsed_query: dict[str, Any], key: str) -> Any:
    if key == "keywords":
        return parsed_query.get("keywords") or []
    filters = parsed_query.get("filters")
    return filters.get(key) if isinstance(filters, dict) else None


def chips_line(parsed_query: Any) -> str:
    """All chips on one line (for the CLI and the jobs panel): 'Seniority: VP · Location: Austin'."""
    chips = chips_of(parsed_query)
    return " · ".join(chip.text for chip in chips) if chips else "no filters (everything matches)"


def corrections_text(parsed_query: Any) -> str:
    """'read “sofware” as “software”' for each typo the server corrected ('' when none)."""
    corrections = parsed_query.get("corrections") if isinstance(parsed_query, dict) else None
    if not isinstance(corrections, list):
        return ""
    read = [f"“{clean_text(c.get('typed'))}” as “{clean_text(c.get('read_as'))}”"
            for c in corrections if isinstance(c, dict) and c.get("typed") and c.get("read_as")]
    return ("read " + ", ".join(read)) if read else ""


def addable_kinds(parsed_query: Any, mode: str) -> list[ChipKind]:
    """Kinds a chip can be added to: lists always (another alternative), single values when unset."""
    return [kind for kind in KINDS if kind.accepts(mode)
            and (kind.many or _get(parsed_query if isinstance(parsed_query, dict) else {}, kind.key) is None)]


# -- editing (each returns a new parsed query) -------------------------------------------------------


def add_chip(parsed_query: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    edited = _copy(parsed_query)
    kind = kind_of(key)
    if kind.many:
        current = [item for item in _listed(_get(edited, key))]
        if value not in current:
            current.append(value)
        _put(edited, key, current)
    else:
        _put(edited, key, value)
    return edited


def remove_chip(parsed_query: dict[str, Any], chip: Chip) -> dict[str, Any]:
    edited = _copy(parsed_query)
    current = _get(edited, chip.key)
    if isinstance(current, list):
        _put(edited, chip.key, [item for item in current if item != chip.value])
    else:
        _put(edited, chip.key, None)
    return edited


def change_chip(parsed_query: dict[str, Any], chip: Chip, value: Any) -> dict[str, Any]:
    """The chip's value replaced in place (a list keeps its order; a value already there is not doubled)."""
    edited = _copy(parsed_query)
    current = _get(edited, chip.key)
    if isinstance(current, list):
        replaced: list[Any] = []
        for item in current:
            new = value if item == chip.value else item
            if new not in replaced:
                replaced.append(new)
        _put(edited, chip.key, replaced)
    else:
        _put(edited, chip.key, value)
    return edited


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _put(parsed_query: dict[str, Any], key: str, value: Any) -> None:
    if key == "keywords":
        parsed_query["keywords"] = value
        return
    filters = parsed_query.get("filters")
    if not isinstance(filters, dict):
        filters = parsed_query["filters"] = {}
    filters[key] = value


def _copy(parsed_query: dict[str, Any]) -> dict[str, Any]:
    edited = copy.deepcopy(parsed_query) if isinstance(parsed_query, dict) else {}
    edited.pop("corrections", None)  # they described the original text, not this edit
    return edited


def edit_note(before: Any, after: Any) -> str | None:
    """What changed, in one line: 'Seniority: VP → Director; + Location: Boston; − Keyword: llama'."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    notes: list[str] = []
    for key in dict.fromkeys(_keys(before) + _keys(after)):
        old, new = _listed(_get(before, key)), _listed(_get(after, key))
        old = [value for value in old if value is not None and value != ""]
        new = [value for value in new if value is not None and value != ""]
        if old == new:
            continue
        gone = [value for value in old if value not in new]
        came = [value for value in new if value not in old]
        label = kind_of(key).label
        if len(gone) == 1 and len(came) == 1:
            notes.append(f"{label}: {value_words(key, gone[0])} → {value_words(key, came[0])}")
            continue
        notes += [f"− {Chip(key, value).text}" for value in gone]
        notes += [f"+ {Chip(key, value).text}" for value in came]
    return "; ".join(notes) or None


def value_words(key: str, value: Any) -> str:
    if kind_of(key).value == "flag":
        return "public" if value else "private"
    return value_text(value)


def read_value(kind: ChipKind, text: str) -> Any:
    """A typed value for the kind (ValueError with a message for people)."""
    text = " ".join(text.split())
    if not text:
        raise ValueError("type a value")
    if kind.value == "year":
        if not text.isdigit() or not 1000 <= int(text) <= 9999:
            raise ValueError(f"{kind.label} takes a year, such as 2015")
        return int(text)
    if kind.value == "flag":
        lowered = text.lower()
        if lowered in ("public", "yes", "true"):
            return True
        if lowered in ("private", "no", "false"):
            return False
        raise ValueError("public or private")
    return text


# -- known values ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownValue:
    value: Any
    count: int
    field: str  # the index field counted
    counted: str  # what was counted: "people" | "companies"


async def known_values(catalog: Any, kind: ChipKind, *, top_k: int = KNOWN_VALUES_TOP_K) -> list[KnownValue]:
    """The values worth offering for a kind, with counts, from every index field the capabilities
    list for it (a `filters.FieldCatalog`); [] when there are none (years, flags, keywords)."""
    if kind.value == "flag":
        return [KnownValue(True, 0, "", ""), KnownValue(False, 0, "", "")]
    found: list[KnownValue] = []
    seen: set[Any] = set()
    for mode, name in kind.known:
        field = await catalog.field(mode, name)
        if field is None or not field.supports_top_values:
            continue
        answer = await catalog.values(name, mode, top_k=top_k)
        counted = "people" if mode == "people" else "companies"
        for item in answer.values:
            if item.value is None or item.value in seen or not isinstance(item.value, str):
                continue
            seen.add(item.value)
            found.append(KnownValue(item.value, item.count, name, counted))
    return found


# -- preview -----------------------------------------------------------------------------------------


class PreviewUnavailable(Exception):
    """The API offers no cheap preview for this (a company-mode text query)."""


@dataclass(frozen=True)
class Preview:
    parsed_query: dict[str, Any] | None
    total_available: int | None
    rows: list[dict[str, Any]]
    search_id: str | None


def preview_unavailable(mode: str) -> str | None:
    return COMPANY_PREVIEW_NOTE if mode != "people" else None


async def preview(client: Any, *, mode: str, query: str | None = None, parsed_query: dict[str, Any] | None = None,
                  rows: int = PREVIEW_ROWS, exclude_entity_ids: Sequence[str] | None = None) -> Preview:
    """One `/search/query` page: how the text (or an edited parsed query) is understood, how many
    match, and the first rows. No job, nothing stored."""
    if (query is None) == (parsed_query is None):
        raise ValueError("preview needs a query or a parsed_query")
    if query is not None and mode != "people":
        raise PreviewUnavailable(COMPANY_PREVIEW_NOTE)
    page = await client.query_first(mode=mode, query=query, parsed_query=parsed_query, page_size=rows,
                                    max_results=rows, exclude_entity_ids=exclude_entity_ids)
    understood = page.parsed_query if isinstance(page.parsed_query, dict) else parsed_query
    return Preview(parsed_query=understood, total_available=page.total_available,
                   rows=list(page.results[:rows]), search_id=page.search_id)
