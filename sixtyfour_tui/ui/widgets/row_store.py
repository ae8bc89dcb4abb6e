"""The results table's data model: rows, columns, display text, and the filtered/sorted view.

Pure Python (no Textual) so it can be tested directly and so that every operation the
table performs per frame is O(visible rows), never O(all rows). The expensive work
(formatting a cell, measuring widths) happens lazily or on a bounded sample.

Memory is the other constraint: 100,000 rows must fit in well under 150 MB. So decoded rows are
not kept: raw rows live as pickled blocks of 100 (decoded again on demand, a few blocks cached),
and each flattened row as a tuple of values whose column names live once in a shared
"shape" tuple, with repeated strings shared. Display text is not cached per cell, and the
search text is built by the first filter.
"""

from __future__ import annotations

import csv
import io
import json
import math
import pickle
import re
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

from rich.cells import cell_len

from sixtyfour_tui.api.rows import flatten_row, sanitize_text

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
# Every character `sanitize_text` removes or replaces: text without any of them is already safe.
_UNSAFE_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

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


def display_text(value: Any) -> str:
    """Sanitized, single-line text for a cell: safe to put straight into a Segment."""
    if type(value) is str and not _UNSAFE_CHARACTERS.search(value):
        return value  # the common case, and no copy: sanitizing would change nothing
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


def _flatten(row: dict) -> dict[str, Any]:
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
        self._decoded: OrderedDict[int, list[dict]] = OrderedDict()
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, rows: list[dict]) -> None:
        """Store one block. It starts out cached as the caller's own dicts (no decode needed
        for rows just loaded); once it drops out of the cache, nothing references them."""
        self._starts.append(self._count)
        self._blocks.append(_pickled(rows))
        self._count += len(rows)
        self._remember(len(self._blocks) - 1, rows)

    def get(self, index: int) -> dict:
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

    def _remember(self, block: int, rows: list[dict]) -> None:
        self._decoded[block] = rows
        if len(self._decoded) > CACHED_BLOCKS:
            self._decoded.popitem(last=False)


def _pickled(rows: list[dict]) -> bytes:
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

    def share(self, column: str, values: tuple) -> tuple:
        table = self._tables.get(column, {})
        if table is None or not _only_text(values):
            return values
        shared = tuple(map(table.setdefault, values, values))  # C speed, no Python loop
        self._tables[column] = table if len(table) <= SHARED_STRINGS_PER_COLUMN else None
        return shared


def _only_text(values: tuple) -> bool:
    """Only str (and None) may share: 1, 1.0 and True are equal keys of different types."""
    return set(map(type, values)) <= {str, type(None)}


class RowStore:
    """Every loaded row plus a cheap view (row indices) for the current filter and sort."""

    def __init__(self, rows: Iterable[dict] | None = None) -> None:
        self._raw = _RawBlocks()
        self._shapes: list[tuple[str, ...]] = []
        """Per row: its flattened column names in order, one shared tuple per distinct shape."""
        self._values: list[tuple] = []
        """Per row: its flattened values, in the order of its shape."""
        self._known_shapes: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._positions: dict[tuple[str, ...], dict[str, int]] = {}
        self._strings = _SharedStrings()
        self._haystacks: list[str] | None = None
        """Casefolded text of each row's cells, built by the first filter and kept after it."""
        self._columns: dict[str, None] = {}
        self._widths: dict[str, int] = {}
        self._filter_text = ""
        self._matches: list[int] | None = None
        self._sort_column: str | None = None
        self._sort_descending = False
        self._sorted: list[int] | None = None
        self.version = 0
        """Bumped whenever the view or columns change, so renderers know to drop caches."""
        if rows:
            self.append(list(rows))

    # -- rows and columns -------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._values)

    @property
    def columns(self) -> list[str]:
        """Every column seen so far, in first-seen order."""
        return list(self._columns)

    def raw(self, index: int) -> dict:
        """The row exactly as the API returned it (for the detail view and JSON export)."""
        return self._raw.get(index)

    def flat(self, index: int) -> dict[str, Any]:
        """The row flattened to dotted column names."""
        return dict(zip(self._shapes[index], self._values[index]))

    def _value(self, index: int, column: str) -> Any:
        position = self._positions[self._shapes[index]].get(column)
        return None if position is None else self._values[index][position]

    def append(self, rows: Sequence[dict]) -> None:
        """Add a page of raw API rows; the view stays consistent with filter and sort.

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
        if self._haystacks is not None:
            self._haystacks.extend(self._haystack_of(index) for index in range(start, len(self._values)))
        self._extend_view(range(start, len(self._values)))
        self.version += 1

    def _add_block(self, rows: list[dict]) -> None:
        """Flatten rows into shape + values; values are shared column by column, per shape."""
        self._raw.add(rows)
        flats = [_flatten(row) for row in rows]
        shapes = [self._shape(tuple(flat)) for flat in flats]
        values: list[tuple] = [()] * len(rows)
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
        """Estimated display width: header and a bounded sample of rows, capped."""
        width = self._widths.get(column)
        if width is None:
            width = max(MIN_COLUMN_WIDTH, min(text_width(sanitize_text(column)), MAX_COLUMN_WIDTH))
        return width

    def cell_text(self, index: int, column: str) -> str:
        """Sanitized single-line display text, formatted on use (only visible rows need it)."""
        return display_text(self._value(index, column))

    # -- the view ---------------------------------------------------------------------

    @property
    def filter_text(self) -> str:
        return self._filter_text

    @property
    def sort_column(self) -> str | None:
        return self._sort_column

    @property
    def sort_descending(self) -> bool:
        return self._sort_descending

    @property
    def view_len(self) -> int:
        """Number of rows that pass the filter."""
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

    def view_position(self, index: int) -> int | None:
        """Where a row index sits in the view (O(view) when filtered or sorted)."""
        if self._sorted is None and self._matches is None:
            return index if 0 <= index < len(self) else None
        order = self._sorted if self._sorted is not None else self._matches
        try:
            return order.index(index)
        except ValueError:
            return None

    def set_filter(self, text: str) -> None:
        """Keep only rows with `text` (case-insensitive) somewhere in their cells."""
        needle = text.casefold()
        if needle == self._filter_text:
            return
        narrowing = bool(self._filter_text) and self._filter_text in needle
        previous = self._matches
        self._filter_text = needle
        if not needle:
            self._matches = None
        else:
            haystacks = self._all_haystacks()
            candidates = previous if narrowing and previous is not None else range(len(self))
            self._matches = [i for i in candidates if needle in haystacks[i]]
        self._rebuild_sorted()
        self.version += 1

    def _all_haystacks(self) -> list[str]:
        if self._haystacks is None:
            self._haystacks = [self._haystack_of(index) for index in range(len(self))]
        return self._haystacks

    def _haystack_of(self, index: int) -> str:
        return "\x00".join([display_text(value) for value in self._values[index]]).casefold()

    def _matches_filter(self, index: int) -> bool:
        return not self._filter_text or self._filter_text in self._all_haystacks()[index]

    def sort_by(self, column: str, descending: bool = False) -> None:
        """Order the view by a column: stable, numbers numerically, missing values last."""
        self._sort_column = column
        self._sort_descending = descending
        self._rebuild_sorted()
        self.version += 1

    def clear_sort(self) -> None:
        """Back to arrival order."""
        self._sort_column = None
        self._sort_descending = False
        self._sorted = None
        self.version += 1

    def _sort_key(self, index: int) -> tuple:
        groups = _DESCENDING_GROUPS if self._sort_descending else _ASCENDING_GROUPS
        value = self._value(index, self._sort_column)
        if value is None or value == "" or value == []:
            return (groups["none"], 0)
        number = _numeric(value)
        if number is not None:
            return (groups["number"], number)
        return (groups["text"], display_text(value).casefold())

    def _rebuild_sorted(self) -> None:
        if self._sort_column is None:
            return
        base = self._matches if self._matches is not None else range(len(self))
        # Keys are not kept: they would cost as much memory again as the column itself.
        self._sorted = sorted(base, key=self._sort_key, reverse=self._sort_descending)

    def _extend_view(self, new_indices: Iterable[int]) -> None:
        for index in new_indices:
            if not self._matches_filter(index):
                continue
            if self._matches is not None:
                self._matches.append(index)
            if self._sorted is not None:
                self._sorted.insert(self._insertion_point(self._sort_key(index)), index)

    def _insertion_point(self, key: tuple) -> int:
        """After every equal key, so a late row never jumps ahead of an equal earlier one.

        Keys along the binary search are recomputed: ~17 per new row at 100,000 rows.
        """
        order, low, high = self._sorted, 0, len(self._sorted)
        while low < high:
            middle = (low + high) // 2
            other = self._sort_key(order[middle])
            goes_after = other >= key if self._sort_descending else other <= key
            if goes_after:
                low = middle + 1
            else:
                high = middle
        return low

    # -- exports for copy -------------------------------------------------------------

    def _table(self, indices: Iterable[int], columns: Sequence[str]) -> list[list[str]]:
        rows = [list(columns)]
        rows.extend([self.cell_text(i, column) for column in columns] for i in indices)
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
