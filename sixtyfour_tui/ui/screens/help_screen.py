"""F1 help: the keys of the focused panel first, then the app's, then a short guide.

Each key is listed with its binding id (dim), the name `[keymap]` in the settings file uses to
remap it.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

GUIDE = """\
1. Write a query in "New search" (plain language), pick People or Company (ctrl+t), set Max, press ctrl+s. \
ctrl+l clears the box (ctrl+z in it brings the text back); ctrl+r recalls an earlier query in its place.
2. Up to five searches run at once; more wait in the local queue and start when a slot frees. A search that \
finishes while you look at another says so in a toast: ctrl+g opens it.
3. In Jobs (F3), move with j/k; enter on a completed job opens its results (on a failed one, its error; on a \
running one, the results open by themselves when it completes). x or delete cancels a queued job or removes a \
finished one (ctrl+z brings it back for a few seconds). m loads older jobs. ▽ marks a filter search, ✎ a \
refined one; the line under the list says what was edited and excluded.
4. In the results (F4): j/k/pgup/pgdn/g/G move, h/l move a column at a time, space marks a row and moves down, \
y copies the marked rows (or the cursor row) as TSV, c copies a cell, / filters loaded rows, enter shows the \
whole record, o opens its LinkedIn/website, m loads more, M loads all, C picks columns.
   Marks: ctrl+a marks all rows (loading the rest first; with a filter on, the rows it keeps), u clears, \
* inverts, + / - mark or unmark rows whose current column matches a pattern, " shows only marked rows.
   Find: ctrl+f or ? highlights text in the shown columns, n/N go to the next/previous match, escape ends it.
   Columns: : jumps to a column by name, < / > narrow or widen it, H/L move it, ! pins it (the name stays on \
screen while scrolling sideways); s sorts by it (▲ ▼ off), S adds it as a further sort key, and a header \
click sorts (shift+click adds). ◦ in the left margin: seen in an earlier search.
5. Preview before paying: ctrl+o in the composer shows how the query is understood (chips), how many match \
and the first rows; change chips and ctrl+s runs it at once. r refines a finished search the same way; F5 builds \
a filter search from fields and values.
6. z zooms the focused panel (results or jobs) to the whole screen and back. Toasts keep to one line: F9 \
shows the recent messages in full. e exports the whole result set as CSV. ctrl+p lists every command.
7. Remembered between runs: the theme, the columns per mode, the last max results, the open search and the \
zoom. Any key can be remapped in the settings file's [keymap] table by the ids listed above.
Searches keep running on the server when you quit and resume on the next start."""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss_help", "Close", id="help.close"),
        Binding("f1", "dismiss_help", "Close", show=False, id="help.close_f1"),
        Binding("q", "dismiss_help", "Close", show=False, id="help.close_q"),
        Binding("j", "scroll('down')", "Down", show=False, id="help.down"),
        Binding("k", "scroll('up')", "Up", show=False, id="help.up"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 100; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    HelpScreen .help-heading { text-style: bold; color: $accent; margin-top: 1; }
    HelpScreen .help-ids { color: $text-muted; }
    """

    def __init__(self, focused_name: str, sections: list[tuple[str, list[tuple[str, ...]]]]) -> None:
        super().__init__()
        self.focused_name = focused_name
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text(f"Help · {self.focused_name}", style="bold"))
            for title, rows in self.sections:
                if not rows:
                    continue
                yield Static(Text(title), classes="help-heading")
                table = Table.grid(padding=(0, 2))
                table.add_column(style="bold", no_wrap=True)
                table.add_column()
                table.add_column(style="dim", no_wrap=True)
                for row in rows:
                    key, description, *ids = row
                    table.add_row(Text(key), Text(description), Text(ids[0] if ids else ""))
                yield Static(table)
            yield Static(Text("How it works"), classes="help-heading")
            yield Static(Text(GUIDE))

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).border_title = "F1 · escape closes"

    def action_scroll(self, direction: str) -> None:
        """j/k scroll like the arrows (the text is focused: arrows, pgup/pgdn, home/end work too)."""
        body = self.query_one(VerticalScroll)
        body.scroll_down(animate=False) if direction == "down" else body.scroll_up(animate=False)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)


def binding_rows(bindings: Iterable[Binding], *, with_ids: bool = False) -> list[tuple[str, ...]]:
    """(keys, description) for bindings worth listing, merged by action; with `with_ids`, a third
    item names the binding ids (what `[keymap]` remaps)."""
    merged: dict[str, tuple[list[str], str, list[str]]] = {}
    for binding in bindings:
        if not binding.description:
            continue
        keys, _, ids = merged.setdefault(binding.action, ([], binding.description, []))
        display = binding.key_display or binding.key
        if display not in keys:
            keys.append(display)
        if binding.id and binding.id not in ids:
            ids.append(binding.id)
    if with_ids:
        return [(" / ".join(keys), description, ", ".join(ids)) for keys, description, ids in merged.values()]
    return [(" / ".join(keys), description) for keys, description, _ in merged.values()]
