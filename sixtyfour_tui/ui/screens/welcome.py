"""First-run choice when no API key is configured: try the local sandbox, or paste a key.

The sandbox lets someone see the whole app before they have an account, so it is the first option.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from sixtyfour_tui import locations
from sixtyfour_tui.config import API_KEY_VARIABLE, ConfigError, replace, update_settings_file
from sixtyfour_tui.rules import RuleError, check_api_key

WelcomeChoice = str | tuple[str, str]
"""``"sandbox"``, ``"quit"``, or ``("key", <the key just saved>)``."""


class WelcomeScreen(ModalScreen[WelcomeChoice]):
    """``s`` picks the sandbox, escape quits; a saved key is written to the settings file first."""

    DEFAULT_CSS = """
    WelcomeScreen {
        align: center middle;
    }
    WelcomeScreen > #dialog {
        width: 72;
        max-width: 95%;
        height: auto;
        padding: 1 2;
        background: $surface;
        border: thick $primary;
    }
    WelcomeScreen #intro {
        margin-bottom: 1;
    }
    WelcomeScreen #use-sandbox {
        width: 100%;
    }
    WelcomeScreen Label {
        margin-top: 1;
        text-style: bold;
    }
    WelcomeScreen #key-row {
        height: auto;
    }
    WelcomeScreen #api-key {
        width: 1fr;
    }
    WelcomeScreen #key-error {
        color: $error;
        display: none;
    }
    WelcomeScreen #key-error.-shown {
        display: block;
    }
    WelcomeScreen .hint {
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("s", "sandbox", "Use the sandbox", id="welcome.sandbox"),
        Binding("escape", "quit", "Quit", id="welcome.quit"),
    ]

    def __init__(self, settings_path: Path | None = None) -> None:
        super().__init__()
        self.settings_path = settings_path if settings_path is not None else locations.config_file()

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(
                "No Sixtyfour API key is configured yet.\n"
                "Explore with the local sandbox (synthetic data, nothing leaves this machine), or enter your key.",
                id="intro",
                markup=False,
            )
            yield Button("Use the local sandbox  (s)", variant="primary", id="use-sandbox")
            yield Label("Or enter an API key")
            with Horizontal(id="key-row"):
                yield Input(password=True, placeholder="sk-…", id="api-key")
                yield Button("Save", id="save-key")
            yield Static(id="key-error")
            yield Static(
                Text(f"Saved to {self.settings_path} (owner-only). {API_KEY_VARIABLE} works too. Escape quits."),
                classes="hint",
            )

    def on_mount(self) -> None:
        self.query_one("#use-sandbox", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "use-sandbox":
            self.action_sandbox()
        elif event.button.id == "save-key":
            self.save_key()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save_key()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show_error(None)

    def action_sandbox(self) -> None:
        self.dismiss("sandbox")

    def action_quit(self) -> None:
        self.dismiss("quit")

    def save_key(self) -> None:
        key = self.query_one("#api-key", Input).value.strip()
        if not key:
            self._show_error("Paste your API key first (or press s for the sandbox).")
            return
        try:
            key = check_api_key(key)
        except RuleError as problem:
            self._show_error(str(problem))
            return
        try:
            # Merge into the file's own settings so a custom base URL or folder survives.
            update_settings_file(lambda settings: replace(settings, api_key=key), self.settings_path, always=True)
        except ConfigError as error:
            self._show_error(f"{error} Fix or remove the file, then try again.")
            return
        except OSError as error:
            self._show_error(f"Could not save {self.settings_path}: {error.strerror or error}")
            return
        self.dismiss(("key", key))

    def _show_error(self, message: str | None) -> None:
        error = self.query_one("#key-error", Static)
        error.update(Text(message or ""))
        error.set_class(bool(message), "-shown")
