"""Stored result rows: pages and CSV files in, rows, facets, seen flags and run diffs out.

A search's rows are kept by position (the order the server ranked them), with the entity id and
the row as JSON. Alongside, every flattened cell's display text is kept dictionary-coded in
`cells`, so a facet over 100,000 rows is one index scan instead of parsing 100,000 JSON documents.
"""

from __future__ import annotations

import csv
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

from sixtyfour_tui.api.rows import flatten_row
from sixtyfour_tui.entities import entity_id
from sixtyfour_tui.jobs.records import JobRecord

MAX_FACET_TEXT = 500
"""Cell text kept for facets and value filters; longer values are cut (the row keeps them whole)."""
UNFACETED = frozenset({"publicId", "source_id", "linkedinUrl", "linkedin_url", "website", "email", "headline",
                       "description", "currentCompanies.company.url"})
"""Columns whose values are (nearly) unique per row: counting them says nothing, and keeping them
would double the workspace. Their facet reports every row as 'not counted'."""
CSV_BATCH = 2000
_PARAMETERS = 500  # SQLite's bound-parameter limit is far above this; chunks stay cheap

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(type=dict[str, Any])


class StoredResult(msgspec.Struct, frozen=True):
    """What the workspace holds of one search's rows."""

    job_id: str
    search_no: int
    mode: str
    stored: int
    complete: bool
    origin: str  # "pages" (from /search/query) or "csv" (from a downloaded file)
    columns: tuple[str, ...] | None
    total_available: int | None
    parsed_query: dict[str, Any] | None
    next_cursor: str | None
    cursor_expires_at: float | None
    fetched_at: float
    updated_at: float

    def usable_cursor(self, now: float | None = None, margin: float = 30.0) -> str | None:
        """The stored next-page cursor while it has some life left."""
        moment = now if now is not None else time.time()
        if self.next_cursor and (self.cursor_expires_at is None or self.cursor_expires_at - margin > moment):
            return self.next_cursor
        return None


class Facet(msgspec.Struct, frozen=True):
    """How often each value of a column occurs in a stored result, most frequent first."""

    column: str
    total: int  # rows stored
    values: list[tuple[str, int]]
    missing: int  # rows with no value in this column

    @property
    def distinct(self) -> int:
        return len(self.values)


class Diff(msgspec.Struct, frozen=True):
    """Entities of two stored results: new in `after`, dropped since `before`, common to both."""

    before: str
    after: str
    new: int
    dropped: int
    common: int


class StringIds:
    """Text → id in the `strings` table, through a per-workspace cache. New ids join the shared
    cache only after the transaction that made them committed (`keep`)."""

    def __init__(self, db: sqlite3.Connection, shared: dict[str, int], lock: threading.Lock) -> None:
        self._db = db
        self._shared = shared
        self._lock = lock
        self._fresh: dict[str, int] = {}

    def ids(self, texts: set[str]) -> dict[str, int]:
        with self._lock:
            found = {text: self._shared[text] for text in texts if text in self._shared}
        missing = [text for text in texts if text not in found]
        for first in range(0, len(missing), _PARAMETERS):
            chunk = missing[first:first + _PARAMETERS]
            self._db.executemany("INSERT OR IGNORE INTO strings (text) VALUES (?)", [(text,) for text in chunk])
            marks = ", ".join("?" for _ in chunk)
            for string_id, text in self._db.execute(f"SELECT id, text FROM strings WHERE text IN ({marks})", chunk):
                found[text] = string_id
                self._fresh[text] = string_id
        return found

    def keep(self) -> None:
        with self._lock:
            if len(self._shared) > 500_000:
                self._shared.clear()
            self._shared.update(self._fresh)
        self._fresh = {}


def info(db: sqlite3.Connection, job_id: str) -> StoredResult | None:
    row = db.execute(
        "SELECT job_id, search_no, mode, stored, complete, origin, columns, total_available, parsed_query, "
        "next_cursor, cursor_expires_at, fetched_at, updated_at FROM results WHERE job_id = ?", (job_id,)).fetchone()
    if row is None:
        return None
    columns = tuple(_decoder_list.decode(row[6])) if row[6] else None
    parsed = _decoder.decode(row[8]) if row[8] else None
    return StoredResult(row[0], row[1], row[2], row[3], bool(row[4]), row[5], columns, row[7], parsed, row[9],
                        row[10], row[11], row[12])


_decoder_list = msgspec.json.Decoder(type=list[str])


def _search_no(db: sqlite3.Connection, job: JobRecord, origin: str, columns: Sequence[str] | None) -> int:
    row = db.execute("SELECT search_no FROM results WHERE job_id = ?", (job.job_id,)).fetchone()
    if row is not None:
        return int(row[0])
    now = time.time()
    cursor = db.execute(
        "INSERT INTO results (job_id, mode, created_at, origin, columns, fetched_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (job.job_id, job.mode, job.created_at, origin,
         _encoder.encode(list(columns)).decode() if columns else None, now, now))
    return int(cursor.lastrowid or 0)


def store(db: sqlite3.Connection, strings: StringIds, job: JobRecord, start: int, rows: Sequence[dict[str, Any]],
          *, complete: bool = False, next_cursor: str | None = None, cursor_ttl: float | None = None,
          total_available: int | None = None, origin: str = "pages",
          columns: Sequence[str] | None = None, parsed_query: dict[str, Any] | None = None) -> int:
    search_no = _search_no(db, job, origin, columns)
    held = int(db.execute("SELECT stored FROM results WHERE search_no = ?", (search_no,)).fetchone()[0])
    fresh = [(start + offset, row) for offset, row in enumerate(rows) if start + offset >= held]
    if fresh:
        _insert_rows(db, strings, search_no, job, fresh)
    stored = max(held, start + len(rows))
    now = time.time()
    expires = now + cursor_ttl if (next_cursor and cursor_ttl) else None
    db.execute("UPDATE results SET stored = ?, complete = max(complete, ?), "
               "total_available = coalesce(?, total_available), parsed_query = coalesce(?, parsed_query), "
               "updated_at = ? WHERE search_no = ?",
               (stored, int(complete), total_available,
                _encoder.encode(parsed_query).decode() if isinstance(parsed_query, dict) else None, now, search_no))
    if complete or (next_cursor and start + len(rows) >= held):
        # The cursor that continues after the last stored row (none once the search is whole).
        db.execute("UPDATE results SET next_cursor = ?, cursor_expires_at = ? WHERE search_no = ?",
                   (None if complete else next_cursor, None if complete else expires, search_no))
    return stored


def _insert_rows(db: sqlite3.Connection, strings: StringIds, search_no: int, job: JobRecord,
                 rows: list[tuple[int, dict[str, Any]]]) -> None:
    from sixtyfour_tui.table.row_store import display_text

    records = []
    cells: list[tuple[str, str, int]] = []
    entities = []
    for position, row in rows:
        entity = entity_id(job.mode, row)
        records.append((search_no, position, entity, _encoder.encode(row).decode()))
        if entity:
            entities.append(entity)
        for column, value in flatten_row(row).items():
            if column in UNFACETED:
                continue
            text = display_text(value)
            if text:
                cells.append((column, text[:MAX_FACET_TEXT], position))
    db.executemany("INSERT OR IGNORE INTO rows (search_no, position, entity_id, data) VALUES (?, ?, ?, ?)",
                   records)
    ids = strings.ids({column for column, _, _ in cells} | {text for _, text, _ in cells})
    coded = sorted((ids[column], position, ids[text]) for column, text, position in cells)
    db.executemany("INSERT OR IGNORE INTO cells (search_no, column_id, position, value_id) VALUES (?, ?, ?, ?)",
                   [(search_no, column, position, value) for column, position, value in coded])
    db.executemany(
        """INSERT INTO seen (mode, entity_id, first_at, first_job_id) VALUES (?, ?, ?, ?)
           ON CONFLICT (mode, entity_id) DO UPDATE SET first_at = excluded.first_at,
               first_job_id = excluded.first_job_id WHERE excluded.first_at < seen.first_at""",
        [(job.mode, entity, job.created_at, job.job_id) for entity in entities])


def store_csv(db: sqlite3.Connection, strings: StringIds, job: JobRecord, path: Path) -> int:
    """Rows of a CSV the server produced (header first), kept under the CSV's own column names."""
    existing = info(db, job.job_id)
    if existing is not None and existing.complete:
        return existing.stored  # already held whole (e.g. paged in before): nothing to add
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return store(db, strings, job, 0, [], complete=True, origin="csv")
        position = 0
        batch: list[dict[str, Any]] = []
        for record in reader:
            if not record:
                continue
            batch.append({name: value for name, value in zip(header, record)})
            if len(batch) >= CSV_BATCH:
                store(db, strings, job, position, batch, origin="csv", columns=header)
                position += len(batch)
                batch = []
        return store(db, strings, job, position, batch, complete=True, origin="csv", columns=header)


def read(db: sqlite3.Connection, job_id: str, start: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT r.data FROM rows r JOIN results res ON res.search_no = r.search_no "
        "WHERE res.job_id = ? AND r.position >= ? ORDER BY r.position LIMIT ?",
        (job_id, start, -1 if limit is None else limit)).fetchall()
    return [_decoder.decode(data) for (data,) in rows]


def entity_ids(db: sqlite3.Connection, job_id: str) -> list[str | None]:
    rows = db.execute(
        "SELECT r.entity_id FROM rows r JOIN results res ON res.search_no = r.search_no "
        "WHERE res.job_id = ? ORDER BY r.position", (job_id,)).fetchall()
    return [entity for (entity,) in rows]


def seen_positions(db: sqlite3.Connection, job: JobRecord) -> list[int]:
    rows = db.execute(
        "SELECT r.position FROM results res JOIN rows r ON r.search_no = res.search_no "
        "JOIN seen s ON s.mode = res.mode AND s.entity_id = r.entity_id "
        "WHERE res.job_id = ? AND s.first_at < ? ORDER BY r.position", (job.job_id, job.created_at)).fetchall()
    return [position for (position,) in rows]


def facet(db: sqlite3.Connection, job_id: str, column: str) -> Facet:
    row = db.execute("SELECT search_no, stored FROM results WHERE job_id = ?", (job_id,)).fetchone()
    if row is None:
        return Facet(column=column, total=0, values=[], missing=0)
    search_no, total = row
    column_row = db.execute("SELECT id FROM strings WHERE text = ?", (column,)).fetchone()
    if column_row is None:
        return Facet(column=column, total=total, values=[], missing=total)
    counted = db.execute(
        "SELECT s.text, n FROM (SELECT value_id, count(*) AS n FROM cells WHERE search_no = ? AND column_id = ? "
        "GROUP BY value_id) JOIN strings s ON s.id = value_id ORDER BY n DESC, s.text",
        (search_no, column_row[0])).fetchall()
    values = [(text, count) for text, count in counted]
    return Facet(column=column, total=total, values=values, missing=max(0, total - sum(c for _, c in values)))


def facet_positions(db: sqlite3.Connection, job_id: str, column: str, values: Sequence[str]) -> list[int]:
    """Stored positions whose `column` shows one of `values`."""
    row = db.execute("SELECT search_no FROM results WHERE job_id = ?", (job_id,)).fetchone()
    if row is None or not values:
        return []
    marks = ", ".join("?" for _ in values)
    found = db.execute(
        f"SELECT c.position FROM cells c WHERE c.search_no = ? AND c.column_id = (SELECT id FROM strings WHERE "
        f"text = ?) AND c.value_id IN (SELECT id FROM strings WHERE text IN ({marks})) ORDER BY c.position",
        (row[0], column, *values)).fetchall()
    return [position for (position,) in found]


def diff(db: sqlite3.Connection, before: str, after: str) -> Diff:
    a, b = _search_nos(db, before, after)
    counts = db.execute(
        """SELECT
             (SELECT count(DISTINCT entity_id) FROM rows WHERE search_no = :b AND entity_id IS NOT NULL
                AND entity_id NOT IN (SELECT entity_id FROM rows WHERE search_no = :a AND entity_id IS NOT NULL)),
             (SELECT count(DISTINCT entity_id) FROM rows WHERE search_no = :a AND entity_id IS NOT NULL
                AND entity_id NOT IN (SELECT entity_id FROM rows WHERE search_no = :b AND entity_id IS NOT NULL)),
             (SELECT count(DISTINCT entity_id) FROM rows WHERE search_no = :b AND entity_id IS NOT NULL
                AND entity_id IN (SELECT entity_id FROM rows WHERE search_no = :a))""",
        {"a": a, "b": b}).fetchone()
    return Diff(before=before, after=after, new=counts[0], dropped=counts[1], common=counts[2])


def diff_positions(db: sqlite3.Connection, before: str, after: str, which: str) -> tuple[str, list[int]]:
    """(job whose rows to show, their positions) for `which` in new | dropped | common."""
    a, b = _search_nos(db, before, after)
    shown, other, op, job = {"new": (b, a, "NOT IN", after), "dropped": (a, b, "NOT IN", before),
                             "common": (b, a, "IN", after)}[which]
    rows = db.execute(
        f"SELECT position FROM rows WHERE search_no = ? AND entity_id IS NOT NULL AND entity_id {op} "
        f"(SELECT entity_id FROM rows WHERE search_no = ? AND entity_id IS NOT NULL) ORDER BY position",
        (shown, other)).fetchall()
    return job, [position for (position,) in rows]


def _search_nos(db: sqlite3.Connection, *job_ids: str) -> list[int]:
    numbers = []
    for job_id in job_ids:
        row = db.execute("SELECT search_no FROM results WHERE job_id = ?", (job_id,)).fetchone()
        numbers.append(int(row[0]) if row else -1)
    return numbers


def delete(db: sqlite3.Connection, job_id: str) -> None:
    """Remove a search's rows, cells and its share of the seen-set (others' claims are rebuilt)."""
    row = db.execute("SELECT search_no, mode FROM results WHERE job_id = ?", (job_id,)).fetchone()
    if row is None:
        return
    search_no, mode = row
    db.execute("CREATE TEMP TABLE IF NOT EXISTS orphaned (entity_id TEXT PRIMARY KEY)")
    db.execute("DELETE FROM orphaned")
    db.execute("INSERT INTO orphaned SELECT entity_id FROM seen WHERE mode = ? AND first_job_id = ?", (mode, job_id))
    db.execute("DELETE FROM seen WHERE mode = ? AND first_job_id = ?", (mode, job_id))
    db.execute("DELETE FROM rows WHERE search_no = ?", (search_no,))
    db.execute("DELETE FROM cells WHERE search_no = ?", (search_no,))
    db.execute("DELETE FROM results WHERE search_no = ?", (search_no,))
    db.execute(
        """INSERT INTO seen (mode, entity_id, first_at, first_job_id)
           SELECT res.mode, r.entity_id, min(res.created_at), res.job_id
           FROM orphaned o JOIN rows r ON r.entity_id = o.entity_id
           JOIN results res ON res.search_no = r.search_no AND res.mode = ?
           GROUP BY r.entity_id""", (mode,))
    db.execute("DELETE FROM orphaned")


def rebuild_derived(db: sqlite3.Connection) -> None:
    """Facet cells and the seen-set again from the rows (after a repair carried rows over)."""
    from sixtyfour_tui.workspace.database import transaction

    searches = db.execute("SELECT job_id, mode, created_at FROM results").fetchall()
    for job_id, mode, created_at in searches:
        job = JobRecord(job_id=job_id, mode=mode, created_at=created_at)
        batch_start = 0
        while True:
            rows = read(db, job_id, batch_start, CSV_BATCH)
            if not rows:
                break
            with transaction(db):
                search_no = _search_no(db, job, "pages", None)
                strings = StringIds(db, {}, threading.Lock())
                _insert_rows(db, strings, search_no, job, list(enumerate(rows, start=batch_start)))
            batch_start += len(rows)
