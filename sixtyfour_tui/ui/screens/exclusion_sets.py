"""Exclusion sets in the TUI: pick sets for a new search, put rows into a set, and manage them.

- `ExclusionPicker` (composer, F8): sets of the search's mode and "everything seen", with sizes.
- `SetTargetScreen` (results `x`, a facet's "exclusion set"): a new set by name, or an existing one.
- `SetFormScreen`: a set from any mix of sources (marked rows, a stored search, everything
  exported, everything seen, a file of ids or URLs with a column), or more of them added to one.
- `ExclusionManager` (`X`): every set with its size; new, add, rename, delete, remove the marked rows.

The workspace is synchronous: every read and write here runs in a thread worker. Set names are the
user's, and ids and queries may come from the API: everything is shown as plain `Text`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Label, OptionList, Select, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from sixtyfour_tui.jobs.records import Exclusions, JobRecord
from sixtyfour_tui.sanitize import clean_text, shorten
from sixtyfour_tui.ui.job_text import age_text
from sixtyfour_tui.ui.screens.columns import CheckList

if TYPE_CHECKING:
    from sixtyfour_tui.workspace.exclusions import ExclusionSet
    from sixtyfour_tui.workspace.store import Workspace

SEEN_CHOICE = "@seen"
"""The picker's value for 'everything seen' (set ids start with `set_`, so they never clash)."""
MODES = (("People", "people"), ("Company", "company"))


def entity_noun(mode: str, count: int) -> str:
    if mode == "company":
        return "company" if count == 1 else "companies"
    return "person" if count == 1 else "people"


def set_line(found: ExclusionSet, *, now: float | None = None) -> Text:
    """'Customers  1,240 companies · updated 2 days ago' (the name as typed, never markup; the
    noun tells the set's mode)."""
    line = Text(shorten(clean_text(found.name), 40).ljust(40), style="bold")
    line.append(f"  {found.size:>9,} {entity_noun(found.mode, found.size)}")
    moment = now if now is not None else time.time()
    line.append(f" · updated {age_text(moment - found.updated_at)}", style="dim")
    return line


def describe(set_names: Sequence[str], seen: bool) -> str:
    """What a job line says it excluded: 'everything seen · Customers · Contacted'."""
    return " · ".join((["everything seen"] if seen else []) + [clean_text(name) for name in set_names])


class SetTarget(msgspec.Struct, frozen=True):
    """Where picked entities go: an existing set (`set_id`), or a new one called `name`."""

    name: str
    set_id: str | None = None


def save_to_set(workspace: Workspace, mode: str, target: SetTarget, ids: Sequence[str]) -> str:
    """Create the set or add to it (in a thread); what happened, in words. ValueError when a new
    set's name is taken."""
    name = clean_text(target.name)
    if target.set_id is None:
        created = workspace.create_set(target.name, mode, ids)
        return f"Created the exclusion set {name!r} with {created.size:,} {entity_noun(mode, created.size)}."
    added = workspace.add_to_set(target.set_id, ids)
    found = workspace.find_set(target.set_id)
    size = found.size if found is not None else added
    already = len(set(ids)) - added
    note = f"; {already:,} were in it already" if already > 0 else ""
    return f"Added {added:,} {entity_noun(mode, added)} to {name!r} (now {size:,}{note})."


_DIALOG_CSS = """
    {name} {{
        align: center middle;
    }}
    {name} > #dialog {{
        width: {width};
        max-width: 95%;
        height: {height};
        max-height: 95%;
        padding: 0 1;
        background: $surface;
        border: thick $primary;
    }}
    {name} .hint {{
        color: $text-muted;
    }}
    {name} .error {{
        color: $error;
    }}
    {name} #buttons {{
        height: auto;
        margin-top: 1;
    }}
    {name} #buttons Button {{
        margin-right: 2;
    }}
"""


def _dialog_css(name: str, width: str | int = 90, height: str | int = "auto") -> str:
    return _DIALOG_CSS.format(name=name, width=width, height=height)


# -- a target for picked rows ---------------------------------------------------------------------

class SetTargetScreen(ModalScreen[SetTarget | None]):
    """Type a new set's name (enter), or pick an existing set of the mode (down, enter)."""

    DEFAULT_CSS = _dialog_css("SetTargetScreen", 90, "70%") + """
    SetTargetScreen #target-sets { height: 1fr; margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="set_target.cancel"),
        Binding("down", "to_sets", "Existing sets", show=False, id="set_target.to_sets"),
    ]

    def __init__(self, workspace: Workspace, mode: str, count: int, what: str = "marked rows") -> None:
        super().__init__()
        self.workspace = workspace
        self.mode = mode
        self.count = count
        self.what = what
        self.sets: list[ExclusionSet] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Text(f"Put {self.count:,} {entity_noun(self.mode, self.count)} "
                                       f"({self.what}) into an exclusion set")
            yield Label("A new set:")
            yield Input(placeholder="its name, e.g. Contacted in May", id="target-name")
            yield Static(classes="error", id="target-error")
            yield Label(f"or add them to a {self.mode} set:")
            yield OptionList(id="target-sets")
            yield Static(Text("enter creates the named set (or adds to the one chosen below) · escape cancels"),
                         classes="hint")

    def on_mount(self) -> None:
        self.query_one("#target-name", Input).focus()
        self._load()

    @work(thread=True, exit_on_error=False)
    def _load(self) -> None:
        sets = self.workspace.exclusion_sets(self.mode)
        self.app.call_from_thread(self._show, sets)

    def _show(self, sets: list[ExclusionSet]) -> None:
        self.sets = sets
        options = self.query_one("#target-sets", OptionList)
        options.clear_options()
        now = time.time()
        options.add_options(Option(set_line(found, now=now)) for found in sets)
        if not sets:
            options.add_option(Option(Text(f"(no {self.mode} sets yet)", style="dim"), disabled=True))
        else:
            options.highlighted = 0

    @on(Input.Submitted, "#target-name")
    def _named(self, event: Input.Submitted) -> None:
        event.stop()
        name = " ".join(event.value.split())
        if not name:
            self.query_one("#target-error", Static).update(Text("Type a name, or pick a set below (down)."))
            return
        existing = next((found for found in self.sets if found.name == name), None)
        self.dismiss(SetTarget(name, existing.set_id if existing else None))

    @on(OptionList.OptionSelected, "#target-sets")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index < len(self.sets):
            found = self.sets[event.option_index]
            self.dismiss(SetTarget(found.name, found.set_id))

    def action_to_sets(self) -> None:
        if self.sets:
            self.query_one("#target-sets", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- the composer's picker --------------------------------------------------------------------------

class ExclusionPicker(ModalScreen[Exclusions | None]):
    """Tick sets and/or everything seen with space; `a` (or ctrl+s) attaches them, escape keeps
    what was attached before. Nothing ticked attaches nothing."""

    DEFAULT_CSS = _dialog_css("ExclusionPicker", 90, "70%") + """
    ExclusionPicker #picker-list { height: 1fr; margin-top: 1; }
    """
    BINDINGS = [
        Binding("a,ctrl+s", "apply", "Attach", id="picker.apply"),
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
    ]

    def __init__(self, workspace: Workspace, mode: str, current: Exclusions | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.mode = mode
        self.current = current or Exclusions()
        self.sets: list[ExclusionSet] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Text(f"Leave out of the next {self.mode} search")
            yield Static(Text("Loading the exclusion sets…"), id="picker-status", classes="hint")
            yield CheckList(id="picker-list")
            with Horizontal(id="buttons"):
                yield Button("Attach", variant="primary", id="picker-apply")
                yield Button("Cancel", id="picker-cancel")
            yield Static(Text("space ticks · a attaches · escape cancels · X (outside the composer) manages sets"),
                         classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#picker-list").focus()
        self._load()

    @work(thread=True, exit_on_error=False)
    def _load(self) -> None:
        sets = self.workspace.exclusion_sets(self.mode)
        seen = self.workspace.seen_count(self.mode)
        self.app.call_from_thread(self._show, sets, seen)

    def _show(self, sets: list[ExclusionSet], seen: int) -> None:
        self.sets = sets
        choices = self.query_one("#picker-list", CheckList)
        everything = Text("Everything seen in earlier searches".ljust(40), style="bold")
        everything.append(f"  {seen:>9,} {entity_noun(self.mode, seen)}")
        selections: list[Selection[str]] = [Selection(everything, SEEN_CHOICE, self.current.seen)]
        now = time.time()
        selections += [Selection(set_line(found, now=now), found.set_id, found.set_id in self.current.set_ids)
                       for found in sets]
        choices.clear_options()
        choices.add_options(selections)
        choices.highlighted = 0
        kind = "people" if self.mode == "people" else "company"
        status = (f"{len(sets):,} exclusion set{'s' if len(sets) != 1 else ''} of {kind} searches" if sets
                  else f"No exclusion sets of {kind} searches yet: x in the results (marked rows) or X makes one")
        self.query_one("#picker-status", Static).update(Text(status))

    def action_apply(self) -> None:
        ticked = set(self.query_one("#picker-list", SelectionList).selected)
        chosen = [found for found in self.sets if found.set_id in ticked]
        seen = SEEN_CHOICE in ticked
        self.dismiss(Exclusions(set_ids=tuple(found.set_id for found in chosen), seen=seen,
                                description=describe([found.name for found in chosen], seen)))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "picker-apply":
            self.action_apply()
        else:
            self.action_cancel()


# -- a set from sources ---------------------------------------------------------------------------

class SetFormScreen(ModalScreen[str | None]):
    """Make a set (or add to one) from any mix of sources; dismisses with what happened, in words."""

    DEFAULT_CSS = _dialog_css("SetFormScreen", 96) + """
    SetFormScreen Label { margin-top: 1; }
    SetFormScreen #form-name-row, SetFormScreen #form-file-row { height: auto; }
    SetFormScreen #form-name { width: 1fr; }
    SetFormScreen #form-mode { width: 20; }
    SetFormScreen #form-path { width: 1fr; }
    SetFormScreen #form-column { width: 24; }
    SetFormScreen Checkbox { margin-top: 0; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True, id="set_form.save"),
        Binding("escape", "cancel", "Cancel", id="set_form.cancel"),
    ]

    def __init__(self, workspace: Workspace, mode: str, *, target: ExclusionSet | None = None,
                 marked: Sequence[str] = (), marked_mode: str | None = None,
                 searches: Sequence[JobRecord] = ()) -> None:
        """`marked`: the entity ids of the rows marked in the table (a `marked_mode` search's)."""
        super().__init__()
        self.workspace = workspace
        self.mode = target.mode if target is not None else mode
        self.target = target
        self.marked = list(marked)
        self.marked_mode = marked_mode or mode
        self.searches = [job for job in searches if job.kind == "search" and job.status == "completed"]
        self.counts: dict[str, tuple[int, int]] = {}

    def compose(self) -> ComposeResult:
        target = self.target
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Text(f"Add to {clean_text(target.name)!r}" if target else "New exclusion set")
            if target is None:
                yield Label("Name and mode")
                with Horizontal(id="form-name-row"):
                    yield Input(placeholder="e.g. Customers", id="form-name")
                    yield Select(MODES, value=self.mode, allow_blank=False, id="form-mode", compact=True)
            yield Label("Take the entities of")
            yield Checkbox("", id="form-marked", compact=True)
            yield Checkbox("", id="form-exported", compact=True)
            yield Checkbox("", id="form-seen", compact=True)
            yield Select([], prompt="a stored search (none)", id="form-search", compact=True)
            yield Label("A file of LinkedIn URLs, public ids, company ids or domains (CSV or one per line)")
            with Horizontal(id="form-file-row"):
                yield Input(placeholder="path, e.g. ~/customers.csv", id="form-path")
                yield Input(placeholder="CSV column (guessed)", id="form-column")
            yield Static(classes="error", id="form-error")
            with Horizontal(id="buttons"):
                yield Button("Add" if target else "Create", variant="primary", id="form-save")
                yield Button("Cancel", id="form-cancel")
            yield Static(Text("ctrl+s saves · escape cancels"), classes="hint")

    def on_mount(self) -> None:
        self._refresh_sources()
        (self.query_one("#form-name") if self.target is None else self.query_one("#form-exported")).focus()
        self._count_sources()

    @work(thread=True, exit_on_error=False)
    def _count_sources(self) -> None:
        counts = {mode: (self.workspace.exported_count(mode), self.workspace.seen_count(mode))
                  for _, mode in MODES}
        self.app.call_from_thread(self._counted, counts)

    def _counted(self, counts: dict[str, tuple[int, int]]) -> None:
        self.counts = counts
        self._refresh_sources()

    def _refresh_sources(self) -> None:
        """Labels and choices follow the mode: sources of the other mode cannot go into this set."""
        mode = self.mode
        marked = self.query_one("#form-marked", Checkbox)
        usable = bool(self.marked) and self.marked_mode == mode
        marked.label = Text(f"the {len(self.marked):,} marked rows of the open search" if usable
                            else "marked rows (none marked in an open search of this mode)")
        marked.disabled = not usable
        if not usable:
            marked.value = False
        exported, seen = self.counts.get(mode, (None, None))
        self.query_one("#form-exported", Checkbox).label = Text(
            "everything exported" + (f" ({exported:,} {entity_noun(mode, exported)})" if exported is not None else ""))
        self.query_one("#form-seen", Checkbox).label = Text(
            "everything seen in searches" + (f" ({seen:,} {entity_noun(mode, seen)})" if seen is not None else ""))
        search = self.query_one("#form-search", Select)
        choices = [(Text(f"{shorten(clean_text(job.query), 60)} · {job.count:,} results · "
                         f"{age_text(time.time() - job.created_at)}"), job.job_id)
                   for job in reversed(self.searches) if job.mode == mode]
        search.prompt = "a stored search" if choices else "a stored search (none)"  # before: the list shows it
        search.set_options(choices)

    @on(Select.Changed, "#form-mode")
    def _mode_changed(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, str) and event.value != self.mode:
            self.mode = event.value
            self._refresh_sources()

    def action_save(self) -> None:
        name = None
        if self.target is None:
            name = " ".join(self.query_one("#form-name", Input).value.split())
            if not name:
                self._problem("Give the set a name.")
                self.query_one("#form-name", Input).focus()
                return
        search_value = self.query_one("#form-search", Select).value
        searches = [job for job in self.searches if job.job_id == search_value]
        path_text = self.query_one("#form-path", Input).value.strip()
        column = self.query_one("#form-column", Input).value.strip() or None
        picked = self.marked if self.query_one("#form-marked", Checkbox).value else []
        exported = self.query_one("#form-exported", Checkbox).value
        seen = self.query_one("#form-seen", Checkbox).value
        if not (searches or path_text or picked or exported or seen):
            self._problem("Tick at least one source, pick a search or give a file.")
            return
        file_path = None
        if path_text:
            from sixtyfour_tui.locations import expand_path

            try:
                file_path = expand_path(path_text)
            except ValueError as problem:
                self._problem(str(problem))
                return
        self._problem("Gathering…")
        self._save(name, searches, file_path, column, picked, exported, seen)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _save(self, name: str | None, searches: list[JobRecord], file_path: Path | None, column: str | None,
              picked: list[str], exported: bool, seen: bool) -> None:
        from sixtyfour_tui.workspace.database import StorageError
        from sixtyfour_tui.workspace.set_sources import FileSource, SourceProblem, gather_ids

        try:
            gathered = gather_ids(self.workspace, self.mode, searches=searches,
                                  files=[FileSource(file_path, column)] if file_path else [],
                                  exported=exported, seen=seen, picked=picked)
            target = SetTarget(name or "", None) if self.target is None else SetTarget(self.target.name,
                                                                                       self.target.set_id)
            said = save_to_set(self.workspace, self.mode, target, gathered.ids)
        except (SourceProblem, ValueError) as problem:
            self.app.call_from_thread(self._problem, str(problem))
            return
        except StorageError as problem:
            self.app.call_from_thread(self._problem, problem.message)
            return
        summary = " ".join([said, *(note + "." for note in gathered.notes)])
        self.app.call_from_thread(self.dismiss, summary)

    def _problem(self, message: str) -> None:
        self.query_one("#form-error", Static).update(Text(clean_text(message)))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "form-save":
            self.action_save()
        else:
            self.action_cancel()


# -- the manager ------------------------------------------------------------------------------------

class ExclusionManager(ModalScreen[None]):
    """Every exclusion set with its size. A set edited here gets a new saved list on the server
    the next time a search uses it (server lists cannot change), the old one is reused for the
    same entities again."""

    DEFAULT_CSS = _dialog_css("ExclusionManager", 110, "80%") + """
    ExclusionManager #manager-sets { height: 1fr; margin-top: 1; }
    """
    BINDINGS = [
        Binding("n", "new_set", "New set", id="manager.new"),
        Binding("a", "add_to_set", "Add to set", id="manager.add"),
        Binding("r", "rename_set", "Rename", id="manager.rename"),
        Binding("delete,d", "delete_set", "Delete", id="manager.delete"),
        Binding("minus", "remove_marked", "Remove marked rows", key_display="-", id="manager.remove_marked"),
        Binding("escape", "close", "Close", id="manager.close"),
    ]

    def __init__(self, workspace: Workspace, mode: str = "people", *, marked: Sequence[str] = (),
                 marked_mode: str | None = None, searches: Sequence[JobRecord] = ()) -> None:
        super().__init__()
        self.workspace = workspace
        self.mode = mode
        self.marked = list(marked)
        self.marked_mode = marked_mode or mode
        self.searches = list(searches)
        self.sets: list[ExclusionSet] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Exclusion sets"
            yield Static(Text("Loading…"), id="manager-status", classes="hint")
            yield OptionList(id="manager-sets")
            yield Static(id="manager-said")
            yield Static(Text("n new · a add to · r rename · d delete · - remove the marked rows · escape close. "
                              "F8 in the composer attaches sets to a search."), classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#manager-sets").focus()
        self.reload()

    @work(thread=True, exclusive=True, group="manager-load", exit_on_error=False)
    def reload(self) -> None:
        sets = self.workspace.exclusion_sets()
        self.app.call_from_thread(self._show, sets)

    def _show(self, sets: list[ExclusionSet]) -> None:
        options = self.query_one("#manager-sets", OptionList)
        highlighted = self.highlighted
        self.sets = sets
        options.clear_options()
        now = time.time()
        options.add_options(Option(set_line(found, now=now)) for found in sets)
        if sets:
            ids = [found.set_id for found in sets]
            options.highlighted = ids.index(highlighted.set_id) if highlighted and highlighted.set_id in ids else 0
        total = sum(found.size for found in sets)
        status = (f"{len(sets):,} set{'s' if len(sets) != 1 else ''} · {total:,} entities in all" if sets
                  else "No exclusion sets yet: n makes one (from a file, a search, everything exported…)")
        self.query_one("#manager-status", Static).update(Text(status))

    @property
    def highlighted(self) -> ExclusionSet | None:
        index = self.query_one("#manager-sets", OptionList).highlighted
        return self.sets[index] if index is not None and 0 <= index < len(self.sets) else None

    def say(self, message: str) -> None:
        self.query_one("#manager-said", Static).update(Text(clean_text(message)))

    def _after(self, message: str | None) -> None:
        if message:
            self.say(message)
            self.reload()

    def action_new_set(self) -> None:
        self.app.push_screen(SetFormScreen(self.workspace, self.marked_mode if self.marked else self.mode,
                                           marked=self.marked, marked_mode=self.marked_mode,
                                           searches=self.searches), self._after)

    def action_add_to_set(self) -> None:
        found = self.highlighted
        if found is None:
            self.say("No set to add to: n makes one.")
            return
        self.app.push_screen(SetFormScreen(self.workspace, found.mode, target=found, marked=self.marked,
                                           marked_mode=self.marked_mode, searches=self.searches), self._after)

    def action_rename_set(self) -> None:
        found = self.highlighted
        if found is None:
            return
        from sixtyfour_tui.ui.screens.prompt import TextPrompt

        taken = {other.name for other in self.sets if other.mode == found.mode and other.set_id != found.set_id}

        def renamed(name: str | None) -> None:
            if name and name != found.name:
                self._rename(found, name)

        self.app.push_screen(TextPrompt(f"Rename {clean_text(found.name)!r}", found.name,
                                        check=lambda text: f"A {found.mode} set is already called {text!r}."
                                        if text in taken else None), renamed)

    @work(thread=True, exit_on_error=False)
    def _rename(self, found: ExclusionSet, name: str) -> None:
        self._write(lambda: self.workspace.rename_set(found.set_id, name),
                    f"Renamed {found.name!r} to {name!r}.")

    def action_delete_set(self) -> None:
        found = self.highlighted
        if found is None:
            return
        from sixtyfour_tui.ui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(found)

        name, noun = clean_text(found.name), entity_noun(found.mode, found.size)
        self.app.push_screen(ConfirmScreen(
            f"Delete the exclusion set {name!r} ({found.size:,} {noun})? "
            "Searches that used it keep their results.", "Delete", "Keep it"), answered)

    @work(thread=True, exit_on_error=False)
    def _delete(self, found: ExclusionSet) -> None:
        self._write(lambda: self.workspace.delete_set(found.set_id), f"Deleted {found.name!r}.")

    def action_remove_marked(self) -> None:
        found = self.highlighted
        if found is None:
            return
        if not self.marked or self.marked_mode != found.mode:
            self.say(f"No {found.mode} rows are marked in the open search (space marks rows there).")
            return
        self._remove(found, list(self.marked))

    @work(thread=True, exit_on_error=False)
    def _remove(self, found: ExclusionSet, ids: list[str]) -> None:
        def work() -> str:
            removed = self.workspace.remove_from_set(found.set_id, ids)
            return (f"Removed {removed:,} of the {len(ids):,} marked {entity_noun(found.mode, len(ids))} "
                    f"from {found.name!r}.")

        self._write(work)

    def _write(self, work: Any, said: str | None = None) -> None:
        """Run a workspace write (in this worker's thread) and report it on the UI thread."""
        from sixtyfour_tui.workspace.database import StorageError

        try:
            result = work()
        except ValueError as problem:
            self.app.call_from_thread(self.say, str(problem))
            return
        except StorageError as problem:
            self.app.call_from_thread(self.say, problem.message)
            return
        self.app.call_from_thread(self._after, said or str(result))

    def action_close(self) -> None:
        self.dismiss(None)
