"""`jobs`, `rows` and `workspace`: what the workspace holds, with no network and no key."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sixtyfour_tui.commands.common import (
    EXIT_CONFIG,
    EXIT_OK,
    CommandFailed,
    check_output,
    open_workspace,
    out,
    out_json,
    run,
    say,
)
from sixtyfour_tui.jobs.records import JobRecord
from sixtyfour_tui.sanitize import clean_text

if TYPE_CHECKING:
    from sixtyfour_tui.table.row_store import RowStore
    from sixtyfour_tui.table.view import ViewSpec
    from sixtyfour_tui.table.writers import Format
    from sixtyfour_tui.workspace.store import Workspace


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    jobs = commands.add_parser("jobs", help="list the searches and exports in the workspace")
    jobs.add_argument("--sandbox", action="store_true", help="jobs run against the embedded sandbox")
    jobs.add_argument("--json", action="store_true", help="one JSON object per job")
    jobs.add_argument("--all", action="store_true", help="every job, not only the newest 200")
    jobs.set_defaults(handler=lambda args: run(_jobs, args))

    rows = commands.add_parser(
        "rows", help="print or save a search's stored rows, as a view like the table's (no network, no key)")
    rows.add_argument("id", help="a job id, a search id, or a unique prefix of either")
    rows.add_argument("--columns", metavar="A,B,C",
                      help="only these columns, in this order (dotted names for nested fields)")
    add_view_options(rows)
    rows.add_argument("--limit", type=_count, metavar="N", help="at most N rows (the first N of the view)")
    rows.set_defaults(handler=lambda args: run(_rows, args))

    workspace = commands.add_parser("workspace", help="where the workspace is, its size and what it holds")
    workspace.add_argument("--vacuum", action="store_true", help="compact the file (reclaims removed rows)")
    workspace.set_defaults(handler=lambda args: run(_workspace, args))


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("must be a whole number of 1 or more")
    return int(text)


def backend_key(sandbox: bool) -> str:
    from sixtyfour_tui.backend import SANDBOX_BACKEND
    from sixtyfour_tui.config import load_settings

    return SANDBOX_BACKEND if sandbox else load_settings().base_url


async def _jobs(args: argparse.Namespace) -> int:
    import asyncio

    backend = backend_key(args.sandbox)
    workspace = await asyncio.to_thread(open_workspace)
    records = await asyncio.to_thread(workspace.recent_jobs, backend, limit=None if args.all else 200, kind=None)
    if not records:
        if not args.json:
            say(f"No jobs yet for {backend}.")
        return EXIT_OK
    stored = await asyncio.to_thread(workspace.stored_counts, [job.job_id for job in records])
    orphans = {change.record.job_id for change in await asyncio.to_thread(workspace.unfinished_jobs, backend)
               if not _alive(change)}
    total = await asyncio.to_thread(workspace.count_jobs, backend, None)
    if not args.json:
        out(f"{'JOB':8}  {'KIND':6}  {'STATUS':11}  {'ROWS':>6}  {'STORED':>7}  {'MODE':7}  {'SEARCH ID':36}  QUERY")
    for job in records:
        held = stored.get(job.job_id)
        if args.json:
            out_json({**job.to_json(), "rows_stored": held[0] if held else 0,
                      "new": held[1] if held else None, "seen": held[2] if held else None,
                      "orphaned": job.job_id in orphans})
            continue
        status = f"{job.status}*" if job.job_id in orphans else str(job.status)
        saved = f"  -> {job.saved_file}" if job.saved_file else ""
        kept = f"{held[0]:,}" if held else "-"
        line = (f"{job.job_id[:8]}  {job.kind:6}  {status:11}  {job.count:>6,}  {kept:>7}  {job.mode:7}  "
                f"{job.search_id:36}  {job.query}{saved}")
        out(clean_text(line))
    if not args.json:
        if orphans:
            say("* no process is working on it: `sixtyfour-tui resume` finishes it.")
        if not args.all and total > len(records):
            say(f"Showing the newest {len(records):,} of {total:,} jobs; --all lists every one.")
    return EXIT_OK


def _alive(change: Any) -> bool:
    from sixtyfour_tui.workspace.store import owner_is_alive

    return change.owner is not None and (change.lease_until or 0) >= time.time() and owner_is_alive(change.owner)


def find_job(workspace: Workspace, key: str) -> JobRecord:
    """The one search `key` names, on whichever backend it ran; exit 2 when none or several."""
    matches = workspace.find_jobs(key, backend=None)
    exact = [job for job in matches if key in (job.job_id, job.search_id)]
    chosen = exact or matches
    if not chosen:
        raise CommandFailed(f"no search {key!r} in the workspace (see `sixtyfour-tui jobs --all`)", EXIT_CONFIG)
    if len(chosen) > 1:
        names = ", ".join(f"{job.job_id[:12]} ({clean_text(job.query)[:40]})" for job in chosen[:5])
        raise CommandFailed(f"{key!r} matches {len(chosen)} searches: {names}; give more of the id", EXIT_CONFIG)
    return chosen[0]


async def _rows(args: argparse.Namespace) -> int:
    import asyncio

    workspace = await asyncio.to_thread(open_workspace)
    job = await asyncio.to_thread(find_job, workspace, args.id)
    info = await asyncio.to_thread(workspace.result_info, job.job_id)
    if info is None or info.stored == 0:
        raise CommandFailed(f"the workspace holds no rows of {job.job_id[:8]} ({clean_text(job.query)}); "
                            "open it in the app or run `sixtyfour-tui search` again to fetch them", EXIT_CONFIG)
    printed = await print_rows(workspace, job, args)
    if not info.complete:
        say(f"{printed:,} stored rows printed; the search has more that were never fetched.")
    return EXIT_OK


async def print_rows(workspace: Workspace, job: JobRecord, args: argparse.Namespace,
                     positions: list[int] | None = None) -> int:
    """A search's stored rows (all, or only `positions`) on stdout or in `--output`: plain JSON
    lines of the rows, or a view written exactly as the table's export writes it."""
    import asyncio

    fmt = view_format(args)
    spec = spec_from_args(args)
    if fmt is None and spec == type(spec)(columns=spec.columns):
        return await asyncio.to_thread(_stream_rows, workspace, job, args, positions)
    store = await asyncio.to_thread(stored_store, workspace, job, positions)
    return await asyncio.to_thread(_write_view, store, spec, fmt, args)


def _stream_rows(workspace: Workspace, job: JobRecord, args: argparse.Namespace, positions: list[int] | None) -> int:
    """Every stored row as a JSON line (or its chosen columns), read a batch at a time."""
    from sixtyfour_tui.api.rows import flatten_row

    columns = [name.strip() for name in args.columns.split(",") if name.strip()] if args.columns else None
    wanted = set(positions) if positions is not None else None

    def chosen() -> Iterator[dict[str, Any]]:
        position = -1
        for batch in workspace.iter_rows(job.job_id):
            for row in batch:
                position += 1
                if wanted is None or position in wanted:
                    yield row

    printed = 0
    for row in islice(chosen(), getattr(args, "limit", None)):  # --limit stops the reading too
        if columns:
            flat = flatten_row(row)
            out_json({name: flat.get(name) for name in columns})
        else:
            out_json(row)
        printed += 1
    sys.stdout.flush()
    return printed


def _write_view(store: RowStore, spec: ViewSpec, fmt: Format | None, args: argparse.Namespace) -> int:
    from sixtyfour_tui.table.view import apply_view
    from sixtyfour_tui.table.writers import write_rows

    unknown = sorted({*spec.value_filters, *(key.column for key in spec.sort)} - set(store.columns))
    if unknown and len(store):
        raise CommandFailed(f"no column {', '.join(map(repr, unknown))} in these rows (they have: "
                            f"{', '.join(store.columns)})", EXIT_CONFIG)
    columns = apply_view(store, spec)
    indices = list(store.view_indices())[:getattr(args, "limit", None)]
    if fmt is None:  # JSON lines of the rows themselves, in the view's order
        for index in indices:
            out_json({name: store.flat(index).get(name) for name in columns} if spec.columns else store.raw(index))
        sys.stdout.flush()
        return len(indices)
    output: Path | None = getattr(args, "output", None)
    if output is not None:
        output = check_output(output, getattr(args, "force", False))
        written = write_rows(store, indices, columns, output, fmt, overwrite=True)
        say(f"Wrote {written.rows:,} rows to {output}.")
        return written.rows
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="sixtyfour-rows-") as folder:
        staged = Path(folder) / "view"
        written = write_rows(store, indices, columns, staged, fmt)
        sys.stdout.flush()
        with staged.open("rb") as handle:
            shutil.copyfileobj(handle, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    return written.rows


VIEW_FORMATS = ("csv", "jsonl", "excel-csv")


def add_view_options(parser: argparse.ArgumentParser) -> None:
    """The flags that make a view as the table does (filter, values, sort, new only) and write it
    as the table's export does."""
    parser.add_argument("--csv", action="store_true",
                        help="CSV as the table writes a view: its header labels, RFC 4180 (= --format csv)")
    parser.add_argument("--format", choices=VIEW_FORMATS,
                        help="csv, jsonl (label -> text) or excel-csv (with a byte order mark, formulas defused)")
    parser.add_argument("--where", action="append", default=[], type=_where, metavar="COLUMN=VALUE",
                        help="keep rows whose COLUMN shows VALUE (repeat: the same column means either "
                             "value, different columns mean both)")
    parser.add_argument("--sort", action="append", default=[], type=_sort_key, metavar="COLUMN[:desc]",
                        help="order by COLUMN (repeatable: later keys break ties)")
    parser.add_argument("--filter", default="", metavar="TEXT",
                        help="keep rows with TEXT in any cell, any case (the table's /)")
    parser.add_argument("--new-only", action="store_true",
                        help="only rows whose entity no earlier search of the same mode returned")
    parser.add_argument("--output", type=Path, metavar="FILE",
                        help="write FILE (whole or not at all) instead of stdout")
    parser.add_argument("--force", action="store_true", help="overwrite --output if it exists")


def _where(text: str) -> tuple[str, str]:
    column, equals, value = text.partition("=")
    if not equals or not column.strip():
        raise argparse.ArgumentTypeError(f"expected COLUMN=VALUE, got {text!r}")
    return column.strip(), value


def _sort_key(text: str) -> tuple[str, bool]:
    column, colon, direction = text.rpartition(":")
    if colon and direction.lower() in ("asc", "desc"):
        return column.strip(), direction.lower() == "desc"
    if not text.strip():
        raise argparse.ArgumentTypeError("expected COLUMN or COLUMN:desc")
    return text.strip(), False


def view_format(args: argparse.Namespace) -> Format | None:
    """The file format asked for, or None for the plain JSON lines of the stored rows."""
    from sixtyfour_tui.table.writers import FORMATS

    asked: str | None = getattr(args, "format", None)
    if getattr(args, "csv", False):
        if asked not in (None, "csv"):
            raise CommandFailed(f"--csv and --format {asked} ask for two formats; give one", EXIT_CONFIG)
        asked = "csv"
    if asked is None and getattr(args, "output", None) is not None:
        asked = "csv"
    return next((fmt for fmt in FORMATS if fmt == asked), None)


def spec_from_args(args: argparse.Namespace) -> ViewSpec:
    """The `ViewSpec` the flags describe: the same the table builds for the same view."""
    from sixtyfour_tui.table.view import SortKey, ViewSpec

    columns = tuple(name.strip() for name in (args.columns or "").split(",") if name.strip())
    values: dict[str, list[str]] = {}
    for column, value in getattr(args, "where", None) or ():
        values.setdefault(column, []).append(value)
    return ViewSpec(columns=columns, text_filter=getattr(args, "filter", "") or "",
                    value_filters={column: tuple(sorted(set(texts))) for column, texts in sorted(values.items())},
                    sort=tuple(SortKey(column, descending) for column, descending in getattr(args, "sort", None) or ()),
                    new_only=bool(getattr(args, "new_only", False)))


def stored_store(workspace: Workspace, job: JobRecord, positions: list[int] | None = None) -> RowStore:
    """A `RowStore` of a search's stored rows (all, or only `positions`, in order) with the seen
    flags the table shows: what the TUI holds after opening the search from the workspace."""
    from sixtyfour_tui.table.row_store import RowFlag, RowStore

    store = RowStore()
    wanted = set(positions) if positions is not None else None
    kept: list[int] = []
    start = 0
    for batch in workspace.iter_rows(job.job_id):
        if wanted is None:
            store.append(batch)
        else:
            chosen = [offset for offset in range(len(batch)) if start + offset in wanted]
            store.append([batch[offset] for offset in chosen])
            kept.extend(start + offset for offset in chosen)
        start += len(batch)
    seen = workspace.seen_positions(job)
    if wanted is not None:
        index_of = {position: index for index, position in enumerate(kept)}
        seen = [index_of[position] for position in seen if position in index_of]
    store.set_flag(RowFlag.SEEN, seen)
    return store


def headless_command(job_key: str, spec: ViewSpec, fmt: str, output: Path | None = None) -> str | None:
    """The `rows` command that writes the same bytes as the table for this view; None when the
    view cannot be named on a command line (only marked rows: marks live in the table)."""
    import shlex

    if spec.only_marked:
        return None
    words = ["sixtyfour-tui", "rows", job_key]
    if spec.columns:
        words += ["--columns", ",".join(spec.columns)]
    for column, values in spec.value_filters.items():
        words += [part for value in values for part in ("--where", f"{column}={value}")]
    for key in spec.sort:
        words += ["--sort", f"{key.column}:desc" if key.descending else key.column]
    if spec.text_filter:
        words += ["--filter", spec.text_filter]
    if spec.new_only:
        words.append("--new-only")
    words += ["--format", fmt]
    if output is not None:
        words += ["--output", str(output)]
    return clean_text(" ".join(shlex.quote(word) for word in words))


async def _workspace(args: argparse.Namespace) -> int:
    import asyncio

    from rich.filesize import decimal

    workspace = await asyncio.to_thread(open_workspace)
    if args.vacuum:
        before = workspace.stats()["bytes"]
        await asyncio.to_thread(workspace.purge_forgotten, 0.0)
        await asyncio.to_thread(workspace.vacuum)
        after = workspace.stats()["bytes"]
        say(f"Compacted: {decimal(before)} → {decimal(after)}.")
    stats = await asyncio.to_thread(workspace.stats)
    out(f"workspace  {stats['path']}")
    out(f"size       {decimal(stats['bytes'])}")
    out(f"jobs       {stats['jobs']:,}")
    out(f"searches with stored rows  {stats['results']:,} ({stats['rows']:,} rows)")
    out(f"history    {stats['history']:,} queries")
    out(f"files saved  {stats['saved_files']:,}")
    out(f"exclusion sets  {stats['exclusion_sets']:,}")
    return EXIT_OK
