"""A view of a result set as data: which columns, which rows, in what order.

`ViewSpec` is what the table shows, minus how it looks: the TUI builds one from its table, the
headless CLI decodes one from JSON, and both apply it to a `RowStore` with `apply_view`, so
the same spec over the same rows gives the same rows in the same order, and the same bytes
from `sixtyfour_tui.table.writers`.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from sixtyfour_tui.table.row_store import RowStore, SortColumns


class SortKey(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One sort column; keys earlier in `ViewSpec.sort` matter more."""

    column: str
    descending: bool = False


class ViewSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Everything that decides which rows and cells a view holds, and their order."""

    columns: tuple[str, ...] = ()
    """Visible columns in the table's order (a pinned column first); empty means every column
    in first-seen order. Headers are `labels.header_labels(columns)`."""
    text_filter: str = ""
    """Keep rows with this text (case-insensitive) in any cell, shown or not."""
    value_filters: dict[str, tuple[str, ...]] = {}
    """Per column, the display texts to keep: a row passes when its text in every listed column
    is one of that column's values (columns AND, values OR)."""
    sort: tuple[SortKey, ...] = ()
    new_only: bool = False
    """Hide rows flagged SEEN (their entity appeared in an earlier search)."""
    only_marked: bool = False
    """Keep only the rows marked in the store."""


def apply_view(store: RowStore, spec: ViewSpec) -> list[str]:
    """Make the store's view what `spec` says (one rebuild) and return the columns to show."""
    store.set_view(
        text_filter=spec.text_filter,
        value_filters=spec.value_filters,
        new_only=spec.new_only,
        only_marked=spec.only_marked,
        sort=[(key.column, key.descending) for key in spec.sort],
    )
    return view_columns(store, spec)


def view_columns(store: RowStore, spec: ViewSpec) -> list[str]:
    """The spec's columns, or every column of the store when it names none."""
    return list(spec.columns) if spec.columns else store.columns


def spec_of(store: RowStore, columns: Sequence[str]) -> ViewSpec:
    """The spec of the store's current view with these visible columns."""
    return ViewSpec(
        columns=tuple(columns),
        text_filter=store.filter_text,
        value_filters={column: tuple(sorted(values)) for column, values in sorted(store.value_filters.items())},
        sort=_sort_keys(store.sort_keys),
        new_only=store.new_only,
        only_marked=store.only_marked,
    )


def _sort_keys(columns: SortColumns) -> tuple[SortKey, ...]:
    return tuple(SortKey(column, descending) for column, descending in columns)


def next_sort(current: SortColumns, column: str, *, add: bool = False) -> SortColumns:
    """The sort after one press on a column.

    Alone (`s`, a header click): ascending, then descending, then no sort; a column that is not
    the only key starts ascending as the only key. Added (`S`, shift+click): the column joins
    the keys ascending, turns descending, then leaves; the other keys stay.
    """
    if not add:
        if current == ((column, False),):
            return ((column, True),)
        if current == ((column, True),):
            return ()
        return ((column, False),)
    keys = dict(current)
    if column not in keys:
        return (*current, (column, False))
    if not keys[column]:
        return tuple((name, True if name == column else descending) for name, descending in current)
    return tuple((name, descending) for name, descending in current if name != column)
