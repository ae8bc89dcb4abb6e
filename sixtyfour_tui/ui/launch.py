"""Start the TUI. Kept tiny: only what the first frame needs is imported here. The embedded
sandbox's socket opens first; its process is spawned on it once the app is ready."""

from __future__ import annotations

import gc
import sys

STARTUP_COLLECTION_LIMIT = 10.0
"""Seconds after mount by which collection resumes even if the app never became ready."""


def launch(*, sandbox: bool = False, debug: bool = False) -> int:
    # Starting allocates a few hundred thousand objects that live as long as the app (modules,
    # classes, widgets, styles); the collector would walk them all several times before the first
    # frame (~40 ms here) and find nothing to free. It resumes once the app is ready.
    gc.disable()
    from sixtyfour_tui.config import ConfigError, load_settings
    from sixtyfour_tui.logs import setup_logging

    process = None
    if sandbox:
        from sixtyfour_tui.backend import spawn_sandbox

        try:
            process = spawn_sandbox(deferred=True)  # its socket now, its process once the app is ready
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
        resume_collection()
        if process is not None:
            process.stop()
    return 0


def resume_collection() -> None:
    """End the start-up pause: what exists now is kept out of later collections (`gc.freeze`),
    so they walk only what the running app creates. A no-op when `launch` did not pause it."""
    if gc.isenabled():
        return
    gc.freeze()
    gc.enable()
