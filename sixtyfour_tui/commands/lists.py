"""`exclusions` and `diff`: building a list over many runs, from the command line (no network).

    sixtyfour-tui exclusions                                  # the sets, with their sizes
    sixtyfour-tui exclusions create Customers --mode company --from-file customers.csv --column domain
    sixtyfour-tui exclusions create Contacted --from-search 3f2a1c --from-exported
    sixtyfour-tui exclusions add Contacted --from-file more.txt
    sixtyfour-tui exclusions show Contacted
    sixtyfour-tui exclusions delete Contacted
    sixtyfour-tui diff LAST_WEEK THIS_WEEK [--new | --dropped | --common] [--csv]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from sixtyfour_tui.commands.common import EXIT_CONFIG, EXIT_OK, CommandFailed, open_workspace, out, run, say
from sixtyfour_tui.sanitize import clean_text

if TYPE_CHECKING:
    from sixtyfour_tui.workspace.store import Workspace


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    exclusions = commands.add_parser("exclusions", help="the workspace's exclusion sets: list, create, add, delete")
    actions = exclusions.add_subparsers(dest="action", metavar="ACTION")
    exclusions.set_defaults(handler=lambda args: run(_list, args), action=None)
    listing = actions.add_parser("list", help="every set with its size (the default)")
    listing.add_argument("--mode", choices=("people", "company"))
    listing.set_defaults(handler=lambda args: run(_list, args))
    for name, helptext in (("create", "make a new set"), ("add", "add to an existing set")):
        action = actions.add_parser(name, help=helptext)
        action.add_argument("name")
        action.add_argument("--mode", choices=("people", "company"), default="people")
        add_sources(action)
        action.set_defaults(handler=lambda args: run(_create_or_add, args))
    show = actions.add_parser("show", help="the ids in a set")
    show.add_argument("name")
    show.add_argument("--mode", choices=("people", "company"))
    show.set_defaults(handler=lambda args: run(_show, args))
    delete = actions.add_parser("delete", help="remove a set (searches that used it keep their results)")
    delete.add_argument("name")
    delete.add_argument("--mode", choices=("people", "company"))
    delete.set_defaults(handler=lambda args: run(_delete, args))

    diff = commands.add_parser("diff", help="compare two stored searches: new, dropped and common entities")
    diff.add_argument("before", help="the earlier search (job id, search id or unique prefix)")
    diff.add_argument("after", help="the later search")
    which = diff.add_mutually_exclusive_group()
    for name, helptext in (("new", "print the rows only AFTER has"), ("dropped", "print the rows only BEFORE had"),
                           ("common", "print AFTER's rows that BEFORE had too")):
        which.add_argument(f"--{name}", action="store_const", const=name, dest="which", help=helptext)
    diff.add_argument("--csv", action="store_true", help="print the rows as CSV instead of JSON lines")
    diff.add_argument("--columns", metavar="A,B,C", help="only these columns, in this order")
    diff.set_defaults(handler=lambda args: run(_diff, args))


def add_sources(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from-search", action="append", default=[], metavar="ID",
                        help="everyone a stored search returned (repeatable)")
    parser.add_argument("--from-file", action="append", default=[], type=Path, metavar="FILE",
                        help="LinkedIn URLs, public ids, company ids or domains: a CSV or one per line (repeatable)")
    parser.add_argument("--column", help="the CSV column holding the ids (default: guessed)")
    parser.add_argument("--from-exported", action="store_true", help="every row ever exported in this mode")
    parser.add_argument("--from-seen", action="store_true", help="every entity any stored search of this mode holds")


def gather_ids(workspace: Workspace, args: argparse.Namespace, mode: str) -> list[str]:
    """The entities the source flags name, reporting what could not be read."""
    from sixtyfour_tui.commands.stored import find_job
    from sixtyfour_tui.workspace.set_sources import FileSource, SourceProblem
    from sixtyfour_tui.workspace.set_sources import gather_ids as gather

    try:
        gathered = gather(workspace, mode, searches=[find_job(workspace, key) for key in args.from_search],
                          files=[FileSource(path, args.column) for path in args.from_file],
                          exported=args.from_exported, seen=args.from_seen)
    except SourceProblem as problem:
        raise CommandFailed(str(problem), EXIT_CONFIG) from None
    for note in gathered.notes:
        say(note)
    return gathered.ids


def _set(workspace: Workspace, name: str, mode: str | None):  # type: ignore[no-untyped-def]
    found = workspace.find_set(name, mode)
    if found is None:
        names = ", ".join(sorted({s.name for s in workspace.exclusion_sets(mode)})) or "none yet"
        raise CommandFailed(f"no exclusion set {name!r}{f' for {mode}' if mode else ''} (there are: {names})",
                            EXIT_CONFIG)
    return found


async def _list(args: argparse.Namespace) -> int:
    workspace = await asyncio.to_thread(open_workspace)
    sets = await asyncio.to_thread(workspace.exclusion_sets, getattr(args, "mode", None))
    if not sets:
        say("No exclusion sets yet: `sixtyfour-tui exclusions create NAME --from-...` makes one.")
        return EXIT_OK
    out(f"{'NAME':30}  {'MODE':7}  {'SIZE':>8}  UPDATED")
    import time

    for found in sets:
        stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(found.updated_at))
        out(clean_text(f"{found.name[:30]:30}  {found.mode:7}  {found.size:>8,}  {stamp}"))
    return EXIT_OK


async def _create_or_add(args: argparse.Namespace) -> int:
    workspace = await asyncio.to_thread(open_workspace)
    if not (args.from_search or args.from_file or args.from_exported or args.from_seen):
        raise CommandFailed("say where the ids come from: --from-search, --from-file, --from-exported or "
                            "--from-seen", EXIT_CONFIG)
    ids = await asyncio.to_thread(gather_ids, workspace, args, args.mode)
    if args.action == "create":
        try:
            created = await asyncio.to_thread(workspace.create_set, args.name, args.mode, ids)
        except ValueError as problem:
            raise CommandFailed(f"{problem} (`exclusions add` adds to it)", EXIT_CONFIG) from None
        say(f"Created {created.name!r} ({created.mode}) with {created.size:,} entities.")
    else:
        found = _set(workspace, args.name, args.mode)
        added = await asyncio.to_thread(workspace.add_to_set, found.set_id, ids)
        say(f"Added {added:,} entities to {found.name!r} (now {found.size + added:,}).")
    return EXIT_OK


async def _show(args: argparse.Namespace) -> int:
    workspace = await asyncio.to_thread(open_workspace)
    found = _set(workspace, args.name, args.mode)
    for entity in await asyncio.to_thread(workspace.set_members, [found.set_id]):
        out(clean_text(entity))
    return EXIT_OK


async def _delete(args: argparse.Namespace) -> int:
    workspace = await asyncio.to_thread(open_workspace)
    found = _set(workspace, args.name, args.mode)
    await asyncio.to_thread(workspace.delete_set, found.set_id)
    say(f"Deleted {found.name!r} ({found.size:,} entities).")
    return EXIT_OK


async def _diff(args: argparse.Namespace) -> int:
    from sixtyfour_tui.commands.stored import find_job, print_rows

    workspace = await asyncio.to_thread(open_workspace)
    before = await asyncio.to_thread(find_job, workspace, args.before)
    after = await asyncio.to_thread(find_job, workspace, args.after)
    if before.mode != after.mode:
        raise CommandFailed(f"one is a {before.mode} search and the other a {after.mode} search", EXIT_CONFIG)
    for job in (before, after):
        info = await asyncio.to_thread(workspace.result_info, job.job_id)
        if info is None or not info.stored:
            raise CommandFailed(f"the workspace holds no rows of {job.job_id[:8]} ({clean_text(job.query)})",
                                EXIT_CONFIG)
    counts = await asyncio.to_thread(workspace.diff, before.job_id, after.job_id)
    say(f"{before.job_id[:8]} → {after.job_id[:8]}: {counts.new:,} new · {counts.dropped:,} dropped · "
        f"{counts.common:,} common")
    if args.which is None:
        out(f"new {counts.new}\ndropped {counts.dropped}\ncommon {counts.common}")
        return EXIT_OK
    job_id, positions = await asyncio.to_thread(workspace.diff_positions, before.job_id, after.job_id, args.which)
    shown = before if job_id == before.job_id else after
    await print_rows(workspace, shown, args, positions=positions)
    return EXIT_OK
