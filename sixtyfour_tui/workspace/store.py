"""The workspace: one SQLite file that every TUI and headless command on this machine shares.

It holds jobs, query history, saved files, every result row fetched, the seen-set and exclusion
sets. Methods are synchronous and safe to call from any thread (each thread gets its own
connection); callers keep them off the UI thread (`asyncio.to_thread`, a thread worker, or the
write-behind `JobWriter`). Every write is a short transaction, and what it costs depends on what
it writes, not on how much the workspace already holds.

A job is polled by one process at a time: the one holding its lease (`lease_owner`,
`lease_until`). Leases are renewed while the owner lives; a lease that ran out, or whose owner
process is gone, may be claimed by anyone (`claim_orphans`). Every job write bumps `meta.rev`, so
`changes_since(rev)` is every other process's cheap change feed.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import msgspec

from sixtyfour_tui import locations
from sixtyfour_tui.jobs.records import UNFINISHED, HistoryEntry, JobKind, JobRecord, JobStatus, SavedFile
from sixtyfour_tui.workspace import exclusions, results
from sixtyfour_tui.workspace.database import (
    CorruptWorkspace,
    StorageError,
    connect,
    describe,
    is_corruption,
    move_aside,
    salvage,
    transaction,
)

LEASE_SECONDS = 30.0
"""How long a job stays claimed without a renewal; owners renew every third of it."""
HISTORY_KEPT = 1000
RECENT_JOBS = 200
"""Jobs the panel loads at start; older ones are a keystroke (or `jobs --all`) away."""
FORGET_GRACE_SECONDS = 15.0
"""A removed job can be brought back this long; after it, its rows are deleted for good."""

_encoder = msgspec.json.Encoder()
_job_decoder = msgspec.json.Decoder(type=dict)
_UNFINISHED_SQL = "('queued', 'starting', 'running')"


def make_owner() -> str:
    """This process's name in leases: host, pid and a random tag (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_is_alive(owner: str | None) -> bool:
    """False only when the owner certainly is gone (same host, no such process)."""
    if not owner:
        return False
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True  # another machine sharing the folder: trust the lease time instead
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Change(msgspec.Struct, frozen=True):
    """One job as another process last wrote it."""

    record: JobRecord
    owner: str | None
    lease_until: float | None
    forgotten: bool


class Workspace:
    """The shared store. `Workspace(path).open()` migrates (and repairs) the file once."""

    def __init__(self, path: Path | None = None, *, owner: str | None = None,
                 legacy_dir: Path | None = None) -> None:
        self.path = path if path is not None else locations.workspace_file()
        # 0.1's JSON files are imported into the default workspace (or where the caller says).
        self.legacy_dir = legacy_dir if legacy_dir is not None or path is not None else locations.state_dir()
        self.owner = owner or make_owner()
        self.notices: list[str] = []
        """Things to tell the user once (a repaired file, an imported ledger)."""
        self.recovered_from: Path | None = None
        """Where a damaged workspace was moved, when this process repaired it."""
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._string_ids: dict[str, int] = {}
        self._string_lock = threading.Lock()

    # -- connections ------------------------------------------------------------------------------
    def open(self) -> Workspace:
        """Open (create, migrate) now; a damaged file is moved aside and rebuilt from what reads.

        Raises StorageError when the disk refuses; the caller keeps working in memory.
        """
        try:
            self._check(self._db())
        except CorruptWorkspace:
            self._repair()
        if self.legacy_dir is not None:
            from sixtyfour_tui.workspace.legacy import import_legacy_once

            imported = import_legacy_once(self, self.legacy_dir)
            if imported:
                self.notices.append(imported)
        return self

    def _check(self, db: sqlite3.Connection) -> None:
        """Read what every start needs (the jobs, the history) whole; a full integrity check when an
        earlier run met damage. Damage raises CorruptWorkspace."""
        marker = self._damage_marker()
        try:
            if marker.exists():
                result = db.execute("PRAGMA quick_check").fetchone()
                if result is None or result[0] != "ok":
                    raise sqlite3.DatabaseError(f"database disk image is malformed ({result})")
            db.execute("SELECT count(*), sum(length(record)) FROM jobs").fetchone()
            db.execute("SELECT count(*), sum(length(query)) FROM history").fetchone()
        except sqlite3.DatabaseError as error:
            raise describe(error, self.path) from None
        marker.unlink(missing_ok=True)

    def _damage_marker(self) -> Path:
        return self.path.with_name(self.path.name + ".damaged")

    def _db(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = connect(self.path)
            self._local.connection = connection
            with self._connections_lock:
                self._connections.append(connection)
        return connection

    def _repair(self) -> None:
        self._drop_connection()
        aside = move_aside(self.path)
        fresh = connect(self.path)
        carried = salvage(aside, fresh)
        fresh.close()
        results.rebuild_derived(self._db())
        self.recovered_from = aside
        kept = ", ".join(f"{count:,} {table}" for table, count in carried.items() if count) or "nothing"
        self.notices.append(f"The workspace {self.path} was damaged. It was moved to {aside} and a new one "
                            f"started; carried over: {kept}.")

    def _drop_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            self._local.connection = None
            with self._connections_lock:
                if connection in self._connections:
                    self._connections.remove(connection)
            connection.close()

    def close(self) -> None:
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            try:
                connection.close()
            except sqlite3.ProgrammingError:
                pass  # made in another thread; it closes with that thread
        self._local = threading.local()

    def _read(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        try:
            return self._db().execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise self._storage_error(error) from None

    def _write(self, work: Any) -> Any:
        """Run `work(connection)` in one write transaction; StorageError on any refusal."""
        try:
            db = self._db()
            with transaction(db):
                return work(db)
        except sqlite3.Error as error:
            raise self._storage_error(error) from None

    def _storage_error(self, error: sqlite3.Error) -> StorageError:
        problem = describe(error, self.path)
        if is_corruption(error):
            self._drop_connection()
            try:  # the next start checks the whole file and repairs it
                self._damage_marker().touch()
            except OSError:
                pass
            problem = CorruptWorkspace(f"{problem.message} Restart sixtyfour-tui to repair it: the damaged file is "
                                       "moved aside and what can be read is carried over.")
        return problem

    @staticmethod
    def _next_rev(db: sqlite3.Connection) -> int:
        row = db.execute("UPDATE meta SET value = value + 1 WHERE key = 'rev' RETURNING value").fetchone()
        return int(row[0])

    # -- jobs -------------------------------------------------------------------------------------
    def save_jobs(self, records: Sequence[JobRecord]) -> list[str]:
        """Write records this process owns (new ones are claimed; finished ones released); returns
        the ids whose lease another process holds now (those writes were refused: it owns them)."""
        if not records:
            return []
        now = time.time()

        def work(db: sqlite3.Connection) -> list[str]:
            rev = self._next_rev(db)
            refused = []
            for record in records:
                finished = record.status not in UNFINISHED
                lease_owner = None if finished else self.owner
                lease_until = None if finished else now + LEASE_SECONDS
                cursor = db.execute(
                    """INSERT INTO jobs (job_id, backend, kind, status, mode, query, search_id, parent_job_id,
                                         created_at, updated_at, rev, lease_owner, lease_until, record)
                       VALUES (:job_id, :backend, :kind, :status, :mode, :query, :search_id, :parent,
                               :created, :now, :rev, :owner, :until, :record)
                       ON CONFLICT (job_id) DO UPDATE SET
                           status = excluded.status, query = excluded.query, search_id = excluded.search_id,
                           updated_at = excluded.updated_at, rev = excluded.rev, record = excluded.record,
                           lease_owner = excluded.lease_owner, lease_until = excluded.lease_until
                       WHERE jobs.lease_owner IS NULL OR jobs.lease_owner = :owner_check""",
                    {
                        "job_id": record.job_id, "backend": record.backend or "", "kind": record.kind,
                        "status": record.status, "mode": record.mode, "query": record.query,
                        "search_id": record.search_id, "parent": record.parent_job_id,
                        "created": record.created_at, "now": now, "rev": rev,
                        "owner": lease_owner, "until": lease_until,
                        "record": _encoder.encode(record), "owner_check": self.owner,
                    },
                )
                if cursor.rowcount == 0:
                    refused.append(record.job_id)
            return refused

        refused: list[str] = self._write(work)
        return refused

    def get_job(self, job_id: str) -> JobRecord | None:
        rows = self._read("SELECT record FROM jobs WHERE job_id = ? AND forgotten_at IS NULL", (job_id,))
        return _decode_job(rows[0][0]) if rows else None

    def find_jobs(self, key: str, *, backend: str | None = None, kind: JobKind | None = JobKind.SEARCH
                  ) -> list[JobRecord]:
        """Jobs whose job id starts with `key`, or whose search id is `key` (newest first)."""
        sql = ["SELECT record FROM jobs WHERE forgotten_at IS NULL AND (job_id LIKE ? ESCAPE '\\' OR search_id = ?)"]
        params: list[Any] = [_like_prefix(key), key]
        _narrow_jobs(sql, params, backend, kind)
        sql.append("ORDER BY created_at DESC LIMIT 50")
        return [_decode_job(row[0]) for row in self._read(" ".join(sql), params)]

    def recent_jobs(self, backend: str | None, *, limit: int | None = RECENT_JOBS,
                    kind: JobKind | None = JobKind.SEARCH, before: float | None = None) -> list[JobRecord]:
        """The newest `limit` jobs, oldest first (as the panel lists them); None = all of them."""
        sql = ["SELECT record FROM jobs WHERE forgotten_at IS NULL"]
        params: list[Any] = []
        _narrow_jobs(sql, params, backend, kind)
        if before is not None:
            sql.append("AND created_at < ?")
            params.append(before)
        sql.append("ORDER BY created_at DESC, job_id DESC")
        if limit is not None:
            sql.append("LIMIT ?")
            params.append(limit)
        records = [_decode_job(row[0]) for row in self._read(" ".join(sql), params)]
        records.reverse()
        return records

    def count_jobs(self, backend: str | None = None, kind: JobKind | None = JobKind.SEARCH) -> int:
        sql = ["SELECT count(*) FROM jobs WHERE forgotten_at IS NULL"]
        params: list[Any] = []
        _narrow_jobs(sql, params, backend, kind)
        return int(self._read(" ".join(sql), params)[0][0])

    def unfinished_jobs(self, backend: str) -> list[Change]:
        rows = self._read(
            f"SELECT record, lease_owner, lease_until, forgotten_at FROM jobs "
            f"WHERE backend = ? AND status IN {_UNFINISHED_SQL} ORDER BY created_at", (backend,))
        return [_change(row) for row in rows]

    def current_rev(self) -> int:
        return int(self._read("SELECT value FROM meta WHERE key = 'rev'")[0][0])

    def changes_since(self, rev: int, backend: str | None = None) -> tuple[int, list[Change]]:
        """Jobs written after `rev` (by anyone), and the rev to ask from next time."""
        sql = "SELECT record, lease_owner, lease_until, forgotten_at, rev FROM jobs WHERE rev > ?"
        params: list[Any] = [rev]
        if backend is not None:
            sql += " AND backend = ?"
            params.append(backend)
        rows = self._read(sql + " ORDER BY rev", params)
        latest = max([rev, *(int(row[4]) for row in rows)])
        return latest, [_change(row) for row in rows]

    def claim(self, job_id: str) -> JobRecord | None:
        """Take over one unfinished job whose owner is gone; its record when it is now ours."""
        claimed = self._claim(["job_id = ?"], [job_id])
        return claimed[0] if claimed else None

    def claim_orphans(self, backend: str) -> list[JobRecord]:
        """Every unfinished job of `backend` whose lease ran out or whose owner process died."""
        return self._claim(["backend = ?"], [backend])

    def _claim(self, where: list[str], params: list[Any]) -> list[JobRecord]:
        now = time.time()
        candidates = self._read(
            f"SELECT job_id, lease_owner, lease_until FROM jobs WHERE {' AND '.join(where)} "
            f"AND status IN {_UNFINISHED_SQL} AND forgotten_at IS NULL", params)
        wanted = [job_id for job_id, owner, until in candidates if owner != self.owner
                  and (owner is None or (until or 0) < now or not owner_is_alive(owner))]
        if not wanted:
            return []

        def work(db: sqlite3.Connection) -> list[JobRecord]:
            rev = self._next_rev(db)
            claimed = []
            for job_id in wanted:
                # Checked again inside the write lock: another process may have claimed it meanwhile.
                row = db.execute("SELECT lease_owner, lease_until, record FROM jobs WHERE job_id = ? "
                                 f"AND status IN {_UNFINISHED_SQL}", (job_id,)).fetchone()
                if row is None:
                    continue
                owner, until, record = row
                if owner not in (None, self.owner) and (until or 0) >= now and owner_is_alive(owner):
                    continue
                db.execute("UPDATE jobs SET lease_owner = ?, lease_until = ?, rev = ? WHERE job_id = ?",
                           (self.owner, now + LEASE_SECONDS, rev, job_id))
                claimed.append(_decode_job(record))
            return claimed

        claimed: list[JobRecord] = self._write(work)
        return claimed

    def renew_leases(self) -> None:
        now = time.time()
        self._write(lambda db: db.execute(
            f"UPDATE jobs SET lease_until = ? WHERE lease_owner = ? AND status IN {_UNFINISHED_SQL}",
            (now + LEASE_SECONDS, self.owner)))

    def release_leases(self) -> None:
        """On a clean exit: others may take the unfinished jobs over at once."""
        self._write(lambda db: db.execute(
            "UPDATE jobs SET lease_owner = NULL, lease_until = NULL, rev = ? WHERE lease_owner = ?",
            (self._next_rev(db), self.owner)))

    def forget_job(self, job_id: str) -> bool:
        """Hide a finished job now; its rows go after FORGET_GRACE_SECONDS unless `unforget` runs."""
        def work(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                f"UPDATE jobs SET forgotten_at = ?, rev = ? WHERE job_id = ? AND forgotten_at IS NULL "
                f"AND status NOT IN {_UNFINISHED_SQL}", (time.time(), self._next_rev(db), job_id))
            return cursor.rowcount > 0

        forgotten: bool = self._write(work)
        return forgotten

    def unforget_job(self, job_id: str) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            cursor = db.execute("UPDATE jobs SET forgotten_at = NULL, rev = ? WHERE job_id = ? "
                                "AND forgotten_at IS NOT NULL", (self._next_rev(db), job_id))
            return cursor.rowcount > 0

        restored: bool = self._write(work)
        return restored

    def purge_forgotten(self, older_than: float = FORGET_GRACE_SECONDS) -> int:
        """Delete forgotten jobs (and their rows, and their exports' records) for good."""
        cutoff = time.time() - older_than
        doomed = [row[0] for row in self._read(
            "SELECT job_id FROM jobs WHERE forgotten_at IS NOT NULL AND forgotten_at < ?", (cutoff,))]
        for job_id in doomed:
            self._write(lambda db, job_id=job_id: _delete_job(db, job_id))
        return len(doomed)

    # -- history ----------------------------------------------------------------------------------
    def add_history(self, entries: Iterable[HistoryEntry]) -> None:
        batch = list(entries)
        if not batch:
            return

        def work(db: sqlite3.Connection) -> None:
            db.executemany(
                """INSERT INTO history (query, mode, max_results, used_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT (query, mode) DO UPDATE SET max_results = excluded.max_results,
                       used_at = max(history.used_at, excluded.used_at)""",
                [(entry.query, entry.mode, entry.max_results, entry.used_at) for entry in batch])
            db.execute("DELETE FROM history WHERE used_at < (SELECT used_at FROM history "
                       "ORDER BY used_at DESC LIMIT 1 OFFSET ?)", (HISTORY_KEPT - 1,))

        self._write(work)

    def history(self, limit: int = HISTORY_KEPT) -> list[HistoryEntry]:
        """Newest first."""
        rows = self._read("SELECT query, mode, max_results, used_at FROM history ORDER BY used_at DESC LIMIT ?",
                          (limit,))
        return [HistoryEntry(query, mode, max_results, used_at) for query, mode, max_results, used_at in rows]

    def clear_history(self) -> None:
        self._write(lambda db: db.execute("DELETE FROM history"))

    # -- saved files ------------------------------------------------------------------------------
    def record_saved_file(self, saved: SavedFile, mode: str, entity_ids: Iterable[str]) -> None:
        ids = [(mode, entity, saved.export_id) for entity in entity_ids if entity]

        def work(db: sqlite3.Connection) -> None:
            db.execute("INSERT OR REPLACE INTO saved_files (export_id, job_id, path, rows, format, kind, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (saved.export_id, saved.job_id, saved.path, saved.rows, saved.format, saved.kind,
                        saved.created_at))
            db.executemany("INSERT OR IGNORE INTO exported (mode, entity_id, export_id) VALUES (?, ?, ?)", ids)

        self._write(work)

    def saved_files(self, job_id: str | None = None) -> list[SavedFile]:
        sql = "SELECT path, job_id, rows, format, kind, created_at, export_id FROM saved_files"
        params: tuple[Any, ...] = ()
        if job_id is not None:
            sql += " WHERE job_id = ?"
            params = (job_id,)
        rows = self._read(sql + " ORDER BY created_at", params)
        return [SavedFile(path=p, job_id=j, rows=r, format=f, kind=k, created_at=c, export_id=e)
                for p, j, r, f, k, c, e in rows]

    def exported_entities(self, mode: str) -> list[str]:
        return [row[0] for row in self._read("SELECT DISTINCT entity_id FROM exported WHERE mode = ?", (mode,))]

    def exported_count(self, mode: str) -> int:
        """How many entities of `mode` any export held (a count, not the ids: a screen's label)."""
        return int(self._read("SELECT count(DISTINCT entity_id) FROM exported WHERE mode = ?", (mode,))[0][0])

    # -- result rows (details in workspace/results.py) --------------------------------------------
    def result_info(self, job_id: str) -> results.StoredResult | None:
        return results.info(self._db(), job_id)

    def store_rows(self, job: JobRecord, start: int, rows: Sequence[dict[str, Any]], **page: Any) -> int:
        """Keep a page of rows at positions start.. (positions already held are left as they are);
        returns how many rows the search now has stored."""
        return self._with_strings(lambda db, strings: results.store(db, strings, job, start, rows, **page))

    def store_csv(self, job: JobRecord, path: Path) -> int:
        """Keep the rows of a downloaded CSV (its own columns; entity ids from the LinkedIn URL)."""
        return self._with_strings(lambda db, strings: results.store_csv(db, strings, job, path))

    def _with_strings(self, work: Any) -> int:
        sessions: list[results.StringIds] = []

        def run(db: sqlite3.Connection) -> int:
            strings = results.StringIds(db, self._string_ids, self._string_lock)
            sessions.append(strings)
            return int(work(db, strings))

        stored: int = self._write(run)
        for strings in sessions:
            strings.keep()  # only ids from a committed transaction may be cached
        return stored

    def read_rows(self, job_id: str, start: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        try:
            return results.read(self._db(), job_id, start, limit)
        except sqlite3.Error as error:
            raise self._storage_error(error) from None

    def iter_rows(self, job_id: str, batch: int = 5000) -> Iterator[list[dict[str, Any]]]:
        start = 0
        while True:
            rows = self.read_rows(job_id, start, batch)
            if not rows:
                return
            yield rows
            start += len(rows)

    def entity_ids(self, job_id: str) -> list[str | None]:
        """Per stored position, the row's entity id."""
        return results.entity_ids(self._db(), job_id)

    def seen_positions(self, job: JobRecord) -> list[int]:
        """Stored positions whose entity appeared in an earlier search of the same mode."""
        return results.seen_positions(self._db(), job)

    def set_seen_counts(self, job_id: str, new: int, seen: int) -> None:
        self._write(lambda db: db.execute("UPDATE results SET new_count = ?, seen_count = ? WHERE job_id = ?",
                                          (new, seen, job_id)))

    def stored_counts(self, job_ids: Sequence[str]) -> dict[str, tuple[int, int | None, int | None]]:
        """Per job: (rows stored, new, seen) as last counted, for the jobs that have rows."""
        counts: dict[str, tuple[int, int | None, int | None]] = {}
        for first in range(0, len(job_ids), 500):
            chunk = list(job_ids[first:first + 500])
            marks = ", ".join("?" for _ in chunk)
            for job_id, stored, new, seen in self._read(
                    f"SELECT job_id, stored, new_count, seen_count FROM results WHERE job_id IN ({marks})", chunk):
                counts[job_id] = (stored, new, seen)
        return counts

    def seen_entities(self, mode: str) -> list[str]:
        return [row[0] for row in self._read("SELECT entity_id FROM seen WHERE mode = ?", (mode,))]

    def seen_count(self, mode: str) -> int:
        return int(self._read("SELECT count(*) FROM seen WHERE mode = ?", (mode,))[0][0])

    def facet(self, job_id: str, column: str) -> results.Facet:
        return results.facet(self._db(), job_id, column)

    def diff(self, before: str, after: str) -> results.Diff:
        return results.diff(self._db(), before, after)

    def facet_positions(self, job_id: str, column: str, values: Sequence[str]) -> list[int]:
        return results.facet_positions(self._db(), job_id, column, values)

    def diff_positions(self, before: str, after: str, which: str) -> tuple[str, list[int]]:
        return results.diff_positions(self._db(), before, after, which)

    # -- exclusion sets (details in workspace/exclusions.py) --------------------------------------
    def create_set(self, name: str, mode: str, ids: Iterable[str]) -> exclusions.ExclusionSet:
        batch = list(ids)
        created: exclusions.ExclusionSet = self._write(lambda db: exclusions.create(db, name, mode, batch))
        return created

    def add_to_set(self, set_id: str, ids: Iterable[str]) -> int:
        batch = list(ids)
        added: int = self._write(lambda db: exclusions.add(db, set_id, batch))
        return added

    def remove_from_set(self, set_id: str, ids: Iterable[str]) -> int:
        batch = list(ids)
        removed: int = self._write(lambda db: exclusions.remove(db, set_id, batch))
        return removed

    def rename_set(self, set_id: str, name: str) -> None:
        """ValueError when the mode already has a set of that name."""
        self._write(lambda db: exclusions.rename(db, set_id, name))

    def delete_set(self, set_id: str) -> None:
        self._write(lambda db: exclusions.delete(db, set_id))

    def exclusion_sets(self, mode: str | None = None) -> list[exclusions.ExclusionSet]:
        return exclusions.listing(self._db(), mode)

    def find_set(self, name: str, mode: str | None = None) -> exclusions.ExclusionSet | None:
        matches = [found for found in self.exclusion_sets(mode) if found.name == name or found.set_id == name]
        return matches[0] if len(matches) == 1 else None

    def set_members(self, set_ids: Iterable[str]) -> list[str]:
        return exclusions.members(self._db(), list(set_ids))

    def resolve_domains(self, ids: list[str]) -> tuple[list[str], list[str]]:
        return exclusions.resolve_domains(self._db(), ids)

    def record_server_list(self, server_list: exclusions.ServerList) -> None:
        self._write(lambda db: exclusions.record_server_list(db, server_list))

    def server_lists(self, backend: str) -> list[exclusions.ServerList]:
        return exclusions.server_lists(self._db(), backend)

    def forget_server_list(self, list_id: str) -> None:
        self._write(lambda db: exclusions.forget_server_list(db, list_id))

    # -- upkeep -----------------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        counts = {}
        for table in ("jobs", "history", "results", "rows", "saved_files", "exclusion_sets"):
            counts[table] = int(self._read(f"SELECT count(*) FROM {table}")[0][0])
        size = sum(_size(self.path.with_name(self.path.name + suffix)) for suffix in ("", "-wal", "-shm"))
        return {"path": str(self.path), "bytes": size, **counts}

    def vacuum(self) -> None:
        try:
            self._db().execute("VACUUM")
        except sqlite3.Error as error:
            raise self._storage_error(error) from None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _like_prefix(key: str) -> str:
    return key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _narrow_jobs(sql: list[str], params: list[Any], backend: str | None, kind: JobKind | None) -> None:
    if backend is not None:
        sql.append("AND backend = ?")
        params.append(backend)
    if kind is not None:
        sql.append("AND kind = ?")
        params.append(kind)


def _decode_job(text: str | bytes) -> JobRecord:
    return JobRecord.from_json(_job_decoder.decode(text))


def _change(row: Sequence[Any]) -> Change:
    return Change(record=_decode_job(row[0]), owner=row[1], lease_until=row[2], forgotten=row[3] is not None)


def _delete_job(db: sqlite3.Connection, job_id: str) -> None:
    results.delete(db, job_id)
    db.execute("DELETE FROM jobs WHERE job_id = ? OR parent_job_id = ?", (job_id, job_id))


def is_active(change: Change, now: float | None = None) -> bool:
    """An unfinished job some live process is working on."""
    record = change.record
    if record.status not in (JobStatus.STARTING, JobStatus.RUNNING) or change.forgotten:
        return False
    moment = now if now is not None else time.time()
    return change.owner is not None and (change.lease_until or 0) >= moment and owner_is_alive(change.owner)


__all__ = ["LEASE_SECONDS", "Change", "StorageError", "Workspace", "is_active"]
