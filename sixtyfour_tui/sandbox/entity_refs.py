"""The ids a client may name a record by, reduced to one spelling, and the rows they point at.

People: a LinkedIn public id (`jane-doe`) or a profile URL in any spelling (`http://` or none,
`www.` or a country sub-domain, trailing slash, query string or fragment, any letter case).
Companies: the entity id (`source_id`); and, because CSV files carry no entity id, a website
domain or URL, or a LinkedIn company URL, which resolve to the entity id when the data set knows
them. The canonical spelling (`EntityRefs.key`) is what stored searches and exclusion lists keep.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

PROFILE_URL = re.compile(r"^(?:https?://)?(?:[a-z0-9-]+\.)*linkedin\.com/in/([^/?#]+)", re.IGNORECASE)
COMPANY_URL = re.compile(r"^(?:https?://)?(?:[a-z0-9-]+\.)*linkedin\.com/company/([^/?#]+)", re.IGNORECASE)
WEB_URL = re.compile(r"^(?:https?://)?(?:www\.)?([^/?#:]+)", re.IGNORECASE)


def person_key(ref: str) -> str:
    text = ref.strip()
    profile = PROFILE_URL.match(text)
    if profile:
        text = unquote(profile.group(1))
    return text.strip().lower()


class EntityRefs:
    """Maps canonical ids to rows; the maps are built on first use (about 0.1 s for 100,000 people)."""

    def __init__(self, ds: Any) -> None:
        self._ds = ds
        self._rows: dict[str, dict[str, int]] = {}
        self._company_aliases: dict[str, str] | None = None
        self._lock = threading.Lock()

    def key(self, mode: str, ref: str) -> str:
        if mode == "people":
            return person_key(ref)
        text = ref.strip()
        if text in self._row_map("company"):
            return text
        aliases = self._aliases()
        company = COMPANY_URL.match(text)
        if company:
            return aliases.get("li:" + unquote(company.group(1)).lower(), text)
        web = WEB_URL.match(text)
        if web:
            return aliases.get("web:" + web.group(1).lower(), text)
        return text

    def keys(self, mode: str, refs: Iterable[str]) -> set[str]:
        return {self.key(mode, ref) for ref in refs}

    def rows(self, mode: str, keys: Iterable[str]) -> set[int]:
        """Rows of the keys the data set knows (unknown ids simply match nothing)."""
        row_map = self._row_map(mode)
        return {row_map[k] for k in keys if k in row_map}

    def _row_map(self, mode: str) -> dict[str, int]:
        with self._lock:
            if mode not in self._rows:
                ds = self._ds
                normalise = str.lower if mode == "people" else str
                self._rows[mode] = {normalise(ds.entity_id(mode, i)): i for i in range(ds.count(mode))}
            return self._rows[mode]

    def _aliases(self) -> dict[str, str]:
        """Domain and LinkedIn slug of each company, for the spellings a CSV column carries."""
        with self._lock:
            if self._company_aliases is None:
                ds = self._ds
                aliases: dict[str, str] = {}
                for name, tag, pattern in (("website_domain", "web:", WEB_URL), ("linkedin_url", "li:", COMPANY_URL)):
                    try:
                        get = ds.field_getter("company", name)
                    except KeyError:
                        continue
                    for c in range(ds.count("company")):
                        value = get(c)
                        found = pattern.match(value) if isinstance(value, str) else None
                        if found:
                            aliases.setdefault(tag + unquote(found.group(1)).lower(), ds.entity_id("company", c))
                self._company_aliases = aliases
            return self._company_aliases
