"""Exclusion sets: named, per mode, the entities a new search should leave out (customers, people
already contacted...). Built from marked rows, a whole search, every row ever exported, a file of
ids or URLs, or a mix; edited locally. A set large enough to need a saved list on the server gets
one (`server_lists` remembers which list holds which version of which set, so it is reused).
"""

from __future__ import annotations

import csv
import hashlib
import io
import sqlite3
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

import msgspec

from sixtyfour_tui.entities import normalise_id


class ExclusionSet(msgspec.Struct, frozen=True):
    set_id: str
    name: str
    mode: str
    size: int
    created_at: float
    updated_at: float


class ServerList(msgspec.Struct, frozen=True):
    list_id: str
    backend: str
    set_id: str | None
    fingerprint: str
    size: int
    status: str
    created_at: float


class FileIds(msgspec.Struct, frozen=True):
    """What a file held: ids understood, and lines that name no entity (reported, not guessed)."""

    ids: list[str]
    unreadable: int
    column: str | None


def fingerprint(ids: Iterable[str]) -> str:
    """The same entities in any order give the same fingerprint: a server list can be reused."""
    digest = hashlib.sha256()
    for entity in sorted(set(ids)):
        digest.update(entity.encode("utf-8") + b"\n")
    return digest.hexdigest()


def ids_from_file(path: Path, mode: str, column: str | None = None) -> FileIds:
    """Entity ids from a CSV (the chosen column, else the first column that holds ids) or a plain
    file of one id or URL per line. Company domains are returned as `domain:<name>` for the caller
    to resolve against stored rows."""
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return FileIds(ids=[], unreadable=0, column=None)
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    header = rows[0]
    chosen = None
    if len(header) > 1 or column:
        chosen = column if column in header else _guess_column(header, rows[1:], mode)
        if column and column not in header:
            raise ValueError(f"{path} has no column {column!r} (it has: {', '.join(header)})")
        position = header.index(chosen) if chosen in header else 0
        values = [row[position] for row in rows[1:] if len(row) > position]
    else:
        values = [row[0] for row in rows if row]
        if values and _id_of(values[0], mode) is None:
            values = values[1:]  # a header line ("linkedin_url") above the values
    ids, unreadable = [], 0
    for value in values:
        entity = _id_of(value, mode)
        if entity is None:
            unreadable += 1
        else:
            ids.append(entity)
    return FileIds(ids=list(dict.fromkeys(ids)), unreadable=unreadable, column=chosen)


_ID_COLUMNS = ("linkedin_url", "linkedinurl", "linkedin", "profile_url", "url", "public_id", "publicid", "id",
               "source_id", "company_id", "entity_id", "domain", "website_domain", "website")


def _guess_column(header: list[str], rows: list[list[str]], mode: str) -> str:
    lowered = [name.strip().lower() for name in header]
    for candidate in _ID_COLUMNS:
        if candidate in lowered:
            return header[lowered.index(candidate)]
    best, best_hits = header[0], -1
    for position, name in enumerate(header):
        hits = sum(1 for row in rows[:50] if len(row) > position and _id_of(row[position], mode) is not None)
        if hits > best_hits:
            best, best_hits = name, hits
    return best


def _id_of(value: str, mode: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    if mode == "company" and "." in text and "/" not in text and " " not in text and not text.startswith("co_"):
        return f"domain:{text.lower().removeprefix('www.')}"
    if mode == "company" and text.lower().startswith(("http://", "https://")) and "linkedin.com" not in text:
        host = text.split("://", 1)[1].split("/", 1)[0].lower().removeprefix("www.")
        return f"domain:{host}" if host else None
    return normalise_id(mode, text)


# -- storage (called through Workspace, inside its transactions) --------------------------------

def create(db: sqlite3.Connection, name: str, mode: str, ids: Iterable[str]) -> ExclusionSet:
    now = time.time()
    set_id = f"set_{uuid.uuid4().hex[:12]}"
    try:
        db.execute("INSERT INTO exclusion_sets (set_id, name, mode, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                   (set_id, name, mode, now, now))
    except sqlite3.IntegrityError:
        raise ValueError(f"an exclusion set named {name!r} already exists for {mode}") from None
    add(db, set_id, ids)
    found = get(db, set_id)
    assert found is not None
    return found


def add(db: sqlite3.Connection, set_id: str, ids: Iterable[str]) -> int:
    before = _size(db, set_id)
    db.executemany("INSERT OR IGNORE INTO exclusion_members (set_id, entity_id) VALUES (?, ?)",
                   [(set_id, entity) for entity in ids if entity])
    db.execute("UPDATE exclusion_sets SET updated_at = ? WHERE set_id = ?", (time.time(), set_id))
    return _size(db, set_id) - before


def remove(db: sqlite3.Connection, set_id: str, ids: Iterable[str]) -> int:
    before = _size(db, set_id)
    db.executemany("DELETE FROM exclusion_members WHERE set_id = ? AND entity_id = ?",
                   [(set_id, entity) for entity in ids])
    db.execute("UPDATE exclusion_sets SET updated_at = ? WHERE set_id = ?", (time.time(), set_id))
    return before - _size(db, set_id)


def rename(db: sqlite3.Connection, set_id: str, name: str) -> None:
    try:
        db.execute("UPDATE exclusion_sets SET name = ?, updated_at = ? WHERE set_id = ?", (name, time.time(), set_id))
    except sqlite3.IntegrityError:
        raise ValueError(f"an exclusion set named {name!r} already exists") from None


def delete(db: sqlite3.Connection, set_id: str) -> None:
    db.execute("DELETE FROM exclusion_members WHERE set_id = ?", (set_id,))
    db.execute("DELETE FROM exclusion_sets WHERE set_id = ?", (set_id,))


def _size(db: sqlite3.Connection, set_id: str) -> int:
    return int(db.execute("SELECT count(*) FROM exclusion_members WHERE set_id = ?", (set_id,)).fetchone()[0])


def get(db: sqlite3.Connection, set_id: str) -> ExclusionSet | None:
    row = db.execute(
        "SELECT s.set_id, s.name, s.mode, (SELECT count(*) FROM exclusion_members m WHERE m.set_id = s.set_id), "
        "s.created_at, s.updated_at FROM exclusion_sets s WHERE s.set_id = ?", (set_id,)).fetchone()
    return ExclusionSet(*row) if row else None


def listing(db: sqlite3.Connection, mode: str | None = None) -> list[ExclusionSet]:
    sql = ("SELECT s.set_id, s.name, s.mode, (SELECT count(*) FROM exclusion_members m WHERE m.set_id = s.set_id), "
           "s.created_at, s.updated_at FROM exclusion_sets s")
    params: tuple[str, ...] = ()
    if mode is not None:
        sql += " WHERE s.mode = ?"
        params = (mode,)
    return [ExclusionSet(*row) for row in db.execute(sql + " ORDER BY s.mode, s.name", params)]


def members(db: sqlite3.Connection, set_ids: Iterable[str]) -> list[str]:
    found: dict[str, None] = {}
    for set_id in set_ids:
        for (entity,) in db.execute("SELECT entity_id FROM exclusion_members WHERE set_id = ? ORDER BY entity_id",
                                    (set_id,)):
            found[entity] = None
    return list(found)


def resolve_domains(db: sqlite3.Connection, ids: list[str]) -> tuple[list[str], list[str]]:
    """`domain:` ids turned into company ids through stored company rows; (ids, domains not found)."""
    plain = [entity for entity in ids if not entity.startswith("domain:")]
    domains = [entity[len("domain:"):] for entity in ids if entity.startswith("domain:")]
    missing = []
    if domains:
        known = _company_domains(db)
        for domain in domains:
            if known.get(domain):
                plain.append(known[domain])
            else:
                missing.append(domain)
    return list(dict.fromkeys(plain)), missing


def _company_domains(db: sqlite3.Connection) -> dict[str, str]:
    """Website domain -> company id over the stored company searches: one read of each search's
    domain column (its run of the cells key), whatever the number of domains asked about."""
    column = db.execute("SELECT id FROM strings WHERE text = 'website_domain'").fetchone()
    if column is None:
        return {}
    known: dict[str, str] = {}
    for domain, entity in db.execute(
            "SELECT v.text, r.entity_id FROM results s "
            "JOIN cells c ON c.search_no = s.search_no AND c.column_id = ? "
            "JOIN strings v ON v.id = c.value_id "
            "JOIN rows r ON r.search_no = c.search_no AND r.position = c.position "
            "WHERE s.mode = 'company' AND r.entity_id IS NOT NULL", (column[0],)):
        known.setdefault(domain, entity)
    return known


def record_server_list(db: sqlite3.Connection, server_list: ServerList) -> None:
    db.execute("INSERT OR REPLACE INTO server_lists (list_id, backend, set_id, fingerprint, size, status, created_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)",
               (server_list.list_id, server_list.backend, server_list.set_id, server_list.fingerprint,
                server_list.size, server_list.status, server_list.created_at))


def server_lists(db: sqlite3.Connection, backend: str) -> list[ServerList]:
    return [ServerList(*row) for row in db.execute(
        "SELECT list_id, backend, set_id, fingerprint, size, status, created_at FROM server_lists WHERE backend = ? "
        "ORDER BY created_at", (backend,))]


def forget_server_list(db: sqlite3.Connection, list_id: str) -> None:
    db.execute("DELETE FROM server_lists WHERE list_id = ?", (list_id,))
