"""The app's own commands in the ctrl+p palette: search, open, export, copy as…, settings.

Command names can carry a user's query, which is untrusted text: every name and help line is
built as plain `Content` (Textual parses plain strings in the palette as markup).
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from sixtyfour_tui.ui.job_text import short_query


class SixtyfourCommands(Provider):
    def _commands(self) -> list[tuple[str, object, str]]:
        app = self.app
        commands: list[tuple[str, object, str]] = [
            ("New search", app.action_new_search, "Focus the query composer"),
            ("Query history", app.action_history, "Recall an earlier query"),
            ("Settings", app.action_settings, "API key, base URL, poll interval, download folder"),
            ("Help", app.action_help, "Keys and how the app works"),
            ("Export results", app.action_export, "Save the open result set as CSV"),
            ("Show or hide columns", app.action_columns, "Choose the columns of the results table"),
        ]
        for fmt in ("TSV", "CSV", "JSON", "Markdown"):
            commands.append((f"Copy rows as {fmt}", partial(app.copy_rows, fmt.lower()),
                             "Selected rows, or the row under the cursor"))
        commands.append(("Copy cell", partial(app.copy_rows, "cell"), "The cell under the cursor"))
        engine = getattr(app, "engine", None)
        if engine is not None:
            for job in reversed(engine.jobs()):
                if job.kind == "search" and job.status == "completed":
                    commands.append((f"Open results: {short_query(job, 60)}", partial(app.open_job, job.job_id),
                                     f"{job.total_results or 0:,} results · {job.mode}"))
                    commands.append((f"Export: {short_query(job, 60)}", partial(app.export_job, job.job_id),
                                     "Save as CSV"))
        return commands

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands()[:12]:
            yield DiscoveryHit(Content(name), callback, text=name, help=Content(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score, offsets = matcher.fuzzy_search.match(query, name)
            if score > 0:
                yield Hit(score, _highlighted(name, offsets, matcher.match_style), callback, text=name,
                          help=Content(help_text))


def _highlighted(name: str, offsets, style) -> Content:
    """The name as literal text with the matched characters styled."""
    content = Content(name)
    for offset in offsets:
        if not name[offset].isspace():
            content = content.stylize(style, offset, offset + 1)
    return content
