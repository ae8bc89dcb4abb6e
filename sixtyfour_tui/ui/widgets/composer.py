"""The query composer: a plain-language query, people or company mode, and how many results."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static, TextArea

from sixtyfour_tui.jobs.records import Exclusions
from sixtyfour_tui.rules import MAX_RESULTS_LIMIT, RuleError, check_query, parse_max_results
from sixtyfour_tui.ui.validators import Rule
from sixtyfour_tui.ui.widgets.controls import ModeSwitch, PressButton

DEFAULT_MAX_RESULTS = 500
PLACEHOLDER = "Describe who you are looking for, e.g. VP of Engineering at Series B SaaS startups in New York"


class QueryInput(TextArea):
    """Multi-line query field; enter adds a line, ctrl+s submits (ctrl+enter where terminals send it)."""

    HELP_TITLE = "Query field"

    BINDINGS = [
        Binding("ctrl+enter", "submit", "Search", show=False, priority=True, id="composer.submit_enter"),
    ]

    def action_submit(self) -> None:
        self.query_ancestor(Composer).action_submit()


class Composer(Vertical):
    """Where a search is written and submitted."""

    HELP_TITLE = "New search"
    BINDINGS = [
        # A priority binding runs when the key arrives, in order with the keys around it; the submit
        # itself is queued behind the keys already sent to the text (see `action_submit`).
        Binding("ctrl+s", "submit", "Search", priority=True, id="composer.submit"),
        Binding("ctrl+t", "toggle_mode", "People/Company", id="composer.toggle_mode"),
        Binding("ctrl+o", "preview", "Preview", id="composer.preview"),
        Binding("ctrl+l", "clear_query", "Clear", id="composer.clear"),
        Binding("f8", "choose_exclusions", "Exclude…", id="composer.exclusions"),
    ]

    class Submitted(Message):
        def __init__(self, query: str, mode: str, max_results: int, exclusions: Exclusions | None = None) -> None:
            super().__init__()
            self.query = query
            self.mode = mode
            self.max_results = max_results
            self.exclusions = exclusions or Exclusions()  # what to leave out (F8); nothing by default

    def compose(self) -> ComposeResult:
        # A steady cursor: a blinking one repaints twice a second all day long.
        yield QueryInput(id="query", soft_wrap=True, show_line_numbers=False, tab_behavior="focus",
                         placeholder=PLACEHOLDER)
        with Horizontal(id="composer-options"):
            yield ModeSwitch("people", id="mode")
            yield Label("Max", id="max-label")
            yield Input(str(DEFAULT_MAX_RESULTS), id="max-results", type="integer", compact=True,
                        max_length=6, tooltip=f"1 to {MAX_RESULTS_LIMIT:,}", validators=[Rule(parse_max_results)],
                        validate_on=["submitted"])
            yield PressButton("Search", id="submit")
        yield Static("", id="composer-message", markup=False)
        yield Static("", id="composer-exclusions", markup=False)

    def on_mount(self) -> None:
        self.query_one("#query", QueryInput).cursor_blink = False
        self.border_title = "New search"
        self.border_subtitle = "ctrl+s search · ctrl+r history"
        self.query_one("#composer-exclusions", Static).display = False

    def on_descendant_focus(self) -> None:
        self._show_focus()

    def on_descendant_blur(self) -> None:
        self._show_focus()

    def _show_focus(self) -> None:
        """A class, not `:focus-within` in the CSS: with that rule Textual restyles the whole
        composer on every focus change inside it (the first one too, on the way to the first
        frame); the class changes only when focus enters or leaves."""
        self.set_class(self.has_focus_within, "-focus-within")

    def on_press_button_pressed(self, event: PressButton.Pressed) -> None:
        if event.button.id == "submit":
            event.stop()
            self.action_submit()

    def action_submit(self) -> None:
        """Submit exactly what is in the box once every key typed before this one is in it.

        Keys reach the text field through its own message queue, and a key typed before ctrl+s
        may still be waiting there: the submit waits in the same queue, behind it and ahead of
        any key typed after, so a fast typist's next query never joins this one."""
        self.query_one("#query", QueryInput).call_later(self.submit)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._clear_message()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._clear_message()

    def _clear_message(self) -> None:
        message = self.query_one("#composer-message", Static)
        if "error" in message.classes:
            message.update("")
            message.remove_class("error")

    def action_toggle_mode(self) -> None:
        self.query_one("#mode", ModeSwitch).action_flip()

    def fill(self, query: str, mode: str, max_results: int) -> None:
        """Put an earlier query back (from history) for editing or resubmitting."""
        self.replace_query(query)
        self.query_one("#mode", ModeSwitch).value = mode
        self.query_one("#max-results", Input).value = str(max_results)
        self.query_one("#query", QueryInput).focus()

    def _checked(self) -> tuple[str, str, int] | None:
        """(query, mode, max results) as typed, or None once the first problem is shown."""
        query = " ".join(self.query_one("#query", QueryInput).text.split())
        problem, max_results = validate(query, self.query_one("#max-results", Input).value)
        message = self.query_one("#composer-message", Static)
        if problem:
            message.update(problem)
            message.add_class("error")
            return None
        message.update("")
        message.remove_class("error")
        return query, self.query_one("#mode", ModeSwitch).value, max_results

    def submit(self) -> None:
        checked = self._checked()
        if checked is None:
            return
        query, mode, max_results = checked
        self.post_message(self.Submitted(query, mode, max_results, self.exclusions))
        self.set_exclusions(Exclusions())  # each search chooses its own; the job line says what it left out
        query_input = self.query_one("#query", QueryInput)
        query_input.text = ""
        query_input.focus()  # ready for the next query, wherever ctrl+s was pressed

    class PreviewRequested(Message):
        """Show how the query is understood and what it finds, before any search starts."""

        def __init__(self, query: str, mode: str, max_results: int) -> None:
            super().__init__()
            self.query = query
            self.mode = mode
            self.max_results = max_results

    def action_preview(self) -> None:
        """Like submit, behind the keys already typed; the text stays in the box."""
        self.query_one("#query", QueryInput).call_later(self._request_preview)

    def _request_preview(self) -> None:
        checked = self._checked()
        if checked is not None:
            self.post_message(self.PreviewRequested(*checked))

    def action_clear_query(self) -> None:
        """Empty the box (ctrl+z in it brings the text back)."""
        self.replace_query("")

    def replace_query(self, text: str) -> None:
        """The box holds exactly `text` afterwards, whatever it held; one undoable edit."""
        query_input = self.query_one("#query", QueryInput)
        query_input.replace(text, (0, 0), query_input.document.end)
        query_input.move_cursor(query_input.document.end)
        query_input.focus()

    # -- exclusions -----------------------------------------------------------------------------
    exclusions: Exclusions = Exclusions()
    """What the next search leaves out (cleared once it is submitted)."""

    def set_exclusions(self, exclusions: Exclusions) -> None:
        self.exclusions = exclusions
        line = self.query_one("#composer-exclusions", Static)
        line.update(f"Excluding: {exclusions.description} · F8 changes" if exclusions.wanted else "")
        line.display = exclusions.wanted

    def action_choose_exclusions(self) -> None:
        """F8: pick exclusion sets of this mode and/or everything seen for the next search."""
        workspace = getattr(self.app, "workspace", None)
        if workspace is None:
            self.app.notify("Connecting… the exclusion sets are in the workspace, open in a moment.", markup=False)
            return
        from sixtyfour_tui.ui.screens.exclusion_sets import ExclusionPicker

        def chosen(exclusions: Exclusions | None) -> None:
            if exclusions is not None:
                self.set_exclusions(exclusions)

        mode = str(self.query_one("#mode", ModeSwitch).value)
        self.app.push_screen(ExclusionPicker(workspace, mode, self.exclusions),
                             chosen)

    def on_mode_switch_changed(self, event: ModeSwitch.Changed) -> None:
        """Sets belong to a mode: another mode keeps 'everything seen' and drops the sets."""
        if self.exclusions.set_ids:
            kept = Exclusions(seen=True, description="everything seen") if self.exclusions.seen else Exclusions()
            self.set_exclusions(kept)
            self.app.notify("Exclusion sets are per mode: F8 picks sets for this one.", markup=False, timeout=4)

def validate(query: str, max_results_text: str) -> tuple[str | None, int]:
    """A message for the first problem found (or None) and the parsed max results — by the same
    rules as the headless `search` flags (`sixtyfour_tui.rules`)."""
    try:
        check_query(query)
        return None, parse_max_results(max_results_text)
    except RuleError as problem:
        return str(problem), 0
