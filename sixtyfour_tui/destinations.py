"""File names for exported CSVs: a readable default from the query, and checks on what the user typed.

No Textual here: the headless CLI and the export screen check destinations by the same rule.
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import datetime
from pathlib import Path

from sixtyfour_tui.locations import expand_path

MAX_SLUG_LENGTH = 60
"""Long enough to recognise the query, short enough for a file list column."""

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def query_slug(query: str, max_length: int = MAX_SLUG_LENGTH) -> str:
    """``"VP of Engineering @ Series B"`` → ``"vp-of-engineering-series-b"``.

    ASCII letters and digits joined by single dashes, so the result can never hold a path
    separator, start with a dot, or surprise a shell. Accents are folded (é → e) rather than dropped.
    """
    folded = unicodedata.normalize("NFKD", query).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", folded.lower()).strip("-")
    if len(slug) <= max_length:
        return slug
    cut = slug[:max_length]
    # Cut at a word boundary when one is reasonably close, so no word is left half-written.
    boundary = cut.rfind("-")
    if boundary >= max_length // 2:
        cut = cut[:boundary]
    return cut.strip("-")


def default_export_path(download_dir: Path, query: str, mode: str, now: datetime | None = None) -> Path:
    """``<download_dir>/<query-slug>-<YYYY-MM-DD>.csv``; a query with nothing usable gets a generic name."""
    date = (now or datetime.now()).strftime("%Y-%m-%d")
    slug = query_slug(query) or f"sixtyfour-{query_slug(mode) or 'results'}"
    try:
        folder = expand_path(download_dir)
    except ValueError:
        folder = Path.cwd()
    return folder / f"{slug}-{date}.csv"


def validate_destination(text: str, creatable: Path | None = None) -> Path:
    """The absolute path the user means, or ValueError with a message fit to show beside the field."""
    try:
        return _checked_destination(text, creatable)
    except OSError as problem:  # the file system refused even to look (too long, no permission…)
        raise ValueError(f"Cannot use {text.strip()}: {problem.strerror or problem}") from None


def _checked_destination(text: str, creatable: Path | None) -> Path:
    """The absolute path the user means, or ValueError with a message fit to show beside the field.

    Only the download folder (`creatable`) may be created if missing: a typo elsewhere must not
    quietly grow a folder tree. Nothing is created here; :func:`ensure_parent_dir` does that once
    the user commits to exporting.
    """
    raw = text.strip()
    if not raw:
        raise ValueError("Enter a file path for the CSV.")
    if raw.endswith(("/", os.sep)):
        raise ValueError("That is a folder; add a file name such as results.csv.")
    path = expand_path(raw).absolute()
    if path.is_dir():
        raise ValueError("That is a folder; add a file name such as results.csv.")
    ancestor = _nearest_existing(path.parent)
    if not ancestor.is_dir():
        raise ValueError(f"{ancestor} is a file, so no folder can be created there.")
    allowed = creatable is not None and path.parent == expand_path(creatable).absolute()
    if ancestor != path.parent and not allowed:
        raise ValueError(f"The folder {path.parent} does not exist; create it first or choose another.")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ValueError(f"No permission to write in {ancestor}.")
    return path


def destination_warning(path: Path) -> str | None:
    """Something worth saying about a valid destination that should not stop the export."""
    try:
        if str(path).endswith(("/", os.sep)) or path.is_dir():
            return None  # the error about folders says it all
    except OSError:
        return None  # e.g. a name too long, or a folder we may not look into: the export check says so
    if path.suffix.lower() != ".csv":
        return "The file will hold CSV even though its name does not end in .csv."
    return None


def ensure_parent_dir(path: Path) -> None:
    """Create the folders leading to ``path``; ValueError (with the reason) when that is impossible."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"Could not create {path.parent}: {error.strerror or error}") from None


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path
