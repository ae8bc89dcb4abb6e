"""The footer: the keys that work where the focus is, the most useful first, as many as fit whole.

Textual's footer lists every key and lets the last one run off the edge mid-word; at 80
columns that hides F1 and half of the rest. This one picks by priority (help first, then the
focused panel's keys, then its parents', then the app's) until the width is used, and shows the
chosen ones in their usual order. It reads `Screen.active_bindings` (keymap overrides and
`check_action` applied) and follows the screen it is mounted on, so a dialog's footer shows
the dialog's keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

FIRST_IDS = ("app.help", "app.undo_remove", "app.open_finished", "results.close_filter", "results.copy_tsv")
"""Binding ids shown before any other when space is short: help (the way to every other key),
the keys that apply only for a while (undo, open the search that just finished, clear the
filter), and copying rows, the point of the results table."""


class FooterItem(NamedTuple):
    key: str
    display: str
    description: str
    enabled: bool
    binding_id: str | None

    @property
    def width(self) -> int:
        return cell_len(self.display) + cell_len(self.description) + 3  # " key " + "description "


def fit_items(items: Sequence[FooterItem], width: int, first_ids: Sequence[str] = FIRST_IDS) -> list[FooterItem]:
    """The items to show in `width` cells: by priority (`first_ids`, then the order given),
    each one whole or not at all; returned in the order given."""
    ranked = sorted(range(len(items)), key=lambda at: (items[at].binding_id not in first_ids, at))
    chosen: set[int] = set()
    used = 0
    for at in ranked:
        if used + items[at].width <= width:
            chosen.add(at)
            used += items[at].width
    return [items[at] for at in sorted(chosen)]


class KeysFooter(Widget):
    """One line of keys; click one to press it."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"keys-footer--key", "keys-footer--description", "keys-footer--disabled"}
    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        background: $footer-background;
        color: $footer-foreground;
        & > .keys-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .keys-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .keys-footer--disabled { text-style: dim; }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._shown: tuple[list[FooterItem], FooterItem | None] = ([], None)
        self._spans: list[tuple[int, int, str]] = []  # (start, end, key) of each drawn item, for clicks
        self._update_pending = False

    @property
    def shown(self) -> list[FooterItem]:
        """The keys on show now, left to right (the palette key on the right not included)."""
        return list(self._shown[0])

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.update_keys()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self, event: events.Resize) -> None:
        self.update_keys()

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if not self._update_pending:  # many changes in one turn: one update after them
            self._update_pending = True
            self.call_after_refresh(self.update_keys)

    def _items(self) -> tuple[list[FooterItem], FooterItem | None]:
        """The keys to offer, the focused widget's first, each node's in the order it declares
        them (a key remapped by the keymap keeps its binding's place)."""
        app = self.app
        palette: FooterItem | None = None
        ranked: list[tuple[tuple[int, int, int], FooterItem]] = []
        nodes: dict[object, int] = {}
        seen_actions: set[tuple[object, str]] = set()
        for at, (key, active) in enumerate(self.screen.active_bindings.items()):
            binding = active.binding
            item = FooterItem(key, app.get_key_display(binding), binding.description, active.enabled, binding.id)
            if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = item
                continue
            if not binding.show or not binding.description:
                continue
            action = (active.node, binding.action)
            if action in seen_actions:  # several keys for one action: the first one speaks for all
                continue
            seen_actions.add(action)
            node_rank = nodes.setdefault(active.node, len(nodes))
            ranked.append(((node_rank, _declared_at(active.node, binding.id), at), item))
        ranked.sort(key=lambda pair: pair[0])
        return [item for _, item in ranked], palette

    def update_keys(self) -> None:
        """Re-read the keys; repaint only when what is shown changes."""
        self._update_pending = False
        if not self.is_attached:
            return
        items, palette = self._items()
        room = self.size.width - (palette.width + 1 if palette is not None else 0)
        shown = (fit_items(items, max(0, room)), palette)
        if shown != self._shown:
            self._shown = shown
            self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keys-footer--key")
        description_style = self.get_component_rich_style("keys-footer--description")
        disabled = self.get_component_rich_style("keys-footer--disabled")
        line = Text(no_wrap=True, overflow="crop")
        self._spans = []
        items, palette = self._shown

        def add(item: FooterItem) -> None:
            start = line.cell_len
            extra = disabled if not item.enabled else None
            line.append(f" {item.display} ", key_style + extra if extra else key_style)
            line.append(f"{item.description} ", description_style + extra if extra else description_style)
            self._spans.append((start, line.cell_len, item.key))

        for item in items:
            add(item)
        if palette is not None:
            gap = self.size.width - line.cell_len - palette.width
            if gap > 0:
                line.append(" " * (gap - 1))
                line.append("▏", description_style)
            add(palette)
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return


def _declared_at(node: object, binding_id: str | None) -> int:
    """Where a binding stands in its class's own `BINDINGS` (unknown ones go last)."""
    for at, binding in enumerate(getattr(type(node), "BINDINGS", ())):
        if getattr(binding, "id", None) == binding_id and binding_id is not None:
            return at
    return 1_000
