"""`python -m sixtyfour_tui.sandbox.child`: the sandbox as a child process of the app.

Why a process: the sandbox is a real server; in its own process it runs on the other core and
never competes with the UI for the GIL. The contract with the parent (see `process.SandboxProcess`):

- As soon as it listens on a free loopback port (before it imports the web framework; requests
  wait in the socket's backlog meanwhile) it prints ONE JSON line on stdout,
  `{"base_url", "storage_base_url", "api_key", "pid"}`, and nothing else after it. Earlier tasks are
  restored and the data set is built in a background thread; API requests wait for that.
- With `--fd N` it serves the listening socket it inherited as file descriptor N instead of opening
  one: the app opens it at launch (so it knows the address at once) and spawns this process on it
  once its own start is done (`SandboxProcess(deferred=True)`); connections made meanwhile wait in
  the socket's backlog.
- It exits when its stdin reaches end of file (the parent closed it, exited or was killed, even with
  `kill -9`), and on SIGTERM or SIGINT; exit status 0. `--ignore-stdin` turns the first off for use
  by hand.
- The key comes from `--api-key`, else `$SIXTYFOUR_SANDBOX_API_KEY`, else the demo key; the parent
  uses the variable, because a command line is visible to every local user.

Imports are kept to what serving needs, so the ready line comes quickly.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio

    from sixtyfour_tui.sandbox.server import SandboxServer


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sixtyfour_tui.sandbox.child",
                                     description="Serve the sandbox for a parent process (see the module docstring).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--api-key", help="the key to accept (default: $SIXTYFOUR_SANDBOX_API_KEY, else the demo key)")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated clock speed")
    parser.add_argument("--state", type=Path, metavar="FILE", help="keep tasks and lists in FILE across restarts")
    parser.add_argument("--url-ttl", type=float, default=900.0, metavar="SECONDS")
    parser.add_argument("--cursor-ttl", type=float, default=600.0, metavar="SECONDS")
    parser.add_argument("--ignore-stdin", action="store_true", help="do not exit when stdin closes")
    parser.add_argument("--fd", type=int, metavar="N", help="serve this inherited listening socket (no --host/--port)")
    args = parser.parse_args(argv)
    if args.speed <= 0:
        parser.error("--speed must be greater than 0")
    return args


def _quit_now(*_: object) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    # Until the server below takes over the signals, SIGTERM and SIGINT end the process cleanly.
    signal.signal(signal.SIGTERM, _quit_now)
    signal.signal(signal.SIGINT, _quit_now)
    args = parse_args(argv)
    from sixtyfour_tui.sandbox.keys import DEMO_API_KEY, KEY_VARIABLE
    from sixtyfour_tui.sandbox.sockets import base_url, bind, inherited

    key = args.api_key or os.environ.get(KEY_VARIABLE) or DEMO_API_KEY
    try:
        listening = bind(args.host, args.port) if args.fd is None else inherited(args.fd)
    except OSError as error:
        where = f"{args.host}:{args.port}" if args.fd is None else f"inherited socket {args.fd}"
        print(f"sandbox child: cannot listen on {where}: {error.strerror}", file=sys.stderr)
        return 1
    # Listening already: connections wait in the kernel's backlog until the server below takes them,
    # so the parent can count us as reachable while we import the web framework.
    url = base_url(listening)
    sys.stdout.write(json.dumps({"base_url": url, "storage_base_url": url, "api_key": key, "pid": os.getpid()})
                     + "\n")
    sys.stdout.flush()
    import asyncio  # after the ready line: it alone costs the child ~30 ms

    from sixtyfour_tui.sandbox.config import SandboxConfig
    from sixtyfour_tui.sandbox.server import SandboxServer

    config = SandboxConfig(api_keys=(key,), speed=args.speed, url_ttl=args.url_ttl, cursor_ttl=args.cursor_ttl,
                           state_file=args.state)
    server = SandboxServer(config, background_load=True, listening=listening)
    # uvicorn re-raises a signal it caught once it has shut down; these handlers make that a clean exit.
    signal.signal(signal.SIGTERM, lambda *_: None)
    signal.signal(signal.SIGINT, lambda *_: None)
    try:
        return asyncio.run(_serve(server, watch_stdin=not args.ignore_stdin))
    finally:
        server.state.storage.close()


async def _serve(server: SandboxServer, *, watch_stdin: bool) -> int:
    import asyncio

    if watch_stdin:
        _exit_on_stdin_eof(asyncio.get_running_loop(), server.request_exit)
    await server.serve()
    return 0


def _exit_on_stdin_eof(loop: asyncio.AbstractEventLoop, exit_now: Callable[[], None]) -> None:
    """The parent holds the other end of our stdin: end of file means it is gone."""
    fd = sys.stdin.fileno()

    def readable() -> None:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        if not data:
            loop.remove_reader(fd)
            exit_now()

    loop.add_reader(fd, readable)


if __name__ == "__main__":
    raise SystemExit(main())
