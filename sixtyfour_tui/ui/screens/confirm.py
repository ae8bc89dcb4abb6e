"""A yes/no question as a modal, for actions that cannot be undone (overwriting a file, quitting)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True (``y``, or enter on the confirm button) or False (``n``, escape)."""

    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
    }
    ConfirmScreen > #dialog {
        width: auto;
        min-width: 40;
        max-width: 80%;
        height: auto;
        padding: 1 2;
        background: $surface;
        border: thick $warning;
    }
    ConfirmScreen #question {
        width: auto;
        max-width: 100%;
        margin-bottom: 1;
    }
    ConfirmScreen #buttons {
        width: auto;
        height: auto;
    }
    ConfirmScreen #buttons Button {
        margin-right: 2;
    }
    """

    BINDINGS = [
        Binding("y", "confirm", "Yes", id="confirm.yes"),
        Binding("n", "cancel", "No", id="confirm.no"),
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
    ]

    def __init__(self, question: str, confirm_label: str = "Yes", cancel_label: str = "No") -> None:
        super().__init__()
        self.question = question
        self.confirm_label = confirm_label
        self.cancel_label = cancel_label

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            # The question often quotes a file path; Text keeps brackets in it from being read as markup.
            yield Static(Text(self.question), id="question")
            with Horizontal(id="buttons"):
                yield Button(Text(self.confirm_label), variant="warning", id="confirm")
                yield Button(Text(self.cancel_label), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#confirm", Button).focus()

    def ask(self, question: str) -> None:
        """The same choice, said anew (the quit question follows the searches as they end)."""
        self.question = question
        self.query_one("#question", Static).update(Text(question))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
