"""Entry point `sixtyfour-tui`: the TUI by default, plus `sandbox`, `search`, `jobs` and `export`.

Imports stay inside the functions so the first frame of the TUI is not delayed by code it does
not need yet.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sixtyfour_tui import __version__

if TYPE_CHECKING:
    import argparse  # loaded by `build_parser`: the TUI's way in never needs it


def build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="sixtyfour-tui",
        description="Terminal client for Sixtyfour's Deep Search API (with an embedded sandbox).",
        epilog="Without a COMMAND the terminal app opens (add --sandbox to use the local sandbox). "
               "`sixtyfour-tui COMMAND --help` describes each command.",
    )
    parser.add_argument("--version", action="version", version=f"sixtyfour-tui {__version__}")
    parser.add_argument("--sandbox", action="store_true", help="use the embedded local sandbox API")
    parser.add_argument("--debug", action="store_true", help="write more detail to the log file")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    sandbox = commands.add_parser("sandbox", help="serve the local sandbox API in the foreground")
    sandbox.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    sandbox.add_argument("--port", type=int, default=8064)
    sandbox.add_argument("--api-key", action="append", dest="api_keys", metavar="KEY",
                         help="accept this key (repeatable; default: the demo key)")
    sandbox.add_argument("--speed", type=_positive_float, default=1.0,
                         help="simulated clock speed (100 = searches finish 100x faster)")
    sandbox.add_argument("--url-ttl", type=_positive_float, default=900.0, metavar="SECONDS")
    sandbox.add_argument("--cursor-ttl", type=_positive_float, default=600.0, metavar="SECONDS")
    sandbox.add_argument("--latency-ms", type=float, default=0.0, help="fault: added latency per API call")
    sandbox.add_argument("--error-rate", type=float, default=0.0, help="fault: share of 500/503 answers (0..1)")
    sandbox.add_argument("--rate-limit-every", type=int, default=0, metavar="N",
                         help="fault: every Nth API request answers 429")
    sandbox.add_argument("--drop-downloads", type=int, default=0, metavar="N",
                         help="fault: the first N downloads lose their connection half-way")
    sandbox.add_argument("--truncate-downloads", type=int, default=0, metavar="N",
                         help="fault: the next N downloads end early")
    sandbox.add_argument("--state", type=Path, metavar="FILE",
                         help="keep tasks and exclusion lists in FILE across restarts "
                              "(default: sandbox-server-tasks.json in the XDG state folder)")
    sandbox.add_argument("--no-state", action="store_true", help="forget everything when stopped")
    _add_headless_commands(commands)
    return parser


def _add_headless_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg, unused-ignore]
    from sixtyfour_tui.commands import add_commands

    add_commands(commands)


def _positive_float(text: str) -> float:
    import argparse

    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def run_sandbox(args: argparse.Namespace) -> int:
    from sixtyfour_tui.sandbox.config import FaultConfig, SandboxConfig
    from sixtyfour_tui.sandbox.keys import DEMO_API_KEY
    from sixtyfour_tui.sandbox.server import SandboxServer

    faults = FaultConfig(
        latency_ms=args.latency_ms,
        error_rate=args.error_rate,
        rate_limit_every=args.rate_limit_every,
        drop_downloads=args.drop_downloads,
        truncate_downloads=args.truncate_downloads,
    )
    state_file = None if args.no_state else args.state or _default_sandbox_state_file()
    config = SandboxConfig(
        api_keys=tuple(args.api_keys or [DEMO_API_KEY]),
        speed=args.speed,
        url_ttl=args.url_ttl,
        cursor_ttl=args.cursor_ttl,
        faults=faults,
        state_file=state_file,
    )
    try:
        server = SandboxServer(config, host=args.host, port=args.port)
    except OSError as error:
        print(f"sixtyfour-tui sandbox: cannot listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        return 1
    server.warm_up()
    print(f"Sixtyfour sandbox listening on {server.base_url}", flush=True)
    print(f"  API key:  {config.api_keys[0]}", flush=True)
    print(f"  state:    {state_file or 'not kept (--no-state)'}", flush=True)
    print(f"  try:      export SIXTYFOUR_API_ENDPOINT={server.base_url} SIXTYFOUR_API_KEY={config.api_keys[0]}")
    print("  stop:     ctrl+c", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.state.storage.close()
    print("Sandbox stopped.", flush=True)
    return 0


def _default_sandbox_state_file() -> Path:
    """Apart from the embedded sandbox's file, so the two never overwrite each other's tasks."""
    from sixtyfour_tui.locations import state_dir

    return state_dir() / "sandbox-server-tasks.json"


def run_tui(args: argparse.Namespace) -> int:
    try:
        from sixtyfour_tui.ui.launch import launch
    except ImportError:
        print("The TUI is not available in this build; try `sixtyfour-tui sandbox`.", file=sys.stderr)
        return 1
    return launch(sandbox=args.sandbox, debug=args.debug)


TUI_FLAGS = ("--sandbox", "--debug")


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    if all(arg in TUI_FLAGS for arg in given):
        # The TUI, without building the commands' parsers; with --sandbox its socket opens before
        # anything else is imported, and its process starts on it once the app is ready.
        from sixtyfour_tui.ui.launch import launch

        return launch(sandbox="--sandbox" in given, debug="--debug" in given)
    args = build_parser().parse_args(argv)
    if args.command == "sandbox":
        return run_sandbox(args)
    if args.command is None:
        return run_tui(args)
    handler = args.handler
    return int(handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
