"""A host app that pushes one screen and keeps its dismiss value, for modal screen tests."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from textual.app import App
from textual.screen import Screen

NO_RESULT = object()


class Host(App):
    """Pushes one screen on mount and keeps what it dismissed with."""

    def __init__(self, make_screen: Callable[[], Screen]) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.result: object = NO_RESULT

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(), self._keep)

    def _keep(self, value: object) -> None:
        self.result = value


def screen_text(app: App) -> str:
    """What the terminal shows, as plain text (runs of one line end up adjacent)."""
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")
