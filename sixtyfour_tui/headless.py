"""The headless commands `search`, `jobs` and `export`: the same engine as the TUI, for scripts.

Progress goes to stderr, data to stdout or a file. Exit codes: 0 done, 1 the search or export
failed, 2 usage or configuration problem, 3 the API refused us (key, balance, permissions),
4 network trouble, 5 disk trouble.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

EXIT_FAILED, EXIT_CONFIG, EXIT_REFUSED, EXIT_NETWORK, EXIT_DISK = 1, 2, 3, 4, 5
EXIT_CODES_BY_ERROR = {
    "UnauthorizedError": EXIT_REFUSED,
    "PaymentRequiredError": EXIT_REFUSED,
    "ForbiddenError": EXIT_REFUSED,
    "NetworkError": EXIT_NETWORK,
    "DiskError": EXIT_DISK,
}


def add_commands(commands) -> None:
    search = commands.add_parser("search", help="run one deep search and save or print its rows")
    search.add_argument("query", help='plain-language description, e.g. "CTOs of fintech startups in London"')
    search.add_argument("--mode", choices=("people", "company"), default="people")
    search.add_argument("--max-results", type=_max_results, default=500, metavar="N",
                        help="1 to 10000 (default 500, as in the app)")
    search.add_argument("--output", type=Path, metavar="FILE.csv", help="save the CSV here (else JSON lines on stdout)")
    search.add_argument("--force", action="store_true", help="overwrite --output if it exists")
    search.add_argument("--sandbox", action="store_true", help="run against the embedded sandbox")
    search.set_defaults(handler=lambda args: _run(_search, args))

    jobs = commands.add_parser("jobs", help="list the searches and exports in the ledger")
    jobs.add_argument("--sandbox", action="store_true", help="list jobs run against the embedded sandbox")
    jobs.add_argument("--json", action="store_true", help="one JSON object per job")
    jobs.set_defaults(handler=lambda args: _run(_jobs, args))

    export = commands.add_parser("export", help="save a finished search as CSV")
    export.add_argument("search_id", help="the search id or job id (see `sixtyfour-tui jobs`)")
    export.add_argument("--output", type=Path, required=True, metavar="FILE.csv")
    export.add_argument("--max-results", type=_max_results, default=None, metavar="N")
    export.add_argument("--force", action="store_true", help="overwrite --output if it exists")
    export.add_argument("--sandbox", action="store_true", help="use the embedded sandbox")
    export.set_defaults(handler=lambda args: _run(_export, args))


def _max_results(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError("must be between 1 and 10000")
    return value


def say(message: str) -> None:
    """Progress and errors on stderr; text from the API never reaches the terminal as escapes."""
    from sixtyfour_tui.api.rows import sanitize_text

    print(sanitize_text(message, keep_newlines=True), file=sys.stderr, flush=True)


def _run(command, args) -> int:
    from sixtyfour_tui.api.errors import ApiError, ForbiddenError, NetworkError, PaymentRequiredError, UnauthorizedError
    from sixtyfour_tui.backend import NoApiKey
    from sixtyfour_tui.config import ConfigError

    try:
        return asyncio.run(command(args))
    except (ConfigError, NoApiKey, ValueError) as problem:
        say(f"sixtyfour-tui: {problem}")
        return EXIT_CONFIG
    except (UnauthorizedError, PaymentRequiredError, ForbiddenError) as refused:
        say(f"sixtyfour-tui: the API refused the request ({refused.status}): {refused.message}")
        return EXIT_REFUSED
    except NetworkError as trouble:
        say(f"sixtyfour-tui: network problem: {trouble.message}")
        return EXIT_NETWORK
    except ApiError as error:
        say(f"sixtyfour-tui: API error ({error.status}): {error.message}")
        return EXIT_FAILED
    except BrokenPipeError:
        # The reader (e.g. `| head`) has gone; that is not an error worth a message.
        _silence_stdout()
        return 0
    except OSError as disk:
        where = f" {disk.filename}" if disk.filename else ""
        say(f"sixtyfour-tui: cannot write{where}: {disk.strerror or disk}")
        return EXIT_DISK
    except KeyboardInterrupt:
        say("sixtyfour-tui: interrupted; running searches continue on the server and resume next time.")
        return 130


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at devnull so the interpreter's final flush stays quiet."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


class _Session:
    """Backend + client + ledger + engine for one command; closed on exit."""

    def __init__(self, sandbox: bool) -> None:
        from sixtyfour_tui.backend import real_backend, start_sandbox_backend
        from sixtyfour_tui.config import load_settings

        self.settings = load_settings()
        self.backend = start_sandbox_backend(self.settings) if sandbox else real_backend(self.settings)

    async def __aenter__(self):
        from sixtyfour_tui.jobs.engine import JobEngine
        from sixtyfour_tui.jobs.ledger import Ledger

        self.client = self.backend.client()
        ledger = Ledger()
        ledger.load()
        if ledger.warning:
            say(f"warning: {ledger.warning}")
        self.engine = JobEngine(self.client, ledger, backend=self.backend.ledger_name,
                                poll_interval=self.backend.poll_interval, fail_fast=True)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.engine.shutdown()
        await self.client.aclose()
        self.backend.close()


async def _search(args) -> int:
    if not args.query.strip():
        say("sixtyfour-tui: the query is empty")
        return EXIT_CONFIG
    if args.output is not None and args.output.exists() and not args.force:
        say(f"sixtyfour-tui: {args.output} already exists (use --force to overwrite)")
        return EXIT_CONFIG
    async with _Session(args.sandbox) as session:
        from sixtyfour_tui.jobs.events import JobUpdated

        engine = session.engine
        job = engine.submit(args.query, mode=args.mode, max_results=args.max_results)
        say(f"Search {job.job_id[:8]} on {session.backend.label}: {args.query}")
        last = [""]

        def report(event) -> None:
            if isinstance(event, JobUpdated) and event.job.job_id == job.job_id:
                now = event.job
                line = (f"  [{now.status}] {now.progress_message} · iteration {now.iterations} · "
                        f"{now.results_so_far:,} results")
                if line != last[0]:
                    last[0] = line
                    say(line)

        engine.subscribe(report)
        final = await engine.wait(job.job_id)
        if final.status != "completed":
            if final.error_kind == "NetworkError":
                say(f"sixtyfour-tui: network problem: cannot reach {session.backend.base_url}: {final.error}")
            else:
                say(f"sixtyfour-tui: search failed: {final.error or final.status}")
            return EXIT_CODES_BY_ERROR.get(final.error_kind, EXIT_FAILED)
        if args.output is not None:
            from sixtyfour_tui.jobs.export_flow import Exporter

            saved = await Exporter(engine).export(final.job_id, args.output, overwrite=args.force)
            if saved.status != "completed":
                say(f"sixtyfour-tui: export failed: {saved.error}")
                return EXIT_CODES_BY_ERROR.get(saved.error_kind, EXIT_FAILED)
            say(saved.progress_message)
            return 0
        await _print_rows(session.client, final)
        return 0


async def _print_rows(client, job) -> None:
    page = await client.query_first(
        mode=job.mode, search_id=job.search_id, page_size=100, max_results=job.total_results or job.max_results
    )
    while True:
        for row in page.results:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        if not page.has_more or not page.next_cursor:
            break
        page = await client.query_next(page.next_cursor)
    sys.stdout.flush()


async def _jobs(args) -> int:
    from sixtyfour_tui.backend import SANDBOX_BACKEND
    from sixtyfour_tui.config import load_settings
    from sixtyfour_tui.jobs.ledger import Ledger

    backend = SANDBOX_BACKEND if args.sandbox else load_settings().base_url
    ledger = Ledger()
    ledger.load()
    records = ledger.records(backend=backend)
    if not records:
        if not args.json:
            say(f"No jobs yet for {backend}.")
        return 0
    if not args.json:
        print(f"{'JOB':8}  {'KIND':6}  {'STATUS':9}  {'ROWS':>6}  {'MODE':7}  {'SEARCH ID':36}  QUERY")
    for record in records:
        if args.json:
            print(json.dumps(record.to_json()))
            continue
        count = record.total_results if record.total_results is not None else record.results_so_far
        saved = f"  -> {record.saved_file}" if record.saved_file else ""
        print(
            f"{record.job_id[:8]}  {record.kind:6}  {record.status:9}  {count or 0:>6,}  "
            f"{record.mode:7}  {record.search_id}  {record.query}{saved}"
        )
    return 0


async def _export(args) -> int:
    from sixtyfour_tui.jobs.export_flow import Exporter, ExportError

    if args.output.exists() and not args.force:
        say(f"sixtyfour-tui: {args.output} already exists (use --force to overwrite)")
        return EXIT_CONFIG
    async with _Session(args.sandbox) as session:
        matches = [
            job
            for job in session.engine.jobs()
            if job.kind == "search" and (job.search_id == args.search_id or job.job_id.startswith(args.search_id))
        ]
        if not matches:
            say(f"sixtyfour-tui: no search {args.search_id!r} in the ledger (see `sixtyfour-tui jobs`)")
            return EXIT_CONFIG
        try:
            saved = await Exporter(session.engine).export(
                matches[-1].job_id, args.output, max_results=args.max_results, overwrite=args.force
            )
        except ExportError as problem:
            say(f"sixtyfour-tui: {problem}")
            return EXIT_FAILED
        if saved.status != "completed":
            say(f"sixtyfour-tui: export failed: {saved.error}")
            return EXIT_CODES_BY_ERROR.get(saved.error_kind, EXIT_FAILED)
        say(saved.progress_message)
        return 0
