"""The whole record behind a table row, as pretty JSON, shown literally.

Rows come from a remote service, so the JSON goes into a read-only TextArea (never parsed as
markup) and characters a terminal could act on are escaped the JSON way (\\uXXXX) first.
"""

from __future__ import annotations

import json
import re
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static, TextArea

from sixtyfour_tui.api.rows import sanitize_text
from sixtyfour_tui.ui.clipboard import copy_text
from sixtyfour_tui.ui.links import open_link

# JSON already escapes C0 controls; these survive `ensure_ascii=False` and could still act on a
# terminal (C1 controls) or reverse the text on screen (bidi overrides).
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
LINK_FIELDS = ("linkedinUrl", "linkedin_url", "website")
TITLE_FIELDS = ("fullName", "company_name", "full_name", "name")


def record_json(record: dict[str, Any]) -> str:
    """Pretty JSON of the record that is safe to display and still parses back to the record."""
    text = json.dumps(record, indent=2, ensure_ascii=False, default=str)
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


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
        self.json_text = record_json(record)

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-panel"):
            yield Static(Content(record_title(self.record)), id="detail-title")
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
        outcome = await copy_text(self.app, self.json_text)
        self.notify(outcome.describe("the record as JSON"), markup=False)

    async def action_open_link(self) -> None:
        url = record_link(self.record)
        if url is None:
            self.notify("This record has no LinkedIn URL or website", severity="warning", markup=False)
            return
        await open_link(self.app, url)
