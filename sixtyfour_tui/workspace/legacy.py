"""The one-time import of version 0.1's JSON ledger and history into the workspace.

0.1 kept `jobs.json` and `history.json` in the state folder. On the first start with a workspace
their records are copied in (unreadable records are skipped, never fatal) and the files are
renamed to `*.imported`, which keeps them as a backup and keeps them from being imported twice.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sixtyfour_tui import locations
from sixtyfour_tui.jobs.records import UNFINISHED, HistoryEntry, JobRecord
from sixtyfour_tui.workspace.database import StorageError

if TYPE_CHECKING:
    from sixtyfour_tui.workspace.store import Workspace

MARK = "legacy_import"


def import_legacy_once(workspace: Workspace, state_dir: Path | None = None) -> str | None:
    """Import and rename the old files if any exist; a sentence for the user, or None."""
    folder = state_dir if state_dir is not None else locations.state_dir()
    ledger, history = folder / "jobs.json", folder / "history.json"
    if not ledger.exists() and not history.exists():
        return None
    jobs = _read_list(ledger, "jobs")
    entries = _read_list(history, "entries")
    records = [record for record in (_job(raw) for raw in jobs) if record is not None]
    used = [entry for entry in (_entry(raw) for raw in entries) if entry is not None]
    try:
        # Unfinished ones must be claimable by the first engine that resumes them: no lease yet.
        for record in records:
            workspace.save_jobs([record])
        workspace.release_leases()
        workspace.add_history(used)
    except StorageError:
        return None  # try again next time; nothing was renamed
    for path in (ledger, history):
        if path.exists():
            os.replace(path, path.with_name(path.name + ".imported"))
    unfinished = sum(1 for record in records if record.status in UNFINISHED)
    return (f"Imported {len(records):,} job(s) ({unfinished} unfinished) and {len(used):,} past queries from "
            f"{folder} into the workspace {workspace.path}; the old files are kept as *.imported.")


def _read_list(path: Path, key: str) -> list[Any]:
    try:
        document = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return []
    items = document.get(key) if isinstance(document, dict) else None
    return items if isinstance(items, list) else []


def _job(raw: Any) -> JobRecord | None:
    try:
        return JobRecord.from_json(raw)
    except ValueError:
        return None


def _entry(raw: Any) -> HistoryEntry | None:
    if not isinstance(raw, dict):
        return None
    query, mode, max_results, used_at = raw.get("query"), raw.get("mode"), raw.get("max_results"), raw.get("used_at")
    if not isinstance(query, str) or not query.strip() or mode not in ("people", "company"):
        return None
    if isinstance(max_results, bool) or not isinstance(max_results, int):
        return None
    if isinstance(used_at, bool) or not isinstance(used_at, (int, float)):
        used_at = 0.0
    return HistoryEntry(query.strip(), mode, max_results, float(used_at))
