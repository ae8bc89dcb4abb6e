"""Who a row is about: one entity id per person or company, whatever form the id arrived in.

People are named by their LinkedIn public id (`publicId`, or the last part of a profile URL, with
or without `www.`, a trailing slash or a query). Companies by the index's `source_id`; a company
row from a CSV, which has none, by its LinkedIn company URL (`li-company:<slug>`). These are the
keys of the seen-set, exclusion sets and run diffs.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

PEOPLE, COMPANY = "people", "company"

_PROFILE = re.compile(r"^(?:[a-z]{2,3}\.)?linkedin\.com$")


def linkedin_public_id(value: str) -> str | None:
    """`https://www.linkedin.com/in/jane-doe/?trk=x` → `jane-doe`; None when it is not a profile URL."""
    text = value.strip()
    if "linkedin.com" not in text.lower():
        return None
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if not _PROFILE.match(host):
        return None
    segments = [unquote(segment) for segment in parts.path.split("/") if segment]
    if len(segments) >= 2 and segments[0].lower() in ("in", "pub"):
        return segments[1].strip().lower() or None
    return None


def linkedin_company_slug(value: str) -> str | None:
    text = value.strip()
    if "linkedin.com" not in text.lower():
        return None
    if "://" not in text:
        text = "https://" + text
    segments = [unquote(segment) for segment in urlsplit(text).path.split("/") if segment]
    if len(segments) >= 2 and segments[0].lower() in ("company", "school", "showcase"):
        return segments[1].strip().lower() or None
    return None


def normalise_id(mode: str, value: str) -> str | None:
    """A user-given id (public id, profile URL, company id, company URL) as an entity id."""
    text = value.strip().strip('"').strip()
    if not text:
        return None
    if mode == PEOPLE:
        from_url = linkedin_public_id(text)
        if from_url is not None:
            return from_url
        return None if "/" in text or " " in text else text.lower()
    slug = linkedin_company_slug(text)
    if slug is not None:
        return f"li-company:{slug}"
    return None if " " in text else text


def entity_id(mode: str, row: dict[str, Any]) -> str | None:
    """The entity a row (from /search/query or a CSV) is about, or None when it names none."""
    if mode == PEOPLE:
        public_id = row.get("publicId")
        if isinstance(public_id, str) and public_id.strip():
            return public_id.strip().lower()
        for key in ("linkedinUrl", "linkedin_url", "linkedin"):
            url = row.get(key)
            if isinstance(url, str) and (found := linkedin_public_id(url)):
                return found
        return None
    source_id = row.get("source_id")
    if isinstance(source_id, (str, int)) and str(source_id).strip():
        return str(source_id).strip()
    for key in ("linkedin_url", "linkedinUrl"):
        url = row.get(key)
        if isinstance(url, str) and (slug := linkedin_company_slug(url)):
            return f"li-company:{slug}"
    return None


def api_exclusion_id(mode: str, entity: str) -> str | None:
    """What to send the API for an entity (company ids only; a slug-only company cannot be sent)."""
    if mode == COMPANY and entity.startswith("li-company:"):
        return None
    return entity
