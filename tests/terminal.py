"""What the person at the terminal sees, read through Textual's public API only."""

from __future__ import annotations

import html
import re

from textual.app import App


def screen_text(app: App) -> str:
    """The current screen (and any modal on it) as plain text, from the same render a screenshot uses."""
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


class RecordsNotices:
    """Mix into a test app: every toast's text is kept in `notices`, in order."""

    notices: list[str]

    def notify(self, message, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not hasattr(self, "notices"):
            self.notices = []
        self.notices.append(str(message))
        return super().notify(message, *args, **kwargs)  # type: ignore[misc]
