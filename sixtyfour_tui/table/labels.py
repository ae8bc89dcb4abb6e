"""Readable header labels for flattened column names ("fullName" -> "Full name").

The table's header and every file written from a view use these labels; the raw field name
stays visible in the column chooser and the detail view. Column names come from the API, so a
label is built from sanitized text only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sixtyfour_tui.api.rows import sanitize_text

KNOWN_LABELS: dict[str, str] = {
    # people (contract section 6)
    "publicId": "ID",
    "fullName": "Full name",
    "headline": "Headline",
    "title": "Title",
    "seniority": "Seniority",
    "jobFunction": "Function",
    "locationName": "Location",
    "linkedinUrl": "LinkedIn",
    "email": "Email",
    "currentCompanies": "Company",
    # companies
    "source_id": "ID",
    "company_name": "Company",
    "website_domain": "Domain",
    "website": "Website",
    "linkedin_url": "LinkedIn",
    "industry": "Industry",
    "description": "Description",
    "founded_year": "Founded",
    "employees_count": "Employees",
    "size_range": "Size",
    "hq_city": "HQ city",
    "hq_state": "HQ state",
    "hq_country": "HQ country",
    "hq_country_iso2": "HQ country code",
    "last_funding_round.type": "Funding",
    "last_funding_round.amount_raised": "Amount raised",
    "last_funding_round.announced_date": "Funding date",
    "is_public": "Public",
}
"""Labels for the fields the API documents; anything else is spelled out from its name."""

ACRONYMS = {"id": "ID", "url": "URL", "hq": "HQ", "iso2": "ISO2", "ceo": "CEO", "api": "API", "uuid": "UUID"}

_WORD_BREAKS = re.compile(r"[._\-\s]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def column_label(column: str) -> str:
    """The header label of one column: a known field's label, else its name in words."""
    known = KNOWN_LABELS.get(column)
    if known is not None:
        return known
    name = sanitize_text(column)
    words = [word for word in _WORD_BREAKS.split(name) if word]
    if not words:
        return name
    spelled = [ACRONYMS.get(word.lower(), word if word.isupper() and len(word) > 1 else word.lower())
               for word in words]
    first = spelled[0]
    spelled[0] = first if first in ACRONYMS.values() or first.isupper() else first[:1].upper() + first[1:]
    return " ".join(spelled)


def header_labels(columns: Sequence[str]) -> list[str]:
    """Labels for columns shown together; a label that repeats names its raw field after it,
    so no two headers (or JSON keys) are the same."""
    labels = [column_label(column) for column in columns]
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    seen: set[str] = set()
    unique = []
    for column, label in zip(columns, labels):
        if counts[label] > 1 and label in seen:
            label = f"{label} ({sanitize_text(column)})"
        seen.add(label)
        unique.append(label)
    return unique
