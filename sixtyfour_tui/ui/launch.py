"""Start the TUI. Kept tiny: only what the first frame needs is imported here, and the embedded
sandbox's process is spawned first, so it loads on the other core while the UI draws."""

from __future__ import annotations

import sys


def launch(*, sandbox: bool = False, debug: bool = False) -> int:
    from sixtyfour_tui.config import ConfigError, load_settings
    from sixtyfour_tui.logs import setup_logging

    process = None
    if sandbox:
        from sixtyfour_tui.backend import spawn_sandbox

        try:
            process = spawn_sandbox()
        except (OSError, ValueError) as problem:
            print(f"sixtyfour-tui: cannot start the sandbox: {problem}", file=sys.stderr)
            return 2
    try:
        settings = load_settings()
    except ConfigError as problem:
        print(f"sixtyfour-tui: {problem}", file=sys.stderr)
        if process is not None:
            process.stop()
        return 2
    setup_logging(debug=debug, secrets=[settings.api_key or ""])
    from sixtyfour_tui.ui.app import SixtyfourApp

    try:
        SixtyfourApp(sandbox=sandbox, settings=settings, sandbox_process=process).run()
    finally:
        if process is not None:
            process.stop()
    return 0
