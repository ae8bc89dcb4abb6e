"""The headless commands: the same engine and workspace as the TUI, for scripts.

`searching` runs work on the API (search, export, resume); `refine` runs structured filter
searches and reads fields and previews (filter, fields, preview); `stored` reads the workspace
with no network (jobs, rows, workspace); `lists` builds lists over many runs (exclusions, diff).
`common` holds the exit codes, safe output and the session.
"""

from __future__ import annotations

import argparse


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from sixtyfour_tui.commands import lists, refine, searching, stored

    searching.add_commands(commands)
    refine.add_commands(commands)
    stored.add_commands(commands)
    lists.add_commands(commands)
