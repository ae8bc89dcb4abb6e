"""`jobs`, `rows` and `workspace`: what the workspace holds, with no network and no key."""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from typing import TYPE_CHECKING, Any

from sixtyfour_tui.commands.common import (
    EXIT_CONFIG,
    EXIT_OK,
    CommandFailed,
    open_workspace,
    out,
    out_json,
    run,
    say,
)
from sixtyfour_tui.jobs.records import JobRecord
from sixtyfour_tui.sanitize import clean_text

if TYPE_CHECKING:
    from sixtyfour_tui.workspace.store import Workspace


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    jobs = commands.add_parser("jobs", help="list the searches and exports in the workspace")
    jobs.add_argument("--sandbox", action="store_true", help="jobs run against the embedded sandbox")
    jobs.add_argument("--json", action="store_true", help="one JSON object per job")
    jobs.add_argument("--all", action="store_true", help="every job, not only the newest 200")
    jobs.set_defaults(handler=lambda args: run(_jobs, args))

    rows = commands.add_parser("rows", help="print a search's stored rows (no network, no key)")
    rows.add_argument("id", help="a job id, a search id, or a unique prefix of either")
    rows.add_argument("--csv", action="store_true", help="CSV with a header row instead of JSON lines")
    rows.add_argument("--columns", metavar="A,B,C",
                      help="only these columns, in this order (dotted names for nested fields)")
    rows.add_argument("--limit", type=_count, metavar="N", help="at most N rows")
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
    """A search's stored rows on stdout (all, or only `positions`), as JSON lines or CSV."""
    import asyncio

    from sixtyfour_tui.api.rows import flatten_row
    from sixtyfour_tui.table.row_store import display_text

    columns = [name.strip() for name in args.columns.split(",") if name.strip()] if args.columns else None
    limit = getattr(args, "limit", None)
    wanted = set(positions) if positions is not None else None
    printed = 0
    position = 0
    writer = None
    buffer = io.StringIO()
    for batch in await asyncio.to_thread(lambda: list(workspace.iter_rows(job.job_id))):
        for row in batch:
            position += 1
            if wanted is not None and position - 1 not in wanted:
                continue
            if limit is not None and printed >= limit:
                break
            if args.csv:
                flat = flatten_row(row)
                if writer is None:
                    columns = columns or list(flat)
                    writer = csv.writer(buffer, lineterminator="\n")
                    writer.writerow([clean_text(name) for name in columns])
                writer.writerow([display_text(flat.get(name)) for name in columns or []])
                sys.stdout.write(buffer.getvalue())
                buffer.seek(0)
                buffer.truncate()
            elif columns:
                flat = flatten_row(row)
                out_json({name: flat.get(name) for name in columns})
            else:
                out_json(row)
            printed += 1
    sys.stdout.flush()
    return printed


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
