"""The app's own commands in the ctrl+p palette: search, open, export, copy as…, settings, and
every results-table action under a plain name ("Select all rows", "Find in table"…).

Command names can carry a user's query, which is untrusted text: every name and help line is
built as plain `Content` (Textual parses plain strings in the palette as markup).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from sixtyfour_tui.ui.job_text import ran_at, short_query

if TYPE_CHECKING:
    from sixtyfour_tui.ui.app import SixtyfourApp

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
     "Their entities into a new or existing set (F8 in the composer leaves it out) · x"),
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
    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        app = cast("SixtyfourApp", self.app)
        commands: list[tuple[str, Callable[[], Any], str]] = [
            ("New search", app.action_new_search, "Focus the query composer"),
            ("Query history", app.action_history, "Recall an earlier query"),
            ("Settings", app.action_settings, "API key, base URL, poll interval, download folder"),
            ("Help", app.action_help, "Keys and how the app works"),
            ("Export results", app.action_export, "Save the open result set as CSV"),
            ("Show or hide columns", app.action_columns, "Choose the columns of the results table"),
            ("Preview the query", partial(_composer_preview, app),
             "How the composer's query is understood, how many match, the first rows · ctrl+o"),
            ("Refine the highlighted search", app.action_refine,
             "The completed job under the jobs cursor (or the open one), its chips editable · r"),
            ("Filter search…", app.action_filter_search, "Build a structured search from fields and values · F5"),
            ("Zoom the results", partial(app.action_toggle_zoom, "results"),
             "The results fill the screen (again: back to the usual layout) · z"),
            ("Zoom the jobs", partial(app.action_toggle_zoom, "jobs"),
             "The jobs list fills the screen (again: back to the usual layout) · z"),
            ("Open the search that just finished", app.action_open_finished,
             "The last search that completed (or failed) while you looked elsewhere · ctrl+g"),
            ("Undo remove", app.action_undo_remove, "Bring back the job just removed with x · ctrl+z"),
            ("Load older jobs", app.action_older_jobs, "Jobs older than the oldest one listed · m in the jobs"),
            ("Clear the query box", app.action_clear_query, "Empty the composer (ctrl+z there undoes it) · ctrl+l"),
            ("Recent messages", app.action_messages, "Every recent toast in full, with its details · f9"),
            ("Focus the jobs", app.action_focus_jobs, "Move the focus to the jobs list · f3"),
            ("Focus the results", app.action_focus_results, "Move the focus to the results table · f4"),
            ("Quit sixtyfour", app.action_quit_app, "Asks first while searches run here · ctrl+q"),
            ("Exclusion sets", app.action_exclusion_sets, "Entities to leave out of searches: make, edit, delete · X"),
            ("Compare two searches", app.action_compare_searches, "New, dropped and common entities of two runs · D"),
            ("Exclude from the next search", partial(_composer_action, app, "choose_exclusions"),
             "Attach exclusion sets or everything seen to the search being written · F8"),
        ]
        for fmt in ("TSV", "CSV", "JSON", "Markdown"):
            commands.append((f"Copy rows as {fmt}", partial(app.copy_rows, fmt.lower()),
                             "Selected rows, or the row under the cursor"))
        commands.append(("Copy cell", partial(app.copy_rows, "cell"), "The cell under the cursor"))
        for name, target, action, help_text in RESULTS_COMMANDS:
            commands.append((name, partial(run_results_action, app, target, action), help_text))
        engine = getattr(app, "engine", None)
        if engine is not None:
            finished = [job for job in reversed(engine.jobs()) if job.kind == "search" and job.status == "completed"]
            runs = Counter((short_query(job, 60), job.mode) for job in finished)
            for job in finished:
                name = short_query(job, 60)
                if runs[(name, job.mode)] > 1:  # the same query run again: each entry says which run
                    name += f" (run {ran_at(job)})"
                commands.append((f"Open results: {name}", partial(app.open_job, job.job_id),
                                 f"{job.total_results or 0:,} results · {job.mode}"))
                commands.append((f"Export: {name}", partial(app.export_job, job.job_id), "Save as CSV"))
                commands.append((f"Refine this search: {name}", partial(app.refine_job, job.job_id),
                                 "Edit how it was understood and run it again · r"))
        return commands

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands()[:12]:
            yield DiscoveryHit(Content(name), callback, text=name, help=escape(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score, offsets = matcher.fuzzy_search.match(query, name)
            if score > 0:
                yield Hit(score, _highlighted(name, offsets, matcher.match_style), callback, text=name,
                          help=escape(help_text))  # the palette reads help as markup


def _composer_preview(app: App[object]) -> None:
    from sixtyfour_tui.ui.widgets.composer import Composer

    screen = getattr(app, "main_screen", app.screen)
    screen.query_one(Composer).action_preview()


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
