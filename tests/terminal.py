"""What the person at the terminal sees, read through Textual's public API only."""

from __future__ import annotations

import html
import re

from rich.cells import cell_len
from textual.app import App

_TEXT = re.compile(r'<text[^>]*?\bx="([\d.]+)" y="([\d.]+)" textLength="([\d.]+)"[^>]*>([^<]*)</text>')


def screen_text(app: App) -> str:
    """The current screen (and any modal on it) as plain lines, rebuilt from a screenshot.

    The screenshot places each styled run of text at its column; spaces between runs are not
    written out, so the runs are put back at their columns here.
    """
    svg = app.export_screenshot()
    lines: dict[float, dict[int, str]] = {}
    cell = 0.0
    for x, y, length, raw in _TEXT.findall(svg):
        text = html.unescape(raw).replace("\xa0", " ")
        if not text.strip("\n") or "\n" in text:
            continue
        if not cell and cell_len(text):
            cell = float(length) / cell_len(text)
        lines.setdefault(float(y), {})[round(float(x) / (cell or 12.2))] = text
    rendered = []
    for y in sorted(lines):
        row = ""
        for column, text in sorted(lines[y].items()):
            row = row.ljust(column) + text if len(row) <= column else row + text
        rendered.append(row.rstrip())
    return "\n".join(rendered)


class RecordsNotices:
    """Mix into a test app: every toast's text is kept in `notices`, in order."""

    notices: list[str]

    def notify(self, message, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not hasattr(self, "notices"):
            self.notices = []
        self.notices.append(str(message))
        return super().notify(message, *args, **kwargs)  # type: ignore[misc]
