"""Compare two stored searches (this week's run of a query against last week's): how many entities
are new, dropped and common, and each of the three opened in the results browser as a view.

The counts are SQL over the workspace (`Workspace.diff`) in a thread; nothing is fetched. Queries
come from the user and the server, so they are shown as plain `Text`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import msgspec
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static

from sixtyfour_tui.jobs.records import JobRecord
from sixtyfour_tui.sanitize import clean_text, shorten
from sixtyfour_tui.ui.job_text import age_text

if TYPE_CHECKING:
    from sixtyfour_tui.workspace.store import Workspace

DiffPart = Literal["new", "dropped", "common"]
PART_WORDS: dict[DiffPart, str] = {
    "new": "in the later search only",
    "dropped": "in the earlier search only",
    "common": "in both",
}


class DiffChoice(msgspec.Struct, frozen=True):
    """Which part of which comparison to open."""

    which: DiffPart
    before: str
    after: str


def default_pair(searches: Sequence[JobRecord], focus: str | None) -> tuple[str | None, str | None]:
    """(before, after): the focused search and the latest earlier run of the same query and mode,
    else the latest earlier search of the mode; the two newest when nothing is focused."""
    ordered = sorted((job for job in searches if job.kind == "search" and job.status == "completed"),
                     key=lambda job: job.created_at)
    after = next((job for job in ordered if job.job_id == focus), ordered[-1] if ordered else None)
    if after is None:
        return None, None
    earlier = [job for job in ordered if job.created_at < after.created_at and job.mode == after.mode]
    same_query = [job for job in earlier if " ".join(job.query.split()).casefold()
                  == " ".join(after.query.split()).casefold()]
    candidates = same_query or earlier
    return (candidates[-1].job_id if candidates else None), after.job_id


def search_label(job: JobRecord, now: float | None = None) -> Text:
    moment = now if now is not None else time.time()
    line = Text(shorten(clean_text(job.query), 56))
    line.append(f" · {job.mode} · {job.count:,} · {age_text(moment - job.created_at)}", style="dim")
    return line


class DiffScreen(ModalScreen[DiffChoice | None]):
    """Pick the two searches; n, d, c open the new, dropped or common rows."""

    DEFAULT_CSS = """
    DiffScreen {
        align: center middle;
    }
    DiffScreen > #dialog {
        width: 100;
        max-width: 95%;
        height: auto;
        padding: 0 1;
        background: $surface;
        border: thick $primary;
    }
    DiffScreen Label { margin-top: 1; }
    DiffScreen #diff-counts { margin-top: 1; text-style: bold; }
    DiffScreen #diff-scope, DiffScreen .hint { color: $text-muted; }
    DiffScreen #buttons { height: auto; margin-top: 1; }
    DiffScreen #buttons Button { margin-right: 2; }
    """

    BINDINGS = [
        Binding("n", "open('new')", "New rows", id="diff.new"),
        Binding("d", "open('dropped')", "Dropped rows", id="diff.dropped"),
        Binding("c", "open('common')", "Common rows", id="diff.common"),
        Binding("escape", "close", "Close", id="diff.close"),
    ]

    def __init__(self, workspace: Workspace, searches: Sequence[JobRecord], focus: str | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.searches = sorted((job for job in searches if job.kind == "search" and job.status == "completed"),
                               key=lambda job: job.created_at, reverse=True)
        self.before, self.after = default_pair(self.searches, focus)
        self.counts: tuple[int, int, int] | None = None

    def compose(self) -> ComposeResult:
        now = time.time()
        options = [(search_label(job, now), job.job_id) for job in self.searches]
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Compare two searches"
            yield Label("Earlier search")
            yield Select(options, value=self.before or Select.NULL, prompt="pick a search", id="diff-before")
            yield Label("Later search")
            yield Select(options, value=self.after or Select.NULL, prompt="pick a search", id="diff-after")
            yield Static(id="diff-counts")
            yield Static(id="diff-scope")
            with Horizontal(id="buttons"):
                yield Button("New (n)", variant="success", id="diff-new")
                yield Button("Dropped (d)", variant="warning", id="diff-dropped")
                yield Button("Common (c)", id="diff-common")
                yield Button("Close", id="diff-close")
            yield Static(Text("n / d / c open those rows in the table as a view you can filter, sort and export (e) · "
                              "headless: sixtyfour-tui diff EARLIER LATER [--new|--dropped|--common]"),
                         classes="hint")

    def on_mount(self) -> None:
        if not self.searches:
            self.query_one("#diff-counts", Static).update(Text("No completed searches to compare yet."))
        self._recount()

    def job(self, job_id: str | None) -> JobRecord | None:
        return next((job for job in self.searches if job.job_id == job_id), None)

    @on(Select.Changed)
    def _picked(self, event: Select.Changed) -> None:
        event.stop()
        value = event.value if isinstance(event.value, str) else None
        if event.select.id == "diff-before":
            self.before = value
        else:
            self.after = value
        self._recount()

    def _recount(self) -> None:
        self.counts = None
        before, after = self.job(self.before), self.job(self.after)
        counts = self.query_one("#diff-counts", Static)
        self.query_one("#diff-scope", Static).update("")
        if before is None or after is None:
            if self.searches:
                counts.update(Text("Pick two searches."))
            return
        if before.job_id == after.job_id:
            counts.update(Text("Pick two different searches."))
            return
        if before.mode != after.mode:
            counts.update(Text(f"One is a {before.mode} search and the other a {after.mode} search: "
                               "only searches of the same mode compare."))
            return
        counts.update(Text("Comparing…"))
        self._count(before, after)

    @work(thread=True, exclusive=True, group="diff-count", exit_on_error=False)
    def _count(self, before: JobRecord, after: JobRecord) -> None:
        from sixtyfour_tui.workspace.database import StorageError

        try:
            infos = [self.workspace.result_info(job.job_id) for job in (before, after)]
            empty = [job for job, info in zip((before, after), infos) if info is None or not info.stored]
            diff = None if empty else self.workspace.diff(before.job_id, after.job_id)
        except StorageError as problem:
            self.app.call_from_thread(self._say, before, after, problem.message, "")
            return
        if empty:
            names = " and ".join(repr(shorten(clean_text(job.query), 40)) for job in empty)
            self.app.call_from_thread(self._say, before, after, f"The workspace holds no rows of {names} yet: "
                                      "open it (enter in the jobs panel) to fetch them.", "")
            return
        assert diff is not None
        scope = " · ".join(
            f"{which}: {info.stored:,} rows stored" + ("" if info.complete else " (not all of its rows)")
            for which, info in zip(("earlier", "later"), infos) if info is not None)
        self.app.call_from_thread(self._counted, before, after, (diff.new, diff.dropped, diff.common), scope)

    def _counted(self, before: JobRecord, after: JobRecord, counts: tuple[int, int, int], scope: str) -> None:
        if (before.job_id, after.job_id) != (self.before, self.after):
            return
        self.counts = counts
        new, dropped, common = counts
        self._say(before, after, f"{new:,} new · {dropped:,} dropped · {common:,} common", scope)

    def _say(self, before: JobRecord, after: JobRecord, text: str, scope: str) -> None:
        if (before.job_id, after.job_id) != (self.before, self.after):
            return
        self.query_one("#diff-counts", Static).update(Text(clean_text(text)))
        self.query_one("#diff-scope", Static).update(Text(clean_text(scope)))

    def action_open(self, which: DiffPart) -> None:
        if self.counts is None or self.before is None or self.after is None:
            self.notify("Pick two stored searches of the same mode first", markup=False)
            return
        self.dismiss(DiffChoice(which, self.before, self.after))

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        parts: dict[str, DiffPart] = {"diff-new": "new", "diff-dropped": "dropped", "diff-common": "common"}
        which = parts.get(event.button.id or "")
        if which is not None:
            self.action_open(which)
        else:
            self.action_close()

    def action_close(self) -> None:
        self.dismiss(None)
