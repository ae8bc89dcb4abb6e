"""Edit the settings file from inside the app.

It edits the file's own values (``load_file_settings``), never the environment-overridden ones,
so a key that came from ``SIXTYFOUR_API_KEY`` is not quietly written to disk. The API key is only
ever shown masked; leaving its field empty keeps the stored key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from sixtyfour_tui import locations
from sixtyfour_tui.config import (
    API_KEY_VARIABLE,
    DEFAULT_POLL_INTERVAL,
    ENDPOINT_VARIABLE,
    SANDBOX_POLL_INTERVAL,
    ConfigError,
    Settings,
    load_file_settings,
    masked_key,
    normalise_base_url,
    replace,
    update_settings_file,
)
from sixtyfour_tui.rules import RuleError, check_api_key, parse_poll_interval

FIELDS = ("api-key", "base-url", "poll-interval", "download-dir")


class SettingsScreen(ModalScreen[Settings | None]):
    """Dismisses with the saved file settings (without environment overrides), or None when cancelled."""

    DEFAULT_CSS = """
    SettingsScreen {
        align: center middle;
    }
    SettingsScreen > #dialog {
        width: 80;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        padding: 1 2;
        background: $surface;
        border: thick $primary;
        border-title-color: $text;
    }
    SettingsScreen Label {
        margin-top: 1;
        text-style: bold;
    }
    SettingsScreen .hint {
        color: $text-muted;
    }
    SettingsScreen .env-note {
        color: $warning;
    }
    SettingsScreen .field-error {
        color: $error;
        display: none;
    }
    SettingsScreen .field-error.-shown {
        display: block;
    }
    SettingsScreen #file-problem {
        color: $error;
        margin-bottom: 1;
    }
    SettingsScreen #buttons {
        height: auto;
        margin-top: 1;
    }
    SettingsScreen #buttons Button {
        margin-right: 2;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True, id="settings.save"),
        Binding("escape", "cancel", "Cancel", id="settings.cancel"),
    ]

    def __init__(self, settings_path: Path | None = None, context_note: str | None = None) -> None:
        super().__init__()
        self.context_note = context_note
        self.settings_path = settings_path if settings_path is not None else locations.config_file()
        self.file_problem: str | None = None
        try:
            self.current = load_file_settings(self.settings_path)
        except ConfigError as error:
            # Still editable: saving writes a fresh, valid file over the broken one.
            self.file_problem = f"{error} Saving will replace the file."
            self.current = Settings()

    def on_mount(self) -> None:
        self.query_one("#api-key", Input).focus()  # typing goes straight into the first field

    def compose(self) -> ComposeResult:
        current = self.current
        with VerticalScroll(id="dialog") as dialog:
            dialog.border_title = "Settings"
            yield Static(Text(f"File: {self.settings_path}"), classes="hint")
            if self.context_note:
                yield Static(Text(self.context_note), classes="hint")
            problem = Static(Text(self.file_problem or ""), id="file-problem")
            problem.display = bool(self.file_problem)
            yield problem

            yield Label("API key")
            stored = masked_key(current.api_key)
            yield Input(
                password=True,
                placeholder=f"{stored} (leave empty to keep it)" if stored else "not set: paste your key",
                id="api-key",
            )
            if os.environ.get(API_KEY_VARIABLE, "").strip():
                yield Static(
                    Text(f"{API_KEY_VARIABLE} is set in the environment and overrides the key saved here."),
                    classes="env-note",
                )
            yield Static(id="api-key-error", classes="field-error")

            yield Label("Base URL")
            yield Input(current.base_url, id="base-url")
            if os.environ.get(ENDPOINT_VARIABLE, "").strip():
                yield Static(
                    Text(f"{ENDPOINT_VARIABLE} is set in the environment and overrides the URL saved here."),
                    classes="env-note",
                )
            yield Static(id="base-url-error", classes="field-error")

            yield Label("Poll interval (seconds)")
            yield Input(
                "" if current.poll_interval is None else f"{current.poll_interval:g}",
                placeholder=f"default: {DEFAULT_POLL_INTERVAL:g} (sandbox {SANDBOX_POLL_INTERVAL:g})",
                id="poll-interval",
            )
            yield Static(id="poll-interval-error", classes="field-error")

            yield Label("Download folder")
            yield Input(
                "" if current.download_dir is None else str(current.download_dir),
                placeholder=f"default: {locations.default_download_dir()}",
                id="download-dir",
            )
            yield Static(id="download-dir-error", classes="field-error")

            with Horizontal(id="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def on_input_changed(self, event: Input.Changed) -> None:
        # An error about a value the user is already fixing is noise.
        if event.input.id in FIELDS:
            self._show_error(event.input.id, None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        changes = self._read_form()
        if changes is None:
            return
        try:
            # Onto the file as it is now: the layout and theme the app saved while the form was
            # open stay (the form only owns its own fields).
            # A file that was broken when the form opened is replaced (the form said so); one that
            # broke while it was open is not overwritten unseen.
            settings = update_settings_file(lambda current: replace(current, **changes), self.settings_path,
                                            broken=self.current if self.file_problem else None, always=True)
        except ConfigError as error:
            problem = self.query_one("#file-problem", Static)
            problem.update(Text(f"Not saved: {error} It changed since this form opened; fix it, or cancel."))
            problem.display = True
            return
        except OSError as error:
            self.notify(f"Could not save {self.settings_path}: {error.strerror or error}",
                        severity="error", markup=False)
            return
        # The caller says what the change means (e.g. "applies on the next start"); no toast here.
        self.dismiss(settings)

    def _read_form(self) -> dict[str, Any] | None:
        """The fields the form sets, or None after showing what is wrong beside each field.

        Each field is checked by the same rule as the settings file (`sixtyfour_tui.rules`)."""
        values = {name: self.query_one(f"#{name}", Input).value.strip() for name in FIELDS}
        errors: dict[str, str] = {}
        changes: dict[str, Any] = {}

        def check(field: str, name: str, rule, text: str) -> None:
            try:
                changes[name] = rule(text)
            except (RuleError, ValueError) as problem:
                errors[field] = str(problem)

        if values["api-key"]:
            check("api-key", "api_key", check_api_key, values["api-key"])
        check("base-url", "base_url", normalise_base_url, values["base-url"])
        check("poll-interval", "poll_interval", parse_poll_interval, values["poll-interval"])
        check("download-dir", "download_dir", download_folder, values["download-dir"])

        for name in FIELDS:
            self._show_error(name, errors.get(name))
        if errors:
            self.query_one(f"#{next(iter(errors))}", Input).focus()
            return None
        return changes  # a blank key field leaves the saved key as it is

    def _show_error(self, field: str, message: str | None) -> None:
        error = self.query_one(f"#{field}-error", Static)
        error.update(Text(message or ""))
        error.set_class(bool(message), "-shown")


def download_folder(text: str) -> Path | None:
    """Blank means the default; an existing file is refused (a folder is needed)."""
    if not text:
        return None
    path = locations.expand_path(text)
    if path.exists() and not path.is_dir():
        raise RuleError(f"{path} is a file, not a folder.")
    return path
