"""What every headless command shares: exit codes, safe output, the overall deadline, and the
session (backend, client, workspace, engine) a command that talks to the API runs in.

Progress and errors go to stderr, data to stdout or a file. Every string that came from a server
goes through the one sanitizer on both. Exit codes: 0 done, 1 the search or export failed,
2 usage or configuration problem, 3 the API refused us (key, balance, permissions), 4 network
trouble or the deadline passed, 5 disk trouble (including a damaged workspace, which is moved
aside and rebuilt).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sixtyfour_tui.jobs.records import ErrorKind
from sixtyfour_tui.sanitize import clean_text, json_line

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_REFUSED, EXIT_NETWORK, EXIT_DISK = 0, 1, 2, 3, 4, 5
EXIT_CODES_BY_KIND = {
    ErrorKind.UNAUTHORIZED: EXIT_REFUSED,
    ErrorKind.PAYMENT_REQUIRED: EXIT_REFUSED,
    ErrorKind.FORBIDDEN: EXIT_REFUSED,
    ErrorKind.NETWORK: EXIT_NETWORK,
    ErrorKind.TIMEOUT: EXIT_NETWORK,
    ErrorKind.DISK: EXIT_DISK,
}
DEFAULT_TIMEOUT = 30 * 60.0
"""A deep search takes 30–120 s; half an hour means something is wrong, not slow."""


class CommandFailed(Exception):
    """Stop the command with this message and exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def say(message: str) -> None:
    """Progress and errors on stderr; text from the API never reaches the terminal as escapes."""
    print(clean_text(message, keep_newlines=True), file=sys.stderr, flush=True)


def out(line: str) -> None:
    """One line of data on stdout (already made safe by the caller: `clean_text` or `json_line`)."""
    sys.stdout.write(line + "\n")


def out_json(value: Any) -> None:
    out(json_line(value))


def exit_code(kind: ErrorKind | None) -> int:
    return EXIT_CODES_BY_KIND.get(kind, EXIT_FAILED) if kind is not None else EXIT_FAILED


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def add_timeout(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timeout", type=positive_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"give up after this long, exit 4 (default {DEFAULT_TIMEOUT / 60:g} minutes)")


def run(command: Callable[[argparse.Namespace], Awaitable[int]], args: argparse.Namespace) -> int:
    """Run a command to its exit code; every failure becomes a message, never a traceback."""
    from sixtyfour_tui.api.errors import (
        ApiError,
        ForbiddenError,
        NetworkError,
        PaymentRequiredError,
        UnauthorizedError,
    )
    from sixtyfour_tui.backend import NoApiKey
    from sixtyfour_tui.config import ConfigError
    from sixtyfour_tui.logs import setup_logging
    from sixtyfour_tui.workspace.database import StorageError

    setup_logging(debug=getattr(args, "debug", False))
    try:
        return asyncio.run(command(args))
    except CommandFailed as failed:
        say(f"sixtyfour-tui: {failed.message}")
        return failed.code
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
    except StorageError as problem:
        say(f"sixtyfour-tui: {problem.message}")
        return EXIT_DISK
    except BrokenPipeError:
        # The reader (e.g. `| head`) has gone; that is not an error worth a message.
        _silence_stdout()
        return EXIT_OK
    except OSError as disk:
        where = f" {disk.filename}" if disk.filename else ""
        say(f"sixtyfour-tui: cannot write{where}: {disk.strerror or disk}")
        return EXIT_DISK
    except KeyboardInterrupt:
        say("sixtyfour-tui: interrupted; running searches continue on the server and resume next time.")
        return 130


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at devnull so the interpreter's final flush stays quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def open_workspace() -> Any:
    """The shared workspace; a damaged one is repaired and reported with exit 5."""
    from sixtyfour_tui.workspace.store import Workspace

    workspace = Workspace().open()
    for notice in workspace.notices:
        say(f"sixtyfour-tui: {notice}")
    if workspace.recovered_from is not None:
        raise CommandFailed("the workspace was damaged and has been rebuilt (see above); run the command again.",
                            EXIT_DISK)
    return workspace


class Session:
    """Backend + client + workspace + engine for one command that talks to the API; closed on exit."""

    def __init__(self, sandbox: bool, *, watch: bool = True) -> None:
        from sixtyfour_tui.backend import real_backend, start_sandbox_backend
        from sixtyfour_tui.config import load_settings
        from sixtyfour_tui.logs import redact_in_logs

        self.settings = load_settings()
        self.backend = start_sandbox_backend(self.settings) if sandbox else real_backend(self.settings)
        redact_in_logs(self.backend.api_key)
        self.watch = watch

    async def __aenter__(self) -> Session:
        from sixtyfour_tui.jobs.engine import JobEngine

        self.workspace = await asyncio.to_thread(open_workspace)
        self.client = self.backend.client()
        self.engine = JobEngine(self.client, self.workspace, backend=self.backend.workspace_key,
                                poll_interval=self.backend.poll_interval, fail_fast=True, watch=self.watch,
                                keep_rows=False)
        self.engine.subscribe(self._storage_notice)
        resumed = await self.engine.start()
        if resumed:
            say(f"Resuming {len(resumed)} unfinished search(es) that an earlier process left behind.")
        return self

    def _storage_notice(self, event: object) -> None:
        from sixtyfour_tui.jobs.events import StorageTrouble

        if isinstance(event, StorageTrouble):
            if event.message:
                say(f"warning: {event.message} Jobs are kept in memory and saved when the disk allows.")
            else:
                say("The workspace accepts writes again; everything pending was saved.")

    async def __aexit__(self, *exc: object) -> None:
        await self.engine.shutdown()
        await self.client.aclose()
        self.backend.close()
        self.workspace.close()


async def with_deadline(seconds: float, doing: Callable[[], str], work: Awaitable[int]) -> int:
    """`work`, or exit 4 once `seconds` have passed, saying what was still going on."""
    try:
        async with asyncio.timeout(seconds):
            return await work
    except TimeoutError:
        raise CommandFailed(f"gave up after {_duration(seconds)} (--timeout): {doing()}", EXIT_NETWORK) from None


def _duration(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:g} minutes"
    return f"{seconds:g} s"


def check_output(path: Path, force: bool) -> Path:
    """The one destination rule (shared with the export screen): an existing folder is refused
    as a folder, missing folders are not created, an existing file needs --force."""
    from sixtyfour_tui.destinations import validate_destination

    try:
        checked = validate_destination(str(path))
    except ValueError as problem:
        raise CommandFailed(str(problem), EXIT_CONFIG) from None
    if checked.exists() and not force:
        raise CommandFailed(f"{checked} already exists (use --force to overwrite)", EXIT_CONFIG)
    return checked
