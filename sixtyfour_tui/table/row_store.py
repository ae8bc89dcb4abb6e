"""The results table's data model: rows, columns, display text, marks, flags and the view.

Pure Python (no Textual): the TUI's table and the headless CLI both build views from it, and
every operation the table performs per frame is O(visible rows), never O(all rows). The
expensive work (formatting a cell, measuring widths) happens lazily or on a bounded sample.
The view is the rows that pass every filter (text, per-column values, new-only, only-marked)
in the order of the sort keys; `sixtyfour_tui.table.view.ViewSpec` describes one.

Memory is the other constraint: 100,000 rows must fit in well under 150 MB. So decoded rows are
not kept: raw rows live as pickled blocks of 100 (decoded again on demand, a few blocks cached),
and each flattened row as a tuple of values whose column names live once in a shared
"shape" tuple, with repeated strings shared. Display text is not cached per cell, and the
search text is built by the first filter.
"""

from __future__ import annotations

import csv
import enum
import io
import json
import math
import pickle
import re
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from itertools import compress as _compress
from typing import Any

from rich.cells import cell_len

from sixtyfour_tui.api.pager import row_identity
from sixtyfour_tui.api.rows import flatten_row, sanitize_text
from sixtyfour_tui.sanitize import UNSAFE
from sixtyfour_tui.table.labels import header_labels

Row = dict[str, Any]
"""One row as the API sent it (nested dicts and lists)."""
Values = tuple[Any, ...]
_OrderKey = tuple[int, Any]
"""(group, value): groups keep numbers, text and missing values apart in both directions."""
_KeyFunction = Callable[[int], _OrderKey]

WIDTH_SAMPLE_HEAD = 200
"""Rows at the start of the store that always count towards a column's width."""
WIDTH_SAMPLE_PER_PAGE = 10
"""Rows at the start of every later `append` that count towards a column's width."""
WIDTH_SAMPLE_PAGE_TAIL = 5
"""Rows at the end of every `append`: ids and counters tend to be widest there."""
MAX_COLUMN_WIDTH = 40
"""Widest a column gets by estimate: one long value must not push the others off screen."""
MIN_COLUMN_WIDTH = 3
BLOCK_ROWS = 100
"""Raw rows pickled together: keys are written once per block, and a block decodes in ~1 ms."""
CACHED_BLOCKS = 4
"""Decoded blocks kept: the detail view and copies touch a handful of nearby rows at a time."""
SHARED_STRINGS_PER_COLUMN = 20_000
"""A column with more distinct strings than this is mostly unique values (names, ids, URLs), so
sharing its strings stops: the lookup table would cost more than it saves."""

_LINE_BREAKS = str.maketrans({"\t": " ", "\n": " ", "\r": " ", "\v": " ", "\f": " "})

# Sort key groups: numbers before text in both directions, missing values always last.
_ASCENDING_GROUPS = {"number": 0, "text": 1, "none": 2}
_DESCENDING_GROUPS = {"number": 1, "text": 0, "none": -1}


def format_value(value: Any) -> str:
    """Turn one flattened value into single-line display text (not yet sanitized)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return str(value)


MAX_CELL_CHARS = 10_000
"""What a cell shows at most (a 100 MB value must not cost 100 MB per frame); `full_text` has it all."""


def display_text(value: Any) -> str:
    """Sanitized, single-line text for a cell, cut at MAX_CELL_CHARS: safe to put straight into a Segment."""
    if type(value) is str:
        text: str = value
        if len(text) > MAX_CELL_CHARS:
            text = text[:MAX_CELL_CHARS - 1] + "…"
        if not UNSAFE.search(text):
            return text  # the common case, and no copy: sanitizing would change nothing
        return sanitize_text(text)
    text = format_value(value)
    if len(text) > MAX_CELL_CHARS:
        text = text[:MAX_CELL_CHARS - 1] + "…"
    return sanitize_text(text)


def full_text(value: Any) -> str:
    """The whole value as sanitized single-line text (for copying one cell)."""
    return sanitize_text(format_value(value))


def _numeric(value: Any) -> float | None:
    """The number a value sorts as, or None when it should sort as text."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", ""))
        except ValueError:
            return None
    else:
        return None
    return number if not math.isnan(number) else None


_SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})


def text_width(text: str) -> int:
    """Terminal cells; plain ASCII (most values) skips the wide-character tables."""
    return len(text) if text.isascii() else cell_len(text)


def _flatten(row: Row) -> dict[str, Any]:
    """Exactly `flatten_row`, but top-level scalars (most of a row) skip its general path."""
    flat: dict[str, Any] = {}
    for key, item in row.items():
        if type(item) in _SCALAR_TYPES and type(key) is str:
            flat[key] = item
        else:
            flat.update(flatten_row({key: item}))
    return flat


class _RawBlocks:
    """Raw rows pickled in blocks of up to BLOCK_ROWS rows, decoded on demand.

    A people row is ~2 KB as nested dicts and ~370 bytes here. Pickle rather than JSON: it is
    about twice as fast to write, smaller, and gives back exactly the types it was given. The
    data never leaves this process, so unpickling it is safe. (zlib would shrink it ~3.5x more
    but doubles the time to load 100,000 rows.)
    """

    def __init__(self) -> None:
        self._blocks: list[bytes] = []
        self._starts: list[int] = []
        self._decoded: OrderedDict[int, list[Row]] = OrderedDict()
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, rows: list[Row]) -> None:
        """Store one block. It starts out cached as the caller's own dicts (no decode needed
        for rows just loaded); once it drops out of the cache, nothing references them."""
        self._starts.append(self._count)
        self._blocks.append(_pickled(rows))
        self._count += len(rows)
        self._remember(len(self._blocks) - 1, rows)

    def get(self, index: int) -> Row:
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        block = bisect_right(self._starts, index) - 1
        rows = self._decoded.get(block)
        if rows is None:
            rows = pickle.loads(self._blocks[block])
            self._remember(block, rows)
        else:
            self._decoded.move_to_end(block)
        return rows[index - self._starts[block]]

    def _remember(self, block: int, rows: list[Row]) -> None:
        self._decoded[block] = rows
        if len(self._decoded) > CACHED_BLOCKS:
            self._decoded.popitem(last=False)


def _pickled(rows: list[Row]) -> bytes:
    """Pickle, or for rows holding what pickle refuses, their JSON-safe form (as `as_json` did)."""
    try:
        return pickle.dumps(rows, pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return pickle.dumps(json.loads(json.dumps(rows, default=str)), pickle.HIGHEST_PROTOCOL)


class _SharedStrings:
    """One copy of each repeated string per column (seniority, city, company): the same
    text decoded in every row is otherwise a separate object each time."""

    def __init__(self) -> None:
        self._tables: dict[str, dict[str, str] | None] = {}

    def share(self, column: str, values: Values) -> Values:
        table = self._tables.get(column, {})
        if table is None or not _only_text(values):
            return values
        shared = tuple(map(table.setdefault, values, values))  # C speed, no Python loop
        self._tables[column] = table if len(table) <= SHARED_STRINGS_PER_COLUMN else None
        return shared


def _only_text(values: Values) -> bool:
    """Only str (and None) may share: 1, 1.0 and True are equal keys of different types."""
    return set(map(type, values)) <= {str, type(None)}


SortColumns = tuple[tuple[str, bool], ...]
"""Sort keys, most significant first: (column, descending)."""

_INVERT = bytes.maketrans(b"\x00\x01", b"\x01\x00")
_UNSET: Any = object()


class RowFlag(enum.IntFlag):
    """Facts about a row that the row itself does not carry (the workspace knows them)."""

    SEEN = 1
    """The entity appeared in an earlier search."""


def _flag_table(flag: int) -> bytes:
    """A `bytes.translate` table mapping every flags byte to 1 when it has `flag`, else 0."""
    return bytes(1 if value & flag else 0 for value in range(256))


def text_pattern(pattern: str) -> re.Pattern[str]:
    """A case-insensitive regular expression; text that is not a valid one is matched literally
    (so `(beta` or `[lead` select what they say rather than failing)."""
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error:
        return re.compile(re.escape(pattern), re.IGNORECASE)


class RowStore:
    """Every loaded row, per-row marks and flags, and a cheap view (row indices) over them."""

    def __init__(self, rows: Iterable[Row] | None = None) -> None:
        self._raw = _RawBlocks()
        self._shapes: list[tuple[str, ...]] = []
        """Per row: its flattened column names in order, one shared tuple per distinct shape."""
        self._values: list[Values] = []
        """Per row: its flattened values, in the order of its shape."""
        self._known_shapes: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._positions: dict[tuple[str, ...], dict[str, int]] = {}
        self._strings = _SharedStrings()
        self._haystacks: list[str] | None = None
        """Casefolded text of each row's cells joined by NUL, built by the first filter or find
        and kept after it (NUL cannot occur in display text, so it separates the cells)."""
        self._columns: dict[str, None] = {}
        self._widths: dict[str, int] = {}
        self._marks = bytearray()
        """Per row: 1 when the user marked it. A byte per row makes 'mark all' and 'invert' one
        C-level pass even at 100,000 rows."""
        self._flags = bytearray()
        """Per row: `RowFlag` bits."""
        self._marks_version = 0
        self._marked_in_view: tuple[tuple[int, int], int] = ((-1, -1), 0)
        """((view_version, marks version), marked rows in the view): see `mark_count_in_view`."""
        self._filter_text = ""
        self._value_filters: dict[str, frozenset[str]] = {}
        self._new_only = False
        self._only_marked = False
        self._sort: SortColumns = ()
        self._matches: list[int] | None = None
        """Rows passing every filter, in arrival order; None when no filter is on."""
        self._sorted: list[int] | None = None
        self.version = 0
        """Bumped whenever the rows or the view change (not marks or flags alone), so anything
        built over the view (the table's find matches) knows to build again."""
        self.view_version = 0
        """Bumped when the view is rebuilt (filter, sort...), not when rows are appended to it:
        the table then looks for the row its cursor was on."""
        if rows:
            self.append(list(rows))

    # -- rows and columns -------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._values)

    @property
    def columns(self) -> list[str]:
        """Every column seen so far, in first-seen order."""
        return list(self._columns)

    def raw(self, index: int) -> Row:
        """The row exactly as the API returned it (for the detail view and JSON export)."""
        return self._raw.get(index)

    def flat(self, index: int) -> dict[str, Any]:
        """The row flattened to dotted column names."""
        return dict(zip(self._shapes[index], self._values[index]))

    def identity(self, index: int) -> str | None:
        """The entity id of a row ('publicId:…'), as `api.pager.row_identity` names it."""
        return row_identity(self.flat(index))

    def indices_of(self, identities: Collection[str]) -> list[int]:
        """Rows whose identity is one of `identities`, ascending (O(all rows): for bulk use)."""
        wanted = identities if isinstance(identities, (set, frozenset)) else set(identities)
        return [index for index in range(len(self)) if self.identity(index) in wanted]

    def _value(self, index: int, column: str) -> Any:
        position = self._positions[self._shapes[index]].get(column)
        return None if position is None else self._values[index][position]

    def append(self, rows: Sequence[Row]) -> None:
        """Add a page of raw API rows; the view stays consistent with its filters and sort.

        The store keeps no reference to the dicts beyond its small cache of recent rows, so
        a page is freed once the caller lets go of it.
        """
        if not rows:
            return
        start = len(self._values)
        for first in range(0, len(rows), BLOCK_ROWS):
            self._add_block(list(rows[first : first + BLOCK_ROWS]))
        for offset in range(len(rows)):
            index = start + offset
            if (
                index < WIDTH_SAMPLE_HEAD
                or offset < WIDTH_SAMPLE_PER_PAGE
                or offset >= len(rows) - WIDTH_SAMPLE_PAGE_TAIL
            ):
                self._measure(index)
        self._marks.extend(bytes(len(rows)))
        self._flags.extend(bytes(len(rows)))
        if self._haystacks is not None:
            self._haystacks.extend(self._haystack_of(index) for index in range(start, len(self._values)))
        self._extend_view(range(start, len(self._values)))
        self.version += 1

    def _add_block(self, rows: list[Row]) -> None:
        """Flatten rows into shape + values; values are shared column by column, per shape."""
        self._raw.add(rows)
        flats = [_flatten(row) for row in rows]
        shapes = [self._shape(tuple(flat)) for flat in flats]
        values: list[Values] = [()] * len(rows)
        by_shape: dict[tuple[str, ...], list[int]] = {}
        for offset, shape in enumerate(shapes):
            by_shape.setdefault(shape, []).append(offset)
        for shape, offsets in by_shape.items():
            columns = zip(*(tuple(flats[offset].values()) for offset in offsets))
            shared = [self._strings.share(name, column) for name, column in zip(shape, columns)]
            for offset, row_values in zip(offsets, zip(*shared) if shared else (() for _ in offsets)):
                values[offset] = row_values
        self._shapes.extend(shapes)
        self._values.extend(values)

    def _shape(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """The shared copy of a row's column names; new names become columns."""
        shape = self._known_shapes.get(names)
        if shape is None:
            shape = self._known_shapes[names] = names
            self._positions[names] = {name: position for position, name in enumerate(names)}
            for name in names:
                if name not in self._columns:
                    self._columns[name] = None
                    self._widths[name] = max(MIN_COLUMN_WIDTH, min(text_width(sanitize_text(name)), MAX_COLUMN_WIDTH))
        return shape

    def _measure(self, index: int) -> None:
        for column, value in zip(self._shapes[index], self._values[index]):
            width = min(text_width(display_text(value)), MAX_COLUMN_WIDTH)
            if width > self._widths[column]:
                self._widths[column] = width

    def column_width(self, column: str) -> int:
        """Estimated display width: the raw name and a bounded sample of rows, capped."""
        width = self._widths.get(column)
        if width is None:
            width = max(MIN_COLUMN_WIDTH, min(text_width(sanitize_text(column)), MAX_COLUMN_WIDTH))
        return width

    def cell_text(self, index: int, column: str) -> str:
        """Sanitized single-line display text, formatted on use (only visible rows need it)."""
        return display_text(self._value(index, column))

    def cell_full_text(self, index: int, column: str) -> str:
        """The cell's whole text, however long (what `c` copies)."""
        return full_text(self._value(index, column))

    def row_texts(self, index: int, columns: Sequence[str]) -> list[str]:
        """Display text of several cells of one row (one shape lookup for all of them)."""
        where = self._positions[self._shapes[index]]
        values = self._values[index]
        return [display_text(values[where[column]]) if column in where else "" for column in columns]

    def texts(self, indices: Iterable[int], columns: Sequence[str]) -> Iterator[list[str]]:
        """Display text of `columns` for each row in turn: what copies and files are made of."""
        shapes, values, positions = self._shapes, self._values, self._positions
        picks_by_shape: dict[int, tuple[int, ...]] = {}
        for index in indices:
            shape = shapes[index]
            picks = picks_by_shape.get(id(shape))  # shapes live as long as the store: ids are stable
            if picks is None:
                where = positions[shape]
                picks = picks_by_shape[id(shape)] = tuple(where.get(column, -1) for column in columns)
            row = values[index]
            yield [display_text(row[pick]) if pick >= 0 else "" for pick in picks]

    def value_counts(self, column: str) -> Counter[str]:
        """How many rows of the view show each display text in `column` (for a facet list)."""
        return Counter(self.cell_text(index, column) for index in self.view_indices())

    # -- marks --------------------------------------------------------------------------

    @property
    def mark_count(self) -> int:
        return self._marks.count(1)

    def is_marked(self, index: int) -> bool:
        return bool(self._marks[index])

    def mark_count_in_view(self) -> int:
        """How many marked rows the view shows. Cached, and kept right by single toggles, so a
        status line can ask after every keypress; a rebuild or a bulk change counts again."""
        if not self.is_filtered or self._matches is None:
            return self.mark_count
        key = (self.view_version, self._marks_version)
        if self._marked_in_view[0] != key:
            self._marked_in_view = (key, sum(map(self._marks.__getitem__, self._matches)))
        return self._marked_in_view[1]

    def marked_in_view(self) -> list[int]:
        """Marked rows the view shows, in view order: what you see is what you copy."""
        if self._matches is None and self._sorted is None:
            return list(_compress(range(len(self)), self._marks))
        marks = self._marks
        return [index for index in self.view_indices() if marks[index]]

    def toggle_mark(self, index: int) -> bool:
        """Mark or unmark one row; returns whether it is now marked."""
        marked = not self._marks[index]
        self._marks[index] = marked
        self._count_toggle(index, marked)
        if self._only_marked and not marked:
            self._drop_from_view(index)
        elif self._only_marked:
            self._rebuild_view()
        return marked

    def mark(self, indices: Iterable[int], on: bool = True) -> int:
        """Mark (or with `on=False` unmark) rows; returns how many changed."""
        marks, value, changed = self._marks, int(on), 0
        for index in indices:
            if marks[index] != value:
                marks[index] = value
                changed += 1
        if changed:
            self._marks_changed()
        return changed

    def clear_marks(self) -> int:
        """Unmark every row (in or out of the view); returns how many were marked."""
        count = self.mark_count
        if count:
            self._marks = bytearray(len(self))
            self._marks_changed()
        return count

    def mark_view(self) -> int:
        """Mark every row the view shows; returns how many were newly marked."""
        if not self.is_filtered:
            before = self.mark_count
            self._marks[:] = b"\x01" * len(self)
            self._marks_changed()
            return len(self) - before
        return self.mark(self.view_indices())

    def invert_marks(self) -> None:
        """Mark the unmarked rows of the view and unmark the marked ones; others keep theirs."""
        if not self.is_filtered:
            self._marks = self._marks.translate(_INVERT)
        else:
            marks = self._marks
            for index in self.view_indices():
                marks[index] ^= 1
        self._marks_changed()

    def mark_matching(self, column: str, pattern: str, on: bool = True) -> int:
        """(Un)mark rows of the view whose `column` text matches `pattern` (see `text_pattern`)."""
        search = text_pattern(pattern).search
        return self.mark((index for index in self.view_indices() if search(self.cell_text(index, column))), on)

    def mark_values(self, column: str, values: Iterable[str], on: bool = True) -> int:
        """(Un)mark rows of the view whose `column` text is one of `values` (a facet's 'mark these')."""
        wanted = frozenset(values)
        return self.mark((index for index in self.view_indices() if self.cell_text(index, column) in wanted), on)

    def _count_toggle(self, index: int, marked: bool) -> None:
        """Keep the cached in-view count right: the filtered rows are in ascending index order,
        so whether the row is in the view is a bisection."""
        cached_for, count = self._marked_in_view
        valid = cached_for == (self.view_version, self._marks_version)
        self._marks_version += 1
        if not valid:
            return  # counted afresh when next asked
        matches = self._matches
        if matches is not None:
            at = bisect_left(matches, index)
            if at < len(matches) and matches[at] == index:
                count += 1 if marked else -1
        self._marked_in_view = ((self.view_version, self._marks_version), count)

    def _marks_changed(self) -> None:
        self._marks_version += 1
        if self._only_marked:
            self._rebuild_view()

    # -- flags --------------------------------------------------------------------------

    def set_flag(self, flag: RowFlag, indices: Iterable[int], on: bool = True) -> None:
        """Set (or clear) a flag on many rows at once, e.g. every row seen in earlier searches."""
        flags = self._flags
        if on:
            for index in indices:
                flags[index] |= flag
        else:
            for index in indices:
                flags[index] &= ~flag & 0xFF
        if self._new_only and flag & RowFlag.SEEN:
            self._rebuild_view()

    def has_flag(self, index: int, flag: RowFlag) -> bool:
        return bool(self._flags[index] & flag)

    def flag_count(self, flag: RowFlag) -> int:
        return self._flags.translate(_flag_table(flag)).count(1)

    # -- the view -----------------------------------------------------------------------

    @property
    def filter_text(self) -> str:
        return self._filter_text

    @property
    def value_filters(self) -> dict[str, frozenset[str]]:
        return dict(self._value_filters)

    @property
    def new_only(self) -> bool:
        return self._new_only

    @property
    def only_marked(self) -> bool:
        return self._only_marked

    @property
    def is_filtered(self) -> bool:
        """Whether any filter can hide rows (a sort alone hides none)."""
        return bool(self._filter_text or self._value_filters or self._new_only or self._only_marked)

    @property
    def sort_keys(self) -> SortColumns:
        return self._sort

    @property
    def sort_column(self) -> str | None:
        """The most significant sort column."""
        return self._sort[0][0] if self._sort else None

    @property
    def sort_descending(self) -> bool:
        return self._sort[0][1] if self._sort else False

    @property
    def view_len(self) -> int:
        """Number of rows that pass the filters."""
        if self._sorted is not None:
            return len(self._sorted)
        if self._matches is not None:
            return len(self._matches)
        return len(self)

    def view_row(self, position: int) -> int:
        """Row index shown at a view position."""
        if self._sorted is not None:
            return self._sorted[position]
        if self._matches is not None:
            return self._matches[position]
        if 0 <= position < len(self):
            return position
        raise IndexError(position)

    def view_indices(self) -> Sequence[int]:
        """Row indices in view order (the store's own list: do not change it)."""
        if self._sorted is not None:
            return self._sorted
        if self._matches is not None:
            return self._matches
        return range(len(self))

    def view_position(self, index: int) -> int | None:
        """Where a row index sits in the view (O(view) when filtered or sorted)."""
        if self._sorted is None and self._matches is None:
            return index if 0 <= index < len(self) else None
        order = self._sorted if self._sorted is not None else self._matches
        assert order is not None
        try:
            return order.index(index)
        except ValueError:
            return None

    def set_filter(self, text: str) -> None:
        """Keep only rows with `text` (case-insensitive) somewhere in their cells."""
        self.set_view(text_filter=text)

    def set_value_filter(self, column: str, values: Iterable[str] | None) -> None:
        """Keep only rows whose `column` text is one of `values`; None or empty lifts it."""
        filters = dict(self._value_filters)
        wanted = frozenset(values or ())
        if wanted:
            filters[column] = wanted
        else:
            filters.pop(column, None)
        self.set_view(value_filters=filters)

    def set_new_only(self, on: bool) -> None:
        """Hide rows flagged SEEN (their entity appeared in an earlier search)."""
        self.set_view(new_only=on)

    def set_only_marked(self, on: bool) -> None:
        self.set_view(only_marked=on)

    def sort_by(self, column: str, descending: bool = False) -> None:
        """Order the view by one column: stable, numbers numerically, missing values last."""
        self.set_view(sort=((column, descending),))

    def set_sort(self, keys: Iterable[tuple[str, bool]]) -> None:
        """Order the view by several columns, most significant first."""
        self.set_view(sort=keys)

    def clear_sort(self) -> None:
        """Back to arrival order."""
        self.set_view(sort=())

    def set_view(
        self,
        *,
        text_filter: str = _UNSET,
        value_filters: Mapping[str, Iterable[str]] = _UNSET,
        new_only: bool = _UNSET,
        only_marked: bool = _UNSET,
        sort: Iterable[tuple[str, bool]] = _UNSET,
    ) -> None:
        """Change any part of the view at once (one rebuild); parts not given stay as they are."""
        refilter, candidates = False, None
        if text_filter is not _UNSET:
            needle = text_filter.casefold()
            if needle != self._filter_text:
                if self._filter_text and self._filter_text in needle and self._matches is not None:
                    candidates = self._matches  # narrowing: only rows that matched before can match
                self._filter_text = needle
                refilter = True
        if value_filters is not _UNSET:
            filters = {column: frozenset(values) for column, values in value_filters.items()}
            filters = {column: values for column, values in filters.items() if values}
            if filters != self._value_filters:
                self._value_filters, refilter, candidates = filters, True, None
        for name, wanted in (("_new_only", new_only), ("_only_marked", only_marked)):
            if wanted is not _UNSET and bool(wanted) != getattr(self, name):
                setattr(self, name, bool(wanted))
                refilter, candidates = True, None
        resort = False
        if sort is not _UNSET:
            keys = _unique_keys(sort)
            if keys != self._sort:
                self._sort, resort = keys, True
        if refilter:
            self._rebuild_view(candidates)
        elif resort:
            self._rebuild_sorted()
            self.version += 1
            self.view_version += 1

    def _narrowing_steps(self) -> list[Callable[[Iterable[int]], list[int]]]:
        """One pass per active filter, cheapest and most selective first; each keeps a subset."""
        steps: list[Callable[[Iterable[int]], list[int]]] = []
        if self._filter_text:
            needle, haystacks = self._filter_text, self._all_haystacks()
            steps.append(lambda rows: [index for index in rows if needle in haystacks[index]])
        if self._only_marked:
            marks = self._marks
            steps.append(lambda rows: [index for index in rows if marks[index]])
        if self._new_only:
            flags, seen = self._flags, RowFlag.SEEN
            steps.append(lambda rows: [index for index in rows if not flags[index] & seen])
        for column, values in self._value_filters.items():
            steps.append(_value_step(self, column, values))
        return steps

    def _rebuild_view(self, candidates: Iterable[int] | None = None) -> None:
        steps = self._narrowing_steps()
        if not steps:
            self._matches = None
        else:
            rows: Iterable[int]
            if candidates is not None:
                rows = candidates
            elif self._only_marked:
                rows = _compress(range(len(self)), self._marks)
            else:
                rows = range(len(self))
            for step in steps:
                rows = step(rows)
            self._matches = list(rows)
        self._rebuild_sorted()
        self.version += 1
        self.view_version += 1

    def _drop_from_view(self, index: int) -> None:
        """One row leaves the view (unmarked while only marked rows show): no rebuild, and the
        rows after it move up one place, so a cursor there stays put (`view_version` unchanged)."""
        for order in (self._matches, self._sorted):
            if order is not None and index in order:
                order.remove(index)
        self.version += 1

    def _passes(self, index: int) -> bool:
        return all(step((index,)) for step in self._narrowing_steps())

    def _all_haystacks(self) -> list[str]:
        if self._haystacks is None:
            self._haystacks = [self._haystack_of(index) for index in range(len(self))]
        return self._haystacks

    def _haystack_of(self, index: int) -> str:
        return "\x00".join([display_text(value) for value in self._values[index]]).casefold()

    def find_positions(self, text: str, columns: Collection[str]) -> list[int]:
        """View positions of rows where one of `columns` contains `text` (case-insensitive).

        One pass over the rows' search text: a row without the text anywhere is rejected at C
        speed; for the others, each occurrence is mapped to its cell by counting the NULs
        before it, so a match in a hidden column does not count.
        """
        needle = text.casefold().replace("\x00", "")
        if not needle:
            return []
        haystacks, shapes = self._all_haystacks(), self._shapes
        wanted = set(columns)
        allowed_by_shape: dict[int, frozenset[int]] = {}
        found: list[int] = []
        for position, index in enumerate(self.view_indices()):
            haystack = haystacks[index]
            at = haystack.find(needle)
            if at < 0:
                continue
            shape = shapes[index]
            allowed = allowed_by_shape.get(id(shape))
            if allowed is None:
                allowed = allowed_by_shape[id(shape)] = frozenset(
                    number for number, name in enumerate(shape) if name in wanted
                )
            while at >= 0:
                if haystack.count("\x00", 0, at) in allowed:
                    found.append(position)
                    break
                at = haystack.find(needle, at + 1)
        return found

    def _key_function(self, column: str, descending: bool) -> _KeyFunction:
        groups = _DESCENDING_GROUPS if descending else _ASCENDING_GROUPS
        missing, number_group, text_group = groups["none"], groups["number"], groups["text"]
        value_of = self._value

        def key(index: int) -> _OrderKey:
            value = value_of(index, column)
            if value is None or value == "" or value == []:
                return (missing, 0)
            number = _numeric(value)
            if number is not None:
                return (number_group, number)
            return (text_group, display_text(value).casefold())

        return key

    def _rebuild_sorted(self) -> None:
        if not self._sort:
            self._sorted = None
            return
        order = list(self._matches if self._matches is not None else range(len(self)))
        # Least significant key first: each stable sort keeps the order of the ones before it
        # among equal keys. Keys are not kept: they would cost as much memory as the column.
        for column, descending in reversed(self._sort):
            order.sort(key=self._key_function(column, descending), reverse=descending)
        self._sorted = order

    def _extend_view(self, new_indices: Iterable[int]) -> None:
        if not self.is_filtered and not self._sort:
            return
        keys = [(self._key_function(column, descending), descending) for column, descending in self._sort]
        for index in new_indices:
            if self.is_filtered and not self._passes(index):
                continue
            if self._matches is not None:
                self._matches.append(index)
            if self._sorted is not None:
                self._sorted.insert(self._insertion_point(index, keys), index)

    def _insertion_point(self, index: int, keys: list[tuple[_KeyFunction, bool]]) -> int:
        """After every equal row, so a late row never jumps ahead of an equal earlier one.

        Keys along the binary search are recomputed: ~17 per new row at 100,000 rows, and the
        later keys only where the earlier ones tie.
        """
        assert self._sorted is not None
        order, low, high = self._sorted, 0, len(self._sorted)
        new_keys = [key(index) for key, _ in keys]
        while low < high:
            middle = (low + high) // 2
            if _goes_before_or_ties(order[middle], new_keys, keys):
                low = middle + 1
            else:
                high = middle
        return low

    # -- exports for copy -------------------------------------------------------------

    def _table(self, indices: Iterable[int], columns: Sequence[str]) -> list[list[str]]:
        """A header of the table's own labels (as a view's export has them), then the cells."""
        rows = [header_labels(columns)]
        rows.extend(self.texts(indices, columns))
        return rows

    def as_tsv(self, indices: Iterable[int], columns: Sequence[str]) -> str:
        """Tab-separated with a header line; pastes cleanly into spreadsheets."""
        lines = ("\t".join(cell.translate(_LINE_BREAKS) for cell in row) for row in self._table(indices, columns))
        return "\n".join(lines) + "\n"

    def as_csv(self, indices: Iterable[int], columns: Sequence[str]) -> str:
        """RFC-style CSV (quoting by the csv module) with a header line."""
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(self._table(indices, columns))
        return buffer.getvalue()

    def as_json(self, indices: Iterable[int], columns: Sequence[str] | None = None) -> str:
        """The raw API rows, whole: nested fields are kept, so `columns` is not applied."""
        return json.dumps([self.raw(i) for i in indices], indent=2, ensure_ascii=False, default=str)

    def as_markdown(self, indices: Iterable[int], columns: Sequence[str]) -> str:
        """A GitHub-style Markdown table; pipes in cells are escaped."""
        table = self._table(indices, columns)

        def line(cells: list[str]) -> str:
            return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

        lines = [line(table[0]), "| " + " | ".join("---" for _ in columns) + " |"]
        lines.extend(line(row) for row in table[1:])
        return "\n".join(lines) + "\n"


def _value_step(store: RowStore, column: str, values: frozenset[str]) -> Callable[[Iterable[int]], list[int]]:
    """The filter pass for one column's value set (a function so each pass binds its own column)."""
    text_of = store.cell_text
    return lambda rows: [index for index in rows if text_of(index, column) in values]


def _unique_keys(keys: Iterable[tuple[str, bool]]) -> SortColumns:
    """Sort keys with each column once (its first, most significant use wins)."""
    seen: set[str] = set()
    unique = []
    for column, descending in keys:
        if column not in seen:
            seen.add(column)
            unique.append((column, bool(descending)))
    return tuple(unique)


def _goes_before_or_ties(other: int, new_keys: list[_OrderKey], keys: list[tuple[_KeyFunction, bool]]) -> bool:
    """Whether row `other` sorts before a row with `new_keys`, or ties with it."""
    for (key, descending), new_key in zip(keys, new_keys):
        other_key = key(other)
        if other_key != new_key:
            return other_key > new_key if descending else other_key < new_key
    return True
