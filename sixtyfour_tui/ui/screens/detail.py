"""The whole record behind a table row, as pretty JSON, shown literally.

Rows come from a remote service, so the JSON goes into a read-only TextArea (never parsed as
markup) and characters a terminal could act on are escaped the JSON way (\\uXXXX) first.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static, TextArea

from sixtyfour_tui.api.rows import sanitize_text
from sixtyfour_tui.sanitize import json_pretty
from sixtyfour_tui.ui.clipboard import copy_text
from sixtyfour_tui.ui.links import open_link

LINK_FIELDS = ("linkedinUrl", "linkedin_url", "website")
TITLE_FIELDS = ("fullName", "company_name", "full_name", "name")


MAX_VALUE_SHOWN = 10_000
"""Longer strings are cut in the view (a 100 MB cell must not freeze the screen); y copies them whole."""


def record_json(record: dict[str, Any]) -> str:
    """Pretty JSON of the record that is safe to display and still parses back to the record."""
    return json_pretty(record)


def shown_json(record: dict[str, Any]) -> tuple[str, int]:
    """The JSON to show, with strings over MAX_VALUE_SHOWN cut; and how many values were cut."""
    cut = [0]

    def shorten_values(value: Any) -> Any:
        if isinstance(value, str) and len(value) > MAX_VALUE_SHOWN:
            cut[0] += 1
            return value[:MAX_VALUE_SHOWN] + f"… [{len(value) - MAX_VALUE_SHOWN:,} more characters: y copies all]"
        if isinstance(value, dict):
            return {key: shorten_values(item) for key, item in value.items()}
        if isinstance(value, list):
            return [shorten_values(item) for item in value]
        return value

    shown = json_pretty(shorten_values(record))
    return shown, cut[0]


def record_link(record: dict[str, Any]) -> str | None:
    """The row's LinkedIn URL or website (a bare `website_domain` gets https://); http(s) only."""
    candidates = [record.get(field) for field in LINK_FIELDS]
    domain = record.get("website_domain")
    if isinstance(domain, str) and domain.strip():
        candidates.append(f"https://{domain.strip()}")
    for candidate in candidates:
        if isinstance(candidate, str) and is_web_url(candidate.strip()):
            return candidate.strip()
    return None


def is_web_url(url: str) -> bool:
    """Only http(s) links are opened: a remote row must not launch other URL handlers."""
    lowered = url.lower()
    return (lowered.startswith("https://") or lowered.startswith("http://")) and sanitize_text(url) == url


def record_title(record: dict[str, Any]) -> str:
    for field in TITLE_FIELDS:
        value = record.get(field)
        if value not in (None, ""):
            return sanitize_text(value)
    return "Record"


class DetailScreen(ModalScreen[None]):
    """Every field of one result, including the nested ones the table flattens."""

    DEFAULT_CSS = """
    DetailScreen {
        align: center middle;
        & > #detail-panel {
            width: 90%;
            height: 90%;
            background: $surface;
            border: round $primary;
            border-title-color: $accent;
        }
        & #detail-title { padding: 0 1; text-style: bold; color: $accent; }
        & #detail-json { height: 1fr; border: none; }
    }
    """

    BINDINGS = [
        Binding("escape,q", "dismiss_detail", "Close", id="detail.close"),
        Binding("y", "copy_json", "Copy JSON", id="detail.copy_json"),
        Binding("o", "open_link", "Open link", id="detail.open_link"),
    ]

    def __init__(self, record: dict[str, Any], *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.record = record
        self.json_text, self.values_cut = shown_json(record)

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-panel"):
            title = record_title(self.record)
            if self.values_cut:
                values = "1 long value is" if self.values_cut == 1 else f"{self.values_cut} long values are"
                title += f"  ·  {values} cut here; y copies it all"
            yield Static(Content(title), id="detail-title")
            yield TextArea(
                self.json_text,
                read_only=True,
                soft_wrap=False,
                show_line_numbers=False,
                id="detail-json",
            )
        yield Footer()

    def on_mount(self) -> None:
        panel = self.query_one("#detail-panel")
        panel.border_title = "Record details"
        self.query_one("#detail-json", TextArea).focus()

    def action_dismiss_detail(self) -> None:
        self.dismiss(None)

    async def action_copy_json(self) -> None:
        outcome = await copy_text(self.app, record_json(self.record))  # whole, cut values included
        self.notify(outcome.describe("the record as JSON"), markup=False)

    async def action_open_link(self) -> None:
        url = record_link(self.record)
        if url is None:
            self.notify("This record has no LinkedIn URL or website", severity="warning", markup=False)
            return
        await open_link(self.app, url)
