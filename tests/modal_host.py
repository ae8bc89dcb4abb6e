"""A host app that pushes one screen and keeps its dismiss value, for modal screen tests."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App
from textual.screen import Screen

from tests.terminal import RecordsNotices, screen_text  # noqa: F401 - the tests' view of the screen

NO_RESULT = object()


class Host(RecordsNotices, App):
    """Pushes one screen on mount and keeps what it dismissed with."""

    def __init__(self, make_screen: Callable[[], Screen]) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.result: object = NO_RESULT

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(), self._keep)

    def _keep(self, value: object) -> None:
        self.result = value
