"""`filter`, `fields` and `preview`: structured searches and the cheap look before a deep search.

`filter` runs through the engine like `search` does, so the search is stored in the workspace
(`sixtyfour-tui rows ID` prints it again) and exports and exclusions work the same way. `fields`
and `preview` only read from the API: no job, nothing stored.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import sys
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

from sixtyfour_tui.commands.common import (
    EXIT_CONFIG,
    EXIT_OK,
    CommandFailed,
    Session,
    add_timeout,
    check_output,
    out,
    out_json,
    run,
    say,
    with_deadline,
)
from sixtyfour_tui.commands.searching import (
    Progress,
    add_search_options,
    exclusions_asked,
    finish_search,
)
from sixtyfour_tui.filters import WHERE_HELP, FieldCatalog, FilterSyntaxError
from sixtyfour_tui.sanitize import clean_text, shorten

MAX_JSON_BYTES = 1024 * 1024


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    where_help = f"a condition (repeatable; all must hold): {WHERE_HELP}"
    search = commands.add_parser(
        "filter", help="run a structured filter search and save or print its rows",
        description="Run POST /search/start-filter-search with simple_filters built from --where conditions "
                    "(or read from --json FILE). The search is stored in the workspace like any other.")
    search.add_argument("--where", action="append", default=[], metavar="EXPR", help=where_help)
    search.add_argument("--json", type=Path, metavar="FILE", dest="json_file",
                        help="a raw simple_filters JSON object (- reads stdin), instead of --where")
    add_search_options(search, max_results_help="1 to 10000 (default 500)")
    search.set_defaults(handler=lambda args: run(_filter, args))

    fields = commands.add_parser("fields", help="list the fields a filter search can use, or one field's top values")
    fields.add_argument("field", nargs="?", help="show this field's most common values with their counts")
    fields.add_argument("--mode", choices=("people", "company"), default="people")
    fields.add_argument("--top", type=_top, default=25, metavar="N", help="how many values (1 to 100, default 25)")
    fields.add_argument("--where", action="append", default=[], metavar="EXPR",
                        help="count the values only among what these conditions keep (as for `filter`)")
    fields.add_argument("--json", action="store_true", help="one JSON object per field or value")
    fields.add_argument("--sandbox", action="store_true", help="ask the embedded sandbox")
    add_timeout(fields)
    fields.set_defaults(handler=lambda args: run(_fields, args))

    preview = commands.add_parser("preview", help="how a query is understood, how many match, and the first rows")
    preview.add_argument("query", help="plain-language description (people mode: the API reads text there only)")
    preview.add_argument("--rows", type=_top, default=10, metavar="N", help="rows to show (1 to 100, default 10)")
    preview.add_argument("--json", action="store_true",
                         help="one JSON object: parsed_query, chips, total_available and rows")
    preview.add_argument("--sandbox", action="store_true", help="ask the embedded sandbox")
    add_timeout(preview)
    preview.set_defaults(handler=lambda args: run(_preview, args))


def _top(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 100:
        raise argparse.ArgumentTypeError("must be a whole number from 1 to 100")
    return int(text)


@asynccontextmanager
async def api_client(sandbox: bool) -> AsyncIterator[tuple[Session, Any]]:
    """The backend and a client, without the engine: for commands that only read from the API."""
    session = Session(sandbox)
    client = session.backend.client()
    try:
        yield session, client
    finally:
        await client.aclose()
        session.backend.close()


# -- filter ---------------------------------------------------------------------------------------


def read_json_filters(path: Path) -> dict[str, Any]:
    try:
        if str(path) == "-":
            text = sys.stdin.read(MAX_JSON_BYTES + 1)
        else:
            with path.open(encoding="utf-8") as handle:
                text = handle.read(MAX_JSON_BYTES + 1)
    except OSError as problem:
        raise CommandFailed(f"cannot read {path}: {problem.strerror or problem}", EXIT_CONFIG) from None
    if len(text) > MAX_JSON_BYTES:
        raise CommandFailed(f"{path} is larger than {MAX_JSON_BYTES // 1024} KB", EXIT_CONFIG)
    try:
        document = json.loads(text)
    except ValueError as problem:
        raise CommandFailed(f"{path} is not JSON: {problem}", EXIT_CONFIG) from None
    if not isinstance(document, dict) or not document:
        raise CommandFailed(f"{path} must hold a non-empty JSON object (the simple_filters)", EXIT_CONFIG)
    return document


async def read_json_filters_off_loop(path: Path) -> dict[str, Any]:
    """`read_json_filters` in a daemon thread: a stdin that never closes cannot hold the event
    loop past --timeout, nor the process past its exit."""
    done: concurrent.futures.Future[dict[str, Any]] = concurrent.futures.Future()

    def read() -> None:
        try:
            result = read_json_filters(path)
        except BaseException as problem:  # handed to the awaiting side, raised there
            outcome: Callable[[], None] = partial(done.set_exception, problem)
        else:
            outcome = partial(done.set_result, result)
        try:
            outcome()
        except concurrent.futures.InvalidStateError:
            pass  # the command gave up waiting (its deadline)

    threading.Thread(target=read, name="read-filters", daemon=True).start()
    return await asyncio.wrap_future(done)


async def build_filters(catalog: FieldCatalog, args: argparse.Namespace,
                        document: dict[str, Any] | None = None) -> tuple[dict[str, Any], str]:
    """The document to send (`document`, already read from `--json`, else built from `--where`)
    and a name for the search, checked against the published limits."""
    from sixtyfour_tui import filters

    if document is not None:
        name = "simple_filters " + shorten(json.dumps(document, ensure_ascii=False, separators=(",", ":")), 200)
    else:
        try:
            conditions = await catalog.conditions(args.where, args.mode)
        except FilterSyntaxError as problem:
            raise CommandFailed(str(problem), EXIT_CONFIG) from None
        document = filters.simple_filters_of(conditions)
        name = filters.describe(conditions)
    capabilities = await catalog.capabilities(args.mode)
    problems = filters.limit_problems(document, capabilities.limits)
    if problems:
        raise CommandFailed("the filters go beyond the API's limits: " + "; ".join(problems), EXIT_CONFIG)
    return document, name


async def _filter(args: argparse.Namespace) -> int:
    from sixtyfour_tui.jobs.records import JobSource

    if bool(args.where) == (args.json_file is not None):
        raise CommandFailed("give the conditions with --where (repeatable) or a document with --json FILE, "
                            "not both", EXIT_CONFIG)
    destination = check_output(args.output, args.force) if args.output is not None else None
    async with Session(args.sandbox) as session:
        source = "stdin" if str(args.json_file) == "-" else str(args.json_file)
        doing: list[Callable[[], str]] = [lambda: f"the filters had not been read from {source}"]

        async def work() -> int:
            read = await read_json_filters_off_loop(args.json_file) if args.json_file is not None else None
            doing[0] = lambda: "the API's field catalog had not answered"
            document, name = await build_filters(FieldCatalog(session.client), args, read)
            exclusions = await asyncio.to_thread(exclusions_asked, session.workspace, args)
            job = session.engine.run_query(JobSource.FILTER, query=name, mode=args.mode,
                                           max_results=args.max_results, simple_filters=document,
                                           exclusions=exclusions)
            say(f"Filter search {job.job_id[:8]} on {session.backend.label}: {name}"
                + (f" ({exclusions.summary})" if exclusions.wanted else ""))
            progress = Progress(job.job_id)
            session.engine.subscribe(progress)
            doing[0] = progress.doing
            return await finish_search(session, job, destination, args.force)

        # One deadline for the whole command: reading the filters and the field catalog included.
        return await with_deadline(args.timeout, lambda: doing[0](), work())


# -- fields ---------------------------------------------------------------------------------------


async def _fields(args: argparse.Namespace) -> int:
    from sixtyfour_tui import filters

    async with api_client(args.sandbox) as (_session, client):
        catalog = FieldCatalog(client)

        async def work() -> int:
            if args.field is None:
                capabilities = await catalog.capabilities(args.mode)
                print_fields([filters.field_summary(field) for field in capabilities.fields], args.json)
                limits = capabilities.limits
                say(f"{len(capabilities.fields)} {args.mode} fields · limits: depth {limits.max_query_depth}, "
                    f"{limits.max_clause_count} conditions, {limits.max_terms_per_clause} values per list, "
                    f"{limits.max_sort_clauses} sort keys, {limits.max_string_length} characters per value")
                return EXIT_OK
            field = await catalog.field(args.mode, args.field)
            if field is None:
                known = [f.field for f in (await catalog.capabilities(args.mode)).fields]
                hint = filters.near_names(args.field, known)
                raise CommandFailed(f"{args.mode} mode has no field {args.field!r}{hint}", EXIT_CONFIG)
            if not field.supports_top_values:
                raise CommandFailed(f"{args.field} holds {field.field_type or field.value_type} values, which have "
                                    "no top values", EXIT_CONFIG)
            scope = None
            if args.where:
                try:
                    scope = filters.simple_filters_of(await catalog.conditions(args.where, args.mode))
                except FilterSyntaxError as problem:
                    raise CommandFailed(str(problem), EXIT_CONFIG) from None
            answer = await catalog.values(args.field, args.mode, top_k=args.top, simple_filters=scope)
            print_values(answer, args.json)
            among = answer.total_scoped_documents
            if among is not None:
                say(f"among {among:,} {'people' if args.mode == 'people' else 'companies'}"
                    + (" matching the --where conditions" if scope else ""))
            return EXIT_OK

        return await with_deadline(args.timeout, lambda: "the API had not answered", work())


def print_fields(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        for row in rows:
            out_json(row)
        return
    width = max([len("FIELD")] + [len(clean_text(row["field"])) for row in rows])
    out(f"{'FIELD':{width}}  {'TYPE':9}  {'VALUES':8}  SORT  RANGE  TOP  NESTED IN")
    for row in rows:
        sort, range_, top = ("yes" if row[key] else "-" for key in ("sortable", "rangeable", "top_values"))
        out(clean_text(f"{row['field']:{width}}  {row['field_type'] or '-':9}  {row['value_type'] or '-':8}  "
                       f"{sort:4}  {range_:5}  {top:3}  {row['nested_path'] or ''}").rstrip())


def print_values(answer: Any, as_json: bool) -> None:
    if as_json:
        for value in answer.values:
            out_json({"value": value.value, "count": value.count, "percent_of_scope": value.percent_of_scope,
                      "filter_snippet": value.filter_snippet})
        return
    from sixtyfour_tui.filters import shown_value

    shown = ["(missing)" if v.value is None else shorten(shown_value(v.value), 60) for v in answer.values]
    width = max([len("VALUE")] + [len(text) for text in shown])
    out(f"{'VALUE':{width}}  {'COUNT':>9}  {'SHARE':>6}")
    for text, value in zip(shown, answer.values):
        share = f"{value.percent_of_scope:5.1f}%" if value.percent_of_scope is not None else ""
        out(clean_text(f"{text:{width}}  {value.count:>9,}  {share:>6}"))


# -- preview --------------------------------------------------------------------------------------


async def _preview(args: argparse.Namespace) -> int:
    from sixtyfour_tui import chips
    from sixtyfour_tui.rules import RuleError, check_query

    try:
        query = check_query(args.query)
    except RuleError as problem:
        raise CommandFailed(str(problem), EXIT_CONFIG) from None
    async with api_client(args.sandbox) as (_session, client):
        async def work() -> int:
            seen = await chips.preview(client, mode="people", query=query, rows=args.rows)
            if args.json:
                described = [chip.text for chip in chips.chips_of(seen.parsed_query)]
                out_json({"parsed_query": seen.parsed_query, "chips": described,
                          "total_available": seen.total_available, "search_id": seen.search_id, "rows": seen.rows})
                return EXIT_OK
            say(f"Understood as: {chips.chips_line(seen.parsed_query)}")
            corrections = chips.corrections_text(seen.parsed_query)
            if corrections:
                say(f"Typos: {corrections}")
            if not seen.rows:
                say("Nothing matches.")
            else:
                total = "More" if seen.total_available is None else f"{seen.total_available:,}"
                say(f"{total} match; the first {len(seen.rows):,} follow (the deep search: `sixtyfour-tui search`)")
            for row in seen.rows:
                out_json(row)
            return EXIT_OK

        return await with_deadline(args.timeout, lambda: "the preview had not answered", work())
