"""Copy text where the user can paste it, and say honestly where it went.

OSC 52 (`App.copy_to_clipboard`) reaches the clipboard of the terminal the user sits at, even
over SSH, but only if that terminal supports it and we cannot tell whether it does. pyperclip
reaches the local system clipboard when there is one. We always do the first and try the second.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

SystemCopy = Callable[[str], None]
"""Puts text on the local system clipboard or raises (pyperclip.copy in production)."""

TERMINAL_CLIPBOARD = "terminal clipboard (OSC 52)"
SYSTEM_CLIPBOARD = "system clipboard"
SYSTEM_COPY_TIMEOUT = 2.0
"""Seconds to wait for a clipboard helper (xclip, pbcopy...) before calling it unavailable."""


def pyperclip_copy(text: str) -> None:
    """The default system copier; imported lazily so startup does not pay for pyperclip."""
    import pyperclip

    pyperclip.copy(text)


@dataclass(frozen=True)
class CopyOutcome:
    """Where a copy went; `system_error` says why the system clipboard was not reached."""

    terminal: bool = True
    system: bool = False
    system_error: str | None = None

    @property
    def destinations(self) -> list[str]:
        places = []
        if self.terminal:
            places.append(TERMINAL_CLIPBOARD)
        if self.system:
            places.append(SYSTEM_CLIPBOARD)
        return places

    def describe(self, what: str) -> str:
        """Toast text, e.g. 'Copied 3 rows as TSV to the terminal clipboard (OSC 52) and the system clipboard'."""
        if self.terminal and self.system:
            return f"Copied {what} to the {TERMINAL_CLIPBOARD} and the {SYSTEM_CLIPBOARD}"
        if self.system:
            return f"Copied {what} to the {SYSTEM_CLIPBOARD}"
        if self.terminal:
            return (
                f"Copied {what} to the terminal clipboard only "
                "(OSC 52; needs a terminal that supports it) — no system clipboard found"
            )
        return f"Could not copy {what}: no clipboard available"


async def copy_text(app: App, text: str, *, system_copy: SystemCopy | None = None) -> CopyOutcome:
    """Send `text` to the terminal (OSC 52) and, when one exists, to the system clipboard."""
    app.copy_to_clipboard(text)
    copier = system_copy or pyperclip_copy
    try:
        await asyncio.wait_for(asyncio.to_thread(copier, text), SYSTEM_COPY_TIMEOUT)
    except Exception as error:  # pyperclip.PyperclipException, a missing helper, a timeout...
        return CopyOutcome(terminal=True, system=False, system_error=str(error) or type(error).__name__)
    return CopyOutcome(terminal=True, system=True)
