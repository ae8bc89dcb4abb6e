"""The full text of an error, in a selectable read-only area with a Copy button.

Toasts are too short for a server message or a traceback, and a user reporting a problem
needs the exact words; hence a modal whose text can be selected or copied whole.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea

from sixtyfour_tui.api.rows import sanitize_text
from sixtyfour_tui.ui.clipboard import copy_text


class ErrorScreen(ModalScreen[None]):
    """``c`` copies the text; escape or enter closes."""

    DEFAULT_CSS = """
    ErrorScreen {
        align: center middle;
    }
    ErrorScreen > #dialog {
        width: 80%;
        max-width: 120;
        height: auto;
        max-height: 80%;
        padding: 1 2;
        background: $surface;
        border: thick $error;
    }
    ErrorScreen #error-title {
        text-style: bold;
        color: $error;
        margin-bottom: 1;
    }
    ErrorScreen #error-text {
        height: auto;
        max-height: 20;
        min-height: 3;
    }
    ErrorScreen #buttons {
        height: auto;
        margin-top: 1;
    }
    ErrorScreen #buttons Button {
        margin-right: 2;
    }
    """

    BINDINGS = [
        Binding("c", "copy", "Copy", id="error.copy"),
        Binding("escape", "close", "Close", id="error.close"),
        Binding("enter", "close", "Close", show=False, id="error.close-enter"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        # Error text often quotes the API; escape sequences in it must not reach the terminal.
        self.error_title = sanitize_text(title)
        self.text = sanitize_text(text, keep_newlines=True)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.error_title), id="error-title")
            # A TextArea shows its text literally (no markup) and lets the user select part of it.
            yield TextArea(self.text, read_only=True, soft_wrap=True, show_line_numbers=False, id="error-text")
            with Horizontal(id="buttons"):
                yield Button("Copy", id="copy")
                yield Button("Close", variant="primary", id="close")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "copy":
            self.action_copy()
        else:
            self.action_close()

    def action_copy(self) -> None:
        self.run_worker(self._copy(), name="copy-error-text", group="error-copy", exit_on_error=False)

    async def _copy(self) -> None:
        # OSC 52 always, the system clipboard when there is one; the toast says which one worked.
        outcome = await copy_text(self.app, self.text)
        self.notify(outcome.describe("the error text"), markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
