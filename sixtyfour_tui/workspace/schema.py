"""The workspace's tables, versioned with `PRAGMA user_version` and migrated forward only.

A migration is a list of statements run in one transaction; version N is reached by running
migrations 1..N in order. Never edit a released migration: add the next one.

Layout (what each table is for):
- `meta`: single values (the change counter `rev`, the legacy-import mark).
- `jobs`: every search and export. Columns that queries filter or sort on, plus `record`, the
  whole `JobRecord` as JSON. `rev` orders changes for other processes' change feeds; `lease_owner`
  and `lease_until` say which process polls a job (one at a time; a dead owner's lease is taken over).
- `history`: queries used, one row per (query, mode).
- `results`: one row per search that has stored rows (`search_no` is the compact key rows use).
- `rows`: every stored row of a search, by position, with its entity id and the row as JSON.
- `strings` + `cells`: each row's flattened display values, dictionary-coded, so facets and value
  filters are index scans instead of JSON parsing.
- `seen`: per mode and entity, the creation time of the earliest search that holds it (new vs seen).
- `saved_files` + `exported`: files written, and which entities each one carried.
- `exclusion_sets` + `exclusion_members`: named sets of entities to leave out of a search;
  `server_lists`: the saved exclusion lists this app created on a server for a set.
"""

from __future__ import annotations

MIGRATIONS: list[list[str]] = [
    # 1: jobs, history, stored rows, facets, seen, saved files, exclusion sets
    [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID",
        "INSERT INTO meta (key, value) VALUES ('rev', 0)",
        """CREATE TABLE jobs (
            job_id TEXT PRIMARY KEY,
            backend TEXT NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            mode TEXT NOT NULL,
            query TEXT NOT NULL,
            search_id TEXT,
            parent_job_id TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            rev INTEGER NOT NULL,
            lease_owner TEXT,
            lease_until REAL,
            forgotten_at REAL,
            record TEXT NOT NULL
        )""",
        "CREATE INDEX jobs_by_backend ON jobs (backend, kind, created_at)",
        "CREATE INDEX jobs_by_rev ON jobs (rev)",
        "CREATE INDEX jobs_by_search_id ON jobs (search_id)",
        "CREATE INDEX jobs_unfinished ON jobs (backend, status) WHERE status IN ('queued', 'starting', 'running')",
        """CREATE TABLE history (
            query TEXT NOT NULL,
            mode TEXT NOT NULL,
            max_results INTEGER NOT NULL,
            used_at REAL NOT NULL,
            PRIMARY KEY (query, mode)
        ) WITHOUT ROWID""",
        "CREATE INDEX history_by_time ON history (used_at)",
        """CREATE TABLE results (
            search_no INTEGER PRIMARY KEY,
            job_id TEXT NOT NULL UNIQUE,
            mode TEXT NOT NULL,
            created_at REAL NOT NULL,
            stored INTEGER NOT NULL DEFAULT 0,
            complete INTEGER NOT NULL DEFAULT 0,
            origin TEXT NOT NULL,
            columns TEXT,
            total_available INTEGER,
            next_cursor TEXT,
            cursor_expires_at REAL,
            new_count INTEGER,
            seen_count INTEGER,
            parsed_query TEXT,
            fetched_at REAL NOT NULL,
            updated_at REAL NOT NULL
        )""",
        """CREATE TABLE rows (
            search_no INTEGER NOT NULL,
            position INTEGER NOT NULL,
            entity_id TEXT,
            data TEXT NOT NULL,
            PRIMARY KEY (search_no, position)
        ) WITHOUT ROWID""",
        "CREATE INDEX rows_by_entity ON rows (entity_id, search_no)",
        "CREATE TABLE strings (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)",
        # Keyed by column then position: a page of rows appends to one run per column (cheap to
        # write), and a facet or value filter reads one column's run (cheap to scan).
        """CREATE TABLE cells (
            search_no INTEGER NOT NULL,
            column_id INTEGER NOT NULL,
            position INTEGER NOT NULL,
            value_id INTEGER NOT NULL,
            PRIMARY KEY (search_no, column_id, position)
        ) WITHOUT ROWID""",
        """CREATE TABLE seen (
            mode TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            first_at REAL NOT NULL,
            first_job_id TEXT NOT NULL,
            PRIMARY KEY (mode, entity_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE saved_files (
            export_id TEXT PRIMARY KEY,
            job_id TEXT NOT NULL,
            path TEXT NOT NULL,
            rows INTEGER NOT NULL,
            format TEXT NOT NULL,
            kind TEXT NOT NULL,
            created_at REAL NOT NULL
        )""",
        "CREATE INDEX saved_files_by_job ON saved_files (job_id)",
        """CREATE TABLE exported (
            mode TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            export_id TEXT NOT NULL,
            PRIMARY KEY (mode, entity_id, export_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE exclusion_sets (
            set_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            mode TEXT NOT NULL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            UNIQUE (mode, name)
        )""",
        """CREATE TABLE exclusion_members (
            set_id TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            PRIMARY KEY (set_id, entity_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE server_lists (
            list_id TEXT PRIMARY KEY,
            backend TEXT NOT NULL,
            set_id TEXT,
            fingerprint TEXT NOT NULL,
            size INTEGER NOT NULL,
            status TEXT NOT NULL,
            created_at REAL NOT NULL
        )""",
    ],
    # 2: the newest jobs of a backend, whatever their kind, without sorting them all: the jobs panel's
    # start read went from ~21 ms to ~0.2 ms on 10,000 jobs
    [
        "CREATE INDEX jobs_by_time ON jobs (backend, created_at, job_id)",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)
