"""Ask for one line of text (a name for an exclusion set, a new name for one) in a small modal."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class TextPrompt(ModalScreen[str | None]):
    """Dismisses with the text (enter, stripped, never empty) or None (escape)."""

    DEFAULT_CSS = """
    TextPrompt {
        align: center middle;
    }
    TextPrompt > #dialog {
        width: 70;
        max-width: 90%;
        height: auto;
        padding: 1 2;
        background: $surface;
        border: thick $primary;
    }
    TextPrompt #prompt-hint {
        color: $text-muted;
    }
    TextPrompt #prompt-error {
        color: $error;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = "", hint: str = "enter saves · escape cancels",
                 check: object = None) -> None:
        """`check(text)` returns a problem to show (and keep the prompt open), or None."""
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.hint = hint
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Text(self.title_text)
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input", select_on_focus=False)
            yield Static(id="prompt-error")
            yield Static(Text(self.hint), id="prompt-hint")

    def on_mount(self) -> None:
        self.query_one("#prompt-input", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = " ".join(event.value.split())
        problem = "Type something first." if not text else (self.check(text) if callable(self.check) else None)
        if problem:
            self.query_one("#prompt-error", Static).update(Text(str(problem)))
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
