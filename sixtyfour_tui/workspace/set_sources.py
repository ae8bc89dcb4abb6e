"""Where an exclusion set's entities come from, gathered one way for the TUI's set form and the
headless `exclusions create/add`: stored searches, files of ids or URLs (a CSV column or one per
line; company domains resolved through stored rows), everything exported, everything seen, and
entities picked in the table (marked rows, a facet's rows). Any mix of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from sixtyfour_tui.jobs.records import JobRecord
from sixtyfour_tui.workspace.exclusions import ids_from_file

if TYPE_CHECKING:
    from sixtyfour_tui.workspace.store import Workspace


class SourceProblem(ValueError):
    """A source that cannot be used (a file that cannot be read, a search of the other mode)."""


class FileSource(msgspec.Struct, frozen=True):
    path: Path
    column: str | None = None


class Gathered(msgspec.Struct, frozen=True):
    """The entities, once each, in the order found, and a line per file saying what it held."""

    ids: list[str]
    notes: list[str]


def gather_ids(workspace: Workspace, mode: str, *, searches: Sequence[JobRecord] = (),
               files: Sequence[FileSource] = (), exported: bool = False, seen: bool = False,
               picked: Iterable[str | None] = ()) -> Gathered:
    """Every entity the sources name (synchronous: call it off the UI thread)."""
    ids: dict[str, None] = dict.fromkeys(entity for entity in picked if entity)
    notes: list[str] = []
    for job in searches:
        if job.mode != mode:
            raise SourceProblem(f"search {job.job_id[:8]} is a {job.mode} search; this set is for {mode}")
        ids.update(dict.fromkeys(entity for entity in workspace.entity_ids(job.job_id) if entity))
    for source in files:
        try:
            found = ids_from_file(source.path, mode, source.column)
        except OSError as problem:
            raise SourceProblem(f"cannot read {source.path}: {problem.strerror or problem}") from None
        except ValueError as problem:
            raise SourceProblem(f"cannot read {source.path}: {problem}") from None
        resolved, missing = workspace.resolve_domains(found.ids)
        ids.update(dict.fromkeys(resolved))
        where = f" (column {found.column})" if found.column else ""
        note = f"{source.path}{where}: {len(resolved):,} ids"
        if found.unreadable:
            note += f", {found.unreadable:,} lines that name no entity"
        if missing:
            note += f", {len(missing):,} domains not in any stored search"
        notes.append(note)
    if exported:
        ids.update(dict.fromkeys(workspace.exported_entities(mode)))
    if seen:
        ids.update(dict.fromkeys(workspace.seen_entities(mode)))
    return Gathered(ids=list(ids), notes=notes)
