"""`search`, `export` and `resume`: the commands that run work on the API, for scripts."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from sixtyfour_tui.commands.common import (
    EXIT_CONFIG,
    EXIT_OK,
    CommandFailed,
    Session,
    add_timeout,
    check_output,
    exit_code,
    out_json,
    run,
    say,
    with_deadline,
)
from sixtyfour_tui.jobs.events import JobEvent, JobUpdated
from sixtyfour_tui.jobs.records import Exclusions, JobRecord
from sixtyfour_tui.rules import RuleError, check_query, parse_max_results


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    search = commands.add_parser("search", help="run one deep search and save or print its rows")
    search.add_argument("query", help='plain-language description, e.g. "CTOs of fintech startups in London"')
    search.add_argument("--new", action="store_true",
                        help="start a fresh search even if the same one is still unfinished (else it is attached to)")
    add_search_options(search, max_results_help="1 to 10000 (default 500, as in the app)")
    search.set_defaults(handler=lambda args: run(_search, args))

    export = commands.add_parser("export", help="save a finished search as CSV")
    export.add_argument("search_id", help="the search id or job id (see `sixtyfour-tui jobs`)")
    export.add_argument("--output", type=Path, required=True, metavar="FILE.csv")
    export.add_argument("--max-results", type=max_results_type, default=None, metavar="N")
    export.add_argument("--force", action="store_true", help="overwrite --output if it exists")
    export.add_argument("--sandbox", action="store_true", help="use the embedded sandbox")
    add_timeout(export)
    export.set_defaults(handler=lambda args: run(_export, args))

    resume = commands.add_parser("resume", help="finish the searches that a killed process left unfinished")
    resume.add_argument("--sandbox", action="store_true", help="the sandbox's searches")
    add_timeout(resume)
    resume.set_defaults(handler=lambda args: run(_resume, args))


def add_search_options(parser: argparse.ArgumentParser, *, max_results_help: str) -> None:
    """What every command that starts a search takes: mode, size, where the rows go, what to leave
    out, which backend, and the overall deadline."""
    parser.add_argument("--mode", choices=("people", "company"), default="people")
    parser.add_argument("--max-results", type=max_results_type, default=500, metavar="N", help=max_results_help)
    parser.add_argument("--output", type=Path, metavar="FILE.csv", help="save the CSV here (else JSON lines on stdout)")
    parser.add_argument("--force", action="store_true", help="overwrite --output if it exists")
    parser.add_argument("--exclude-seen", action="store_true",
                        help="leave out everyone an earlier stored search of this mode returned")
    parser.add_argument("--exclude", action="append", default=[], type=Path, metavar="FILE",
                        help="leave out the ids or URLs in FILE (kept as the exclusion set file:NAME; repeatable)")
    parser.add_argument("--exclude-set", action="append", default=[], metavar="NAME",
                        help="leave out an exclusion set of the workspace (repeatable)")
    parser.add_argument("--sandbox", action="store_true", help="run against the embedded sandbox")
    add_timeout(parser)


def exclusions_asked(workspace: Any, args: argparse.Namespace) -> Exclusions:
    """The --exclude* flags as the job's exclusions: sets by name, files kept as sets of their own."""
    from sixtyfour_tui.workspace.set_sources import FileSource, SourceProblem, gather_ids

    set_ids, names = [], []
    for name in args.exclude_set:
        found = workspace.find_set(name, args.mode)
        if found is None:
            raise CommandFailed(f"no {args.mode} exclusion set {name!r} (see `sixtyfour-tui exclusions`)", EXIT_CONFIG)
        set_ids.append(found.set_id)
        names.append(found.name)
    for path in args.exclude:
        try:
            gathered = gather_ids(workspace, args.mode, files=[FileSource(path)])
        except SourceProblem as problem:
            raise CommandFailed(str(problem), EXIT_CONFIG) from None
        if gathered.notes:
            say(gathered.notes[0])
        name = f"file:{path.name}"
        kept = _set_holding(workspace, name, args.mode, gathered.ids)
        set_ids.append(kept.set_id)
        names.append(f"{name} ({kept.size:,})")
    if args.exclude_seen:
        names.insert(0, "everything seen")
    return Exclusions(set_ids=tuple(set_ids), seen=args.exclude_seen, description=" · ".join(names))


def _set_holding(workspace: Any, name: str, mode: str, ids: list[str]) -> Any:
    """The set called `name` holding exactly `ids`: an existing one is brought up to date in place,
    so its id stays the same (a re-run of the same command attaches to its unfinished search, and a
    queued search that names the set still finds it)."""
    existing = workspace.find_set(name, mode)
    if existing is None:
        return workspace.create_set(name, mode, ids)
    held = set(workspace.set_members([existing.set_id]))
    wanted = set(ids)
    workspace.remove_from_set(existing.set_id, held - wanted)
    workspace.add_to_set(existing.set_id, [entity for entity in ids if entity not in held])
    return workspace.find_set(name, mode) or existing


def max_results_type(text: str) -> int:
    try:
        return parse_max_results(text)
    except RuleError as problem:
        raise argparse.ArgumentTypeError(str(problem)) from None


class Progress:
    """Prints a job's changes to stderr (once per distinct line) and remembers the last one."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.last = "starting"

    def __call__(self, event: JobEvent) -> None:
        if isinstance(event, JobUpdated) and event.job.job_id == self.job_id:
            job = event.job
            line = (f"  [{job.status}] {job.progress_message} · iteration {job.iterations} · "
                    f"{job.results_so_far:,} results")
            if line != self.last:
                self.last = line
                say(line)

    def doing(self) -> str:
        return f"the search was still going ({self.last.strip()})"


async def _search(args: argparse.Namespace) -> int:
    try:
        query = check_query(args.query)
    except RuleError as problem:
        raise CommandFailed(str(problem), EXIT_CONFIG) from None
    destination = check_output(args.output, args.force) if args.output is not None else None
    async with Session(args.sandbox) as session:
        engine = session.engine
        exclusions = await asyncio.to_thread(exclusions_asked, session.workspace, args)
        job = None if args.new else engine.find_unfinished(query, args.mode, args.max_results, exclusions)
        if job is not None:
            where = "here" if engine.owns(job.job_id) else "in another sixtyfour-tui process"
            say(f"Attaching to the unfinished search {job.job_id[:8]} (running {where}); --new starts another.")
        else:
            if args.new and engine.find_unfinished(query, args.mode, args.max_results, exclusions):
                say("An unfinished search with the same query exists; starting a new one as --new asks.")
            job = engine.submit(query, mode=args.mode, max_results=args.max_results, exclusions=exclusions)
            say(f"Search {job.job_id[:8]} on {session.backend.label}: {query}"
                + (f" ({exclusions.summary})" if exclusions.wanted else ""))
        progress = Progress(job.job_id)
        engine.subscribe(progress)
        return await with_deadline(args.timeout, progress.doing,
                                   finish_search(session, job, destination, args.force))


async def finish_search(session: Session, job: JobRecord, destination: Path | None, force: bool) -> int:
    engine = session.engine
    final = await engine.wait(job.job_id)
    if final.status != "completed":
        if final.error_kind == "network":
            say(f"sixtyfour-tui: network problem: cannot reach {session.backend.base_url}: {final.error}")
        else:
            say(f"sixtyfour-tui: search failed: {final.error or final.status}")
        return exit_code(final.error_kind)
    if destination is not None:
        from sixtyfour_tui.jobs.export_flow import Exporter

        saved = await Exporter(engine).export(final.job_id, destination, overwrite=force)
        if saved.status != "completed":
            say(f"sixtyfour-tui: export failed: {saved.error}")
            return exit_code(saved.error_kind)
        say(saved.progress_message)
        return EXIT_OK
    await print_rows(session, final)
    return EXIT_OK


async def print_rows(session: Session, job: JobRecord) -> None:
    """Every row as a JSON line: what the workspace holds, then the API's pages (stored too)."""
    import sys

    from sixtyfour_tui.jobs.stored_rows import StoredRows

    source = StoredRows(session.client, session.workspace, job)
    await source.open()
    printed = 0
    while printed < source.stored:
        rows = await source.read_stored(printed, 1000)
        if not rows:
            break
        for row in rows:
            out_json(row)
        printed += len(rows)
    while source.has_more_after(printed):
        rows = await source.rows_after(printed)
        for row in rows:
            out_json(row)
        printed += len(rows)
        if not rows and not source.pager(printed).has_more:
            break
    sys.stdout.flush()
    if source.storage_error is not None:
        say(f"warning: the rows were printed but not kept in the workspace: {source.storage_error.message}")


async def _export(args: argparse.Namespace) -> int:
    from sixtyfour_tui.jobs.export_flow import Exporter, ExportError

    destination = check_output(args.output, args.force)
    async with Session(args.sandbox) as session:
        job = await find_search(session, args.search_id)
        doing = ["the export was starting"]

        def follow(event: JobEvent) -> None:
            if isinstance(event, JobUpdated) and event.job.parent_job_id == job.job_id:
                doing[0] = f"the export was at: {event.job.progress_message}"

        session.engine.subscribe(follow)

        async def work() -> int:
            try:
                saved = await Exporter(session.engine).export(job.job_id, destination, max_results=args.max_results,
                                                              overwrite=args.force)
            except ExportError as problem:
                raise CommandFailed(str(problem)) from None
            if saved.status != "completed":
                say(f"sixtyfour-tui: export failed: {saved.error}")
                return exit_code(saved.error_kind)
            say(saved.progress_message)
            return EXIT_OK

        return await with_deadline(args.timeout, lambda: doing[0], work())


async def find_search(session: Session, key: str) -> JobRecord:
    matches = await asyncio.to_thread(session.workspace.find_jobs, key, backend=session.backend.workspace_key)
    if not matches:
        raise CommandFailed(f"no search {key!r} in the workspace for {session.backend.label} "
                            "(see `sixtyfour-tui jobs`)", EXIT_CONFIG)
    job: JobRecord = matches[0]
    session.engine.remember(job)
    return job


async def _resume(args: argparse.Namespace) -> int:
    async with Session(args.sandbox) as session:
        engine = session.engine
        waiting = [job for job in engine.jobs() if not job.is_finished and engine.owns(job.job_id)]
        if not waiting:
            say("Nothing to resume: no unfinished search is left without a process.")
            return EXIT_OK
        for job in waiting:
            engine.subscribe(Progress(job.job_id))

        async def work() -> int:
            worst = EXIT_OK
            for job in waiting:
                final = await engine.wait(job.job_id)
                say(f"{final.job_id[:8]} {final.status}: {final.query} ({final.count:,} results)")
                if final.status != "completed":
                    worst = max(worst, exit_code(final.error_kind))
            return worst

        return await with_deadline(args.timeout, lambda: f"{len(waiting)} search(es) were still running", work())
