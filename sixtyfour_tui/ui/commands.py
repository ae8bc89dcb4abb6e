"""The app's own commands in the ctrl+p palette: search, open, export, copy as…, settings, and
every results-table action under a plain name ("Select all rows", "Find in table"…).

Command names can carry a user's query, which is untrusted text: every name and help line is
built as plain `Content` (Textual parses plain strings in the palette as markup).
"""

from __future__ import annotations

from functools import partial

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from sixtyfour_tui.ui.job_text import short_query

RESULTS_COMMANDS: tuple[tuple[str, str, str, str], ...] = (
    # (name, which widget runs it: the results "browser" or its "table", action, help)
    ("Select all rows", "browser", "select_all",
     "Every row of the result (the rest are loaded first), or every row the filter keeps · ctrl+a"),
    ("Clear selection", "table", "clear_selection", "Unmark every row · u"),
    ("Invert selection", "table", "invert_selection", "Marked rows of the view become unmarked, and back · *"),
    ("Select rows matching a pattern", "browser", "open_prompt('mark')",
     "Mark rows whose current column matches a regular expression · +"),
    ("Unselect rows matching a pattern", "browser", "open_prompt('unmark')",
     "Unmark rows whose current column matches a regular expression · -"),
    ("Show only marked rows", "browser", "toggle_only_marked",
     "Hide the rows that are not marked (again: show all) · \""),
    ("Show only new rows", "browser", "toggle_new_only", "Hide rows seen in earlier searches (again: show all) · '"),
    ("Facets of this column", "browser", "facet",
     "Each value's count and share in the stored result; filter, mark, exclude or refine with them · F"),
    ("Add marked rows to an exclusion set", "browser", "add_marked_to_set",
     "Their entities into a new or existing set (ctrl+o in the composer leaves it out) · x"),
    ("Find in table", "browser", "open_prompt('find')", "Highlight matches in the shown columns · ctrl+f or ?"),
    ("Find next", "browser", "find_next", "The next match · n"),
    ("Find previous", "browser", "find_next(False)", "The previous match · N"),
    ("Jump to column", "browser", "open_prompt('column')", "Type part of a column's name · :"),
    ("Sort by this column", "browser", "sort", "Ascending, descending, off · s (or click the header)"),
    ("Add a sort key", "browser", "sort(True)", "Sort by this column too, after the current keys · S"),
    ("Widen column", "table", "widen_column", "The current column, 4 cells wider · >"),
    ("Narrow column", "table", "narrow_column", "The current column, 4 cells narrower · <"),
    ("Move column left", "table", "move_column(-1)", "Swap the current column with its left neighbour · H"),
    ("Move column right", "table", "move_column(1)", "Swap the current column with its right neighbour · L"),
    ("Pin column", "table", "pin_column",
     "Keep the current column on screen while scrolling sideways (again: unpin) · !"),
)


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
            ("Exclusion sets", app.action_exclusion_sets, "Entities to leave out of searches: make, edit, delete · X"),
            ("Compare two searches", app.action_compare_searches, "New, dropped and common entities of two runs · D"),
            ("Exclude from the next search", partial(_composer_action, app, "choose_exclusions"),
             "Attach exclusion sets or everything seen to the search being written · ctrl+o"),
        ]
        for fmt in ("TSV", "CSV", "JSON", "Markdown"):
            commands.append((f"Copy rows as {fmt}", partial(app.copy_rows, fmt.lower()),
                             "Selected rows, or the row under the cursor"))
        commands.append(("Copy cell", partial(app.copy_rows, "cell"), "The cell under the cursor"))
        for name, target, action, help_text in RESULTS_COMMANDS:
            commands.append((name, partial(run_results_action, app, target, action), help_text))
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


async def run_results_action(app: App[object], target: str, action: str) -> None:
    """Run a results browser (or table) action as its key would; the table gets the focus, so
    the next keys (n, space…) act on it."""
    from sixtyfour_tui.ui.widgets.results_browser import ResultsBrowser

    screen = getattr(app, "main_screen", app.screen)
    browsers = screen.query(ResultsBrowser)
    if not browsers:
        app.notify("Open a search's results first (enter on a completed job)", markup=False)
        return
    browser = browsers.first()
    browser.table.focus()
    await (browser.table if target == "table" else browser).run_action(action)


def _highlighted(name: str, offsets, style) -> Content:
    """The name as literal text with the matched characters styled."""
    content = Content(name)
    for offset in offsets:
        if not name[offset].isspace():
            content = content.stylize(style, offset, offset + 1)
    return content


async def _composer_action(app: App[object], action: str) -> None:
    from sixtyfour_tui.ui.widgets.composer import Composer

    screen = getattr(app, "main_screen", app.screen)
    await screen.query_one(Composer).run_action(action)
