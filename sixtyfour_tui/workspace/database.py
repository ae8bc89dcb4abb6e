"""Opening the workspace file: owner-only, WAL, a busy timeout, migrated, and what to do when the
disk refuses or the file is damaged.

WAL lets any number of processes read while one writes; the busy timeout lets writers queue
instead of failing at once. A file that SQLite cannot read is moved aside (never deleted), a new
one is started and whatever can still be read is carried over (`salvage`).
"""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sixtyfour_tui import locations
from sixtyfour_tui.workspace.schema import MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_SECONDS = 5.0
"""How long a writer waits for another process's transaction before calling the disk 'locked'."""

_CORRUPT_MARKERS = ("file is not a database", "database disk image is malformed", "malformed database schema")


class StorageError(Exception):
    """The workspace could not be read or written; `message` says what and what it means."""

    def __init__(self, message: str, *, kind: str = "error") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind  # full | readonly | locked | unavailable | newer | corrupt | error


class CorruptWorkspace(StorageError):
    def __init__(self, message: str) -> None:
        super().__init__(message, kind="corrupt")


def is_corruption(error: BaseException) -> bool:
    return isinstance(error, sqlite3.DatabaseError) and any(
        marker in str(error).lower() for marker in _CORRUPT_MARKERS
    )


def describe(error: BaseException, path: Path) -> StorageError:
    """A StorageError naming the file and the cause in words people use."""
    if isinstance(error, StorageError):
        return error
    text = str(error).lower()
    if is_corruption(error):
        return CorruptWorkspace(f"The workspace {path} is damaged ({error}).")
    if "disk is full" in text or getattr(error, "errno", None) == errno.ENOSPC:
        return StorageError(f"The workspace {path} could not be written: the disk is full.", kind="full")
    if "readonly" in text or "read-only" in text or getattr(error, "errno", None) in (errno.EROFS, errno.EACCES):
        return StorageError(f"The workspace {path} could not be written: the disk or folder is read-only.",
                            kind="readonly")
    if "locked" in text or "busy" in text:
        return StorageError(
            f"The workspace {path} stayed locked by another sixtyfour-tui for over "
            f"{BUSY_TIMEOUT_SECONDS:g} s.", kind="locked")
    if "unable to open" in text or isinstance(error, (PermissionError, FileNotFoundError)):
        return StorageError(f"The workspace {path} cannot be opened ({error}).", kind="unavailable")
    return StorageError(f"The workspace {path} failed: {error}")


def connect(path: Path) -> sqlite3.Connection:
    """An open, migrated connection; raises StorageError (CorruptWorkspace for a damaged file)."""
    try:
        _ensure_private_file(path)
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                                     check_same_thread=True)
    except (OSError, sqlite3.Error) as error:
        raise describe(error, path) from None
    try:
        connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()
        if mode is None:
            raise sqlite3.DatabaseError("file is not a database")
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA cache_size = -65536")  # 64 MiB: big facet tables stay in memory
        migrate(connection, path)
    except BaseException as error:
        connection.close()
        if isinstance(error, (sqlite3.Error, OSError)):
            raise describe(error, path) from None
        raise
    return connection


def _ensure_private_file(path: Path) -> None:
    """0700 folder, 0600 file: the workspace holds everything the user searched for."""
    locations.ensure_private_dir(path.parent)
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(descriptor)


def migrate(connection: sqlite3.Connection, path: Path) -> None:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StorageError(f"The workspace {path} was written by a newer sixtyfour-tui (schema {version}, "
                           f"this one knows {SCHEMA_VERSION}); upgrade to use it.", kind="newer")
    if version == SCHEMA_VERSION:
        return
    with transaction(connection):
        # Re-read inside the lock: another process may have migrated while we waited for it.
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        for number in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[number]:
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the write lock up front (no deadlock upgrading a read)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def move_aside(path: Path) -> Path:
    """Rename a damaged workspace (and its WAL files) to `<name>.corrupt-<UTC time>`."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        counter += 1
    os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


SALVAGED_TABLES = ("jobs", "history", "saved_files", "exported", "exclusion_sets", "exclusion_members",
                   "server_lists", "results", "rows")
"""What is copied from a damaged file; facets and the seen-set are rebuilt from the rows."""


def salvage(damaged: Path, fresh: sqlite3.Connection) -> dict[str, int]:
    """Copy every row SQLite can still read from `damaged` into `fresh`; counts per table."""
    carried: dict[str, int] = {}
    try:
        old = sqlite3.connect(f"file:{damaged}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error:
        return carried
    try:
        for table in SALVAGED_TABLES:
            carried[table] = _copy_table(old, fresh, table)
    finally:
        old.close()
    return carried


ROWID_TABLES = frozenset({"jobs", "results", "saved_files", "exclusion_sets", "server_lists"})
PROBE_GIVE_UP = 2000
"""Missing rowids in a row after which probing a damaged table stops."""


def _copy_table(old: sqlite3.Connection, fresh: sqlite3.Connection, table: str) -> int:
    """Every row of `table` SQLite can still read: a scan, and where the scan breaks off on a
    damaged page, row by row through the rowid (for tables that have one)."""
    try:
        names = [row[1] for row in old.execute(f"PRAGMA table_info({table})")]
    except sqlite3.Error:
        return 0
    if not names:
        return 0
    placeholders = ", ".join("?" for _ in names)
    insert = f"INSERT OR IGNORE INTO {table} ({', '.join(names)}) VALUES ({placeholders})"
    copied = 0
    broken = False
    with transaction(fresh):
        try:
            cursor = old.execute(f"SELECT {', '.join(names)} FROM {table}")
            while batch := cursor.fetchmany(500):
                copied += _insert(fresh, insert, batch)
        except sqlite3.Error:
            broken = True
        if broken and table in ROWID_TABLES:
            copied = max(copied, _probe(old, fresh, table, names, insert))
    return copied


def _probe(old: sqlite3.Connection, fresh: sqlite3.Connection, table: str, names: list[str], insert: str) -> int:
    copied, misses, rowid = 0, 0, 0
    select = f"SELECT {', '.join(names)} FROM {table} WHERE rowid = ?"
    while misses < PROBE_GIVE_UP:
        rowid += 1
        try:
            row = old.execute(select, (rowid,)).fetchone()
        except sqlite3.Error:
            row = None
        if row is None:
            misses += 1
            continue
        misses = 0
        copied += _insert(fresh, insert, [row])
    return copied


def _insert(fresh: sqlite3.Connection, insert: str, rows: list[Any]) -> int:
    try:
        fresh.executemany(insert, rows)
    except sqlite3.Error:
        return 0
    return len(rows)
