"""Start the TUI. Kept tiny: only what the first frame needs is imported here."""

from __future__ import annotations

import sys


def launch(*, sandbox: bool = False) -> int:
    from sixtyfour_tui.config import ConfigError, load_settings

    try:
        settings = load_settings()
    except ConfigError as problem:
        print(f"sixtyfour-tui: {problem}", file=sys.stderr)
        return 2
    from sixtyfour_tui.ui.app import SixtyfourApp

    SixtyfourApp(sandbox=sandbox, settings=settings).run()
    return 0
